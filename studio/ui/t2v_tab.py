"""Text -> Video tab: prompt and settings in, live keyframe previews and the video out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from studio.container import Container
from studio.errors import StudioError
from studio.jobs.validation import build_request
from studio.ui.common import user_errors
from studio.ui.streaming import cancel_job, render_job_outputs, seed_value, stream_job


@dataclass
class _Widgets:
    prompt: gr.Textbox
    negative_prompt: gr.Textbox
    model: gr.Dropdown
    width: gr.Slider
    height: gr.Slider
    num_frames: gr.Slider
    fps: gr.Slider
    steps: gr.Slider
    guidance_scale: gr.Slider
    seed: gr.Number
    generate: gr.Button
    cancel: gr.Button
    status: gr.Markdown
    bar: gr.HTML
    job_id: gr.Textbox
    previews: gr.Gallery
    video: gr.Video
    seed_used: gr.Number

    def inputs(self) -> list[gr.components.Component]:
        return [self.prompt, self.negative_prompt, self.model, self.width, self.height, self.num_frames,
                self.fps, self.steps, self.guidance_scale, self.seed]  # fmt: skip

    def outputs(self) -> list[gr.components.Component]:
        return [self.status, self.bar, self.job_id, self.previews, self.video, self.seed_used]


class TextToVideoTab:
    """Builds the tab and adapts its widgets to the job service."""

    def __init__(self, container: Container) -> None:
        self._c = container
        self._settings = container.settings
        self._default = container.registry.resolve(container.settings.default_model)

    # -- layout -------------------------------------------------------------------
    def render(self) -> _Widgets:
        with gr.Row():
            with gr.Column(scale=2):
                prompt, negative = self._render_prompt()
                settings = self._render_settings()
                with gr.Row():
                    generate = gr.Button("Generate", variant="primary", elem_id="t2v-generate")
                    cancel = gr.Button("Cancel", variant="stop", elem_id="t2v-cancel")
            with gr.Column(scale=3):
                outputs = self._render_outputs()
        return _Widgets(prompt, negative, *settings, generate, cancel, *outputs)  # type: ignore[call-arg]

    def _render_prompt(self) -> tuple[gr.Textbox, gr.Textbox]:
        prompt = gr.Textbox(label="Prompt", lines=3, placeholder="A red fox trots through fresh snow at dawn, slow push in",
                            elem_id="t2v-prompt")  # fmt: skip
        negative = gr.Textbox(label="Negative prompt", lines=1, placeholder="blurry, static, watermark")
        return prompt, negative

    def _render_settings(self) -> tuple:
        d = self._default.defaults
        s = self._settings
        choices = [(spec.display_name, spec.key) for spec in self._c.registry.specs() if "t2v" in spec.modes]
        model = gr.Dropdown(choices=choices, value=self._default.key, label="Model", allow_custom_value=True,
                            info="A registered model, a local diffusers folder or a hub id")  # fmt: skip
        with gr.Row():
            width = gr.Slider(16, s.max_side_px, value=d.width, step=16, label="Width")
            height = gr.Slider(16, s.max_side_px, value=d.height, step=16, label="Height")
        with gr.Row():
            frames = gr.Slider(1, s.max_frames, value=d.num_frames, step=4, label="Frames (4k+1)")
            fps = gr.Slider(1, 60, value=d.fps, step=1, label="FPS")
        with gr.Row():
            steps = gr.Slider(1, s.max_steps, value=d.steps, step=1, label="Steps")
            guidance = gr.Slider(0.0, 20.0, value=d.guidance_scale, step=0.5, label="Guidance")
        # Browsers send 0 for an empty number box, so "random" needs a value of its own: -1.
        seed = gr.Number(value=-1, precision=0, minimum=-1, label="Seed (-1 = random)")
        model.change(self.model_defaults, inputs=[model], outputs=[width, height, frames, fps, steps, guidance],
                     api_visibility="private")  # fmt: skip
        return model, width, height, frames, fps, steps, guidance, seed

    def _render_outputs(self) -> tuple:
        return render_job_outputs("t2v")

    def wire(self, w: _Widgets) -> None:
        self.widgets = {"prompt": w.prompt, "negative_prompt": w.negative_prompt}
        w.generate.click(self.text_to_video, inputs=w.inputs(), outputs=w.outputs(), api_name="text_to_video")
        w.cancel.click(self.cancel, inputs=[w.job_id], outputs=[w.status], api_name="cancel_job")

    # -- handlers ---------------------------------------------------------------------
    def model_defaults(self, model: str) -> tuple:
        try:
            d = self._c.registry.resolve(model).defaults
        except StudioError:
            return (gr.skip(),) * 6
        return d.width, d.height, d.num_frames, d.fps, d.steps, d.guidance_scale

    def text_to_video(
        self,
        prompt: str,
        negative_prompt: str | None = None,
        model: str | None = None,
        width: float | None = None,
        height: float | None = None,
        num_frames: float | None = None,
        fps: float | None = None,
        steps: float | None = None,
        guidance_scale: float | None = None,
        seed: float | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:
        """Queue a text-to-video job and stream its progress, keyframe previews and video."""
        with user_errors():
            job = self._c.jobs.submit(self._request(prompt, negative_prompt, model, width, height, num_frames,
                                                    fps, steps, guidance_scale, seed))  # fmt: skip
        if job.message != "queued":
            gr.Info(job.message)
        yield from stream_job(self._c, job)

    def _request(self, prompt, negative_prompt, model, width, height, num_frames, fps, steps, guidance_scale, seed):
        spec = self._c.registry.resolve(model or self._default.key)
        d = spec.defaults

        def pick(value, default):
            return default if value is None or value == "" else value

        return build_request(
            prompt=prompt or "", negative_prompt=negative_prompt or "", model=spec.key,
            width=int(pick(width, d.width)), height=int(pick(height, d.height)),
            num_frames=int(pick(num_frames, d.num_frames)), fps=int(pick(fps, d.fps)),
            steps=int(pick(steps, d.steps)), guidance_scale=float(pick(guidance_scale, d.guidance_scale)),
            seed=seed_value(seed),
        )  # fmt: skip

    def cancel(self, job_id: str, request: gr.Request | None = None) -> str:
        """Cancel the job shown in this tab."""
        return cancel_job(self._c, job_id)
