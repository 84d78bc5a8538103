"""Runs one generation on the worker's device: the only caller of pipelines."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from studio.config import Settings
from studio.engine.adapters import PipelineAdapter, load_adapter
from studio.engine.camera_loras import with_camera_loras
from studio.engine.device import DeviceInfo
from studio.engine.dual_clock import DualClock, build_dual_clock
from studio.engine.end_frame import end_image_kwargs
from studio.engine.families.base import LatentGeometry
from studio.engine.lora import LoraApplier
from studio.engine.lora_registry import LoraRegistry
from studio.engine.manager import ModelManager
from studio.engine.previews import (
    CleanLatentTracker,
    PreviewProjector,
    keyframe_indices,
    latent_to_video_frame,
    step_sigma,
)
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.engine.scheduling import flow_shift_for, scheduler_overrides
from studio.engine.steering import (
    GuideBuilder,
    GuideVideo,
    latent_sampling_maps,
    steps_to_skip,
    truncated_schedule,
    warp_noise,
)
from studio.engine.step_cache import MagRatioStore, StepCacheRun
from studio.engine.step_callback import step_callback
from studio.engine.threads import use_threads
from studio.errors import InvalidRequestError, JobCanceledError, OutOfMemoryError
from studio.types import (
    GenerationRequest,
    GenerationResult,
    KeyframeConditions,
    Mode,
    Phase,
    ProgressSink,
    SegmentSink,
)

logger = logging.getLogger(__name__)


def _denoisers(pipeline: object) -> list[torch.nn.Module]:
    """Every denoiser of a pipeline: Wan 2.2 A14B switches from ``transformer`` to ``transformer_2`` mid-run."""
    found = [getattr(pipeline, name, None) for name in ("transformer", "transformer_2", "unet")]
    return [m for m in found if isinstance(m, torch.nn.Module)]


@contextmanager
def _hooks_freed_on_error(pipe: Any) -> Iterator[None]:
    """On any exception, put offloaded weights back where the offload policy keeps them between runs.

    A pipeline does this at the end of a successful call; a run that raised
    (cancel, error, out of memory) skipped it and would leave the transformer
    on the accelerator for the next job.
    """
    try:
        yield
    except BaseException:
        free = getattr(pipe, "maybe_free_model_hooks", None)
        if free is not None:
            try:
                free()
            except Exception:  # never hide the run's own error behind this one
                logger.exception("releasing the offload hooks after a failed run failed")
        raise


class _StepObserver:
    """The ``callback_on_step_end`` of one run: progress, previews, cancellation.

    Cancellation is checked at the start of every denoiser call and at the end
    of every step; it raises, so the pipeline never reaches its VAE decode.
    A failing preview is logged and noted once, then previews stop; the job goes on.
    """

    def __init__(self, sink: ProgressSink, tracker: CleanLatentTracker, projector: PreviewProjector | None,
                 geometry: LatentGeometry, total_steps: int, num_frames: int, guidance_scale: float,
                 preview_every: int, keyframes: int, to_video: Callable[[torch.Tensor], torch.Tensor],
                 dual_clock: DualClock | None = None, window_start: Callable[[int], int] = lambda _done: 0,
                 preview_interval_s: float = 0.0) -> None:  # fmt: skip
        self._sink = sink
        #: at least this long between two previews (the last step's always comes); 0 = every ``preview_every``
        self._interval = preview_interval_s
        self._previewed_at = -float("inf")
        self._window_start = window_start
        self._geometry = geometry
        self._num_frames = num_frames
        self._keyframes = keyframes
        self._done = 0
        self._dual_clock = dual_clock
        self._to_video = to_video
        self._tracker = tracker
        self._projector = projector
        self._total = total_steps
        self._guidance = guidance_scale
        self._every = preview_every
        self._latent_frames = keyframe_indices(geometry.latent_frames(num_frames), keyframes)
        self._video_frames = [
            min(num_frames - 1, latent_to_video_frame(i, geometry.temporal_compression)) for i in self._latent_frames
        ]
        self._denoising = False
        self.first_preview_at: float | None = None
        self.notes: list[str] = []
        #: wall time of each denoising step (from the first denoiser call), for the manager's time estimates.
        self.step_seconds: list[float] = []
        self._step_mark = 0.0

    @contextmanager
    def attached(self, denoisers: list[torch.nn.Module]) -> Iterator[None]:
        """Cancellation hooks on ``denoisers`` for the duration of the call; every hook is removed after."""
        handles = [m.register_forward_pre_hook(self.on_denoiser_call, with_kwargs=True) for m in denoisers]
        try:
            yield
        finally:
            self._tracker.close()
            for handle in handles:
                handle.remove()

    def seconds_left(self) -> float | None:
        """The denoising left, from this run's median step so far; None before a step is done."""
        if not self.step_seconds:
            return None
        return statistics.median(self.step_seconds) * max(0, self._total - self._done)

    def on_denoiser_call(self, _module, _args, _kwargs):
        if self._sink.is_canceled():
            raise JobCanceledError("canceled")
        if not self._denoising:
            self._denoising = True
            self._step_mark = time.perf_counter()
            no_preview = "" if self._projector is not None else " (no live preview for this model's latent space)"
            self._sink.phase(Phase.DENOISING, f"denoising, {self._total} steps{no_preview}")
        return None

    def __call__(self, pipeline: Any, step: int, _timestep, callback_kwargs: dict) -> dict:
        if self._sink.is_canceled():
            raise JobCanceledError("canceled")
        # counted here: a pipeline that makes a long clip window by window restarts ``step`` in each window
        self._done += 1
        done = self._done
        now = time.perf_counter()
        self.step_seconds.append(now - self._step_mark)
        self._step_mark = now
        self._sink.progress(done, self._total)
        if self._projector is not None and (step % self._every == 0 or done == self._total) and (
            done == self._total or now - self._previewed_at >= self._interval
        ):
            self._previewed_at = now
            try:
                self._preview(pipeline, step, done, callback_kwargs["latents"])
            except Exception as exc:
                logger.exception("preview at step %d failed; previews are off for the rest of this run", done)
                self.notes.append(f"live previews stopped at step {done} ({type(exc).__name__}: {exc})")
                self._projector = None
        self._tracker.reset()
        if done == self._total:
            self._sink.phase(Phase.DECODING, "decoding frames")
        if self._dual_clock is not None:
            anchored = self._dual_clock.after_step(done - 1, callback_kwargs["latents"])
            if anchored is not None:
                return {"latents": anchored}
        return {}

    def _preview(self, pipeline: Any, step: int, done: int, noisy: torch.Tensor) -> None:
        assert self._projector is not None
        # sigma of this step from the scheduler itself (truncated schedules start at index 0 too)
        # the guidance the pipeline applies (a per-frame tensor in SVD), else the request's
        guidance = getattr(pipeline, "_guidance_scale", None)
        guidance = guidance if isinstance(guidance, (int, float, torch.Tensor)) else self._guidance
        clean = self._tracker.predict(guidance, step_sigma(pipeline.scheduler, step), self._to_video, noisy.shape[0])
        latents = clean if clean is not None else self._to_video(noisy)
        latent_frames, video_frames = self._latent_frames, self._video_frames
        start = self._window_start(done)
        if start or latents.shape[2] != self._geometry.latent_frames(self._num_frames):  # one window of a long clip
            latent_frames = keyframe_indices(latents.shape[2], self._keyframes)
            video_frames = [min(self._num_frames - 1, latent_to_video_frame(start + i, self._geometry.temporal_compression))
                            for i in latent_frames]  # fmt: skip
        images = self._projector.project(latents, latent_frames)
        self._sink.preview(images, video_frames, done)
        if self.first_preview_at is None:
            self.first_preview_at = time.perf_counter()


class GenerationRunner:
    """Turns a validated ``GenerationRequest`` into frames, reporting to a ``ProgressSink``."""

    def __init__(self, settings: Settings, registry: ModelRegistry, manager: ModelManager, device: DeviceInfo,
                 guide_builder: GuideBuilder | None = None, loras: LoraRegistry | None = None,
                 threads: int | None = None) -> None:  # fmt: skip
        self._settings = settings
        #: torch intra-op threads of the thread that runs (None = torch's default); see ``engine/threads.py``.
        self.threads = threads
        self._lora_registry = loras or LoraRegistry(settings.loras_dir, allow_local=settings.allow_local_loras)
        self._loras = LoraApplier(self._lora_registry, offline=settings.offline)
        self._mag_ratios = MagRatioStore(settings.models_dir / "mag_ratios")
        self._registry = registry
        self._manager = manager
        self._device = device
        self._guide_builder = guide_builder
        #: perf_counter time of the first preview of the last run (for benchmarks).
        self.last_first_preview_at: float | None = None

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink,
            keyframes: KeyframeConditions | None = None) -> GenerationResult:  # fmt: skip
        """Generate the frames of ``request`` with ``seed``, all of it under ``torch.inference_mode()``.

        ``keyframes``: keyframe mode's model fill-in; the clip is conditioned on them at their frames
        (``adapter.keyframe_kwargs``) in place of the image-to-video guide, which they already follow.

        Raises:
            JobCanceledError: the sink reported cancellation (no decode happened).
            OutOfMemoryError: the device ran out of memory; idle pipelines were freed.
            StudioError: the model cannot be resolved or loaded, or the size does not fit its latent geometry.
        """
        use_threads(self.threads)
        try:
            with torch.inference_mode():
                return self._run(request, seed, sink, keyframes)
        except torch.OutOfMemoryError as exc:
            self._manager.free_idle()
            raise OutOfMemoryError(
                f"out of memory on {self._device.device} generating {request.num_frames} frames at "
                f"{request.width}x{request.height} with {request.model}; try fewer frames, a smaller size, "
                f"or a lower vram budget so the studio offloads"
            ) from exc

    def _run(self, request: GenerationRequest, seed: int, sink: ProgressSink,
             keyframes: KeyframeConditions | None) -> GenerationResult:  # fmt: skip
        timings: dict[str, float] = {}
        started = time.perf_counter()
        # 1. Resolve the model and its family
        spec = self._registry.resolve(request.model)
        family = self._registry.family(spec)
        adapter = load_adapter(self._registry.adapter_path(spec))
        pipeline_mode = self._registry.pipeline_mode(spec, request.mode.value)  # video to video runs on i2v or t2v
        # 2. Image to video: render the guide (source image + camera + arrows); video to video: fit the clip
        steering = self._registry.steering(spec)
        guide = self._guide(request, steering, sink) if keyframes is None else None
        if guide is not None and not family.pipelines:
            return self._guide_only(request, spec, seed, guide, sink)
        notes = list(guide.notes) if guide else []
        # 3. Load (or reuse) the pipeline; it cannot be evicted while we hold it
        sink.phase(Phase.LOADING, f"loading {spec.display_name}")
        model_keys = tuple(k for k in (spec.key, spec.source) if k)
        # the camera presets' native motion LoRAs, where the family has them (AnimateDiff)
        lora_request, camera_notes = with_camera_loras(request, family.camera_loras, self._lora_registry, model_keys,
                                                       offline=self._settings.offline)  # fmt: skip
        notes += camera_notes
        with (
            self._manager.use(spec, pipeline_mode, on_status=lambda msg: sink.phase(Phase.LOADING, msg),
                              request=request) as pipe,
            _hooks_freed_on_error(pipe),
            self._loras.applied(pipe, lora_request, model_keys) as lora_notes,
        ):  # fmt: skip
            timings["load_s"] = time.perf_counter() - started
            # 4. Latent geometry of this pipeline, and the scheduler shift of this request
            geometry = adapter.geometry(pipe)
            _check_size(adapter.side_multiple(pipe, geometry), request)
            fixed = self._registry.call_kwargs(spec)
            shift = flow_shift_for(request, self._registry.flow_shift(spec), pipe.scheduler)
            with scheduler_overrides(pipe, flow_shift=shift):
                # 5. Steering inputs from the guide: first frame, start latents, skipped steps; the end image
                generator = torch.Generator(device="cpu").manual_seed(seed)
                extra, skip, dual_clock = self._steering_inputs(adapter, pipe, geometry, steering, request, guide,
                                                                generator, notes, pipeline_mode)  # fmt: skip
                if keyframes is not None:  # keyframe mode's model fill-in
                    keyframe_kwargs, keyframe_notes = adapter.keyframe_kwargs(pipe, request, keyframes)
                    extra, notes = {**extra, **keyframe_kwargs}, [*notes, *keyframe_notes]
                if "latents" in extra:
                    extra["latents"] = adapter.first_window(extra["latents"], request, fixed, geometry)
                end_kwargs, end_notes = end_image_kwargs(request, pipe)
                # 6. Previews, progress and cancellation: hooks on the denoiser(s) and the step callback
                preview = family.preview_for(geometry)
                if preview is None:
                    notes.append(f"no live preview: {spec.key} has {geometry.channels} latent channels and "
                                 f"the {family.label} family has no preview factors for them")  # fmt: skip
                denoisers = _denoisers(pipe)
                observer = _StepObserver(
                    sink, CleanLatentTracker(denoisers, family.prediction),
                    PreviewProjector(preview) if preview else None, geometry,
                    adapter.denoising_steps(request, fixed, geometry, skip),
                    request.num_frames, request.guidance_scale, self._settings.preview_every_steps,
                    self._settings.preview_keyframes, lambda t: adapter.to_video_layout(t, geometry, request),
                    dual_clock, lambda done: adapter.window_start(done, request, fixed, geometry, skip),
                    self._settings.preview_min_interval_ms / 1000,
                )  # fmt: skip
                sections = _SectionGate(sink, request.fps, observer, self._settings.section_min_lead_s)
                # 7. Encode the prompt, denoise (with the job's step cache), decode (the pipeline's own steps)
                sink.phase(Phase.ENCODING, "encoding prompt")
                denoise_started = time.perf_counter()
                with (
                    observer.attached(denoisers),
                    truncated_schedule(pipe.scheduler, skip if "latents" in extra else 0),  # else the pipeline trims
                    StepCacheRun(denoisers, request.step_cache, request.step_cache_threshold, request.steps - skip,
                                 spec.key, self._mag_ratios) as cache,
                    step_callback(pipe, observer) as callback_kwargs,
                    adapter.prepared(pipe, request),
                    adapter.segments(pipe, request, fixed, sections),
                    _global_rng_seeded(seed, self._device.device),  # last: nothing after it draws or seeds
                ):  # fmt: skip
                    output = pipe(
                        **adapter.call_kwargs(pipe, request),
                        generator=generator,
                        output_type="np",
                        **callback_kwargs,
                        **extra,
                        **end_kwargs,
                        **fixed,
                    )
            timings["generate_s"] = time.perf_counter() - denoise_started
            self._manager.record_step_times(request, observer.step_seconds)
            audio = adapter.audio(pipe, output)  # a sound track, for families that generate one
        self.last_first_preview_at = observer.first_preview_at
        # 8. Frames as uint8 (frames, height, width, 3); a pipeline that generates whole windows may make more
        frames = _to_uint8(adapter.frames(output)[: request.num_frames])
        return GenerationResult(
            frames=frames, fps=request.fps, seed=seed, width=frames.shape[2], height=frames.shape[1],
            num_frames=frames.shape[0], model_key=spec.key, model_source=self._manager.source_path(spec),
            model_revision=spec.revision, timings_s=timings, step_cache=cache.stats,
            notes=[*notes, *observer.notes, *lora_notes, *end_notes, *cache.notes, *sections.notes()], audio=audio,
        )  # fmt: skip

    # -- image to video ---------------------------------------------------------------
    def _guide(self, request: GenerationRequest, steering: frozenset[str], sink: ProgressSink) -> GuideVideo | None:
        if request.mode not in (Mode.I2V, Mode.V2V):
            return None
        if self._guide_builder is None:
            needs = "image-to-video needs the motion engine" if request.mode == Mode.I2V else "video to video needs a guide builder"
            raise InvalidRequestError(f"{needs}, which this studio was built without")
        sink.phase(Phase.ENCODING, "rendering the motion guide" if request.mode == Mode.I2V else "reading the source video")
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

    def _steering_inputs(self, adapter: PipelineAdapter, pipe: Any, geometry: LatentGeometry, steering: frozenset[str],
                         request: GenerationRequest, guide: GuideVideo | None, generator: torch.Generator,
                         notes: list[str], pipeline_mode: str = "i2v") -> tuple[dict, int, DualClock | None]:  # fmt: skip
        """Pipeline arguments that make the guide steer the model, how many steps it replaces, and the dual clock.

        A text-to-video pipeline (video to video on a model without image to video) takes no image or
        control video: the guide reaches it as start latents only.
        Tensors go to the pipeline's execution device, which under offloading is
        not where the weights rest (CPU, or ``meta`` under sequential offload).
        """
        if guide is None:
            return {}, 0, None
        if pipeline_mode != "i2v":
            extra: dict[str, Any] = {}
        elif "control" in steering:
            extra = adapter.control_kwargs(pipe, request, guide)
        else:
            extra = adapter.image_kwargs(pipe, request, guide)
        device = pipe._execution_device
        shape = geometry.latent_shape(request.num_frames, request.height, request.width)
        noise = None
        if request.warped_noise and "warped_noise" in steering:
            if request.mode == Mode.V2V:  # the guide builder knows no motion field of an uploaded clip
                notes.append("noise not warped: a source video has no motion field (plain noise under its frames)")
            else:
                noise = _warped_noise(guide, geometry, shape, generator, notes)
        skip = steps_to_skip(request.steps, request.guide_strength) if "v2v" in steering else 0
        source = adapter.source_video_kwargs(pipe, request, guide, skip) if "v2v" in steering else None
        if source is not None:  # a video-to-video pipeline encodes, noises and trims its schedule itself
            if guide.moving is not None and request.arrow_steering == "dual_clock":
                notes.append("dual clock off: this model's video-to-video pipeline noises the whole guide itself")
            return {**extra, **source}, skip, None
        if guide.moving is not None and request.arrow_steering == "dual_clock" and "v2v" in steering:
            dual = self._dual_clock(adapter, pipe, geometry, request, guide, noise, skip, generator, notes)
            if dual is not None:
                latents = adapter.from_video_layout(dual.start_latents(), geometry, request).to(device, torch.float32)
                return adapter.with_start_latents(pipe, extra, latents, level=dual.levels[0]), skip, dual
        if skip:
            guide_latent = adapter.encode_video(pipe, guide.frames, device)
            level = adapter.start_noise_level(pipe, request.steps, skip, device, request=request)
            noise = noise if noise is not None else torch.randn(guide_latent.shape, generator=generator)
            noise = adapter.noised(pipe, guide_latent, noise, level)
        if noise is not None:
            latents = adapter.from_video_layout(noise, geometry, request).to(device, torch.float32)
            extra = adapter.with_start_latents(pipe, extra, latents, level=level if skip else None)
        return extra, skip, None

    @staticmethod
    def _dual_clock(adapter: PipelineAdapter, pipe: Any, geometry: LatentGeometry, request: GenerationRequest,
                    guide: GuideVideo, noise: torch.Tensor | None, skip: int, generator: torch.Generator,
                    notes: list[str]) -> DualClock | None:  # fmt: skip
        """The arrows' regions anchored to the guide down to ``arrow_strength``; None when that adds nothing."""
        assert guide.moving is not None
        strong = steps_to_skip(request.steps, request.arrow_strength)
        if strong <= skip:
            notes.append(f"dual clock off: arrow_strength {request.arrow_strength:g} is not above guide_strength "
                         f"{request.guide_strength:g}, so the dragged regions follow the guide like the rest")  # fmt: skip
            return None
        device = pipe._execution_device
        guide_latent = adapter.encode_video(pipe, guide.frames, device)
        noise = noise if noise is not None else torch.randn(guide_latent.shape, generator=generator)
        dual = build_dual_clock(adapter, pipe, geometry, request, guide.moving, guide_latent, noise, skip, strong, device)
        moving = float(dual.mask.mean())
        notes.append(f"dual clock: the arrows' regions ({moving:.0%} of the latent) follow the guide for "
                     f"{strong} of {request.steps} steps, the rest for {skip}")  # fmt: skip
        return dual


@contextmanager
def _global_rng_seeded(seed: int, device: torch.device) -> Iterator[None]:
    """torch's global generators seeded from ``seed`` for the run, and put back as they were after it.

    The run's own generator is passed to the pipeline, but some pipelines also draw from the global one
    (SkyReels-V2 noises each later window's history with ``torch.randn_like``): without this the same
    seed gave another clip on every run of a process. The global seed is derived from ``seed``, not
    equal to it, so those draws do not repeat the start noise.
    """
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    else:
        devices = []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed((seed * 6364136223846793005 + 1442695040888963407) % 2**63)
        yield


def _to_uint8(frames: np.ndarray) -> np.ndarray:
    """Float frames in [0, 1] -> uint8, scaling in place where the pipeline's array allows it, on torch's threads.

    A 540p clip of 137 frames is 0.86 GB of float32: a fresh array per step of the arithmetic costs a pass of
    freshly faulted memory each, which on a GPU machine's virtual memory took seconds; numpy's passes run on
    one core, torch's on the worker's intra-op threads (the same rounding: half to even).
    """
    work = frames if frames.flags.writeable and frames.dtype == np.float32 else frames.astype(np.float32)
    if any(stride < 0 for stride in work.strides):  # torch takes no reversed views
        work = np.ascontiguousarray(work)
    scaled = torch.from_numpy(work)
    scaled.clamp_(0.0, 1.0).mul_(255.0).round_()
    return scaled.to(torch.uint8).numpy()


class _SectionGate:
    """A long clip's finished sections to the sink's ``segment`` while the rest is ``min_lead_s`` or more away.

    A section is shown while the rest generates; one that comes less than ``min_lead_s`` before the whole
    clip (estimated from the run's steps so far) would be replaced by the clip before it could be watched,
    and writing it (an encoder process per section) would delay the clip: it is skipped, and noted.
    Sinks without ``segment`` get nothing.
    """

    def __init__(self, sink: ProgressSink, fps: int, observer: _StepObserver, min_lead_s: float) -> None:
        self._sink = sink if isinstance(sink, SegmentSink) else None
        self._fps = fps
        self._observer = observer
        self._min_lead_s = min_lead_s
        self._skipped: list[int] = []
        self._total = 0

    def __call__(self, frames: np.ndarray, index: int, total: int) -> None:
        if self._sink is None:
            return
        left = self._observer.seconds_left()
        if self._min_lead_s > 0 and left is not None and left < self._min_lead_s:
            self._skipped.append(index)
            self._total = total
            return
        self._sink.segment(frames, index, total, self._fps)

    def notes(self) -> list[str]:
        if not self._skipped:
            return []
        which = ", ".join(str(i + 1) for i in self._skipped)
        return [f"section(s) {which} of {self._total} not streamed: the whole clip was due less than "
                f"{self._min_lead_s:g} s after each (STUDIO_SECTION_MIN_LEAD_S)"]  # fmt: skip


def _warped_noise(guide: GuideVideo, geometry: LatentGeometry, shape: tuple[int, int, int, int, int], generator: torch.Generator,
                  notes: list[str]) -> torch.Tensor | None:  # fmt: skip
    """Initial noise along the guide's motion; on failure a note and plain noise (the job goes on)."""
    try:
        maps = latent_sampling_maps(guide.maps, geometry.temporal_compression, geometry.spatial_compression, shape[3:])
        return warp_noise(shape, maps, generator)
    except torch.OutOfMemoryError:
        raise
    except Exception as exc:
        logger.exception("warping the initial noise along the guide failed; using plain noise")
        notes.append(f"noise not warped along the motion ({type(exc).__name__}: {exc})")
        return None


def _check_size(multiple: int, request: GenerationRequest) -> None:
    """Sides must be whole latent patches of this pipeline (the pipeline would silently crop otherwise).

    Raises:
        InvalidRequestError: naming the sizes and the multiple this model needs.
    """
    if request.width % multiple or request.height % multiple:
        raise InvalidRequestError(
            f"height and width must be multiples of {multiple} for {request.model}, got {request.height} and {request.width}"
        )
