"""Full-size Wan 2.1 T2V 1.3B on a CUDA GPU: seconds per step and peak memory, bare diffusers vs the studio.

The released architecture (1.42B transformer, 5.68B UMT5-XXL, Wan VAE) is
built with random weights (speed and memory do not depend on the values),
saved once as a diffusers folder, and loaded like a real checkpoint:
transformer and text encoder bf16, VAE float32. For each offload policy it
runs 832x480, 81 frames, 4 steps with classifier-free guidance:

* bare: ``WanPipeline.from_pretrained`` + the diffusers offload call, timed by a step callback;
* studio: ``GenerationRunner.run`` (hooks, previews, inference mode), with the
  policy the model manager picks for a VRAM budget chosen to produce it; the
  table names the policy actually used;
* with each step cache, when the request has a ``step_cache`` field (studio only).

Seconds per step: median interval between step ends (the first step, with its
warm-up, is not an interval). Peak: ``torch.cuda.max_memory_allocated``.
Without CUDA it says so and prints ``{"cuda": false}``.

Usage: python benchmarks/gpu.py [--steps 4] [--frames 81] [--policies none,model_cpu_offload,...]
Last line: {"cuda": true, "device": ..., "runs": [{"runner", "policy", "step_cache", "s_per_step", "peak_gb"}, ...]}
"""

from __future__ import annotations

import argparse
import enum
import gc
import json
import statistics
import sys
import tempfile
import time
import typing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from studio.types import GenerationRequest  # noqa: E402

POLICIES = ("none", "model_cpu_offload", "group_offload", "sequential_cpu_offload")
#: VRAM budgets (GB) that make the manager pick each policy for ~14.7 GB of weights, 11.4 GB in the largest
#: component (the text encoder): everything fits / the largest fits / a tenth of it fits / nothing fits.
BUDGET_GB = {"none": 200.0, "model_cpu_offload": 15.0, "group_offload": 5.0, "sequential_cpu_offload": 1.0}
PROMPT = "a red fox trots through fresh snow at dawn, low camera, soft light"


def build_folder(folder: Path) -> None:
    """Save the full-size random-weight pipeline, with the dtypes a real checkpoint is loaded in."""
    from studio.engine.families.wan import build_full_size

    torch.manual_seed(0)
    with torch.device("cuda"):  # random init of 7B parameters is seconds on a GPU, minutes on a CPU
        pipe = build_full_size("wan2.1-t2v-1.3b")
    save_as_loaded(pipe, folder)
    del pipe
    _free()


def save_as_loaded(pipe, folder: Path) -> None:
    """Save ``pipe`` with each component in the dtype a bf16 load gives it (``component_dtypes``)."""
    from studio.engine.device import component_dtypes

    dtypes = component_dtypes(torch.bfloat16)
    assert isinstance(dtypes, dict)
    for name, module in pipe.components.items():
        if isinstance(module, torch.nn.Module):
            module.to(dtypes.get(name, dtypes["default"]))
    pipe.save_pretrained(folder)


def _free() -> None:
    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()


def _place(pipe, policy: str) -> None:
    """What a diffusers user writes for each policy."""
    if policy == "none":
        pipe.to("cuda")
    elif policy == "model_cpu_offload":
        pipe.enable_model_cpu_offload()
    elif policy == "group_offload":
        pipe.enable_group_offload(onload_device=torch.device("cuda"), offload_device=torch.device("cpu"),
                                  offload_type="block_level", num_blocks_per_group=1)  # fmt: skip
    else:
        pipe.enable_sequential_cpu_offload()


def _per_step(stamps: list[float]) -> float:
    intervals = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return statistics.median(intervals) if intervals else float("nan")


def bare_run(folder: Path, policy: str, request: GenerationRequest) -> dict:
    from diffusers import WanPipeline

    from studio.engine.device import component_dtypes

    pipe = WanPipeline.from_pretrained(folder, dtype=component_dtypes(torch.bfloat16))
    pipe.set_progress_bar_config(disable=True)
    _place(pipe, policy)
    stamps: list[float] = []

    def on_step(_pipe, _step, _t, kwargs):
        torch.cuda.synchronize()
        stamps.append(time.perf_counter())
        return {}

    torch.cuda.reset_peak_memory_stats()
    pipe(prompt=request.prompt, negative_prompt=request.negative_prompt, height=request.height, width=request.width,
         num_frames=request.num_frames, num_inference_steps=request.steps, guidance_scale=request.guidance_scale,
         generator=torch.Generator("cpu").manual_seed(1), output_type="np", callback_on_step_end=on_step)  # fmt: skip
    peak = torch.cuda.max_memory_allocated() / 1e9
    del pipe
    _free()
    return {"runner": "bare", "policy": policy, "step_cache": None, "s_per_step": _per_step(stamps), "peak_gb": peak}


class _TimingSink:
    """Step-end times from the studio's progress events."""

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def phase(self, phase, message: str = "") -> None:
        pass

    def progress(self, step: int, total_steps: int) -> None:
        torch.cuda.synchronize()
        self.stamps.append(time.perf_counter())

    def preview(self, images, frame_indices, step) -> None:
        pass

    def is_canceled(self) -> bool:
        return False


def studio_run(folder: Path, data_dir: Path, policy: str, request: GenerationRequest) -> dict:
    from studio.config import Settings
    from studio.engine import build_engine
    from studio.engine.registry import ModelRegistry, ModelSpec

    settings = Settings(data_dir=data_dir, device="cuda", dtype="bfloat16", offline=True,
                        vram_budget_gb=BUDGET_GB[policy])  # fmt: skip
    registry = ModelRegistry(offline=True)
    registry.register(ModelSpec(key="wan-full-random", family="wan", label="Wan 2.1 1.3B (random weights)",
                                source=str(folder), weights_gb=14.7))  # fmt: skip
    _device, manager, runner = build_engine(settings, registry)
    sink = _TimingSink()
    torch.cuda.reset_peak_memory_stats()
    runner.run(request.model_copy(update={"model": "wan-full-random"}), seed=1, sink=sink)
    peak = torch.cuda.max_memory_allocated() / 1e9
    used = manager.loaded()[0].policy
    manager.free_idle()
    del runner, manager
    _free()
    cache = getattr(request, "step_cache", None)
    return {"runner": "studio", "policy": used, "step_cache": None if cache is None else str(cache),
            "s_per_step": _per_step(sink.stamps), "peak_gb": peak}  # fmt: skip


def step_cache_options() -> list[object]:
    """The non-off values of the request's ``step_cache`` field, when it has one with a closed set of values."""
    field = GenerationRequest.model_fields.get("step_cache")
    if field is None:
        return []
    options: list[object] = []
    for arg in (field.annotation, *typing.get_args(field.annotation)):
        if isinstance(arg, type) and issubclass(arg, enum.Enum):
            options += list(arg)
        elif typing.get_origin(arg) is typing.Literal:
            options += list(typing.get_args(arg))
    return [o for o in options if o is not None and str(getattr(o, "value", o)).lower() not in ("off", "none", "")]


def _guarded(label: str, run) -> dict | None:
    try:
        return run()
    except Exception as exc:  # one failing policy must not hide the others' figures
        print(f"{label}: failed ({type(exc).__name__}: {str(exc)[:160]})")
        _free()
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--frames", type=int, default=81)
    parser.add_argument("--policies", default=",".join(POLICIES), help=f"comma-separated, of {', '.join(POLICIES)}")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("CUDA is not available: this benchmark needs an NVIDIA GPU (see benchmarks/overhead.py for the CPU one)")
        print(json.dumps({"cuda": False}))
        return
    policies = [p for p in args.policies.split(",") if p]
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        parser.error(f"unknown policy {', '.join(unknown)}; use {', '.join(POLICIES)}")
    request = GenerationRequest(prompt=PROMPT, model="wan-full-random", width=832, height=480, num_frames=args.frames,
                                steps=args.steps, guidance_scale=5.0)  # fmt: skip
    caches = step_cache_options()
    if "step_cache" not in GenerationRequest.model_fields:
        print("step caching: the request has no step_cache field in this build; skipped")
    runs: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "wan2.1-t2v-1.3b-random"
        print("building the full-size Wan 2.1 T2V 1.3B with random weights ...", flush=True)
        build_folder(folder)
        for policy in policies:
            runs.append(_guarded(f"bare/{policy}", lambda p=policy: bare_run(folder, p, request)))
            runs.append(_guarded(f"studio/{policy}", lambda p=policy: studio_run(folder, Path(tmp) / "data", p, request)))
            for cache in caches if policy == "none" else []:
                cached = request.model_copy(update={"step_cache": cache})
                runs.append(_guarded(f"studio/{policy}/{cache}",
                                     lambda p=policy, r=cached: studio_run(folder, Path(tmp) / "data", p, r)))  # fmt: skip
    done = [r for r in runs if r is not None]
    name = torch.cuda.get_device_name()
    print(f"{name}: Wan 2.1 T2V 1.3B (random weights), 832x480, {args.frames} frames, {args.steps} steps, CFG on")
    print(f"{'runner':>7} {'policy':>24} {'step cache':>12} {'s/step':>8} {'peak GB':>8}")
    for r in done:
        print(f"{r['runner']:>7} {r['policy']:>24} {str(r['step_cache'] or '-'):>12} {r['s_per_step']:>8.2f} {r['peak_gb']:>8.1f}")
    figures = [{**r, "s_per_step": round(r["s_per_step"], 3), "peak_gb": round(r["peak_gb"], 2)} for r in done]
    print(json.dumps({"cuda": True, "device": name, "frames": args.frames, "steps": args.steps, "runs": figures}))


if __name__ == "__main__":
    main()
