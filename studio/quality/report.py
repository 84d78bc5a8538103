"""The quality report of a clip: per-frame series, a summary, and flags where thresholds are crossed."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from studio.errors import InvalidMediaError
from studio.quality.metrics import (
    brightness,
    brightness_jumps,
    colour_drift,
    downscaled,
    flicker_score,
    flickering_frames,
    flow_measures,
    frame_differences,
    frozen_runs,
    seam_jumps,
)
from studio.quality.summary import QualityFlag, QualitySummary

REPORT_VERSION = 1
ANALYSIS_MAX_SIDE_PX = 256


class QualityThresholds(BaseModel):
    """Where a measure becomes a flag. Levels are 0..255 steps of 8-bit values."""

    #: a frame whose brightness leaves the line through its neighbours by more than this flickers.
    flicker_levels: float = Field(3.0, gt=0)
    #: consecutive frames differing by at most this much are the same picture.
    frozen_levels: float = Field(0.5, ge=0)
    #: this many identical frames in a row make a frozen run.
    frozen_min_frames: int = Field(3, ge=2)
    #: mean warping error above this: motion the optical flow cannot explain (RGB in 0..1, squared, summed).
    warping_error: float = Field(0.02, gt=0)
    #: a seam pair with this many times the clip's median warping error is a jump.
    seam_jump_ratio: float = Field(2.5, gt=1)
    #: deltaE of the mean colour against frame 0; about 2.3 is just noticeable.
    colour_drift_delta_e: float = Field(6.0, gt=0)
    #: VBench's dynamic threshold: 6 pixels of motion at a 256-pixel short side, scaled with the frame.
    dynamic_px_at_256: float = Field(6.0, gt=0)
    #: below this share of moving pairs the clip is flagged as hardly moving.
    min_dynamic_degree: float = Field(0.05, ge=0, le=1)


class QualitySeries(BaseModel):
    """Per-frame (``n`` values) and per-pair (``n - 1`` values, pair ``i`` = frames ``i`` and ``i + 1``) series."""

    brightness: list[float]
    brightness_jump: list[float]
    colour_drift: list[float]
    frame_difference: list[float]
    warping_error: list[float]
    motion_px: list[float]
    occluded_share: list[float]


class QualityReport(BaseModel):
    """Everything ``report.json`` holds."""

    version: int = REPORT_VERSION
    width: int
    height: int
    summary: QualitySummary
    series: QualitySeries
    thresholds: QualityThresholds
    #: output frames the model generated (keyframe clips; empty = all of them).
    generated_frames: list[int] = Field(default_factory=list)
    compute_s: float = 0.0


def compute_report(frames: np.ndarray, fps: float, generated: list[int] | None = None,
                   thresholds: QualityThresholds | None = None) -> QualityReport:  # fmt: skip
    """Measure ``frames`` (uint8, n x h x w x 3, n >= 2).

    Args:
        generated: in a keyframe clip, the output frames the model made (the rest interpolated);
            seams between the two kinds are then checked for jumps.
    Raises:
        InvalidMediaError: fewer than 2 frames or not uint8 RGB.
    """
    started = time.perf_counter()
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise InvalidMediaError(f"a report needs uint8 RGB frames (n, height, width, 3), got {frames.dtype} {frames.shape}")
    if len(frames) < 2:
        raise InvalidMediaError(f"a report needs at least 2 frames, got {len(frames)}")
    limits = thresholds or QualityThresholds()
    generated = list(generated or [])
    differences = frame_differences(frames)
    luma = brightness(frames)
    jumps = brightness_jumps(luma)
    # colour and flow are measured on frames scaled to the analysis size: means and motion fields are smooth
    small, scale = downscaled(frames, ANALYSIS_MAX_SIDE_PX)
    drift = colour_drift(small)
    flows = flow_measures(small, scale)
    height, width = frames.shape[1:3]
    dynamic_px = limits.dynamic_px_at_256 * min(height, width) / 256.0
    summary = QualitySummary(
        num_frames=len(frames), fps=fps, flicker_score=flicker_score(differences),
        warping_error=float(flows.warping_error.mean()), dynamic_degree=float((flows.motion_px > dynamic_px).mean()),
        colour_drift_max=float(drift.max()),
        frozen_runs=frozen_runs(differences, limits.frozen_levels, limits.frozen_min_frames),
        flickering_frames=flickering_frames(jumps, limits.flicker_levels),
        seam_jumps=seam_jumps(flows.warping_error, generated, limits.seam_jump_ratio) if generated else [],
    )  # fmt: skip
    summary.flags = _flags(summary, drift, flows.warping_error, limits)
    series = QualitySeries(
        brightness=_rounded(luma), brightness_jump=_rounded(jumps), colour_drift=_rounded(drift),
        frame_difference=_rounded(differences), warping_error=_rounded(flows.warping_error, 6),
        motion_px=_rounded(flows.motion_px), occluded_share=_rounded(flows.occluded_share),
    )  # fmt: skip
    return QualityReport(width=width, height=height, summary=summary, series=series, thresholds=limits,
                         generated_frames=generated, compute_s=time.perf_counter() - started)  # fmt: skip


def _rounded(values: np.ndarray, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]


def _flags(s: QualitySummary, drift: np.ndarray, warping: np.ndarray, limits: QualityThresholds) -> list[QualityFlag]:
    flags = []
    if s.flickering_frames:
        flags.append(QualityFlag(kind="flicker", frames=s.flickering_frames, message=(
            f"brightness flicker at frame(s) {_listed(s.flickering_frames)} (over {limits.flicker_levels:g} levels)")))  # fmt: skip
    if s.frozen_runs:
        ranges = ", ".join(f"{r.start}-{r.end}" for r in s.frozen_runs)
        flags.append(QualityFlag(kind="frozen", frames=[r.start for r in s.frozen_runs],
                                 message=f"frozen frames {ranges}"))  # fmt: skip
    if s.warping_error > limits.warping_error:
        worst = [int(i) for i in np.argsort(warping)[::-1][:3]]
        flags.append(QualityFlag(kind="warping", frames=sorted(worst), message=(
            f"warping error {s.warping_error:.4f} over {limits.warping_error:g}: motion the flow cannot follow, "
            f"worst after frame(s) {_listed(sorted(worst))}")))  # fmt: skip
    if s.seam_jumps:
        flags.append(QualityFlag(kind="seam_jump", frames=s.seam_jumps, message=(
            f"jumps at keyframe seams after frame(s) {_listed(s.seam_jumps)}")))  # fmt: skip
    if s.colour_drift_max > limits.colour_drift_delta_e:
        drifting = [int(i) for i in np.flatnonzero(drift > limits.colour_drift_delta_e)]
        flags.append(QualityFlag(kind="colour_drift", frames=drifting[:1], message=(
            f"colour drifts up to deltaE {s.colour_drift_max:.1f} from frame 0 (over {limits.colour_drift_delta_e:g} "
            f"from frame {drifting[0]})")))  # fmt: skip
    if s.dynamic_degree < limits.min_dynamic_degree:
        flags.append(QualityFlag(kind="low_motion", message=(
            f"hardly any motion: dynamic degree {s.dynamic_degree:.2f} under {limits.min_dynamic_degree:g}")))  # fmt: skip
    return flags


def _listed(frames: list[int], most: int = 8) -> str:
    shown = ", ".join(str(f) for f in frames[:most])
    return shown + (f" and {len(frames) - most} more" if len(frames) > most else "")


def write_report(report: QualityReport, path: Path) -> Path:
    """Write ``report.json`` atomically."""
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(report.model_dump_json(indent=1))
    tmp.replace(path)
    return path


def report_text(report: QualityReport) -> str:
    """The report as a few readable lines (the CLI prints it)."""
    s = report.summary
    frozen = ", ".join(f"{r.start}-{r.end}" for r in s.frozen_runs) or "none"
    lines = [
        f"{s.num_frames} frames, {report.width}x{report.height}, {s.fps:g} fps",
        f"flicker score (VBench, 1 = still)   {s.flicker_score:.4f}",
        f"warping error (occlusion-masked)    {s.warping_error:.5f}",
        f"dynamic degree                      {s.dynamic_degree:.2f}",
        f"colour drift, max deltaE            {s.colour_drift_max:.2f}",
        f"frozen runs                         {frozen}",
        f"flickering frames                   {_listed(s.flickering_frames) or 'none'}",
    ]
    if report.generated_frames:
        lines.append(f"seam jumps after frames              {_listed(s.seam_jumps) or 'none'}")
    lines.append("flags:" + ("" if s.flags else " none"))
    lines.extend(f"  [{flag.kind}] {flag.message}" for flag in s.flags)
    return "\n".join(lines)
