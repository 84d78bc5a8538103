"""``studio generate``'s request options beyond the named flags: ``--set FIELD=VALUE``, ``--lora``, ``--format``.

Every field a share link or a preset can carry can be scripted: the common
ones have flags, and ``--set`` reaches any ``GenerationRequest`` field (the
value is read as JSON when it parses, else as text), so a new option needs no
new flag. Values are checked by the request model like any front end's.
"""

from __future__ import annotations

import json
from typing import Any

from studio.errors import InvalidRequestError
from studio.types import GenerationRequest


def set_values(items: list[str] | None) -> dict[str, Any]:
    """``["step_cache=mag", "keyframe_factor=2", ...]`` -> request values.

    Raises:
        InvalidRequestError: an item without ``=``, or a field the request does not have.
    """
    values: dict[str, Any] = {}
    for item in items or []:
        field, sep, text = item.partition("=")
        field = field.strip()
        if not sep or not field:
            raise InvalidRequestError(f"--set takes FIELD=VALUE, got {item!r}")
        if field not in GenerationRequest.model_fields:
            known = ", ".join(sorted(GenerationRequest.model_fields))
            raise InvalidRequestError(f"--set: unknown request field {field!r}; fields: {known}")
        try:
            values[field] = json.loads(text)
        except ValueError:
            values[field] = text
    return values


def lora_values(items: list[str] | None) -> list[dict[str, Any]]:
    """``["org/lora", "style.safetensors:0.7"]`` -> ``loras`` request values (weight 1 unless ``:WEIGHT``).

    Raises:
        InvalidRequestError: a weight that is not a number.
    """
    loras = []
    for item in items or []:
        source, sep, weight = item.rpartition(":")
        if not sep or "/" in weight:  # no weight given (a hub id or a path may contain ':' only before a '/')
            source, weight = item, "1"
        try:
            loras.append({"source": source.strip(), "weight": float(weight)})
        except ValueError:
            raise InvalidRequestError(f"--lora {item!r}: the weight after ':' must be a number, got {weight!r}") from None
    return loras
