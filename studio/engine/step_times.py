"""Seconds per denoising step, measured on this machine and kept under the data dir (pure JSON).

Keyed by device, model, offload policy and guidance (classifier-free guidance
runs the transformer twice per step); each key keeps one running mean per
token count. An estimate for a token count never run is scaled linearly from
the nearest one measured, and says so.
"""

from __future__ import annotations

import json
import logging
import statistics
import threading
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepTime:
    seconds_per_step: float
    note: str


class StepTimes:
    """A small persistent table of measured step times (``step_times.json``)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._table: dict[str, dict[str, list[float]]] = self._read()

    def _read(self) -> dict[str, dict[str, list[float]]]:
        try:
            data = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable step times in %s (%s)", self._path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def key(device: str, model: str, policy: str, guided: bool) -> str:
        return f"{device}|{model}|{policy}|{'cfg' if guided else 'no-cfg'}"

    def record(self, key: str, tokens: int, step_seconds: list[float]) -> None:
        """Fold one run's step durations (median, robust to a slow first step) into the mean for ``tokens``."""
        if not step_seconds or tokens <= 0:
            return
        median = statistics.median(step_seconds)
        with self._lock:
            points = self._table.setdefault(key, {})
            mean, count = points.get(str(tokens), [0.0, 0.0])
            points[str(tokens)] = [(mean * count + median) / (count + 1), count + 1]
            self._write()

    def _write(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".partial")
        tmp.write_text(json.dumps(self._table, indent=1, sort_keys=True))
        tmp.replace(self._path)

    def lookup(self, key: str, tokens: int) -> StepTime | None:
        """The measured time per step at ``tokens``, or scaled from the nearest measured token count."""
        with self._lock:
            points = {int(t): (m, int(c)) for t, (m, c) in self._table.get(key, {}).items()}
        if not points or tokens <= 0:
            return None
        if tokens in points:
            mean, count = points[tokens]
            return StepTime(mean, f"measured at this size, {count} run{'s' if count > 1 else ''}")
        nearest = min(points, key=lambda t: abs(t - tokens))
        mean, _count = points[nearest]
        return StepTime(mean * tokens / nearest, f"scaled from a run at {nearest} tokens")
