"""The quality report of every finished clip: computed after export, written beside the video, summarised on the job."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from studio.jobs.reporter import JobReporter
from studio.quality.report import compute_report, write_report
from studio.quality.summary import FrameOrigins
from studio.types import JobOutputs, Phase

logger = logging.getLogger(__name__)
REPORT_FILE = "report.json"


def attach_report(outputs: JobOutputs, frames: np.ndarray, fps: float, origins: FrameOrigins | None,
                  reporter: JobReporter, output_dir: Path) -> JobOutputs:  # fmt: skip
    """``outputs`` with ``report.json`` written and its summary; unchanged for a one-frame clip (nothing to compare)."""
    if len(frames) < 2:
        return outputs
    reporter.phase(Phase.REPORTING, "measuring flicker, warping and drift")
    report = compute_report(frames, fps, generated=origins.generated if origins else None)
    write_report(report, output_dir / REPORT_FILE)
    logger.info("job %s: quality report in %.2f s, %d flag(s)", reporter.job_id, report.compute_s, len(report.summary.flags))
    return outputs.model_copy(update={"report": REPORT_FILE, "quality": report.summary})
