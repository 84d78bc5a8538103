"""Runs one generation on the worker's device: the only caller of pipelines."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import torch

from studio.config import Settings
from studio.engine.device import DeviceInfo
from studio.engine.end_frame import end_image_kwargs
from studio.engine.families.base import Family
from studio.engine.lora import LoraApplier
from studio.engine.lora_registry import LoraRegistry
from studio.engine.manager import ModelManager
from studio.engine.previews import (
    CleanLatentTracker,
    PreviewProjector,
    keyframe_indices,
    latent_to_video_frame,
)
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.engine.steering import (
    GuideBuilder,
    GuideVideo,
    encode_guide,
    latent_sampling_maps,
    noised_guide,
    start_sigma,
    steps_to_skip,
    truncated_schedule,
    warp_noise,
)
from studio.engine.step_cache import MagRatioStore, StepCacheRun
from studio.errors import InvalidRequestError, JobCanceledError, OutOfMemoryError
from studio.types import GenerationRequest, GenerationResult, Mode, Phase, ProgressSink

logger = logging.getLogger(__name__)


def _denoisers(pipeline: object) -> list[torch.nn.Module]:
    found = [getattr(pipeline, name, None) for name in ("transformer", "transformer_2", "unet")]
    return [m for m in found if isinstance(m, torch.nn.Module)]


class _StepObserver:
    """The ``callback_on_step_end`` of one run: progress, previews, cancellation.

    Cancellation is checked at the start of every denoiser call and at the end
    of every step; it raises, so the pipeline never reaches its VAE decode.
    """

    def __init__(self, sink: ProgressSink, tracker: CleanLatentTracker, projector: PreviewProjector,
                 total_steps: int, num_frames: int, guidance_scale: float, preview_every: int, keyframes: int) -> None:  # fmt: skip
        self._sink = sink
        self._tracker = tracker
        self._projector = projector
        self._total = total_steps
        self._guidance = guidance_scale
        self._every = preview_every
        num_latent_frames = (num_frames - 1) // projector.temporal_compression + 1
        self._latent_frames = keyframe_indices(num_latent_frames, keyframes)
        self._video_frames = [
            min(num_frames - 1, latent_to_video_frame(i, projector.temporal_compression)) for i in self._latent_frames
        ]
        self._denoising = False
        self.first_preview_at: float | None = None

    def on_denoiser_call(self, _module, _args, _kwargs):
        if self._sink.is_canceled():
            raise JobCanceledError("canceled")
        if not self._denoising:
            self._denoising = True
            self._sink.phase(Phase.DENOISING, f"denoising, {self._total} steps")
        return None

    def __call__(self, _pipeline, step: int, _timestep, callback_kwargs: dict) -> dict:
        if self._sink.is_canceled():
            raise JobCanceledError("canceled")
        done = step + 1
        self._sink.progress(done, self._total)
        if step % self._every == 0 or done == self._total:
            clean = self._tracker.predict(self._guidance)
            latents = clean if clean is not None else callback_kwargs["latents"]
            images = self._projector.project(latents, self._latent_frames)
            self._sink.preview(images, self._video_frames, done)
            if self.first_preview_at is None:
                self.first_preview_at = time.perf_counter()
        self._tracker.reset()
        if done == self._total:
            self._sink.phase(Phase.DECODING, "decoding frames")
        return {}


class GenerationRunner:
    """Turns a validated ``GenerationRequest`` into frames, reporting to a ``ProgressSink``."""

    def __init__(self, settings: Settings, registry: ModelRegistry, manager: ModelManager, device: DeviceInfo,
                 guide_builder: GuideBuilder | None = None, loras: LoraRegistry | None = None) -> None:  # fmt: skip
        self._settings = settings
        self._loras = LoraApplier(loras or LoraRegistry(settings.loras_dir, allow_local=settings.allow_local_loras),
                                  offline=settings.offline)  # fmt: skip
        self._mag_ratios = MagRatioStore(settings.models_dir / "mag_ratios")
        self._registry = registry
        self._manager = manager
        self._device = device
        self._guide_builder = guide_builder
        #: perf_counter time of the first preview of the last run (for benchmarks).
        self.last_first_preview_at: float | None = None

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
        """Generate the frames of ``request`` with ``seed``.

        Raises:
            JobCanceledError: the sink reported cancellation (no decode happened).
            OutOfMemoryError: the device ran out of memory; idle pipelines were freed.
            StudioError: the model cannot be resolved or loaded.
        """
        try:
            return self._run(request, seed, sink)
        except torch.OutOfMemoryError as exc:
            self._manager.free_idle()
            raise OutOfMemoryError(
                f"out of memory on {self._device.device} generating {request.num_frames} frames at "
                f"{request.width}x{request.height} with {request.model}; try fewer frames, a smaller size, "
                f"or a lower vram budget so the studio offloads"
            ) from exc

    def _run(self, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        # 1. Resolve the model and its family
        spec = self._registry.resolve(request.model)
        family = self._registry.family(spec)
        # 2. Image to video: render the guide (source image + camera + arrows)
        steering = self._registry.steering(spec)
        guide = self._guide(request, steering, sink)
        if guide is not None and not family.pipelines:
            return self._guide_only(request, spec, seed, guide, sink)
        # 3. Load (or reuse) the pipeline; it cannot be evicted while we hold it
        sink.phase(Phase.LOADING, f"loading {spec.display_name}")
        model_keys = tuple(k for k in (spec.key, spec.source) if k)
        with self._manager.use(spec, request.mode.value, on_status=lambda msg: sink.phase(Phase.LOADING, msg)) as pipe, \
                self._loras.applied(pipe, request, model_keys) as lora_notes:  # fmt: skip
            timings["load_s"] = time.perf_counter() - started
            # 4. Steering inputs from the guide: first frame, start latents, skipped steps
            generator = torch.Generator(device="cpu").manual_seed(seed)
            extra, skip = self._steering_inputs(pipe, family, steering, request, guide, generator)
            end_kwargs, end_notes = end_image_kwargs(request, pipe)
            # 5. Hook previews, progress and cancellation onto the denoiser and the step callback
            denoisers = _denoisers(pipe)
            num_train = getattr(pipe.scheduler.config, "num_train_timesteps", 1000)
            tracker = CleanLatentTracker(denoisers, family.prediction, num_train)
            observer = _StepObserver(
                sink, tracker, PreviewProjector(family.preview), request.steps - skip, request.num_frames,
                request.guidance_scale, self._settings.preview_every_steps, self._settings.preview_keyframes,
            )  # fmt: skip
            handles = [m.register_forward_pre_hook(observer.on_denoiser_call, with_kwargs=True) for m in denoisers]
            # 6. Encode the prompt, denoise, decode (the pipeline's own numbered steps)
            sink.phase(Phase.ENCODING, "encoding prompt")
            denoise_started = time.perf_counter()
            try:
                with truncated_schedule(pipe.scheduler, skip), StepCacheRun(
                    denoisers, request.step_cache, request.step_cache_threshold, request.steps - skip, spec.key, self._mag_ratios
                ) as cache:  # fmt: skip
                    output = pipe(
                        prompt=request.prompt,
                        negative_prompt=request.negative_prompt or None,
                        height=request.height,
                        width=request.width,
                        num_frames=request.num_frames,
                        num_inference_steps=request.steps,
                        guidance_scale=request.guidance_scale,
                        generator=generator,
                        output_type="np",
                        callback_on_step_end=observer,
                        callback_on_step_end_tensor_inputs=["latents"],
                        **extra,
                        **end_kwargs,
                        **family.call_kwargs,
                    )
            finally:
                tracker.close()
                for handle in handles:
                    handle.remove()
            timings["generate_s"] = time.perf_counter() - denoise_started
        self.last_first_preview_at = observer.first_preview_at
        # 7. Frames as uint8 (frames, height, width, 3)
        frames = (np.clip(output.frames[0], 0.0, 1.0) * 255.0).round().astype(np.uint8)
        return GenerationResult(
            frames=frames, fps=request.fps, seed=seed, width=frames.shape[2], height=frames.shape[1],
            num_frames=frames.shape[0], model_key=spec.key, model_source=self._manager.source_path(spec),
            model_revision=spec.revision, timings_s=timings, step_cache=cache.stats,
            notes=[*(guide.notes if guide else ()), *lora_notes, *end_notes, *cache.notes],
        )  # fmt: skip

    # -- image to video ---------------------------------------------------------------
    def _guide(self, request: GenerationRequest, steering: frozenset[str], sink: ProgressSink) -> GuideVideo | None:
        if request.mode != Mode.I2V:
            return None
        if self._guide_builder is None:
            raise InvalidRequestError("image-to-video needs the motion engine, which this studio was built without")
        sink.phase(Phase.ENCODING, "rendering the motion guide")
        # sampling maps cost F x H x W x 8 bytes: only made for families that warp their noise with them
        return self._guide_builder(request, with_maps="warped_noise" in steering)

    def _guide_only(self, request: GenerationRequest, spec: ModelSpec, seed: int, guide: GuideVideo,
                    sink: ProgressSink) -> GenerationResult:  # fmt: skip
        """A family with no pipeline (motion-warp): the guide video is the result."""
        if sink.is_canceled():
            raise JobCanceledError("canceled")
        count = min(self._settings.preview_keyframes, len(guide.frames))
        frames_at = sorted({round(i * (len(guide.frames) - 1) / max(1, count - 1)) for i in range(count)})
        sink.progress(1, 1)
        sink.preview([guide.frames[i] for i in frames_at], frames_at, 1)
        height, width = guide.frames.shape[1:3]
        return GenerationResult(
            frames=guide.frames, fps=request.fps, seed=seed, width=width, height=height,
            num_frames=len(guide.frames), model_key=spec.key, model_source="motion engine (no weights)",
            notes=list(guide.notes),
        )  # fmt: skip

    def _steering_inputs(self, pipe: Any, family: Family, steering: frozenset[str], request: GenerationRequest,
                         guide: GuideVideo | None, generator: torch.Generator) -> tuple[dict, int]:  # fmt: skip
        """Pipeline arguments that make the guide steer the model, and how many steps it replaces."""
        if guide is None:
            return {}, 0
        from PIL import Image

        extra: dict[str, object]
        if "control" in steering:
            # the guide as control video; mask 0 keeps frame 0 (the source image) as given, 1 lets the model generate
            masks = [Image.new("L", (request.width, request.height), 0 if i == 0 else 255) for i in range(len(guide.frames))]
            extra = {"video": [Image.fromarray(f) for f in guide.frames], "mask": masks,
                     "conditioning_scale": request.control_scale}  # fmt: skip
        else:
            extra = {"image": Image.fromarray(guide.frames[0])}
        preview = family.preview
        shape = (1, len(preview.factors), (request.num_frames - 1) // preview.temporal_compression + 1,
                 request.height // preview.spatial_compression, request.width // preview.spatial_compression)  # fmt: skip
        noise = None
        if request.warped_noise and "warped_noise" in steering:
            maps = latent_sampling_maps(guide.maps, preview.temporal_compression, preview.spatial_compression, shape[3:])
            noise = warp_noise(shape, maps, generator)
        skip = steps_to_skip(request.steps, request.guide_strength) if "v2v" in steering else 0
        if skip:
            guide_latent = encode_guide(pipe.vae, guide.frames, preview, generator)
            sigma = start_sigma(pipe.scheduler, request.steps, skip, self._device.device)
            noise = noise if noise is not None else torch.randn(guide_latent.shape, generator=generator)
            noise = noised_guide(guide_latent, noise, sigma)
        if noise is not None:
            extra["latents"] = noise.to(self._device.device, torch.float32)
        return extra, skip
