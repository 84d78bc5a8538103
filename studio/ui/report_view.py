"""The quality report as the UI shows it: a summary with flags and per-frame series for a line plot (no gradio)."""

from __future__ import annotations

import pandas as pd

from studio.quality.report import QualityReport

PLOT_COLUMNS = ["frame", "ratio", "measure"]


def report_markdown(report: QualityReport | None) -> str:
    """Summary figures and one line per flag (or a note that there is no report)."""
    if report is None:
        return "_No quality report yet._"
    s = report.summary
    frozen = ", ".join(f"{r.start}-{r.end}" for r in s.frozen_runs) or "none"
    lines = [
        f"**Quality** · flicker score {s.flicker_score:.4f} · warping error {s.warping_error:.5f} · "
        f"dynamic degree {s.dynamic_degree:.2f} · colour drift ≤ {s.colour_drift_max:.1f} ΔE · frozen runs {frozen}",
    ]
    if report.generated_frames:
        lines.append(f"keyframes generated: {len(report.generated_frames)} of {s.num_frames} frames; "
                     f"seam jumps: {', '.join(map(str, s.seam_jumps)) or 'none'}")  # fmt: skip
    lines.extend(f"- ⚠ **{flag.kind}**: {flag.message}" for flag in s.flags)
    if not s.flags:
        lines.append("- no flags")
    return "  \n".join(lines)


def report_plot_frame(report: QualityReport | None) -> pd.DataFrame:
    """Long-format series, each divided by its flag threshold: 1.0 is where a measure gets flagged.

    Pair measures (warping error, motion) are plotted at the pair's first frame.
    """
    if report is None:
        return pd.DataFrame(columns=PLOT_COLUMNS)
    t, series = report.thresholds, report.series
    dynamic_px = t.dynamic_px_at_256 * min(report.width, report.height) / 256.0
    measures = {
        "brightness jump": [abs(v) / t.flicker_levels for v in series.brightness_jump],
        "colour drift": [v / t.colour_drift_delta_e for v in series.colour_drift],
        "warping error": [v / t.warping_error for v in series.warping_error],
        "motion": [v / dynamic_px for v in series.motion_px],
    }
    rows = [(frame, round(value, 4), name) for name, values in measures.items() for frame, value in enumerate(values)]
    return pd.DataFrame(rows, columns=PLOT_COLUMNS)
