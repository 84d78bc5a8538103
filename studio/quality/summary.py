"""The report's typed parts that a job carries: summary, flags, frame ranges, frame origins.

Pure pydantic, importing nothing of the studio, so ``studio.types`` can embed them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FlagKind = Literal["flicker", "frozen", "warping", "seam_jump", "colour_drift", "low_motion"]


class FrameRange(BaseModel):
    """Frames ``start`` to ``end``, both included (0-based)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class QualityFlag(BaseModel):
    """A threshold the clip crossed, where, and by how much."""

    kind: FlagKind
    message: str
    #: the frames concerned (for pair measures, the first frame of each pair).
    frames: list[int] = Field(default_factory=list)


class QualitySummary(BaseModel):
    """The clip's figures in a few numbers, and the flags raised."""

    num_frames: int
    fps: float
    #: VBench temporal flickering: (255 - mean absolute difference of consecutive frames) / 255; 1 = still.
    flicker_score: float
    #: mean warping error (Lai et al. 2018) over consecutive pairs, RGB in [0, 1], non-occluded pixels.
    warping_error: float
    #: share of frame pairs whose motion passes the dynamic threshold (VBench-style), 0..1.
    dynamic_degree: float
    #: largest colour difference (CIE76 deltaE of the mean Lab colour) against the first frame.
    colour_drift_max: float
    frozen_runs: list[FrameRange] = Field(default_factory=list)
    flickering_frames: list[int] = Field(default_factory=list)
    #: first frame of each seam pair whose warping error jumps (keyframe clips only).
    seam_jumps: list[int] = Field(default_factory=list)
    flags: list[QualityFlag] = Field(default_factory=list)


class FrameOrigins(BaseModel):
    """Which output frames the model generated and which were interpolated (keyframe mode)."""

    generated: list[int]
    interpolated: list[int]
    #: in-betweens per gap + 1 (2 = every other frame generated).
    factor: int = Field(ge=1)
    interpolator: str
