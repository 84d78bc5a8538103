"""Full-size SkyReels-V2 DF 1.3B on a CUDA GPU: a two-window long clip, bare diffusers vs the studio's runner.

The long-video path is where the studio does the most beside the pipeline
call (windows counted as they finish, clean-latent previews labelled by their
place in the clip, finished windows decoded once and handed on as sections),
so its overhead is measured on the released architecture: SkyReels-V2 DF 1.3B
(1.44B transformer with the fps embedding, 5.68B UMT5-XXL, Wan 2.1 VAE) with
random weights, saved once as a diffusers folder and loaded through the model
manager (transformer and text encoder bf16, VAE float32). Both sides use the
same loaded pipeline, seed, size, steps and the registry's call arguments
(97-frame windows, 17 frames of overlap), each on a thread of its own:

* bare: the pipeline call with the family adapter's arguments alone;
* studio: ``GenerationRunner.run`` (hooks, previews, sections) with a sink that
  writes the previews as PNG files and each section as a video file on a
  thread of its own, as the job reporter does (OpenCV's MPEG-4 writer: the GPU
  machine has no ffmpeg). The job layer around it (SQLite, events, export) is
  not included; ``benchmarks/models.py`` measures it on the CPU demos.

``--demo`` runs the same comparison on ``skyreels-demo`` on the CPU (a check of
the script, not a figure). ``--profile`` adds one studio run under cProfile;
``--trace`` one bare and one studio run with the device synchronised around the
pipeline call, the denoiser, the VAE, the post-processing and the studio's own
functions, and a table of where each side's seconds went.

On a lent GPU machine (torch, transformers and OpenCV installed, nothing
fetchable) it ran with these wheels for Python 3.12 carried beside it, at the
versions of this project's environment: diffusers, pydantic, pydantic-core,
pydantic-settings, annotated-types, typing-inspection, python-dotenv, ftfy,
wcwidth (2026-11-26, an H200: bare 23.77 s, studio 31.28-31.57 s, 1.32; with the
VAE caches parked asynchronously between pieces: bare 23.82-23.85 s, studio 24.36-24.46 s, 1.024).

Usage: python benchmarks/gpu_long.py [--frames 137] [--steps 4] [--runs 2] [--demo] [--profile] [--trace]
Last line: {"cuda": true, "device": ..., "bare_s": [...], "studio_s": [...], "overhead_ratio": ..., "sections": N}
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from bare import bare_run  # noqa: E402
from gpu import save_as_loaded  # noqa: E402
from PIL import Image  # noqa: E402

from studio.types import GenerationRequest, Phase  # noqa: E402

PROMPT = "a red fox trots through fresh snow at dawn, low camera, soft light"
FULL = "skyreels-v2-df-1.3b-540p"


def build_folder(folder: Path) -> None:
    """Save the full-size random-weight SkyReels-V2 DF 1.3B pipeline, with the dtypes it is loaded in."""
    import diffusers

    from studio.engine.families.skyreels import build_full_size as skyreels_transformer
    from studio.engine.families.wan import build_full_size as wan_pipeline

    torch.manual_seed(0)
    with torch.device("cuda"):  # random init of 7B parameters is seconds on a GPU
        wan = wan_pipeline("wan2.1-t2v-1.3b")
        transformer = skyreels_transformer("1.3b")
    pipe = diffusers.SkyReelsV2DiffusionForcingPipeline(tokenizer=wan.tokenizer, text_encoder=wan.text_encoder,
                                                        transformer=transformer, vae=wan.vae, scheduler=wan.scheduler)  # fmt: skip
    save_as_loaded(pipe, folder)


class FileSink:
    """What the job reporter does with a run's reports, minus the job store: PNG previews, section files."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._writers: list[threading.Thread] = []
        self.sections = 0

    def phase(self, phase: Phase, message: str = "") -> None:
        pass

    def progress(self, step: int, total_steps: int) -> None:
        pass

    def preview(self, images, frame_indices, step: int) -> None:
        for index, image in enumerate(images):
            Image.fromarray(np.asarray(image)).save(self._folder / f"step{step:04d}_k{index}.png", compress_level=1)

    def is_canceled(self) -> bool:
        return False

    def segment(self, frames, index: int, total: int, fps: int) -> None:
        import cv2

        frames = np.asarray(frames)

        def write() -> None:
            height, width = frames.shape[1:3]
            out = cv2.VideoWriter(str(self._folder / f"segment{index:02d}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                                  (width, height))  # fmt: skip
            for frame in frames:
                out.write(np.ascontiguousarray(frame[:, :, ::-1]))
            out.release()

        self.sections += 1
        writer = threading.Thread(target=write)
        writer.start()
        self._writers.append(writer)

    def finish(self) -> None:
        for writer in self._writers:
            writer.join()


class Tracer:
    """Seconds spent in chosen functions (inclusive, device synchronised around each) while ``on``."""

    def __init__(self, sync) -> None:
        self._sync = sync
        self.on = False
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.labels: list[str] = []  # in the order wrapped

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)
        tracer = self
        self.labels.append(label)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            if not tracer.on:
                return original(*args, **kwargs)
            tracer._sync()
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                tracer._sync()
                tracer.seconds[label] += time.perf_counter() - started
                tracer.calls[label] += 1

        setattr(owner, name, timed)

    def take(self) -> dict[str, tuple[float, int]]:
        taken = {label: (self.seconds[label], self.calls[label]) for label in self.seconds}
        self.seconds, self.calls = defaultdict(float), defaultdict(int)
        return taken


def install_tracer(tracer: Tracer, pipe) -> None:
    """Timers on the pipeline call, its parts and the studio's functions around it."""
    from diffusers.video_processor import VideoProcessor

    import studio.engine.adapters.skyreels as skyreels
    import studio.engine.runner as runner
    from studio.engine.adapters.wan_stream import StreamingDecode
    from studio.engine.previews import CleanLatentTracker

    tracer.wrap(type(pipe), "__call__", "pipeline call")
    tracer.wrap(type(pipe), "encode_prompt", "  encode_prompt")
    tracer.wrap(type(pipe.transformer), "forward", "  transformer forward")
    tracer.wrap(type(pipe.vae), "decode", "  vae.decode (the VAE's own)")
    tracer.wrap(StreamingDecode, "piece", "  section decode (StreamingDecode.piece)")
    tracer.wrap(StreamingDecode, "whole", "  final decode from pieces (StreamingDecode.whole)")
    tracer.wrap(skyreels, "_uint8", "  section to uint8")
    tracer.wrap(VideoProcessor, "postprocess_video", "  postprocess_video")
    tracer.wrap(runner._StepObserver, "__call__", "  step callback")
    tracer.wrap(runner._StepObserver, "_preview", "    preview")
    tracer.wrap(CleanLatentTracker, "predict", "      clean-latent prediction")
    tracer.wrap(FileSink, "preview", "      preview PNGs")
    tracer.wrap(FileSink, "segment", "  section handed to the sink")
    tracer.wrap(runner, "_to_uint8", "frames to uint8 (after the call)")
    tracer.wrap(runner.GenerationRunner, "_steering_inputs", "steering inputs (before the call)")


def studio_call(runner, request: GenerationRequest, folder: Path, sync, profile: bool = False) -> tuple[float, int]:
    sink = FileSink(folder)
    profiler = cProfile.Profile() if profile else None
    sync()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    runner.run(request, request.seed, sink)
    sync()
    elapsed = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        print("studio run, cumulative seconds of the studio's and diffusers' functions (cProfile):")
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(r"studio/|diffusers/(pipelines|models/autoencoders|models/transformers|video_processor|image_processor)", 40)
        print("studio run, the 30 functions with the most time of their own (cProfile):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    sink.finish()
    return elapsed, sink.sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=137, help="97-frame windows with 17 of overlap: 137 = two")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--demo", action="store_true", help="skyreels-demo on the CPU (checks the script)")
    parser.add_argument("--profile", action="store_true", help="after the runs, one more studio run under cProfile")
    parser.add_argument("--trace", action="store_true", help="after the runs, one bare and one studio run timed in parts")
    args = parser.parse_args()
    if not args.demo and not torch.cuda.is_available():
        print("CUDA is not available: this benchmark needs an NVIDIA GPU (--demo checks it on the CPU)")
        print(json.dumps({"cuda": False}))
        return
    from studio.config import Settings
    from studio.engine import build_engine
    from studio.engine.demo import ensure_demo
    from studio.engine.registry import ModelRegistry

    sync = (lambda: None) if args.demo else torch.cuda.synchronize
    registry = ModelRegistry(offline=True)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=1, thread_name_prefix="run") as thread:
        if args.demo:
            settings = Settings(data_dir=Path(tmp), device="cpu", offline=True)
            spec = registry.resolve("skyreels-demo")
            ensure_demo(settings.models_dir, spec)
        else:
            settings = Settings(data_dir=Path(tmp), device="cuda", dtype="bfloat16", offline=True, vram_budget_gb=200.0)
            folder = Path(tmp) / "skyreels-df-1.3b-random"
            print("building the full-size SkyReels-V2 DF 1.3B with random weights ...", flush=True)
            build_folder(folder)
            spec = registry.resolve(FULL).model_copy(update={"key": "skyreels-full-random", "source": str(folder)})
            registry.register(spec)
        _device, manager, runner = build_engine(settings, registry)
        request = GenerationRequest(prompt=PROMPT, model=spec.key, num_frames=args.frames, steps=args.steps,
                                    guidance_scale=spec.defaults.guidance_scale, fps=spec.defaults.fps, seed=1234,
                                    width=spec.defaults.width, height=spec.defaults.height)  # fmt: skip
        out = Path(tmp) / "out"
        out.mkdir()

        def one_bare() -> float:
            with manager.use(spec, "t2v", request=request) as pipe:
                pipe.set_progress_bar_config(disable=True)
                return bare_run(pipe, registry, spec, request, None, sync)

        thread.submit(studio_call, runner, request, out, sync).result()  # warm-up (loads the pipeline)
        thread.submit(one_bare).result()  # warm-up
        bare, studio, sections = [], [], 0
        for _ in range(args.runs):
            bare.append(thread.submit(one_bare).result())
            seconds, sections = thread.submit(studio_call, runner, request, out, sync).result()
            studio.append(seconds)
        if args.profile:
            thread.submit(studio_call, runner, request, out, sync, True).result()
        if args.trace:
            tracer = Tracer(sync)
            with manager.use(spec, "t2v", request=request) as pipe:
                install_tracer(tracer, pipe)
            tracer.on = True
            traced_bare = thread.submit(one_bare).result()
            bare_parts = tracer.take()
            traced_studio = thread.submit(studio_call, runner, request, out, sync).result()[0]
            studio_parts = tracer.take()
            tracer.on = False
            print(f"traced runs (device synchronised around each part): bare {traced_bare:.2f} s, studio {traced_studio:.2f} s")
            print(f"{'part':<52} {'bare s':>8} {'studio s':>9} {'calls':>6}")
            for label in [label for label in tracer.labels if label in bare_parts or label in studio_parts]:
                b, s = bare_parts.get(label, (0.0, 0)), studio_parts.get(label, (0.0, 0))
                print(f"{label:<52} {b[0]:>8.3f} {s[0]:>9.3f} {s[1]:>6}")
    name = "CPU (demo)" if args.demo else torch.cuda.get_device_name()
    ratio = statistics.median(studio) / statistics.median(bare)
    print(f"{name}: {spec.key}, {request.width}x{request.height}, {args.frames} frames, {args.steps} steps, "
          f"guidance {request.guidance_scale:g}, {args.runs} interleaved runs, {sections} section(s) streamed")  # fmt: skip
    print(f"{'run':>4} {'bare s':>8} {'studio s':>9}")
    for i, (b, s) in enumerate(zip(bare, studio, strict=True)):
        print(f"{i + 1:>4} {b:>8.2f} {s:>9.2f}")
    print(f"studio/bare (medians): {ratio:.3f}")
    print(json.dumps({"cuda": not args.demo, "device": name, "frames": args.frames, "steps": args.steps,
                      "bare_s": [round(b, 3) for b in bare], "studio_s": [round(s, 3) for s in studio],
                      "overhead_ratio": round(ratio, 4), "sections": sections}))  # fmt: skip


if __name__ == "__main__":
    main()
