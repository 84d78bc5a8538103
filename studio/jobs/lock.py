"""The data folder belongs to one studio process: an exclusive lock held for the process's life."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from studio.errors import DataDirBusyError


class DataDirLock:
    """An exclusive ``flock`` on ``<data_dir>/studio.lock``, which records the holder's process id.

    The kernel drops the lock when the process dies (even after ``kill -9``), so
    a stale lock file never blocks a restart.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "studio.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            DataDirBusyError: another process (or another studio in this process) holds it;
                the message names the folder and the holder's process id.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DataDirBusyError(
                f"the data folder {self.path.parent.resolve()} is in use by another studio (process {holder}); "
                "stop it or use another STUDIO_DATA_DIR"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
