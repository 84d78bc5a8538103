"""Text -> Video tab: prompt and settings in, live keyframe previews and the video out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from studio.container import Container
from studio.jobs.validation import build_request
from studio.ui.advanced_settings import AdvancedWidgets, advanced_values, render_advanced
from studio.ui.common import user_errors
from studio.ui.generation_settings import render_model_settings, size_values
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
    advanced: AdvancedWidgets | None = None

    def inputs(self) -> list[gr.components.Component]:
        return [self.prompt, self.negative_prompt, self.model, self.width, self.height, self.num_frames,
                self.fps, self.steps, self.guidance_scale, self.seed, *(self.advanced.inputs() if self.advanced else [])]  # fmt: skip

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
                advanced = render_advanced(self._c, "t2v", steps=settings[5], guidance=settings[6])
                with gr.Row():
                    generate = gr.Button("Generate", variant="primary", elem_id="t2v-generate")
                    cancel = gr.Button("Cancel", variant="stop", elem_id="t2v-cancel")
            with gr.Column(scale=3):
                outputs = self._render_outputs()
        return _Widgets(prompt, negative, *settings, generate, cancel, *outputs, advanced=advanced)  # type: ignore[call-arg, misc]

    def _render_prompt(self) -> tuple[gr.Textbox, gr.Textbox]:
        prompt = gr.Textbox(label="Prompt", lines=3, placeholder="A red fox trots through fresh snow at dawn, slow push in",
                            elem_id="t2v-prompt")  # fmt: skip
        negative = gr.Textbox(label="Negative prompt", lines=1, placeholder="blurry, static, watermark")
        return prompt, negative

    def _render_settings(self) -> tuple:
        sizes = render_model_settings(self._c, "t2v", self._default, "Frames (4k+1)")
        # Browsers send 0 for an empty number box, so "random" needs a value of its own: -1.
        seed = gr.Number(value=-1, precision=0, minimum=-1, label="Seed (-1 = random)")
        return *sizes, seed

    def _render_outputs(self) -> tuple:
        return render_job_outputs("t2v")

    def wire(self, w: _Widgets) -> None:
        self.widgets = {"prompt": w.prompt, "negative_prompt": w.negative_prompt}
        w.generate.click(self.text_to_video, inputs=w.inputs(), outputs=w.outputs(), api_name="text_to_video")
        w.cancel.click(self.cancel, inputs=[w.job_id], outputs=[w.status], api_name="cancel_job")

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
        step_cache: str | None = None,
        step_cache_threshold: float | None = None,
        loras: list[str] | None = None,
        lora_weight: float | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:
        """Queue a text-to-video job and stream its progress, keyframe previews and video."""
        with user_errors():
            job = self._c.jobs.submit(self._request(prompt, negative_prompt, model, width, height, num_frames,
                                                    fps, steps, guidance_scale, seed,
                                                    advanced_values(step_cache, step_cache_threshold, loras, lora_weight)))  # fmt: skip
        if job.message != "queued":
            gr.Info(job.message)
        yield from stream_job(self._c, job)

    def _request(self, prompt, negative_prompt, model, width, height, num_frames, fps, steps, guidance_scale, seed, advanced):
        spec = self._c.registry.resolve(model or self._default.key)
        return build_request(
            prompt=prompt or "", negative_prompt=negative_prompt or "", model=spec.key, seed=seed_value(seed),
            **size_values(spec, width, height, num_frames, fps, steps, guidance_scale), **advanced,
        )

    def cancel(self, job_id: str, request: gr.Request | None = None) -> str:
        """Cancel the job shown in this tab."""
        return cancel_job(self._c, job_id)
