"""The preset library: curated presets shipped in ``presets/`` plus user presets under the data folder.

Loading never fails as a whole: a file that does not parse or validate is
skipped and reported by name (``PresetLibrary.problems``). Curated presets are
read-only; user presets are saved and deleted through this class only, with
names checked so that a name can never address a file elsewhere.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.config import CURATED_PRESETS_DIR
from studio.errors import InvalidRequestError
from studio.presets.schema import Preset, Tab, parse_preset, validate_values

logger = logging.getLogger(__name__)
CURATED_DIR = CURATED_PRESETS_DIR


@dataclass(frozen=True)
class LoadedPreset:
    preset: Preset
    user: bool

    @property
    def label(self) -> str:
        return f"{self.preset.title} (yours)" if self.user else self.preset.title


class PresetLibrary:
    """Curated + user presets, re-read from disk on every ``load`` (files are small and few)."""

    def __init__(self, user_dir: Path, curated_dir: Path = CURATED_DIR) -> None:
        self._user_dir = user_dir
        self._curated_dir = curated_dir
        self._lock = threading.Lock()
        self.problems: list[str] = []

    def load(self) -> dict[str, LoadedPreset]:
        """Every valid preset by name (a user preset never shadows a curated one); problems kept in ``problems``."""
        presets: dict[str, LoadedPreset] = {}
        problems: list[str] = []
        for folder, user in ((self._curated_dir, False), (self._user_dir, True)):
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                try:
                    preset = parse_preset(json.loads(path.read_text(encoding="utf-8")), where=f"preset file {path.name}")
                except (OSError, ValueError, InvalidRequestError) as exc:
                    message = str(exc) if isinstance(exc, InvalidRequestError) else f"preset file {path.name}: {exc}"
                    problems.append(message)
                    logger.warning("skipping %s", message)
                    continue
                if preset.name in presets:
                    problems.append(f"preset file {path.name}: the name {preset.name!r} is already taken; skipped")
                    continue
                presets[preset.name] = LoadedPreset(preset, user)
        self.problems = problems
        return presets

    def for_tab(self, tab: Tab) -> list[LoadedPreset]:
        return [p for p in self.load().values() if tab in p.preset.tabs]

    def get(self, name: str) -> LoadedPreset:
        """Raises InvalidRequestError naming an unknown preset."""
        presets = self.load()
        if name not in presets:
            raise InvalidRequestError(f"unknown preset {name!r}; known: {', '.join(sorted(presets)) or 'none'}")
        return presets[name]

    def save_user(self, name: str, title: str, tabs: list[Tab], values: dict[str, Any]) -> Preset:
        """Validate and write a user preset (replacing the user's own of that name).

        Raises:
            InvalidRequestError: a bad name or value, or the name of a curated preset.
        """
        preset = parse_preset({"schema_version": 2, "name": name, "title": title or name, "tabs": tabs,
                               "values": validate_values(values)}, where=f"preset {name!r}")  # fmt: skip
        with self._lock:
            existing = self.load().get(preset.name)
            if existing is not None and not existing.user:
                raise InvalidRequestError(f"{preset.name!r} is a curated preset; save yours under another name")
            self._user_dir.mkdir(parents=True, exist_ok=True)
            path = self._user_dir / f"{preset.name}.json"
            tmp = path.with_suffix(".partial")
            tmp.write_text(preset.model_dump_json(indent=2), encoding="utf-8")
            tmp.replace(path)
        return preset

    def delete_user(self, name: str) -> None:
        """Raises InvalidRequestError for a curated or unknown preset."""
        with self._lock:
            existing = self.load().get(name)
            if existing is None:
                raise InvalidRequestError(f"unknown preset {name!r}")
            if not existing.user:
                raise InvalidRequestError(f"{name!r} is a curated preset and cannot be deleted")
            (self._user_dir / f"{existing.preset.name}.json").unlink(missing_ok=True)
