"""Studio overhead: the same demo pipeline, seed and steps, called bare and through the studio.

"Through the studio" is the whole path a UI click takes (validation, SQLite
job, queue, worker thread, step callbacks, clean-latent hooks, keyframe
previews written as PNG, events), timed from submit until the frames are ready
(the ``exporting`` phase; export itself excluded). Runs are interleaved
(bare, studio, bare, ...) after one warm-up of each, so drift hits both alike.
The bare call runs on a thread of its own, as the studio's worker does (torch's
CPU kernels do not thread alike on the main thread and on others).

Usage: python benchmarks/overhead.py [--runs 5] [--scale 2] [--steps 10]
Last line: {"overhead_ratio": ..., "first_preview_fraction": ..., ...}
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from studio.config import Settings  # noqa: E402
from studio.container import build_container  # noqa: E402
from studio.engine.demo import ensure_demo  # noqa: E402
from studio.engine.registry import ModelSpec  # noqa: E402
from studio.types import GenerationRequest, JobStatus, Phase  # noqa: E402

WIDTH, HEIGHT, FRAMES = 256, 160, 17


def bare_run(pipe, request: GenerationRequest) -> float:
    started = time.perf_counter()
    pipe(prompt=request.prompt, height=request.height, width=request.width, num_frames=request.num_frames,
         num_inference_steps=request.steps, guidance_scale=request.guidance_scale,
         generator=torch.Generator("cpu").manual_seed(request.seed), output_type="np")  # fmt: skip
    return time.perf_counter() - started


def studio_run(container, request: GenerationRequest, kinds: list[str] | None = None) -> tuple[float, float]:
    """(seconds from submit to frames ready, seconds from submit to first preview); ``kinds`` gets each event's kind."""
    started = time.perf_counter()
    job = container.jobs.submit(request)
    first_preview = None
    with container.jobs.subscribe(job.id) as events:
        while True:
            event = events.get(timeout_s=600)
            if event is None:
                raise RuntimeError("no event for 600 s")
            if kinds is not None:
                kinds.append(event.kind)
            if event.kind == "preview" and first_preview is None:
                first_preview = time.perf_counter() - started
            if event.kind == "phase" and event.phase == Phase.EXPORTING:
                total = time.perf_counter() - started
                break
            if event.kind == "status" and event.status.is_terminal:
                raise RuntimeError(f"job ended {event.status.value}: {event.message}")
    if container.jobs.wait(job.id).status != JobStatus.SUCCEEDED:
        raise RuntimeError("job failed")
    return total, first_preview or total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=int, default=2, help="demo size multiplier (bigger = slower steps)")
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), device="cpu", offline=True, preview_every_steps=1, preview_keyframes=4)
        container = build_container(settings)
        spec = ModelSpec(key="wan-bench", family="wan", label="Wan demo (benchmark size)", demo=True, demo_scale=args.scale)
        container.registry.register(spec)
        folder = ensure_demo(settings.models_dir, spec)
        from diffusers import WanPipeline

        pipe = WanPipeline.from_pretrained(folder, dtype=torch.float32)
        pipe.set_progress_bar_config(disable=True)
        request = GenerationRequest(prompt="a red fox trots through fresh snow", model="wan-bench", width=WIDTH,
                                    height=HEIGHT, num_frames=FRAMES, steps=args.steps, guidance_scale=5.0, seed=1234)  # fmt: skip
        bare_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bare")  # one long-lived thread, as the worker
        bare_thread.submit(bare_run, pipe, request).result()  # warm-up (allocator, kernels)
        studio_run(container, request)  # warm-up (loads the studio's cached pipeline)
        bare_times, studio_times, previews = [], [], []
        for _ in range(args.runs):
            bare_times.append(bare_thread.submit(bare_run, pipe, request).result())
            total, first = studio_run(container, request)
            studio_times.append(total)
            previews.append(first / total)
        container.close()
        bare_thread.shutdown()
    ratios = [s / b for s, b in zip(studio_times, bare_times, strict=True)]
    step_ms = statistics.median(bare_times) / args.steps * 1000
    print(f"Wan demo x{args.scale}, {WIDTH}x{HEIGHT}, {FRAMES} frames, {args.steps} steps, CFG on, {args.runs} interleaved runs")
    print(f"{'run':>4} {'bare s':>9} {'studio s':>9} {'ratio':>7} {'1st preview':>12}")
    for i, (b, s, r, p) in enumerate(zip(bare_times, studio_times, ratios, previews, strict=True), 1):
        print(f"{i:>4} {b:>9.3f} {s:>9.3f} {r:>7.3f} {p:>11.1%}")
    figures = {
        "overhead_ratio": round(statistics.median(ratios), 4),
        "first_preview_fraction": round(statistics.median(previews), 4),
        "bare_step_ms": round(step_ms, 1),
        "runs": args.runs,
        "steps": args.steps,
        "scale": args.scale,
    }
    print(f"median ratio studio/bare: {figures['overhead_ratio']:.3f} (target <= 1.05); "
          f"first preview at {figures['first_preview_fraction']:.1%} of the total; bare step {step_ms:.0f} ms")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
