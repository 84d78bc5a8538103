"""Full-size SkyReels-V2 DF 1.3B on a CUDA GPU: a two-window long clip, bare diffusers vs the studio.

The long-video path is where the studio does the most beside the pipeline
call (windows reported as they finish, sections decoded and streamed,
previews labelled by their place in the clip), so its overhead is measured
on the released architecture: SkyReels-V2 DF 1.3B (1.44B transformer with the
fps embedding, 5.68B UMT5-XXL, Wan 2.1 VAE) with random weights, saved once as
a diffusers folder and loaded through the model manager (transformer and text
encoder bf16, VAE float32). Both sides use the same loaded pipeline, seed,
size, steps and the registry's call arguments (97-frame windows, 17 frames of
overlap); the bare side is the pipeline call with the family adapter's
arguments alone, the studio side a job from submit to frames ready (export
not included), as ``benchmarks/models.py`` does on the CPU demos.

``--demo`` runs the same comparison on ``skyreels-demo`` on the CPU (a check of
the script, not a figure).

Usage: python benchmarks/gpu_long.py [--frames 137] [--steps 4] [--runs 2] [--demo]
Last line: {"cuda": true, "device": ..., "bare_s": [...], "studio_s": [...], "overhead_ratio": ..., "sections": N}
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import torch  # noqa: E402
from models import bare_run  # noqa: E402
from overhead import studio_run  # noqa: E402

from studio.types import GenerationRequest  # noqa: E402

PROMPT = "a red fox trots through fresh snow at dawn, low camera, soft light"
FULL = "skyreels-v2-df-1.3b-540p"


def build_folder(folder: Path) -> None:
    """Save the full-size random-weight SkyReels-V2 DF 1.3B pipeline, with the dtypes it is loaded in."""
    import diffusers

    from studio.engine.device import component_dtypes
    from studio.engine.families.skyreels import build_full_size as skyreels_transformer
    from studio.engine.families.wan import build_full_size as wan_pipeline

    torch.manual_seed(0)
    with torch.device("cuda"):  # random init of 7B parameters is seconds on a GPU
        wan = wan_pipeline("wan2.1-t2v-1.3b")
        transformer = skyreels_transformer("1.3b")
    pipe = diffusers.SkyReelsV2DiffusionForcingPipeline(tokenizer=wan.tokenizer, text_encoder=wan.text_encoder,
                                                        transformer=transformer, vae=wan.vae, scheduler=wan.scheduler)  # fmt: skip
    dtypes = component_dtypes(torch.bfloat16)
    assert isinstance(dtypes, dict)
    for name, module in pipe.components.items():
        if isinstance(module, torch.nn.Module):
            module.to(dtypes.get(name, dtypes["default"]))
    pipe.save_pretrained(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=137, help="97-frame windows with 17 of overlap: 137 = two")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--demo", action="store_true", help="skyreels-demo on the CPU (checks the script)")
    args = parser.parse_args()
    if not args.demo and not torch.cuda.is_available():
        print("CUDA is not available: this benchmark needs an NVIDIA GPU (--demo checks it on the CPU)")
        print(json.dumps({"cuda": False}))
        return
    from studio.config import Settings
    from studio.container import build_container
    from studio.engine.demo import ensure_demo

    with tempfile.TemporaryDirectory() as tmp:
        if args.demo:
            settings = Settings(data_dir=Path(tmp), device="cpu", offline=True)
        else:
            settings = Settings(data_dir=Path(tmp), device="cuda", dtype="bfloat16", offline=True, vram_budget_gb=200.0)
        container = build_container(settings)
        registry = container.registry
        if args.demo:
            spec = registry.resolve("skyreels-demo")
            ensure_demo(settings.models_dir, spec)
            size = dict(width=spec.defaults.width, height=spec.defaults.height)
        else:
            folder = Path(tmp) / "skyreels-df-1.3b-random"
            print("building the full-size SkyReels-V2 DF 1.3B with random weights ...", flush=True)
            build_folder(folder)
            spec = registry.resolve(FULL).model_copy(update={"key": "skyreels-full-random", "source": str(folder)})
            registry.register(spec)
            size = dict(width=spec.defaults.width, height=spec.defaults.height)
        request = GenerationRequest(prompt=PROMPT, model=spec.key, num_frames=args.frames, steps=args.steps,
                                    guidance_scale=spec.defaults.guidance_scale, fps=spec.defaults.fps, seed=1234,
                                    **size)  # fmt: skip
        job = container.jobs.submit(request)  # warm-up: loads the pipeline, compiles nothing
        finished = container.jobs.wait(job.id)
        if finished.status.value != "succeeded":
            raise SystemExit(f"warm-up job {finished.status.value}: {finished.error}")
        request = finished.request
        sections = sum(1 for path in Path(tmp).rglob("segment*.mp4") if job.id in str(path))
        bare_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bare")  # a thread, as the worker's
        with container.manager.use(spec, "t2v") as pipe:
            pipe.set_progress_bar_config(disable=True)
            bare_thread.submit(bare_run, pipe, registry, spec, request, None).result()  # warm-up
        bare, studio = [], []
        for _ in range(args.runs):
            with container.manager.use(spec, "t2v") as pipe:
                if not args.demo:
                    torch.cuda.synchronize()
                bare.append(bare_thread.submit(bare_run, pipe, registry, spec, request, None).result())
            studio.append(studio_run(container, request)[0])
        container.close()
        bare_thread.shutdown()
    name = "CPU (demo)" if args.demo else torch.cuda.get_device_name()
    ratio = statistics.median(studio) / statistics.median(bare)
    print(f"{name}: {spec.key}, {size['width']}x{size['height']}, {args.frames} frames, {args.steps} steps, "
          f"guidance {request.guidance_scale:g}, {args.runs} interleaved runs")  # fmt: skip
    print(f"{'run':>4} {'bare s':>8} {'studio s':>9}")
    for i, (b, s) in enumerate(zip(bare, studio, strict=True)):
        print(f"{i + 1:>4} {b:>8.2f} {s:>9.2f}")
    print(f"studio/bare (medians): {ratio:.3f}")
    print(json.dumps({"cuda": not args.demo, "device": name, "frames": args.frames, "steps": args.steps,
                      "bare_s": [round(b, 3) for b in bare], "studio_s": [round(s, 3) for s in studio],
                      "overhead_ratio": round(ratio, 4), "sections": sections}))  # fmt: skip


if __name__ == "__main__":
    main()
