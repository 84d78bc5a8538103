"""How many CPU threads the generation worker's torch may use.

On the CPU, torch's intra-op pool takes every core by default. While the
studio serves, the worker shares the process and the machine with the web
server's event loop: a pool spinning on every core delays each status poll
and event by the time the loop waits for a core. So while serving on the
CPU with more than one core, the worker keeps one core free (cores - 1
threads) unless ``STUDIO_WORKER_THREADS`` says otherwise. Headless runs
(``studio generate``) and accelerators keep torch's default.

OpenMP keeps the thread count per calling thread, so the count is applied in
the thread that runs the pipelines (``use_threads`` at the start of each run).
"""

from __future__ import annotations

import os

import torch

from studio.engine.device import DeviceInfo
from studio.errors import InvalidRequestError


def available_cores() -> int:
    """CPU cores this process may run on (its affinity where the OS tells it, else the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_thread_count(requested: int | None, device: DeviceInfo, *, serving: bool, cores: int | None = None) -> int | None:
    """The worker's torch intra-op thread count; None leaves torch's default.

    Args:
        requested: ``Settings.worker_threads`` (None = decide here).
        device: the worker's device; only the CPU gets a default bound.
        serving: the process also serves the web studio.
        cores: the cores to plan for (default: ``available_cores()``).

    Raises:
        InvalidRequestError: ``requested`` is more than the cores this process may use.
    """
    cores = cores if cores is not None else available_cores()
    if requested is not None:
        if requested > cores:
            raise InvalidRequestError(
                f"STUDIO_WORKER_THREADS must be at most the {cores} CPU cores this process may use, got {requested}"
            )
        return requested
    if serving and device.device.type == "cpu" and cores > 1:
        return cores - 1
    return None


def use_threads(count: int | None) -> None:
    """Bound torch's intra-op pool to ``count`` threads for the calling thread (None: leave it)."""
    if count is not None and torch.get_num_threads() != count:
        torch.set_num_threads(count)
