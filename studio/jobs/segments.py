"""A job's finished sections written off the denoising thread, one after the other, in the order they came.

Writing a section (an ffmpeg process: start, encode, wait for it to end)
takes a few hundred ms; done where the engine hands the section over, it
would hold the next window's denoising for that long. Here the engine only
queues it: one writer thread per job writes the sections in order and calls
``done`` for each written one, while the engine goes on. ``close`` waits for
the queued ones (or drops those not started, when the job was canceled), so
every section is written and announced before the job's whole video.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from studio.media.export import export_video
from studio.media.formats import ExportSettings

#: sections are streamed previews of the clip (the whole clip is written with the request's settings):
#: x264's ``veryfast`` takes about half the CPU of ``medium`` at the same CRF (measured on a 33-frame section).
SECTION_EXPORT = ExportSettings(format="mp4", preset="veryfast")

logger = logging.getLogger(__name__)


class SegmentWriter:
    """Writes ``folder/segmentNN.mp4`` in a thread of its own, one after the other; ``done(path, ticket)`` after each.

    A section that cannot be written is logged and skipped (its ``done`` is not called): the job goes on.
    """

    def __init__(self, folder: Path, metadata: dict[str, Any], done: Callable[[Path, Any], None]) -> None:
        self._folder = folder
        self._metadata = metadata
        self._done = done
        self._pool: ThreadPoolExecutor | None = None  # started with the first section

    def submit(self, frames: np.ndarray, index: int, total: int, fps: int, ticket: Any) -> None:
        """Queue section ``index`` of ``total`` (``frames`` are not changed after this); ``ticket`` goes to ``done``."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segments")
        self._pool.submit(self._write, frames, index, total, fps, ticket)

    def close(self, *, discard: bool = False) -> None:
        """Wait until the queued sections are written; ``discard``: drop those not started yet."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=discard)

    def _write(self, frames: np.ndarray, index: int, total: int, fps: int, ticket: Any) -> None:
        try:
            path = export_video(frames, self._folder / f"segment{index:02d}.mp4", fps,
                                {**self._metadata, "segment": index, "segments": total}, settings=SECTION_EXPORT)  # fmt: skip
        except Exception:
            logger.exception("section %s (%s) could not be written; not shown", index, self._metadata)
            return
        try:
            self._done(path, ticket)
        except Exception:  # an announcement that failed must not stop the sections after it
            logger.exception("section %s (%s) was written but could not be announced", index, self._metadata)
