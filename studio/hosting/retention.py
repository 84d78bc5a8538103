"""Output retention: old job folders are removed by age and by total size, never a live job's.

A public Space has a small disk; outputs older than ``max_age_days`` go, then
the oldest until the folder is under ``max_total_gb``. A folder whose job is
not finished (queued, running, or waiting) is never touched, whatever its age.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupReport:
    removed: list[str]
    kept_live: list[str]
    freed_bytes: int
    remaining_bytes: int


def _mtime_and_size(folder: Path) -> tuple[float, int]:
    """The newest modification time under ``folder`` (its own when empty) and the bytes its files take; one walk."""
    newest, size = folder.stat().st_mtime, 0
    for path in folder.rglob("*"):
        stat = path.stat()
        newest = max(newest, stat.st_mtime)
        if path.is_file():
            size += stat.st_size
    return newest, size


def clean_outputs(outputs_dir: Path, *, max_age_days: float, max_total_gb: float,
                  live_job_ids: Callable[[], Iterable[str]], now: float | None = None) -> CleanupReport:  # fmt: skip
    """Remove job output folders past the age limit, then the oldest until under the size limit.

    Args:
        outputs_dir: ``<data_dir>/outputs`` (one folder per job id; ``_``-prefixed folders are caches).
        max_age_days / max_total_gb: 0 disables that limit.
        live_job_ids: ids of jobs that are not finished; read once, their folders are kept.
    """
    if not outputs_dir.is_dir():
        return CleanupReport([], [], 0, 0)
    now = time.time() if now is None else now
    live = set(live_job_ids())
    folders = [(p, *_mtime_and_size(p)) for p in outputs_dir.iterdir() if p.is_dir()]
    folders.sort(key=lambda item: item[1])  # oldest first
    total = sum(size for _, _, size in folders)
    removed: list[str] = []
    kept_live: list[str] = []
    freed = 0
    for folder, mtime, size in folders:
        too_old = max_age_days > 0 and now - mtime > max_age_days * 86400
        too_big = max_total_gb > 0 and total > max_total_gb * 1e9
        if not (too_old or too_big):
            continue
        if folder.name in live:
            kept_live.append(folder.name)
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
        freed += size
        total -= size
    if removed:
        logger.info("retention: removed %d output folders (%.1f MB)", len(removed), freed / 1e6)
    return CleanupReport(removed, kept_live, freed, total)


class RetentionTask:
    """Runs ``clean_outputs`` at start and then every ``interval_s`` in a daemon thread."""

    def __init__(self, clean: Callable[[], CleanupReport], interval_s: float = 3600.0) -> None:
        import threading

        self._clean = clean
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="studio-retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while True:
            try:
                self._clean()
            except OSError:
                logger.exception("retention cleanup failed; trying again later")
            if self._stop.wait(self._interval_s):
                return

    def stop(self) -> None:
        self._stop.set()
