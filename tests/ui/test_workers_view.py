"""The Models tab's table of Ray workers."""

from __future__ import annotations

from studio.scale.state import CachedModel, WorkerState
from studio.ui.workers_view import workers_markdown


def test_each_worker_shows_state_place_and_cache() -> None:
    workers = [
        WorkerState(name="ray-0", state="busy", node="gpu-a", device="cuda:0", gpus=["3"], job_id="j1", jobs_run=4,
                    cache=[CachedModel(key="wan-demo", modes=["t2v"], size_gb=1.5, policy="none", in_use=True)]),
        WorkerState(name="ray-1", state="ready", node="gpu-b", device="cuda:0", cache=[]),
        WorkerState(name="ray-2", state="ready", cache=None),
        WorkerState(name="ray-3", state="restarting"),
    ]  # fmt: skip
    lines = workers_markdown(workers).splitlines()
    assert lines[4] == "| ray-0 | busy (j1) | gpu-a | cuda:0 | 3 | 4 | wan-demo (1.50 GB, none, in use) |"
    assert lines[5].endswith("| empty |") and lines[6].endswith("| did not answer |") and lines[7].endswith("| - |")
