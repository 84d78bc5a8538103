"""What changes when the studio runs on a Hugging Face Space (read by ``app.py``, tested on its own)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

#: settings a hosted Space gets unless its operator set them (Space variables win)
SPACE_DEFAULTS = {
    "STUDIO_HOST": "0.0.0.0",  # a Space serves on all interfaces
    "STUDIO_OUTPUT_RETENTION_DAYS": "2",
    "STUDIO_OUTPUT_RETENTION_GB": "20",
    "STUDIO_MAX_UPLOAD_MB": "25",
}


def on_space(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("SPACE_ID"))


def apply_space_defaults(environ: MutableMapping[str, str]) -> list[str]:
    """Fill the Space defaults into ``environ`` where unset; returns the names filled."""
    if not on_space(environ):
        return []
    filled = [name for name in SPACE_DEFAULTS if name not in environ]
    for name in filled:
        environ[name] = SPACE_DEFAULTS[name]
    if "STUDIO_PORT" not in environ and environ.get("PORT"):
        environ["STUDIO_PORT"] = environ["PORT"]
        filled.append("STUDIO_PORT")
    return filled


def entry_argv(argv: list[str]) -> list[str]:
    """``python app.py [options]`` means ``serve [options]``; an explicit command is kept."""
    return argv if {"serve", "generate", "report", "verify"} & set(argv) else ["serve", *argv]
