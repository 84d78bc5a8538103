"""Motion engine throughput at 832x480: camera only, and camera + 4 arrows.

Usage: ``python benchmarks/motion.py [--threads 2] [--frames 81] [--runs 5]``.
Prints a table, then as its last line one JSON object
``{"camera_fps": ..., "camera_vectors_fps": ...}`` (medians over the runs).
OpenCV is limited to ``--threads`` threads (default 2, the target machine).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.motion.camera import compile_camera  # noqa: E402
from studio.motion.engine import MotionPlan  # noqa: E402
from studio.motion.specs import CameraSpec  # noqa: E402
from studio.motion.vectors import Trajectory  # noqa: E402

WIDTH, HEIGHT = 832, 480
ARROWS = (
    Trajectory(((0.2, 0.3), (0.3, 0.35)), radius=0.1),
    Trajectory(((0.7, 0.6), (0.6, 0.5), (0.55, 0.7)), radius=0.15),
    Trajectory(((0.5, 0.5), (0.5, 0.3)), radius=0.1),
    Trajectory(((0.8, 0.2), (0.9, 0.25)), radius=0.08),
)


def _frames_per_second(image: np.ndarray, plan_factory, frames: int, runs: int) -> list[float]:
    """Frames/s of rendering every frame of a fresh plan, once per run (plan building included)."""
    results = []
    for _ in range(runs):
        started = time.perf_counter()
        plan = plan_factory()
        for frame in range(frames):
            plan.render_frame(image, frame)
        results.append(frames / (time.perf_counter() - started))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frames", type=int, default=81)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cv2.setNumThreads(args.threads)
    noise = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    image = cv2.GaussianBlur(noise, (0, 0), 2.0)
    camera = compile_camera(CameraSpec(presets=["pan_right", "zoom_in", "dolly_in"]), args.frames, WIDTH, HEIGHT)
    _frames_per_second(image, lambda: MotionPlan(camera, ARROWS), min(args.frames, 10), 1)  # warm-up

    cases = {
        "camera_fps": ("camera only (pan + zoom + dolly)", lambda: MotionPlan(camera)),
        "camera_vectors_fps": ("camera + 4 arrows", lambda: MotionPlan(camera, ARROWS)),
    }
    summary = {}
    print(f"motion engine, {WIDTH}x{HEIGHT}, {args.frames} frames, {args.runs} runs, {args.threads} OpenCV threads")
    print(f"{'case':<34}{'median fps':>12}{'min':>10}{'max':>10}")
    for key, (label, factory) in cases.items():
        fps = _frames_per_second(image, factory, args.frames, args.runs)
        summary[key] = round(statistics.median(fps), 1)
        print(f"{label:<34}{summary[key]:>12.1f}{min(fps):>10.1f}{max(fps):>10.1f}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
