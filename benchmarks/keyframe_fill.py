"""Keyframe mode's fill-in: optical flow vs the model conditioned on the keyframes (LTX-Video condition demo).

The same model, seed, steps and output frame count as jobs: the clip generated
whole (``keyframe_factor`` 1), in keyframe mode filled by optical flow, and in
keyframe mode filled by the model (``keyframe_fill`` "model": the keyframes,
then the whole clip again conditioned on them at their frames). Job time is the
worker's wall time from ``running`` to ``succeeded`` (generation, fill-in,
export and report); runs are interleaved after one warm-up of each, medians
given. Also per fill-in: its own time (``interpolate_s``), and how far the
output frames at the keyframe positions are from the keyframes (mean absolute
difference, 0-255, on the lossless PNG-zip export; flow keeps them exactly, the
model re-renders them). On the demo (random weights) that distance means
little, as its VAE does not reconstruct images; with a real checkpoint's
weights in ``--model-dir``, ``--model ltx-video-0.9.5`` measures it for a trained model.
On a tiny demo fixed per-job costs (export, report, PNGs) weigh more than
generation, so the whole clip can beat keyframes + flow here.

Usage: python benchmarks/keyframe_fill.py [--runs 3] [--steps 8] [--frames 33] [--factor 4] [--model KEY --model-dir DIR]
Last line: {"flow_job_s": ..., "model_job_s": ..., "full_job_s": ..., "model_over_flow": ...,
            "model_fill_s": ..., "flow_fill_s": ..., "keyframe_mad_model": ..., "keyframe_mad_flow": ...}
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.config import Settings  # noqa: E402
from studio.container import build_container  # noqa: E402
from studio.types import GenerationRequest, JobStatus  # noqa: E402

WIDTH, HEIGHT = 256, 160


def job_run(container, request: GenerationRequest) -> dict:
    done = container.jobs.wait(container.jobs.submit(request).id, timeout_s=3600)
    if done.status != JobStatus.SUCCEEDED:
        raise RuntimeError(f"job ended {done.status.value}: {done.error}")
    folder = container.jobs.output_dir(done.id)
    timings = json.loads((folder / "metadata.json").read_text())["timings_s"]
    row = {"job_s": done.finished_at - done.started_at, "fill_s": timings.get("interpolate_s", 0.0), "mad": None}
    if done.outputs.review is not None:  # keyframe mode: distance of the output at the keyframes to them
        with zipfile.ZipFile(folder / done.outputs.video) as archive:  # lossless frames
            frames = [np.asarray(Image.open(archive.open(f"frame{i:05d}.png")).convert("RGB"))
                      for i in range(request.num_frames)]  # fmt: skip
        keys = [np.asarray(Image.open(folder / p).convert("RGB"), np.float64) for p in done.outputs.review.frames]
        at = [frames[i * request.keyframe_factor].astype(np.float64) for i in range(len(keys))]
        row["mad"] = float(np.mean([np.abs(a - k).mean() for a, k in zip(at, keys, strict=True)]))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--frames", type=int, default=33)
    parser.add_argument("--factor", type=int, default=4)
    parser.add_argument("--model", default="ltx-condition-demo", help="a model that declares \"keyframes\"")
    parser.add_argument("--model-dir", type=Path, help="where its weights are (default: a temporary folder, for demos)")
    args = parser.parse_args()
    base = dict(prompt="a lighthouse at dusk", model=args.model, width=WIDTH, height=HEIGHT, num_frames=args.frames,
                steps=args.steps, fps=24, seed=7, export={"format": "png_zip"})  # fmt: skip
    kinds = {
        "full": GenerationRequest(**base),
        "flow": GenerationRequest(**base, keyframe_factor=args.factor),
        "model": GenerationRequest(**base, keyframe_factor=args.factor, keyframe_fill="model"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", model_dir=args.model_dir or Path(tmp) / "models", device="cpu", offline=True,
                            c2pa_signing=False, watermark=False)  # fmt: skip
        container = build_container(settings)
        try:
            for request in kinds.values():  # warm-up: the model built and loaded, caches filled
                job_run(container, request)
            rows: dict[str, list[dict]] = {kind: [] for kind in kinds}
            for _ in range(args.runs):
                for kind, request in kinds.items():
                    rows[kind].append(job_run(container, request))
        finally:
            container.close()

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[kind])

    keyframes = (args.frames - 1) // args.factor + 1
    print(f"{args.model} {WIDTH}x{HEIGHT}, {args.frames} frames, factor {args.factor} ({keyframes} keyframes), "
          f"{args.steps} steps, {args.runs} runs (medians), CPU")  # fmt: skip
    print(f"{'run':<22}{'job s':>8}{'fill-in s':>11}{'keyframe MAD':>14}")
    for kind, label in (("full", "whole clip"), ("flow", "keyframes + flow"), ("model", "keyframes + model")):
        mad = "" if kind == "full" else f"{median(kind, 'mad'):.2f}"
        print(f"{label:<22}{median(kind, 'job_s'):>8.2f}{median(kind, 'fill_s'):>11.2f}{mad:>14}")
    figures = {
        "full_job_s": round(median("full", "job_s"), 3), "flow_job_s": round(median("flow", "job_s"), 3),
        "model_job_s": round(median("model", "job_s"), 3),
        "model_over_flow": round(median("model", "job_s") / median("flow", "job_s"), 3),
        "flow_fill_s": round(median("flow", "fill_s"), 3), "model_fill_s": round(median("model", "fill_s"), 3),
        "keyframe_mad_flow": round(median("flow", "mad"), 3), "keyframe_mad_model": round(median("model", "mad"), 3),
    }  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
