"""Verify panel (in the Jobs tab): a file's content credentials, their state, tampering, and the watermark."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from studio.container import Container
from studio.jobs.provenance import provenance_note
from studio.provenance.verify import verify_file
from studio.ui.common import user_errors
from studio.ui.session import session_viewer


@dataclass
class VerifyWidgets:
    upload: gr.File
    run_file: gr.Button
    run_job: gr.Button
    summary: gr.Markdown
    report: gr.JSON


class VerifyPanel:
    def __init__(self, container: Container) -> None:
        self._c = container

    def render(self) -> VerifyWidgets:
        with gr.Accordion("Verify (content credentials and watermark)", open=False):
            gr.Markdown(provenance_note(self._c.settings), elem_id="verify-note")
            with gr.Row():
                upload = gr.File(label="A file to verify (mp4, webm, gif, png, jpeg)", type="filepath", elem_id="verify-file")
                with gr.Column():
                    run_file = gr.Button("Verify file", elem_id="verify-run")
                    run_job = gr.Button("Verify the selected job's video", size="sm")
            summary = gr.Markdown(elem_id="verify-summary")
            report = gr.JSON(label="Verification report")
        return VerifyWidgets(upload, run_file, run_job, summary, report)

    def wire(self, w: VerifyWidgets, job_id: gr.Textbox) -> None:
        """``job_id``: the Jobs tab's job id box, for verifying that job's video without downloading it."""
        w.run_file.click(self.verify_upload, inputs=[w.upload], outputs=[w.summary, w.report], api_name="verify_file")
        w.run_job.click(self.verify_job, inputs=[job_id], outputs=[w.summary, w.report], api_visibility="private")

    def verify_upload(self, upload: str | None) -> tuple[str, dict]:
        """Verify an uploaded file."""
        with user_errors():
            if not upload:
                raise gr.Error("choose a file to verify first")
            result = verify_file(Path(upload), label=Path(upload).name)
        return _markdown(result.summary()), result.as_dict()

    def verify_job(self, job_id: str, request: gr.Request | None = None) -> tuple[str, dict]:
        with user_errors():
            job = self._c.jobs.get((job_id or "").strip(), session_viewer(self._c.settings, request))
            if not job.outputs.video:
                raise gr.Error(f"job {job.id} has no video yet ({job.status.value})")
            result = verify_file(self._c.jobs.output_dir(job.id) / job.outputs.video, label=f"job {job.id}: {job.outputs.video}")
        return _markdown(result.summary()), result.as_dict()


def _markdown(summary: str) -> str:
    return "\n".join(f"- {line}" for line in summary.splitlines())
