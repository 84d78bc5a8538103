"""Demo models: built once under the data dir, then loaded like any real model."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from studio.engine.families import FAMILIES
from studio.engine.registry import ModelSpec

logger = logging.getLogger(__name__)
_BUILD_LOCK = threading.Lock()
_COMPLETE_MARK = ".complete"


def demo_folder(models_dir: Path, spec: ModelSpec) -> Path:
    return models_dir / f"{spec.key}-x{spec.demo_scale}"


def ensure_demo(models_dir: Path, spec: ModelSpec) -> Path:
    """Return the folder of ``spec``'s demo pipeline, building it on first use.

    The pipeline is written to a temporary folder and renamed into place, and a
    marker is written last, so a crash mid-build never leaves a half model that
    later loads. A file lock in the models folder makes processes sharing it
    (Ray workers on one machine) build it once.
    """
    folder = demo_folder(models_dir, spec)
    if (folder / _COMPLETE_MARK).is_file():
        return folder
    with _BUILD_LOCK, _folder_lock(models_dir):
        if (folder / _COMPLETE_MARK).is_file():
            return folder
        logger.info("building demo model %s (random weights) in %s", spec.key, folder)
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        FAMILIES[spec.family].build_demo(tmp, spec.demo_scale, spec.demo_kind or spec.pipeline_class or spec.modes[0])
        (tmp / _COMPLETE_MARK).write_text(spec.key)
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    return folder


@contextlib.contextmanager
def _folder_lock(models_dir: Path) -> Iterator[None]:
    """Exclusive across processes while held (``flock``; the kernel drops it if the process dies)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / ".demo-build.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
