"""What the engine needs to know about a model family.

A ``Family`` is data plus three small rules: how sizes and frame counts must be
shaped, how a latent becomes a cheap RGB preview, and how to build its demo
model. Runners and the registry are written once against this interface.
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
        return new_w, new_h, new_f, notes


@dataclass(frozen=True)
class LatentPreview:
    """Linear latent -> RGB projection of a family's VAE latent space.

    ``rgb = (latent * std + mean) @ factors + bias`` gives values in about [-1, 1].
    ``latents_mean``/``latents_std`` undo the pipeline's latent normalisation
    (empty when the pipeline does not normalise).
    """

    factors: tuple[tuple[float, float, float], ...]
    bias: tuple[float, float, float] = (0.0, 0.0, 0.0)
    latents_mean: tuple[float, ...] = ()
    latents_std: tuple[float, ...] = ()
    temporal_compression: int = 4
    spatial_compression: int = 8


@dataclass(frozen=True)
class Family:
    """A model family: name, pipelines per mode, rules, previews and its demo."""

    name: str
    label: str
    #: diffusers pipeline class name per mode ("t2v", "i2v", "v2v").
    pipelines: dict[str, str]
    size_rules: SizeRules
    preview: LatentPreview
    prediction: PredictionType
    #: diffusers ``_class_name`` values in model_index.json that belong to this family.
    pipeline_class_names: tuple[str, ...]
    #: ``build_demo(folder, scale, kind)`` writes a random-weight pipeline with ``save_pretrained``;
    #: ``kind`` is the spec's pipeline class if it names one, else its mode.
    build_demo: Callable[[Path, int, str], None]
    #: how a guide video can steer this family's image-to-video models ("v2v", "warped_noise", "control").
    steering: frozenset[str] = frozenset()
    #: extra keyword arguments every pipeline call of this family gets.
    call_kwargs: dict[str, object] = field(default_factory=dict)
