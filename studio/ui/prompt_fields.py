"""Prompt-tab widget values <-> ``PromptStructure`` (no gradio here: plain values, testable)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from studio.errors import InvalidRequestError, describe_validation_error
from studio.prompting.structure import PromptStructure, Subject

BEAT_COLUMNS = ["start_s", "end_s", "text"]


def _items(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").replace("\n", ",").split(",") if x.strip()]


def _number(value: object, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()) or value != value:  # NaN
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"{what} must be a number of seconds, got {value!r}") from exc


def structure_to_fields(s: PromptStructure) -> tuple:
    """(subjects, beats rows, setting, move, presets, strength, shot, angle, lens, lighting, style, mood, negatives)."""
    subjects = "\n".join(sub.appearance or sub.name for sub in s.subjects)
    beats = [[b.start_s, b.end_s, b.text] for b in s.beats]
    c = s.camera
    return (subjects, beats, s.setting, c.move, list(c.presets), c.strength, c.shot_size, c.angle, c.lens,
            ", ".join(s.lighting), ", ".join(s.style), ", ".join(s.mood), ", ".join(s.negatives))  # fmt: skip


def fields_to_structure(subjects: str | None, beats: Sequence[Sequence[object]] | None, setting: str | None,
                        move: str | None, presets: Sequence[str] | None, strength: float | None, shot_size: str | None,
                        angle: str | None, lens: str | None, lighting: str | None, style: str | None,
                        mood: str | None, negatives: str | None) -> PromptStructure:  # fmt: skip
    """The structure the (possibly edited) fields describe.

    Raises:
        InvalidRequestError: a bad time in the beats table or an unknown camera preset, named.
    """
    rows = []
    for index, row in enumerate(beats or []):
        cells = list(row) + [None] * (3 - len(row))
        text = str(cells[2] or "").strip()
        if not text:
            continue
        rows.append({"text": text, "start_s": _number(cells[0], f"beat {index + 1} start"),
                     "end_s": _number(cells[1], f"beat {index + 1} end")})  # fmt: skip
    subject_list = [Subject(name=line.split()[-1].lower(), appearance=line.strip())
                    for line in (subjects or "").splitlines() if line.strip()]  # fmt: skip
    try:
        return PromptStructure.model_validate({
            "subjects": [s.model_dump() for s in subject_list], "beats": rows, "setting": (setting or "").strip(),
            "camera": {"move": (move or "").strip(), "presets": list(presets or []),
                       "strength": 1.0 if strength is None else strength, "shot_size": (shot_size or "").strip(),
                       "angle": (angle or "").strip(), "lens": (lens or "").strip()},
            "lighting": _items(lighting), "style": _items(style), "mood": _items(mood), "negatives": _items(negatives),
        })  # fmt: skip
    except ValidationError as exc:
        raise InvalidRequestError(describe_validation_error(exc)) from exc
