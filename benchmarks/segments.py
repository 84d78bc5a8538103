"""Long video on the FramePack demo: how early each finished section is shown, against the whole run.

A clip of ``--sections`` 33-frame windows runs through the studio's runner
(``GenerationRunner``) with a sink that stamps each ``segment`` call (CPU time of
this process and wall time). The figure is the share of the run after which the
first section is on screen (without streaming it is 1.0: nothing before the
end). The demo has random weights: the times are the real pipeline's shape
(denoise a window, decode it, next window) at demo sizes, not a GPU's.

Usage: python benchmarks/segments.py [--sections 3] [--steps 4] [--threads 1]
Last line: {"sections": ..., "first_segment_fraction": ..., "segment_fractions": [...], "total_cpu_s": ...}
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from studio.config import Settings  # noqa: E402
from studio.engine import build_engine  # noqa: E402
from studio.engine.registry import ModelRegistry  # noqa: E402
from studio.types import GenerationRequest, Phase  # noqa: E402

WIDTH, HEIGHT, WINDOW_FRAMES = 64, 48, 33


class _SegmentClock:
    """A ProgressSink with ``segment``: stamps each finished section (CPU and wall seconds since the start)."""

    def __init__(self) -> None:
        self.start = (time.process_time(), time.perf_counter())
        self.stamps: list[tuple[int, float, float, int]] = []

    def phase(self, phase: Phase, message: str = "") -> None:
        return None

    def progress(self, step: int, total_steps: int) -> None:
        return None

    def preview(self, images, frame_indices, step) -> None:
        return None

    def segment(self, frames, index: int, total: int, fps: int) -> None:
        cpu, wall = time.process_time() - self.start[0], time.perf_counter() - self.start[1]
        self.stamps.append((index, cpu, wall, len(frames)))

    def is_canceled(self) -> bool:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=3)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        image = folder / "source.png"
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)).save(image)
        settings = Settings(data_dir=folder / "data", model_dir=folder / "models", device="cpu", offline=True)
        registry = ModelRegistry(offline=True)
        _, _, runner = build_engine(settings, registry)
        frames = (WINDOW_FRAMES * args.sections - 1) // 4 * 4 + 1  # the longest 4k+1 clip of that many windows
        request = GenerationRequest(mode="i2v", prompt="a fox", model="framepack-demo", image=str(image), width=WIDTH,
                                    height=HEIGHT, num_frames=frames, steps=args.steps, fps=10)  # fmt: skip
        runner.run(request.model_copy(update={"num_frames": 9, "steps": 1}), seed=0, sink=_SegmentClock())  # warm-up
        clock = _SegmentClock()
        result = runner.run(request, seed=0, sink=clock)
        total_cpu, total_wall = time.process_time() - clock.start[0], time.perf_counter() - clock.start[1]
    print(f"framepack-demo, {frames} frames ({args.sections} sections), {args.steps} steps, {WIDTH}x{HEIGHT}, "
          f"{args.threads} thread(s)")  # fmt: skip
    print(f"{'section':>8} {'frames':>7} {'cpu s':>8} {'share of run':>13} {'wall s':>8}")
    for index, cpu, wall, count in clock.stamps:
        print(f"{index:>8} {count:>7} {cpu:>8.2f} {cpu / total_cpu:>13.2f} {wall:>8.2f}")
    print(f"{'end':>8} {result.num_frames:>7} {total_cpu:>8.2f} {1.0:>13.2f} {total_wall:>8.2f}")
    fractions = [round(cpu / total_cpu, 3) for _, cpu, _, _ in clock.stamps]
    print(json.dumps({"sections": len(clock.stamps), "frames": result.num_frames,
                      "first_segment_fraction": fractions[0] if fractions else None, "segment_fractions": fractions,
                      "total_cpu_s": round(total_cpu, 2), "total_wall_s": round(total_wall, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
