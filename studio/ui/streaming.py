"""Streams one job's events into the outputs every generation tab shows.

Outputs, in order: status markdown, progress bar HTML, job id, keyframe
gallery, video path, seed used. Used by every tab that starts a job.
"""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from studio.container import Container
from studio.jobs.owners import Viewer
from studio.types import Job, JobEvent, JobStatus, Phase
from studio.ui.common import event_status_markdown, progress_bar_html

_EVENT_TIMEOUT_S = 1.0


def stream_job(container: Container, job: Job) -> Iterator[tuple]:
    """Yield output updates until the job ends; the last one carries the video and final keyframes."""
    previews: list[tuple[str, str]] = []
    yield (f"**queued** · {job.message}", progress_bar_html(0.0), job.id, [], None, job.seed)
    with container.jobs.subscribe(job.id) as subscription:
        while True:
            event = subscription.get(timeout_s=_EVENT_TIMEOUT_S)
            if event is None:
                current = container.jobs.get(job.id)
                if not current.status.is_terminal:
                    continue
                event = JobEvent(job_id=job.id, kind="status", status=current.status, phase=Phase.DONE,
                                 message=current.error or current.message)  # fmt: skip
            if event.kind == "preview":
                previews = [(p, f"frame {f} · step {event.step}")
                            for p, f in zip(event.preview_paths, event.preview_frames, strict=True)]  # fmt: skip
            if event.kind == "status" and event.status.is_terminal:
                yield final_outputs(container, job.id, event, previews)
                return
            yield (event_status_markdown(event), progress_bar_html(event.progress), job.id,
                   previews if event.kind == "preview" else gr.skip(), gr.skip(), gr.skip())  # fmt: skip


def final_outputs(container: Container, job_id: str, event: JobEvent, previews: list[tuple[str, str]]) -> tuple:
    job = container.jobs.get(job_id)
    if job.status != JobStatus.SUCCEEDED or job.outputs.video is None:
        return (event_status_markdown(event), progress_bar_html(job.progress), job_id, previews, None, job.seed)
    folder = container.jobs.output_dir(job_id)
    indices = job.keyframe_indices if len(job.keyframe_indices) == len(job.outputs.keyframes) else [None] * len(job.outputs.keyframes)
    keyframes = [(str(folder / p), "final" if i is None else f"frame {i} (final)") for p, i in zip(job.outputs.keyframes, indices, strict=True)]
    duration = f" in {job.duration_s:.1f} s" if job.duration_s is not None else ""
    request = job.request
    status = f"**succeeded**{duration} · seed {job.seed} · {request.num_frames} frames at {request.width}x{request.height}"
    if job.notes:
        status += f"  \n_{'; '.join(job.notes)}_"  # corrections made to the inputs
    return (status, progress_bar_html(1.0), job_id, keyframes or previews, str(folder / job.outputs.video), job.seed)


def render_job_outputs(prefix: str) -> tuple:
    """The output widgets of a generation tab (ids prefixed for tests and styling)."""
    status = gr.Markdown("Ready.", elem_id=f"{prefix}-status")
    bar = gr.HTML(progress_bar_html(0.0))
    job_id = gr.Textbox(label="Job", interactive=False, elem_id=f"{prefix}-job-id")
    previews = gr.Gallery(label="Keyframes (live preview while denoising, final frames after)", columns=4,
                          height=220, elem_id=f"{prefix}-previews", format="png")  # fmt: skip
    video = gr.Video(label="Video", autoplay=True, loop=True, elem_id=f"{prefix}-video")
    seed_used = gr.Number(label="Seed used", precision=0, interactive=False)
    return status, bar, job_id, previews, video, seed_used


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
