"""Easing curves: how a motion's progress (0..1) is spread over time.

Every curve maps 0 -> 0 and 1 -> 1, is monotone and continuous, so easing never
changes where a motion starts or ends, only how fast it gets there.
"""

from __future__ import annotations

import numpy as np

from studio.errors import InvalidRequestError
from studio.motion.names import EASINGS


def ease(progress: np.ndarray | float, easing: str) -> np.ndarray:
    """Apply ``easing`` to ``progress`` (clipped to 0..1) and return float64 values in 0..1.

    Curves: ``linear`` p; ``ease_in`` p^2 (starts slowly); ``ease_out`` 1-(1-p)^2
    (ends slowly); ``ease_in_out`` 3p^2-2p^3 (smoothstep: slow at both ends).

    Raises:
        InvalidRequestError: an unknown easing name.
    """
    p = np.clip(np.asarray(progress, dtype=np.float64), 0.0, 1.0)
    if easing == "linear":
        return p
    if easing == "ease_in":
        return p * p
    if easing == "ease_out":
        return 1.0 - (1.0 - p) ** 2
    if easing == "ease_in_out":
        return p * p * (3.0 - 2.0 * p)
    raise InvalidRequestError(f"unknown easing {easing!r}; use one of {', '.join(EASINGS)}")


def clip_progress(num_frames: int, easing: str = "linear") -> np.ndarray:
    """Eased progress for each of ``num_frames`` frames: 0 at the first frame, 1 at the last.

    A one-frame clip has progress 0 (no motion).
    """
    if num_frames <= 1:
        return np.zeros(max(num_frames, 0))
    return ease(np.arange(num_frames) / (num_frames - 1), easing)
