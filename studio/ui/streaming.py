"""Streams one job's events into the outputs every generation tab shows.

Outputs, in order: status markdown, progress bar HTML, job id, keyframe
gallery, video path, seed used, quality summary markdown, quality plot.
Used by every tab that starts a job. Finished parts show as they come:
previews while denoising, the generated keyframes (keyframe mode), the
video, then the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import gradio as gr

from studio.container import Container
from studio.errors import StudioError
from studio.jobs.owners import Viewer
from studio.jobs.quality_stage import read_job_report
from studio.quality.report import QualityReport
from studio.types import Job, JobEvent, JobStatus, Phase
from studio.ui.common import event_status_markdown, progress_bar_html
from studio.ui.report_view import report_markdown, report_plot_frame

#: formats the video widget plays; others (gif, png zip) are offered as files.
_PLAYABLE = (".mp4", ".webm")

_EVENT_TIMEOUT_S = 1.0


def stream_job(container: Container, job: Job) -> Iterator[tuple]:
    """Yield output updates until the job ends; the last one carries the video and final keyframes."""
    previews: list[tuple[str, str]] = []
    skip = gr.skip()
    yield (f"**{job.status.value}** · {job.message}", progress_bar_html(0.0), job.id, [], None, job.seed, skip, skip)
    with container.jobs.subscribe(job.id) as subscription:
        while True:
            event = subscription.get(timeout_s=_EVENT_TIMEOUT_S)
            if event is None:
                current = container.jobs.get(job.id)
                if not _stream_ends(current.status):
                    continue
                event = JobEvent(job_id=job.id, kind="status", status=current.status, phase=Phase.DONE,
                                 message=current.error or current.message)  # fmt: skip
            if event.kind in ("preview", "keyframes"):
                label = "keyframe" if event.kind == "keyframes" else f"step {event.step}"
                previews = [(p, f"frame {f} · {label}")
                            for p, f in zip(event.preview_paths, event.preview_frames, strict=True)]  # fmt: skip
            if event.kind == "status" and _stream_ends(event.status):
                if not _stream_ends(container.jobs.get(job.id).status):
                    continue  # replayed from an earlier round (keyframes accepted or regenerated since)
                yield final_outputs(container, job.id, event, previews)
                return
            video = event.output_path if event.kind == "output" and _playable(event.output_path) else skip
            yield (event_status_markdown(event), progress_bar_html(event.progress), job.id,
                   previews if event.kind in ("preview", "keyframes") else skip, video, skip, skip, skip)  # fmt: skip


def _stream_ends(status: JobStatus) -> bool:
    return status.is_terminal or status == JobStatus.AWAITING_REVIEW


def _playable(path: str | None) -> bool:
    return path is not None and path.lower().endswith(_PLAYABLE)


def _report(container: Container, job: Job) -> QualityReport | None:
    try:
        return read_job_report(container.jobs, job.id)
    except StudioError:
        return None


def final_outputs(container: Container, job_id: str, event: JobEvent, previews: list[tuple[str, str]]) -> tuple:
    job = container.jobs.get(job_id)
    if job.status == JobStatus.AWAITING_REVIEW:
        status = "**awaiting review** · the keyframes are ready: *Accept keyframes* fills in the rest, *Regenerate* tries another seed"
        return (status, progress_bar_html(job.progress), job_id, previews, None, job.seed, "", gr.skip())
    if job.status != JobStatus.SUCCEEDED or job.outputs.video is None:
        return (event_status_markdown(event), progress_bar_html(job.progress), job_id, previews, None, job.seed, "", gr.skip())
    folder = container.jobs.output_dir(job_id)
    indices = job.keyframe_indices if len(job.keyframe_indices) == len(job.outputs.keyframes) else [None] * len(job.outputs.keyframes)
    keyframes = [(str(folder / p), "final" if i is None else f"frame {i} (final)") for p, i in zip(job.outputs.keyframes, indices, strict=True)]
    duration = f" in {job.duration_s:.1f} s" if job.duration_s is not None else ""
    request = job.request
    status = f"**succeeded**{duration} · seed {job.seed} · {request.num_frames} frames at {request.width}x{request.height}"
    if job.notes:
        status += f"  \n_{'; '.join(job.notes)}_"  # corrections made to the inputs
    video = str(folder / job.outputs.video)
    if not _playable(video):
        status += f"  \nsaved as `{job.outputs.video}` (download it from the Jobs tab or the API)"
    report = _report(container, job)
    return (status, progress_bar_html(1.0), job_id, keyframes or previews, video if _playable(video) else None, job.seed,
            report_markdown(report), report_plot_frame(report))  # fmt: skip


@dataclass
class OutputWidgets:
    """What a generation tab shows of its job, in the order ``stream_job`` yields updates for them."""

    status: gr.Markdown
    bar: gr.HTML
    job_id: gr.Textbox
    previews: gr.Gallery
    video: gr.Video
    seed_used: gr.Number
    quality: gr.Markdown
    quality_plot: gr.LinePlot

    def as_list(self) -> list[gr.components.Component]:
        return [getattr(self, f.name) for f in fields(self)]


def render_job_outputs(prefix: str) -> OutputWidgets:
    """The output widgets of a generation tab (ids prefixed for tests and styling)."""
    status = gr.Markdown("Ready.", elem_id=f"{prefix}-status")
    bar = gr.HTML(progress_bar_html(0.0))
    job_id = gr.Textbox(label="Job", interactive=False, elem_id=f"{prefix}-job-id")
    previews = gr.Gallery(label="Keyframes (live preview while denoising, final frames after)", columns=4,
                          height=220, elem_id=f"{prefix}-previews", format="png")  # fmt: skip
    video = gr.Video(label="Video", autoplay=True, loop=True, elem_id=f"{prefix}-video")
    seed_used = gr.Number(label="Seed used", precision=0, interactive=False)
    summary = gr.Markdown("", elem_id=f"{prefix}-quality")
    plot = gr.LinePlot(x="frame", y="ratio", color="measure", title="Quality per frame (1 = flag threshold)",
                       y_title="measure / threshold", height=220, elem_id=f"{prefix}-quality-plot")  # fmt: skip
    return OutputWidgets(status, bar, job_id, previews, video, seed_used, summary, plot)


def seed_value(seed: float | str | None) -> int | None:
    """-1, empty or None mean random (browsers send 0 for an empty number box, so -1 is the marker)."""
    return None if seed is None or seed == "" or int(seed) < 0 else int(seed)


def cancel_job(container: Container, job_id: str, viewer: Viewer) -> str:
    if not job_id:
        return "Nothing to cancel."
    from studio.ui.common import user_errors

    with user_errors():
        job = container.jobs.cancel(job_id.strip(), viewer)
    return f"**{job.status.value}** · cancel requested" if not job.status.is_terminal else f"**{job.status.value}**"
