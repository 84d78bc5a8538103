"""Step caching on the Wan demo: speed and skipped passes per cache, same seed, size and steps.

Each cache runs through the studio's runner (``GenerationRunner``) with its
default threshold; "off" is the reference. MagCache first runs once to measure
the demo's magnitude ratios (not timed), as it does on a first real run. Runs
are interleaved (off, first_block, mag, taylorseer, off, ...) after a warm-up,
and the median is reported. The demo has random weights, so the frame
difference to "off" only shows that a cache changed the computation; it says
nothing about visual quality.

Usage: python benchmarks/cache.py [--runs 3] [--scale 3] [--steps 20]
Last line: {"cache_speedup": {...}, "skipped_fraction": {...}, ...}
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from studio.config import Settings  # noqa: E402
from studio.engine import build_engine  # noqa: E402
from studio.engine.registry import ModelRegistry, ModelSpec  # noqa: E402
from studio.engine.step_cache_rules import STEP_CACHE_CHOICES, cache_threshold  # noqa: E402
from studio.types import GenerationRequest, Phase  # noqa: E402

WIDTH, HEIGHT, FRAMES = 192, 112, 17


class _Timer:
    """A ProgressSink that times the denoising loop (first transformer call to the start of decoding)."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.ended: float | None = None

    def phase(self, phase: Phase, message: str = "") -> None:
        if phase == Phase.DENOISING:
            self.started = time.perf_counter()
        elif phase == Phase.DECODING:
            self.ended = time.perf_counter()

    def progress(self, step: int, total_steps: int) -> None: ...

    def preview(self, images, frame_indices, step) -> None: ...

    def is_canceled(self) -> bool:
        return False

    @property
    def denoise_s(self) -> float:
        assert self.started is not None and self.ended is not None
        return self.ended - self.started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=3, help="demo size multiplier (bigger = slower steps)")
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), device="cpu", offline=True, preview_every_steps=10_000)
        registry = ModelRegistry(offline=True)
        registry.register(ModelSpec(key="wan-bench", family="wan", label="Wan demo (benchmark size)", demo=True,
                                    demo_scale=args.scale))  # fmt: skip
        _device, _manager, runner = build_engine(settings, registry)

        def request(cache: str) -> GenerationRequest:
            return GenerationRequest(prompt="a red fox trots through fresh snow", model="wan-bench", width=WIDTH, height=HEIGHT,
                                     num_frames=FRAMES, steps=args.steps, guidance_scale=5.0, seed=7, step_cache=cache)  # fmt: skip

        runner.run(request("off"), 7, _Timer())  # warm-up (builds and loads the demo)
        runner.run(request("mag"), 7, _Timer())  # MagCache measures the ratios once
        seconds: dict[str, list[float]] = {c: [] for c in STEP_CACHE_CHOICES}
        totals: dict[str, list[float]] = {c: [] for c in STEP_CACHE_CHOICES}
        skipped: dict[str, float] = {}
        frames: dict[str, np.ndarray] = {}
        for _ in range(args.runs):
            for cache in STEP_CACHE_CHOICES:
                timer, started = _Timer(), time.perf_counter()
                result = runner.run(request(cache), 7, timer)
                totals[cache].append(time.perf_counter() - started)
                seconds[cache].append(timer.denoise_s)
                skipped[cache] = result.step_cache.skipped_fraction if result.step_cache else 0.0
                frames[cache] = result.frames.astype(np.int16)
    median = {c: statistics.median(s) for c, s in seconds.items()}
    total = {c: statistics.median(s) for c, s in totals.items()}
    speedup = {c: median["off"] / median[c] for c in STEP_CACHE_CHOICES if c != "off"}
    total_speedup = {c: total["off"] / total[c] for c in speedup}
    diff = {c: float(np.abs(frames[c] - frames["off"]).mean()) for c in speedup}
    print(f"Wan demo x{args.scale}, {WIDTH}x{HEIGHT}, {FRAMES} frames, {args.steps} steps, guidance 5 (2 passes per step), "
          f"median of {args.runs} interleaved runs, CPU; speedup = denoising loop, end-to-end in brackets")  # fmt: skip
    print(f"{'cache':<12} {'threshold':>9} {'denoise s':>10} {'speedup':>8} {'(end-to-end)':>13} {'skipped':>8} {'|diff| vs off':>14}")
    for cache in STEP_CACHE_CHOICES:
        threshold = "" if cache == "off" else f"{cache_threshold(cache, None):g}"
        print(f"{cache:<12} {threshold:>9} {median[cache]:>10.2f} {speedup.get(cache, 1.0):>7.2f}x "
              f"{total_speedup.get(cache, 1.0):>12.2f}x {skipped[cache]:>7.0%} {diff.get(cache, 0.0):>14.2f}")  # fmt: skip
    print(json.dumps({
        "cache_speedup": {c: round(v, 3) for c, v in speedup.items()},
        "skipped_fraction": {c: round(skipped[c], 3) for c in speedup},
        "mean_abs_diff_vs_off": {c: round(v, 2) for c, v in diff.items()},
        "end_to_end_speedup": {c: round(v, 3) for c, v in total_speedup.items()},
        "denoise_s": {c: round(v, 3) for c, v in median.items()},
        "config": {"scale": args.scale, "steps": args.steps, "runs": args.runs, "size": [WIDTH, HEIGHT, FRAMES]},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
