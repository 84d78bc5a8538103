"""`studio generate` headless, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from studio.media.export import probe_video, read_embedded_metadata

ROOT = Path(__file__).resolve().parents[1]


def _studio(args: list[str], tmp_path: Path, model_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "STUDIO_MODEL_DIR": str(model_dir), "STUDIO_DEVICE": "cpu", "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "studio.cli", "--data-dir", str(tmp_path / "data"), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip


def test_generate_writes_the_clip(tmp_path: Path, shared_model_dir: Path) -> None:
    out = tmp_path / "clip.mp4"
    result = _studio(["generate", "--prompt", "a lighthouse at night", "--model", "wan-demo", "--frames", "9",
                      "--steps", "3", "--seed", "9", "--out", str(out)], tmp_path, shared_model_dir)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert probe_video(out) == (9, 160, 96)
    assert read_embedded_metadata(out)["seed"] == 9
    assert "step" in result.stderr  # the terminal progress bar
    assert f"wrote {out}" in result.stdout


def test_bad_values_exit_2_with_the_reason(tmp_path: Path, shared_model_dir: Path) -> None:
    result = _studio(["generate", "--prompt", "x", "--model", "nope", "--out", str(tmp_path / "c.mp4")], tmp_path, shared_model_dir)
    assert result.returncode == 2 and "unknown model 'nope'" in result.stderr
    result = _studio(["generate", "--prompt", "x", "--steps", "0"], tmp_path, shared_model_dir)
    assert result.returncode == 2 and "steps must be greater than or equal to 1, got 0" in result.stderr
    result = _studio(["generate", "--prompt", "x", "--flow-shift", "0"], tmp_path, shared_model_dir)
    assert result.returncode == 2 and "flow_shift" in result.stderr and "got 0" in result.stderr
    assert not (tmp_path / "c.mp4").exists()
