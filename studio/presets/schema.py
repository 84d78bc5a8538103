"""Preset files: a versioned schema, migrations from older versions, and value validation.

A preset is a named, partial set of generation settings: the fields of a
``GenerationRequest`` it sets (anything it does not name keeps the tab's
value). Files on disk carry ``schema_version``; an older file is migrated in
memory, step by step, before it is validated, so files written by any release
keep loading.

Version history:
  1. the settings were top-level keys next to ``name`` (``{"name": ..., "steps": 8}``),
     one preset applied to both generation tabs.
  2. the settings live under ``values``; ``tabs`` says where the preset applies;
     ``prompt_suffix`` adds words to the prompt instead of replacing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from studio.errors import InvalidRequestError, describe_validation_error
from studio.types import GenerationRequest

SCHEMA_VERSION = 2
Tab = Literal["t2v", "i2v"]
TABS: tuple[Tab, ...] = ("t2v", "i2v")

#: Request fields that name files: they never travel in a preset or a link (the file must be uploaded again).
FILE_FIELDS = frozenset({"image", "depth_map", "end_image", "webhook_url", "video"})
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_META_KEYS = {"schema_version", "name", "title", "description"}


def shareable_fields() -> frozenset[str]:
    """Request fields a preset or a share link may set: every field but files (derived, so new fields join)."""
    return frozenset(GenerationRequest.model_fields) - FILE_FIELDS


def validate_values(values: dict[str, Any], *, where: str = "settings") -> dict[str, Any]:
    """Check partial request values and return them normalised (JSON types; the camera file text dropped).

    Raises:
        InvalidRequestError: an unknown or file field, or a value a request would refuse, named.
    """
    if not isinstance(values, dict):
        raise InvalidRequestError(f"{where}: values must be an object, got {type(values).__name__}")
    unknown = sorted(set(values) - shareable_fields())
    if unknown:
        raise InvalidRequestError(f"{where}: not a shareable setting: {', '.join(unknown)}")
    probe = {"prompt": "x", **values}
    try:
        request = GenerationRequest.model_validate(probe)
    except ValidationError as exc:
        raise InvalidRequestError(f"{where}: {describe_validation_error(exc)}") from exc
    dumped = request.model_dump(mode="json", include=set(values))
    if isinstance(dumped.get("motion"), dict):
        dumped["motion"]["camera_file"] = None  # a file's text is not a setting (and would not fit a link)
    return dumped


class Preset(BaseModel):
    """One preset as stored (current schema)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    name: str
    title: str = Field(min_length=1, max_length=80)
    description: str = Field("", max_length=500)
    tabs: list[Tab] = Field(default_factory=lambda: list(TABS), min_length=1)
    values: dict[str, Any] = Field(default_factory=dict)
    #: words appended to the tab's prompt (a look: "cinematic, anamorphic, film grain"), instead of replacing it.
    prompt_suffix: str = Field("", max_length=300)

    def prompt_with_suffix(self, prompt: str | None) -> str:
        """``prompt`` with this preset's ``prompt_suffix`` appended once (the suffix alone for an empty prompt)."""
        prompt = prompt or ""
        if not self.prompt_suffix or self.prompt_suffix in prompt:
            return prompt
        stem = prompt.rstrip(", ")
        return f"{stem}, {self.prompt_suffix}" if stem else self.prompt_suffix

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError("must be 1-48 lowercase letters, digits, '-' or '_' (starting with a letter or digit)")
        return name

    @field_validator("values")
    @classmethod
    def _check_values(cls, values: dict[str, Any]) -> dict[str, Any]:
        try:
            return validate_values(values, where="values")
        except InvalidRequestError as exc:
            raise ValueError(str(exc)) from exc


def _v1_to_v2(raw: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in raw.items() if k not in _META_KEYS}
    meta = {k: v for k, v in raw.items() if k in _META_KEYS}
    return {**meta, "schema_version": 2, "tabs": list(TABS), "values": values}


#: ``MIGRATIONS[n]`` turns a version-``n`` document into version ``n + 1``; append-only.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring a preset document of any released version to the current one.

    Raises:
        InvalidRequestError: no or an unknown ``schema_version`` (e.g. from a newer studio).
    """
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidRequestError(f"schema_version must be an integer, got {version!r}")
    if version > SCHEMA_VERSION or version < 1:
        raise InvalidRequestError(f"schema_version {version} is not known to this studio (1..{SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        raw = MIGRATIONS[version](raw)
        version = raw["schema_version"]
    return raw


def parse_preset(raw: object, *, where: str) -> Preset:
    """A ``Preset`` from a decoded JSON document of any known version.

    Raises:
        InvalidRequestError: naming ``where`` and the problem.
    """
    if not isinstance(raw, dict):
        raise InvalidRequestError(f"{where}: a preset is a JSON object, got {type(raw).__name__}")
    try:
        return Preset.model_validate(migrate(raw))
    except InvalidRequestError as exc:
        raise InvalidRequestError(f"{where}: {exc}") from exc
    except ValidationError as exc:
        raise InvalidRequestError(f"{where}: {describe_validation_error(exc)}") from exc
