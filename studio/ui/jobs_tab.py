"""Jobs tab: the session's jobs from the store (survives restarts), details, webhook log and cancel."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio.container import Container
from studio.ui.common import JOB_COLUMNS, format_time, job_row, user_errors
from studio.ui.session import session_viewer
from studio.ui.verify_panel import VerifyPanel, VerifyWidgets

_REFRESH_S = 3.0
DELIVERY_COLUMNS = ["event", "url", "status", "attempts", "last status code", "last error", "next try"]


@dataclass
class JobsWidgets:
    refresh: gr.Button
    auto: gr.Checkbox
    table: gr.Dataframe
    selected: gr.Textbox
    show: gr.Button
    cancel: gr.Button
    details: gr.JSON
    video: gr.Video
    deliveries: gr.Dataframe
    verify: VerifyWidgets
    timer: gr.Timer


class JobsTab:
    def __init__(self, container: Container) -> None:
        self._c = container
        self.verify = VerifyPanel(container)

    def render(self) -> JobsWidgets:
        with gr.Row():
            refresh = gr.Button("Refresh", size="sm")
            auto = gr.Checkbox(value=True, label=f"Refresh every {_REFRESH_S:.0f} s")
        table = gr.Dataframe(headers=JOB_COLUMNS, value=self.list_jobs, interactive=False, wrap=True,
                             elem_id="jobs-table")  # fmt: skip
        with gr.Row():
            selected = gr.Textbox(label="Job id", elem_id="jobs-selected")
            show = gr.Button("Show", size="sm")
            cancel = gr.Button("Cancel job", variant="stop", size="sm")
        details = gr.JSON(label="Job")
        video = gr.Video(label="Output")
        deliveries = gr.Dataframe(headers=DELIVERY_COLUMNS, label="Webhook deliveries", interactive=False,
                                  elem_id="jobs-webhooks")  # fmt: skip
        verify = self.verify.render()
        timer = gr.Timer(_REFRESH_S)
        return JobsWidgets(refresh, auto, table, selected, show, cancel, details, video, deliveries, verify, timer)

    def wire(self, w: JobsWidgets) -> None:
        shown = [w.details, w.video, w.deliveries]
        w.refresh.click(self.list_jobs, outputs=[w.table], api_name="list_jobs")
        w.timer.tick(self.list_jobs, outputs=[w.table], api_visibility="private")
        w.auto.change(lambda on: gr.Timer(active=on), inputs=[w.auto], outputs=[w.timer], api_visibility="private")
        w.table.select(self.select, outputs=[w.selected], api_visibility="private")
        w.show.click(self.show, inputs=[w.selected], outputs=shown, api_name="get_job")
        w.cancel.click(self.cancel, inputs=[w.selected], outputs=shown, api_visibility="private")
        self.verify.wire(w.verify, w.selected)

    def list_jobs(self, request: gr.Request | None = None) -> list[list[object]]:
        viewer = session_viewer(self._c.settings, request)
        return [job_row(job) for job in self._c.jobs.recent(limit=200, viewer=viewer)]

    def select(self, event: gr.SelectData) -> str:
        row = event.row_value if event is not None else None
        return str(row[0]) if row else ""

    def show(self, job_id: str, request: gr.Request | None = None) -> tuple[dict, str | None, list[list[object]]]:
        """Details, video and webhook deliveries of one of the session's jobs."""
        with user_errors():
            job = self._c.jobs.get((job_id or "").strip(), session_viewer(self._c.settings, request))
        video = str(self._c.jobs.output_dir(job.id) / job.outputs.video) if job.outputs.video else None
        rows: list[list[object]] = [[d.event, d.url, d.status, d.attempts, d.last_status_code, d.last_error or "", format_time(d.next_attempt_at)]
                for d in self._c.webhooks.deliveries.for_job(job.id)]  # fmt: skip
        return job.model_dump(mode="json"), video, rows

    def cancel(self, job_id: str, request: gr.Request | None = None) -> tuple[dict, str | None, list[list[object]]]:
        with user_errors():
            self._c.jobs.cancel((job_id or "").strip(), session_viewer(self._c.settings, request))
        return self.show(job_id, request)
