"""The quality report of every finished clip: computed after export, written beside the video, summarised on the job."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.errors import JobStateError
from studio.jobs.reporter import JobReporter
from studio.quality.report import QualityReport, compute_report, write_report
from studio.quality.summary import FrameOrigins
from studio.types import JobOutputs, Phase

if TYPE_CHECKING:  # the service imports the worker, which imports this module
    from studio.jobs.service import JobService

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


def read_job_report(jobs: JobService, job_id: str) -> QualityReport:
    """The stored report of a job.

    Raises:
        JobNotFoundError: no such job.
        JobStateError: the job has no report (not finished, failed, or a one-frame clip).
    """
    job = jobs.get(job_id)
    if job.outputs.report is None:
        raise JobStateError(f"job {job_id!r} has no quality report (status {job.status.value})")
    return QualityReport.model_validate_json((jobs.output_dir(job_id) / job.outputs.report).read_text())
