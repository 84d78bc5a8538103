"""The generation tabs' result video plays the sound track of the exported file (nothing converts it away)."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import numpy as np

from studio.media.audio import AudioTrack
from studio.media.export import export_video, probe_audio
from studio.ui.streaming import render_job_outputs


def test_the_result_video_keeps_the_sound_track(tmp_path: Path) -> None:
    t = np.arange(24000) / 24000
    tone = AudioTrack(np.stack([np.sin(2 * np.pi * 440 * t)] * 2, 1).astype(np.float32) * 0.5, 24000)
    frames = np.random.default_rng(0).integers(0, 256, (9, 64, 64, 3), dtype=np.uint8)
    path = export_video(frames, tmp_path / "video.mp4", 8, {}, audio=tone)
    for prefix in ("t2v", "i2v"):
        with gr.Blocks():
            video = render_job_outputs(prefix).video
        served = video.postprocess(str(path))
        assert served is not None and Path(served.path) == path  # served as exported, not re-encoded
        found = probe_audio(served.path)
        assert found is not None and found[0] == "aac"
