"""Model families: per demo, cold load vs warm acquire, and the studio's overhead over a bare pipeline call.

For every registered demo model with a pipeline (one per family variant):

- cold load: a fresh ``ModelManager`` loading the demo from disk (``from_pretrained``
  and placement; the one-off build with ``save_pretrained`` happens before, untimed);
- warm acquire: ``ModelManager.use`` of the same, now cached, pipeline (median of 20);
- overhead: the same seed, steps and size called bare (the family adapter's call
  arguments, nothing else) and through the studio (submit -> SQLite job -> worker
  -> runner with hooks, previews, events -> frames ready), interleaved after one
  warm-up of each; the ratio of medians, and the ratio of the fastest runs (noise on a shared
  machine only adds time, so the minima show each side's own cost; sub-second demos move by
  several percent from run to run). The bare call runs on a thread of its
  own, as the studio's worker does: torch's CPU kernels do not thread alike on
  the main thread and on others (on a loaded 2-core machine a small matmul took
  4x longer on the main thread), which would be counted as studio overhead.

Demos are built at ``--scale`` (bigger = slower steps, so fixed costs weigh
what they would on a real model less than at scale 1). The long-video demos
finish in under a second, closer than ``STUDIO_SECTION_MIN_LEAD_S`` (3 s), so
by default their sections are not streamed; ``--section-min-lead-s 0``
streams every section (an x264 process each), and the table says how many
were.

Usage: python benchmarks/models.py [--runs 3] [--scale 2] [--steps 6] [--only KEY ...] [--section-min-lead-s S]
Last line: {"families": {...}, "warm_over_cold_max": ..., "overhead_ratio_max": ..., "overhead_ratio_of_minima_max": ...}
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from bare import bare_run  # noqa: E402
from overhead import studio_run  # noqa: E402
from PIL import Image  # noqa: E402

from studio.config import Settings  # noqa: E402
from studio.container import build_container  # noqa: E402
from studio.engine.demo import ensure_demo  # noqa: E402
from studio.engine.device import resolve_device  # noqa: E402
from studio.engine.guide import GuideRenderer  # noqa: E402
from studio.engine.manager import ModelManager  # noqa: E402
from studio.engine.registry import ModelRegistry, ModelSpec  # noqa: E402
from studio.types import GenerationRequest, Mode  # noqa: E402


def bench_specs(registry: ModelRegistry, scale: int, only: list[str]) -> list[ModelSpec]:
    """Every demo with a pipeline, rebuilt at ``scale`` under its own key."""
    chosen = [s for s in registry.specs() if s.demo and registry.family(s).pipelines and (not only or s.key in only)]
    return [s.model_copy(update={"key": f"{s.key}-bench", "demo_scale": scale}) for s in chosen]


def request_for(spec: ModelSpec, steps: int, image: str | None, takes_prompt: bool = True) -> GenerationRequest:
    mode = Mode(spec.modes[0])
    d = spec.defaults
    prompt = "a red fox trots through fresh snow" if takes_prompt else ""  # SVD takes none
    return GenerationRequest(mode=mode, prompt=prompt, model=spec.key, width=d.width,
                             height=d.height, num_frames=d.num_frames, steps=steps, guidance_scale=d.guidance_scale,
                             seed=1234, image=image if mode == Mode.I2V else None, warped_noise=False)  # fmt: skip


def load_times(settings: Settings, registry: ModelRegistry, spec: ModelSpec) -> tuple[float, float]:
    """(cold load s, median warm acquire s) on a fresh manager."""
    manager = ModelManager(settings, registry, resolve_device("cpu", "float32"))
    started = time.perf_counter()
    with manager.use(spec, spec.modes[0]):
        pass
    cold = time.perf_counter() - started
    warm = []
    for _ in range(20):
        started = time.perf_counter()
        with manager.use(spec, spec.modes[0]):
            pass
        warm.append(time.perf_counter() - started)
    manager.free_idle()
    return cold, statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--only", nargs="*", default=[], help="demo keys (default: every demo)")
    parser.add_argument("--section-min-lead-s", type=float, default=None,
                        help="the studio's STUDIO_SECTION_MIN_LEAD_S (default: the studio's default); 0 streams every section")  # fmt: skip
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    bare_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bare")  # one long-lived thread, as the worker
    with bare_thread, tempfile.TemporaryDirectory() as tmp:
        lead = {} if args.section_min_lead_s is None else {"section_min_lead_s": args.section_min_lead_s}
        settings = Settings(data_dir=Path(tmp), device="cpu", offline=True, preview_every_steps=1, preview_keyframes=4,
                            **lead)  # fmt: skip
        container = build_container(settings)
        image = str(Path(tmp) / "source.png")
        rng = np.random.default_rng(0)
        Image.fromarray(rng.integers(0, 255, (512, 512, 3), dtype=np.uint8)).save(image)
        for spec in bench_specs(container.registry, args.scale, args.only):
            container.registry.register(spec)
            ensure_demo(settings.models_dir, spec)
            cold, warm = load_times(settings, container.registry, spec)
            request = request_for(spec, args.steps, image, "prompt" in container.registry.family(spec).inputs)
            guide = GuideRenderer(settings)(request, with_maps=False) if request.mode == Mode.I2V else None
            job = container.jobs.submit(request)  # the studio's warm-up (loads its cached pipeline)
            container.jobs.wait(job.id)
            request = job.request  # as validated: the image is the stored copy
            with container.manager.use(spec, spec.modes[0]) as pipe:
                pipe.set_progress_bar_config(disable=True)
                bare_thread.submit(bare_run, pipe, container.registry, spec, request, guide).result()  # warm-up
            bare, studio, kinds = [], [], []
            for _ in range(args.runs):
                with container.manager.use(spec, spec.modes[0]) as pipe:
                    bare.append(bare_thread.submit(bare_run, pipe, container.registry, spec, request, guide).result())
                studio.append(studio_run(container, request, kinds)[0])
            figures[spec.key.removesuffix("-bench")] = {
                "cold_load_s": round(cold, 4), "warm_acquire_ms": round(warm * 1000, 3),
                "warm_over_cold": round(warm / cold, 5), "bare_s": round(statistics.median(bare), 4),
                "studio_s": round(statistics.median(studio), 4),
                "overhead_ratio": round(statistics.median(studio) / statistics.median(bare), 4),
                "overhead_ratio_of_minima": round(min(studio) / min(bare), 4),
                "sections_per_run": kinds.count("segment") / args.runs,
            }  # fmt: skip
            container.manager.free_idle()
        container.close()
    print(f"demos x{args.scale}, {args.steps} steps, {args.runs} interleaved runs each (CPU), "
          f"section_min_lead_s {settings.section_min_lead_s:g}")  # fmt: skip
    print(f"{'demo':<22} {'cold load s':>11} {'warm ms':>9} {'warm/cold':>10} {'bare s':>8} {'studio s':>9} {'ratio':>7} "
          f"{'of minima':>9} {'sections':>8}")  # fmt: skip
    for key, f in figures.items():
        print(f"{key:<22} {f['cold_load_s']:>11.3f} {f['warm_acquire_ms']:>9.3f} {f['warm_over_cold']:>10.5f} "
              f"{f['bare_s']:>8.3f} {f['studio_s']:>9.3f} {f['overhead_ratio']:>7.3f} {f['overhead_ratio_of_minima']:>9.3f} "
              f"{f['sections_per_run']:>8g}")  # fmt: skip
    summary = {
        "section_min_lead_s": settings.section_min_lead_s,
        "families": figures,
        "warm_over_cold_max": max(f["warm_over_cold"] for f in figures.values()),
        "overhead_ratio_max": max(f["overhead_ratio"] for f in figures.values()),
        "overhead_ratio_of_minima_max": max(f["overhead_ratio_of_minima"] for f in figures.values()),
    }
    print(f"targets: warm acquire <= 1% of cold load (max {summary['warm_over_cold_max']:.3%}), "
          f"overhead <= 1.05 (max {summary['overhead_ratio_max']:.3f})")  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
