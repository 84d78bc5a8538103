"""Step caching on the Wan demo: speed and skipped passes per cache, same seed, size and steps.

Each cache runs through the studio's runner (``GenerationRunner``) with its
default threshold (FirstBlockCache also at 0.5); "off" is the reference. MagCache first runs once to measure
the demo's magnitude ratios (not timed), as it does on a first real run. Runs
are interleaved (off, first_block, mag, taylorseer, off, ...) after a warm-up,
and the median CPU time of the denoising loop is compared (wall time is also
printed; on a shared machine it varies with the neighbours' load). The demo has random weights, so the frame
difference to "off" only shows that a cache changed the computation; it says
nothing about visual quality.

Usage: python benchmarks/cache.py [--runs 3] [--scale 3] [--steps 20] [--threads 1]
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
import torch  # noqa: E402

from studio.config import Settings  # noqa: E402
from studio.engine import build_engine  # noqa: E402
from studio.engine.registry import ModelRegistry, ModelSpec  # noqa: E402
from studio.engine.step_cache_rules import cache_threshold  # noqa: E402
from studio.types import GenerationRequest, Phase  # noqa: E402

WIDTH, HEIGHT, FRAMES = 160, 96, 17
#: (label, cache, threshold): each cache at its default, and FirstBlockCache at a looser threshold too,
#: since random demo weights change the first block's residual by more than the default 5% every step.
CASES = [("off", "off", None), ("first_block", "first_block", None), ("first_block@0.5", "first_block", 0.5),
         ("mag", "mag", None), ("taylorseer", "taylorseer", None)]  # fmt: skip


class _Timer:
    """A ProgressSink that times the denoising loop (first transformer call to the start of decoding).

    CPU seconds of this process are the figure compared: on a machine shared with
    other work, wall time measures the neighbours as much as the cache.
    """

    def __init__(self) -> None:
        self.started: tuple[float, float] | None = None
        self.ended: tuple[float, float] | None = None

    def phase(self, phase: Phase, message: str = "") -> None:
        if phase == Phase.DENOISING:
            self.started = (time.process_time(), time.perf_counter())
        elif phase == Phase.DECODING:
            self.ended = (time.process_time(), time.perf_counter())

    def progress(self, step: int, total_steps: int) -> None: ...

    def preview(self, images, frame_indices, step) -> None: ...

    def is_canceled(self) -> bool:
        return False

    def seconds(self) -> tuple[float, float]:
        """(CPU seconds, wall seconds) of the denoising loop."""
        assert self.started is not None and self.ended is not None
        return self.ended[0] - self.started[0], self.ended[1] - self.started[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=3, help="demo size multiplier (bigger = slower steps)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 keeps CPU seconds comparable)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), device="cpu", offline=True, preview_every_steps=10_000)
        registry = ModelRegistry(offline=True)
        registry.register(ModelSpec(key="wan-bench", family="wan", label="Wan demo (benchmark size)", demo=True,
                                    demo_scale=args.scale))  # fmt: skip
        _device, _manager, runner = build_engine(settings, registry)

        def request(cache: str, threshold: float | None = None) -> GenerationRequest:
            return GenerationRequest(prompt="a red fox trots through fresh snow", model="wan-bench", width=WIDTH, height=HEIGHT,
                                     num_frames=FRAMES, steps=args.steps, guidance_scale=5.0, seed=7, step_cache=cache,
                                     step_cache_threshold=threshold)  # fmt: skip

        runner.run(request("off"), 7, _Timer())  # warm-up (builds and loads the demo)
        runner.run(request("mag"), 7, _Timer())  # MagCache measures the ratios once
        cpu: dict[str, list[float]] = {label: [] for label, _, _ in CASES}
        wall: dict[str, list[float]] = {label: [] for label, _, _ in CASES}
        skipped: dict[str, float] = {}
        frames: dict[str, np.ndarray] = {}
        for _ in range(args.runs):
            for label, cache, threshold in CASES:
                timer = _Timer()
                result = runner.run(request(cache, threshold), 7, timer)
                cpu_s, wall_s = timer.seconds()
                cpu[label].append(cpu_s)
                wall[label].append(wall_s)
                skipped[label] = result.step_cache.skipped_fraction if result.step_cache else 0.0
                frames[label] = result.frames.astype(np.int16)
    median = {c: statistics.median(s) for c, s in cpu.items()}
    median_wall = {c: statistics.median(s) for c, s in wall.items()}
    speedup = {label: median["off"] / median[label] for label, _, _ in CASES if label != "off"}
    wall_speedup = {c: median_wall["off"] / median_wall[c] for c in speedup}
    diff = {c: float(np.abs(frames[c] - frames["off"]).mean()) for c in speedup}
    print(f"Wan demo x{args.scale}, {WIDTH}x{HEIGHT}, {FRAMES} frames, {args.steps} steps, guidance 5 (2 passes per step), "
          f"{args.threads} CPU thread(s), median of {args.runs} interleaved runs; denoising loop only")  # fmt: skip
    print(f"{'cache':<16} {'threshold':>9} {'CPU s':>7} {'speedup':>8} {'wall s':>7} {'skipped':>8} {'|diff| vs off':>14}")
    for label, cache, value in CASES:
        threshold = "" if cache == "off" else f"{cache_threshold(cache, value):g}"
        print(f"{label:<16} {threshold:>9} {median[label]:>7.2f} {speedup.get(label, 1.0):>7.2f}x "
              f"{median_wall[label]:>7.2f} {skipped[label]:>7.0%} {diff.get(label, 0.0):>14.2f}")  # fmt: skip
    print(json.dumps({
        "cache_speedup": {c: round(v, 3) for c, v in speedup.items()},
        "skipped_fraction": {c: round(skipped[c], 3) for c in speedup},
        "mean_abs_diff_vs_off": {c: round(v, 2) for c, v in diff.items()},
        "wall_speedup": {c: round(v, 3) for c, v in wall_speedup.items()},
        "denoise_cpu_s": {c: round(v, 3) for c, v in median.items()},
        "config": {"scale": args.scale, "steps": args.steps, "runs": args.runs, "threads": args.threads,
                   "size": [WIDTH, HEIGHT, FRAMES]},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
