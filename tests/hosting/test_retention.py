"""Output retention: by age, then by size, never a live job's folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

from studio.hosting.retention import RetentionTask, clean_outputs


def _job(outputs: Path, name: str, age_days: float, size: int) -> Path:
    folder = outputs / name
    (folder / "keyframes").mkdir(parents=True)
    (folder / "video.mp4").write_bytes(b"v" * size)
    (folder / "keyframes" / "f.png").write_bytes(b"p")
    stamp = time.time() - age_days * 86400
    for path in (folder / "video.mp4", folder / "keyframes" / "f.png", folder / "keyframes", folder):
        os.utime(path, (stamp, stamp))
    return folder


def test_old_outputs_go_and_live_ones_stay(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    _job(outputs, "old-done", 10, 100)
    _job(outputs, "old-running", 10, 100)
    _job(outputs, "new-done", 0.1, 100)
    report = clean_outputs(outputs, max_age_days=7, max_total_gb=0, live_job_ids=lambda: ["old-running"])
    assert report.removed == ["old-done"] and report.kept_live == ["old-running"]
    assert sorted(p.name for p in outputs.iterdir()) == ["new-done", "old-running"]
    assert report.freed_bytes == 101


def test_size_limit_removes_the_oldest_first(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    for age, name in ((5, "a"), (4, "b"), (3, "c"), (2, "d")):
        _job(outputs, name, age, 400)
    live = ["a"]
    report = clean_outputs(outputs, max_age_days=0, max_total_gb=1000 / 1e9, live_job_ids=lambda: live)
    # 4 x 401 bytes over a 1000-byte cap: "a" is live, so "b" and "c" go; "d" (newest) stays
    assert report.removed == ["b", "c"] and report.kept_live == ["a"]
    assert report.remaining_bytes == 802


def test_no_limits_remove_nothing(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    _job(outputs, "x", 400, 10)
    assert clean_outputs(outputs, max_age_days=0, max_total_gb=0, live_job_ids=list).removed == []
    assert clean_outputs(tmp_path / "missing", max_age_days=1, max_total_gb=1, live_job_ids=list).removed == []


def test_the_task_cleans_at_start_and_stops(tmp_path: Path) -> None:
    calls: list[float] = []
    task = RetentionTask(lambda: calls.append(time.time()), interval_s=0.05)
    task.start()
    time.sleep(0.2)
    task.stop()
    seen = len(calls)
    assert seen >= 2
    time.sleep(0.15)
    assert len(calls) <= seen + 1
