"""What the engine needs to know about a model family.

A ``Family`` is data plus a few small rules: how sizes and frame counts must be
shaped, how a latent becomes a cheap RGB preview, which scheduler shift a
resolution wants, and how to build its demo model. Runners and the registry
are written once against this interface.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from studio.errors import InvalidRequestError

PredictionType = Literal["flow", "epsilon", "v"]


@dataclass(frozen=True)
class SizeRules:
    """Shape rules of a family: ``frames = temporal_step * k + 1``, sides multiples of ``side_multiple``."""

    side_multiple: int = 16
    temporal_step: int = 4
    min_side_px: int = 16
    #: the most frames the model makes (AnimateDiff's motion modules attend over 32; CogVideoX's cards);
    #: None = only the operator's limit.
    max_frames: int | None = None
    #: the one (width, height) the model runs at (learned positional embeddings), or None.
    fixed_size: tuple[int, int] | None = None

    def check(self, width: int, height: int, num_frames: int, *, round_values: bool) -> tuple[int, int, int, list[str]]:
        """Validate (or round, with a note) width, height and frame count.

        Returns:
            (width, height, num_frames, notes): the values to run with and one
            note per value that was rounded.
        Raises:
            InvalidRequestError: a value breaks a rule and ``round_values`` is False,
                naming the rule and the value.
        """
        notes: list[str] = []
        new_w, new_h, new_f = width, height, num_frames
        for name, value in (("width", width), ("height", height)):
            if value < self.min_side_px:
                raise InvalidRequestError(f"{name} must be at least {self.min_side_px} px, got {value}")
        if self.fixed_size is not None and (width, height) != self.fixed_size:
            if not round_values:
                raise InvalidRequestError(f"this model runs at {self.fixed_size[0]}x{self.fixed_size[1]} only, "
                                          f"got {width}x{height}")  # fmt: skip
            width, height = self.fixed_size
            notes.append(f"size set from {new_w}x{new_h} to {width}x{height} (the only size this model runs at)")
            new_w, new_h = width, height
        if width % self.side_multiple or height % self.side_multiple:
            if not round_values:
                raise InvalidRequestError(
                    f"height and width must be multiples of {self.side_multiple}, got {height} and {width}"
                )
            new_w = max(self.side_multiple, round(width / self.side_multiple) * self.side_multiple)
            new_h = max(self.side_multiple, round(height / self.side_multiple) * self.side_multiple)
            notes.append(f"size rounded from {width}x{height} to {new_w}x{new_h} (multiples of {self.side_multiple})")
        step = self.temporal_step
        if (num_frames - 1) % step:
            if not round_values:
                raise InvalidRequestError(
                    f"frames must be {step}k+1 (e.g. {step * 4 + 1}, {step * 8 + 1}), got {num_frames}"
                )
            new_f = max(1, round((num_frames - 1) / step) * step + 1)
            notes.append(f"frames rounded from {num_frames} to {new_f} ({step}k+1)")
        if self.max_frames is not None and new_f > self.max_frames:
            if not round_values:
                raise InvalidRequestError(f"frames must be at most {self.max_frames} for this model, got {num_frames}")
            notes.append(f"frames lowered from {new_f} to {self.max_frames} (this model's limit)")
            new_f = self.max_frames
        return new_w, new_h, new_f, notes


@dataclass(frozen=True)
class LatentGeometry:
    """How a pipeline's VAE lays out video as latents (read from the loaded pipeline, never assumed)."""

    channels: int
    temporal_compression: int
    spatial_compression: int

    def latent_frames(self, num_frames: int) -> int:
        """Latent frames of a clip: the first frame alone, then one per ``temporal_compression`` frames."""
        return (num_frames - 1) // self.temporal_compression + 1

    def latent_shape(self, num_frames: int, height: int, width: int) -> tuple[int, int, int, int, int]:
        """(batch 1, channels, latent frames, latent height, latent width) of a clip."""
        s = self.spatial_compression
        return (1, self.channels, self.latent_frames(num_frames), height // s, width // s)


@dataclass(frozen=True)
class LatentPreview:
    """Linear latent -> RGB projection of one VAE latent space.

    ``rgb = latent @ factors + bias`` gives values in about [-1, 1], where
    ``latent`` is the pipeline's *normalised* latent (what the denoiser sees:
    ``(raw - latents_mean) / latents_std``); the number of rows of ``factors``
    is the latent channel count it applies to.
    """

    factors: tuple[tuple[float, float, float], ...]
    bias: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def channels(self) -> int:
        return len(self.factors)


@dataclass(frozen=True)
class FlowShiftRule:
    """The scheduler ``flow_shift`` a model card asks for, by resolution.

    ``high`` from ``high_from_px`` pixels per frame on (720p class), ``low`` below (480p class).
    """

    low: float
    high: float
    high_from_px: int

    def shift_for(self, width: int, height: int) -> float:
        return self.high if width * height >= self.high_from_px else self.low


@dataclass(frozen=True)
class Family:
    """A model family: name, pipelines per mode, rules, previews and its demo."""

    name: str
    label: str
    #: diffusers pipeline class name per mode ("t2v", "i2v", "v2v").
    pipelines: dict[str, str]
    size_rules: SizeRules
    #: latent -> RGB projections this family knows, one per latent space (matched on channel count).
    previews: tuple[LatentPreview, ...]
    prediction: PredictionType
    #: diffusers ``_class_name`` values in model_index.json that belong to this family.
    pipeline_class_names: tuple[str, ...]
    #: ``build_demo(folder, scale, kind)`` writes a random-weight pipeline with ``save_pretrained``;
    #: ``kind`` is the spec's ``demo_kind``, else its pipeline class if it names one, else its mode.
    build_demo: Callable[[Path, int, str], None]
    #: how a guide video can steer this family's image-to-video models ("v2v", "warped_noise", "control",
    #: "frames": the guide as a frame condition of strength ``guide_strength``, through the adapter's image_kwargs;
    #: "keyframes": keyframe mode's model fill-in, the keyframes as conditions at their frames, ``keyframe_kwargs``).
    steering: frozenset[str] = frozenset()
    #: extra keyword arguments every pipeline call of this family gets.
    call_kwargs: dict[str, object] = field(default_factory=dict)
    #: the scheduler's ``flow_shift`` by resolution when a request sets none (None: the scheduler's own).
    flow_shift: FlowShiftRule | None = None
    #: ``"module:Class"`` of the family's ``PipelineAdapter`` (``studio/engine/adapters/``), which maps a
    #: request onto its pipeline's call; the default fits pipelines in the Wan style.
    adapter: str = "studio.engine.adapters.base:PipelineAdapter"
    #: request inputs the family's pipelines read (front ends hide the others; submit refuses a prompt
    #: to a family without "prompt"). Family-specific ones are named like their request fields.
    inputs: frozenset[str] = frozenset({"prompt", "negative_prompt", "steps", "guidance_scale"})
    #: components kept in float32 when the rest runs in bf16; None: the studio's (VAE, image encoder). A family
    #: whose pipeline passes tensors between components without casting (AnimateDiff, SVD) declares none.
    float32_components: frozenset[str] | None = None
    #: camera preset -> registered LoRA key of a native camera-motion LoRA (AnimateDiff's motion LoRAs).
    camera_loras: dict[str, str] = field(default_factory=dict)
    #: how a guide steers a pipeline class of ``pipeline_class_names`` that no mode names (an ad-hoc folder's
    #: ``_class_name``, e.g. LTX-Video's ``LTXConditionPipeline``); a class missing here is a control-video one.
    pipeline_steering: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def preview_for(self, geometry: LatentGeometry) -> LatentPreview | None:
        """The projection for a latent space of ``geometry``, or None when this family has none for it."""
        return next((p for p in self.previews if p.channels == geometry.channels), None)
