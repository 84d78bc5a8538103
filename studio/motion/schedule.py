"""Keyframed parameter schedules in the Deforum style: ``"0:(0), 24:(15), 48:(0)"``.

Syntax: comma-separated keys ``frame:(value)``; ``frame`` is a non-negative
integer, ``value`` a decimal number (sign, fraction and exponent allowed).
Whitespace is free and one trailing comma is allowed. Key frames must be
strictly increasing. Before the first key the first value holds, after the
last key the last value holds; between keys values are interpolated (linearly,
or along an easing curve per segment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from studio.errors import InvalidRequestError
from studio.motion.easing import ease

MAX_SCHEDULE_CHARS = 20_000
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"\d+")


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: strictly increasing key ``frames`` and their ``values``."""

    name: str
    frames: tuple[int, ...]
    values: tuple[float, ...]

    def evaluate(self, num_frames: int, easing: str = "linear") -> np.ndarray:
        """Values for frames ``0..num_frames-1`` (float64), eased within each segment.

        Raises:
            InvalidRequestError: a key frame lies beyond the last frame of the clip.
        """
        last = self.frames[-1]
        if last > num_frames - 1:
            raise InvalidRequestError(
                f"schedule {self.name!r}: key frame {last} is beyond the last frame {num_frames - 1} "
                f"of a {num_frames}-frame clip"
            )
        frames = np.arange(num_frames, dtype=np.float64)
        keys = np.asarray(self.frames, dtype=np.float64)
        values = np.asarray(self.values, dtype=np.float64)
        if len(keys) == 1:
            return np.full(num_frames, values[0])
        segment = np.clip(np.searchsorted(keys, frames, side="right") - 1, 0, len(keys) - 2)
        start, end = keys[segment], keys[segment + 1]
        progress = ease((frames - start) / (end - start), easing)
        return values[segment] + (values[segment + 1] - values[segment]) * progress


class _Cursor:
    """Reads a schedule left to right and reports errors at the current position."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.pos = 0

    def fail(self, what: str, pos: int | None = None) -> InvalidRequestError:
        at = self.pos if pos is None else pos
        found = repr(self.text[at]) if at < len(self.text) else "end of text"
        return InvalidRequestError(
            f"schedule {self.name!r}: {what} at position {at} in {self.text!r} (found {found})"
        )

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def expect(self, char: str) -> None:
        self.skip_space()
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            raise self.fail(f"expected {char!r}")
        self.pos += 1

    def match(self, pattern: re.Pattern[str], what: str) -> tuple[str, int]:
        self.skip_space()
        found = pattern.match(self.text, self.pos)
        if found is None:
            raise self.fail(f"expected {what}")
        start, self.pos = self.pos, found.end()
        return found.group(0), start


def parse_schedule(
    text: str, name: str, minimum: float | None = None, maximum: float | None = None
) -> Schedule:
    """Parse ``text`` into a :class:`Schedule` for the parameter ``name``.

    ``minimum`` / ``maximum``, when given, bound every value.

    Raises:
        InvalidRequestError: a syntax error (the message gives the 0-based
            character position), frames that do not increase, or a value out of range.
    """
    if len(text) > MAX_SCHEDULE_CHARS:
        raise InvalidRequestError(f"schedule {name!r} is {len(text)} characters long; the limit is {MAX_SCHEDULE_CHARS}")
    cursor = _Cursor(text, name)
    if cursor.at_end():
        raise cursor.fail("expected a key like '0:(0)'")
    frames: list[int] = []
    values: list[float] = []
    while True:
        frame_text, frame_pos = cursor.match(_INTEGER, "a frame number")
        frame = int(frame_text)
        if frames and frame <= frames[-1]:
            raise cursor.fail(f"frame {frame} does not come after frame {frames[-1]}", frame_pos)
        cursor.expect(":")
        cursor.expect("(")
        value_text, value_pos = cursor.match(_NUMBER, "a number")
        value = float(value_text)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            low = "-inf" if minimum is None else f"{minimum:g}"
            high = "inf" if maximum is None else f"{maximum:g}"
            raise cursor.fail(f"value {value_text} at frame {frame} is outside [{low}, {high}]", value_pos)
        cursor.expect(")")
        frames.append(frame)
        values.append(value)
        if cursor.at_end():
            break
        cursor.expect(",")
        if cursor.at_end():
            break
    return Schedule(name=name, frames=tuple(frames), values=tuple(values))
