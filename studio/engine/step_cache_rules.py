"""Step caches a job can ask for, their knob and its range (pure data: no torch).

Each cache has one knob, carried by ``GenerationRequest.step_cache_threshold``:

* ``first_block`` (FirstBlockCache): the relative change of the first block's
  residual below which the other blocks are skipped; diffusers' default 0.05.
* ``mag`` (MagCache): the accumulated magnitude error allowed before a pass is
  computed again; diffusers' default 0.06 (at most 3 passes in a row skipped,
  none in the first 20% of steps).
* ``taylorseer`` (TaylorSeer): not a threshold but the refresh interval: one
  full pass, then ``interval - 1`` passes predicted by a Taylor expansion;
  diffusers' default 5 (full passes for the first 3 steps).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.errors import InvalidRequestError


@dataclass(frozen=True)
class CacheKnob:
    label: str
    default: float
    low: float
    high: float
    #: the knob is a whole number (TaylorSeer's interval).
    integer: bool = False
    #: the low end itself is allowed.
    low_inclusive: bool = False


STEP_CACHES: dict[str, CacheKnob] = {
    "first_block": CacheKnob("FirstBlockCache threshold", 0.05, 0.0, 1.0),
    "mag": CacheKnob("MagCache threshold", 0.06, 0.0, 1.0),
    "taylorseer": CacheKnob("TaylorSeer refresh interval (steps)", 5, 2, 20, integer=True, low_inclusive=True),
}
#: what the UI and the API offer, "off" first.
STEP_CACHE_CHOICES = ("off", *STEP_CACHES)


def cache_threshold(kind: str, value: float | None) -> float:
    """The knob value a cache runs with: ``value`` checked against the cache's range, or its default.

    Raises:
        InvalidRequestError: unknown cache, or a value out of range (naming cache, value and range).
    """
    if kind == "off":
        return 0.0
    knob = STEP_CACHES.get(kind)
    if knob is None:
        raise InvalidRequestError(f"unknown step cache {kind!r}; choose one of {', '.join(STEP_CACHE_CHOICES)}")
    if value is None:
        return knob.default
    low_ok = value >= knob.low if knob.low_inclusive else value > knob.low
    if not (low_ok and value <= knob.high) or (knob.integer and value != int(value)):
        bracket = "[" if knob.low_inclusive else "("
        kind_of = "a whole number in" if knob.integer else "in"
        raise InvalidRequestError(
            f"step_cache_threshold for {kind} ({knob.label}) must be {kind_of} {bracket}{knob.low:g}, {knob.high:g}], got {value:g}"
        )
    return float(value)
