"""Text -> Video tab: prompt and settings in, live keyframe previews and the video out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from studio.container import Container
from studio.errors import StudioError
from studio.jobs.validation import build_request
from studio.ui.common import user_errors
from studio.ui.generation_settings import render_estimate, render_model_settings, size_values
from studio.ui.keyframe_controls import (
    keyframe_values,
    render_keyframe_settings,
    render_review_buttons,
    wire_review_buttons,
)
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
    keyframe_factor: gr.Dropdown
    review_keyframes: gr.Checkbox
    export_format: gr.Dropdown
    generate: gr.Button
    cancel: gr.Button
    status: gr.Markdown
    bar: gr.HTML
    job_id: gr.Textbox
    previews: gr.Gallery
    video: gr.Video
    seed_used: gr.Number
    quality: gr.Markdown
    quality_plot: gr.LinePlot
    accept: gr.Button
    regenerate: gr.Button

    def inputs(self) -> list[gr.components.Component]:
        return [self.prompt, self.negative_prompt, self.model, self.width, self.height, self.num_frames,
                self.fps, self.steps, self.guidance_scale, self.seed, self.keyframe_factor, self.review_keyframes,
                self.export_format]  # fmt: skip

    def outputs(self) -> list[gr.components.Component]:
        return [self.status, self.bar, self.job_id, self.previews, self.video, self.seed_used, self.quality, self.quality_plot]


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
                render_estimate(self._c, "t2v", *settings[:4], *settings[5:7])  # model, size, frames; steps, guidance
            with gr.Column(scale=3):
                outputs = self._render_outputs()
        return _Widgets(prompt, negative, *settings, generate, cancel, *outputs)  # type: ignore[call-arg]

    def _render_prompt(self) -> tuple[gr.Textbox, gr.Textbox]:
        prompt = gr.Textbox(label="Prompt", lines=3, placeholder="A red fox trots through fresh snow at dawn, slow push in",
                            elem_id="t2v-prompt")  # fmt: skip
        negative = gr.Textbox(label="Negative prompt", lines=1, placeholder="blurry, static, watermark",
                              value=self._default.defaults.negative_prompt)  # the model card's, editable
        return prompt, negative

    def _render_settings(self) -> tuple:
        sizes = render_model_settings(self._c, "t2v", self._default, "Frames (4k+1)")
        # Browsers send 0 for an empty number box, so "random" needs a value of its own: -1.
        seed = gr.Number(value=-1, precision=0, minimum=-1, label="Seed (-1 = random)")
        return *sizes, seed, *render_keyframe_settings("t2v")

    def _render_outputs(self) -> tuple:
        outputs = render_job_outputs("t2v")
        return *outputs, *render_review_buttons("t2v")

    def wire(self, w: _Widgets) -> None:
        self.widgets = {"prompt": w.prompt, "negative_prompt": w.negative_prompt}
        w.generate.click(self.text_to_video, inputs=w.inputs(), outputs=w.outputs(), api_name="text_to_video")
        w.cancel.click(self.cancel, inputs=[w.job_id], outputs=[w.status], api_name="cancel_job")
        wire_review_buttons(self._c, w.accept, w.regenerate, w.job_id, w.seed, w.outputs(), public=True)
        w.model.change(self._default_negative, inputs=[w.model], outputs=[w.negative_prompt], api_visibility="private")

    # -- handlers ---------------------------------------------------------------------
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
        keyframe_factor: float | None = None,
        review_keyframes: bool | None = None,
        export_format: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:
        """Queue a text-to-video job and stream its progress, keyframe previews, video and quality report."""
        with user_errors():
            job = self._c.jobs.submit(self._request(prompt, negative_prompt, model, width, height, num_frames, fps, steps,
                                                    guidance_scale, seed, keyframe_factor, review_keyframes, export_format))  # fmt: skip
        if job.message != "queued":
            gr.Info(job.message)
        yield from stream_job(self._c, job)

    def _request(self, prompt, negative_prompt, model, width, height, num_frames, fps, steps, guidance_scale, seed,
                 keyframe_factor, review_keyframes, export_format):  # fmt: skip
        spec = self._c.registry.resolve(model or self._default.key)
        return build_request(
            prompt=prompt or "", model=spec.key, seed=seed_value(seed),
            # a missing value (API call) takes the model's default; an emptied box means none
            negative_prompt=spec.defaults.negative_prompt if negative_prompt is None else negative_prompt,
            **size_values(spec, width, height, num_frames, fps, steps, guidance_scale),
            **keyframe_values(keyframe_factor, review_keyframes, export_format),
        )

    def _default_negative(self, model: str):
        """The negative prompt box follows the chosen model's default (unchanged when it does not resolve)."""
        try:
            return self._c.registry.resolve(model).defaults.negative_prompt
        except StudioError:
            return gr.skip()

    def cancel(self, job_id: str, request: gr.Request | None = None) -> str:
        """Cancel the job shown in this tab."""
        return cancel_job(self._c, job_id)
