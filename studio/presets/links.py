"""Share links: any setting combination as a short, versioned, url-safe string.

``?preset=<name>`` names a preset; ``?s=<code>`` carries the settings:
``<version>.<base64url(zlib(json))>``, where the JSON is
``{"tab": "t2v"|"i2v", "values": {...}}`` with the same partial request values
a preset holds (files are never embedded: a source image must be uploaded
again). Decoding checks the size cap before decompressing (and caps the
decompressed size), the version, the zlib checksum (a changed character almost
always breaks it) and then the values themselves, so a tampered link fails
with a clear message instead of loading something odd.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from studio.errors import InvalidRequestError
from studio.presets.schema import TABS, Tab, validate_values

LINK_VERSION = 1
#: longest ``s`` value accepted (URLs past ~8 KB are cut by some proxies and browsers)
MAX_LINK_CHARS = 6000
_MAX_JSON_BYTES = 64_000


class ShareLinkError(InvalidRequestError):
    """A share link that cannot be used (too long, truncated, tampered, or of an unknown version)."""


@dataclass(frozen=True)
class SharedSettings:
    tab: Tab
    values: dict[str, Any]


def encode_settings(tab: Tab, values: dict[str, Any]) -> str:
    """The ``s`` parameter for ``values`` (validated first).

    Raises:
        InvalidRequestError: a bad tab or value; ShareLinkError when the result is over the cap.
    """
    if tab not in TABS:
        raise InvalidRequestError(f"tab must be one of {', '.join(TABS)}, got {tab!r}")
    document = {"tab": tab, "values": validate_values(values)}
    raw = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    code = f"{LINK_VERSION}." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    if len(code) > MAX_LINK_CHARS:
        raise ShareLinkError(f"these settings make a link of {len(code)} characters, over the {MAX_LINK_CHARS} limit; "
                             "save them as a preset instead")  # fmt: skip
    return code


def decode_settings(code: str) -> SharedSettings:
    """The settings in an ``s`` parameter.

    Raises:
        ShareLinkError: naming what is wrong with the link.
    """
    code = (code or "").strip()
    if not code:
        raise ShareLinkError("the share link carries no settings")
    if len(code) > MAX_LINK_CHARS:
        raise ShareLinkError(f"the share link is {len(code)} characters, over the {MAX_LINK_CHARS} limit")
    version, dot, payload = code.partition(".")
    if not dot or not version.isdigit():
        raise ShareLinkError("this is not a studio share link (it has no version)")
    if int(version) != LINK_VERSION:
        raise ShareLinkError(f"the share link is of version {version}; this studio reads version {LINK_VERSION}")
    try:
        compressed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        decompressor = zlib.decompressobj()
        raw = decompressor.decompress(compressed, _MAX_JSON_BYTES)
        if decompressor.unconsumed_tail or not decompressor.eof:
            raise ValueError("truncated or oversized")
        document = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError) as exc:
        raise ShareLinkError("the share link is damaged (truncated or changed); ask for the link again") from exc
    if not isinstance(document, dict) or set(document) != {"tab", "values"} or document["tab"] not in TABS:
        raise ShareLinkError("the share link's content is not studio settings")
    try:
        values = validate_values(document["values"])
    except InvalidRequestError as exc:
        raise ShareLinkError(f"the share link's settings are not valid: {exc}") from exc
    return SharedSettings(tab=document["tab"], values=values)


def share_query(tab: Tab, *, preset: str | None = None, values: dict[str, Any] | None = None) -> str:
    """The query string (without ``?``) of a link to ``tab`` with a preset or settings."""
    params: dict[str, str] = {"tab": tab}
    if preset:
        params["preset"] = preset
    else:
        params["s"] = encode_settings(tab, values or {})
    return urlencode(params)
