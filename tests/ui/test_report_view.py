"""The report as the UI shows it: summary with flags, and series over their thresholds for the plot."""

from __future__ import annotations

import numpy as np

from studio.quality.report import compute_report
from studio.ui.report_view import PLOT_COLUMNS, report_markdown, report_plot_frame


def _clip() -> np.ndarray:
    x = np.arange(96, dtype=np.float32)
    frames = [np.broadcast_to((128 + 60 * np.sin((x + 2 * i) / 5.0))[None, :, None], (64, 96, 3)) for i in range(10)]
    clip = np.stack(frames).astype(np.uint8)
    clip[4] = np.clip(clip[4].astype(np.int16) + 30, 0, 255).astype(np.uint8)
    return clip


def test_summary_names_flags_and_keyframes() -> None:
    report = compute_report(_clip(), 8, generated=[0, 2, 4, 6, 8])
    text = report_markdown(report)
    assert "flicker score" in text and "**flicker**: brightness flicker at frame(s) 4" in text
    assert "keyframes generated: 5 of 10 frames" in text
    assert report_markdown(None) == "_No quality report yet._"


def test_plot_series_are_over_their_thresholds() -> None:
    report = compute_report(_clip(), 8)
    frame = report_plot_frame(report)
    assert list(frame.columns) == PLOT_COLUMNS
    jumps = frame[frame.measure == "brightness jump"].set_index("frame").ratio
    assert len(jumps) == 10 and jumps.idxmax() == 4 and jumps[4] > 1.0  # flagged: over its threshold
    assert len(frame[frame.measure == "warping error"]) == 9
    assert report_plot_frame(None).empty
