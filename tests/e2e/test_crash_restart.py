"""Kill the studio (SIGKILL) mid-job and account for every job; one data folder, one process.

(A second interruption failing the job is tested on the store: tests/jobs/test_lifecycle.py.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import png_bytes
from tests.e2e.conftest import ROOT, Server, start_server

pytestmark = pytest.mark.e2e
# motion-warp: no model to load, so the server restarts are the only slow part
SLOW = {"mode": "i2v", "prompt": "slow", "model": "motion-warp", "width": 1280, "height": 720, "num_frames": 161,
        "motion": {"camera": {"presets": ["zoom_in", "orbit_left"]}}}  # fmt: skip
QUICK = {**SLOW, "prompt": "quick", "width": 64, "height": 48, "num_frames": 9}


def _job(server: Server, job_id: str) -> dict:
    return httpx.get(f"{server.url}/api/v1/jobs/{job_id}").json()


def _wait_for(server: Server, job_id: str, condition, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while not condition(job := _job(server, job_id)):
        assert time.monotonic() < deadline, f"job {job_id} stuck: {job}"
        time.sleep(0.1)
    return job


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def test_sigkill_mid_job_requeues_it_and_loses_nothing(tmp_path: Path, shared_model_dir: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    server, process = start_server(data_dir, shared_model_dir)
    try:
        image = httpx.post(f"{server.url}/api/v1/files", files={"file": ("in.png", png_bytes(), "image/png")}).json()["handle"]
        slow = httpx.post(f"{server.url}/api/v1/jobs", json={**SLOW, "image": image}).json()["id"]
        quick = [httpx.post(f"{server.url}/api/v1/jobs", json={**QUICK, "image": image}).json()["id"] for _ in range(2)]
        _wait_for(server, slow, lambda j: j["status"] == "running")
        # a second studio on the same folder is refused, naming the folder and the holder
        second = subprocess.run([sys.executable, "-m", "studio.cli", "--data-dir", str(data_dir), "generate", "--prompt", "x"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "STUDIO_MODEL_DIR": str(shared_model_dir), "STUDIO_DEVICE": "cpu"})  # fmt: skip
        assert second.returncode == 2 and f"in use by another studio (process {process.pid})" in second.stderr
        assert str(data_dir.resolve()) in second.stderr
        _kill(process)
        server, process = start_server(data_dir, shared_model_dir)
        again = _wait_for(server, slow, lambda j: j["status"] == "running")
        assert again["attempts"] == 2
        httpx.delete(f"{server.url}/api/v1/jobs/{slow}")  # no need to let it finish
        for job_id in quick:
            done = _wait_for(server, job_id, lambda j: j["status"] in ("succeeded", "failed", "canceled"))
            assert done["status"] == "succeeded" and done["attempts"] == 1
        listed = {j["id"]: j["status"] for j in httpx.get(f"{server.url}/api/v1/jobs").json()["jobs"]}
        assert listed == {slow: "canceled", quick[0]: "succeeded", quick[1]: "succeeded"}
    finally:
        process.kill()
        process.wait(10)
