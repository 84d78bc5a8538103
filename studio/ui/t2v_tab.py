"""Text -> Video tab: prompt and settings in, live keyframe previews and the video out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from studio.container import Container
from studio.errors import StudioError
from studio.jobs.defaults import request_with_defaults
from studio.ui.advanced_settings import AdvancedWidgets, advanced_values, render_advanced
from studio.ui.common import user_errors
from studio.ui.generation_settings import render_estimate, render_model_settings, size_values
from studio.ui.keyframe_controls import (
    keyframe_values,
    render_keyframe_settings,
    render_review_buttons,
    wire_review_buttons,
)
from studio.ui.session import session_viewer
from studio.ui.sharing import SharingBar
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
    advanced: AdvancedWidgets | None = None

    def inputs(self) -> list[gr.components.Component]:
        return [self.prompt, self.negative_prompt, self.model, self.width, self.height, self.num_frames,
                self.fps, self.steps, self.guidance_scale, self.seed, self.keyframe_factor, self.review_keyframes,
                self.export_format, *(self.advanced.inputs() if self.advanced else [])]  # fmt: skip

    def outputs(self) -> list[gr.components.Component]:
        return [self.status, self.bar, self.job_id, self.previews, self.video, self.seed_used, self.quality, self.quality_plot]


EXAMPLE_PROMPTS = [
    ["A red fox trots through fresh snow at dawn, its breath steaming; slow push in, golden light"],
    ["Waves crash against a lighthouse at night in a storm, lightning in the distance, wide shot"],
    ["A paper boat drifts down a rain-soaked city gutter, close-up, neon reflections, shallow depth of field"],
    ["Timelapse of clouds rolling over snowy mountain peaks, then the sun breaks through; static camera"],
]


class TextToVideoTab:
    """Builds the tab and adapts its widgets to the job service."""

    def __init__(self, container: Container) -> None:
        self._c = container
        self._settings = container.settings
        self._default = container.registry.resolve(container.settings.default_model)
        self.sharing = SharingBar(container, "t2v")

    # -- layout -------------------------------------------------------------------
    def render(self) -> _Widgets:
        with gr.Row():
            with gr.Column(scale=2):
                sharing_top = self.sharing.render_top()
                prompt, negative = self._render_prompt()
                settings = self._render_settings()
                generate, cancel = self._buttons
                render_estimate(self._c, "t2v", *settings[:4], *settings[5:7])  # model, size, frames; steps, guidance
                advanced = render_advanced(self._c, steps=settings[5], guidance=settings[6])
                gr.Examples(EXAMPLE_PROMPTS, inputs=[prompt], label="Example prompts")
                self._sharing_widgets = self.sharing.render_panel(sharing_top)
            with gr.Column(scale=3):
                outputs = self._render_outputs()
        return _Widgets(prompt, negative, *settings, generate, cancel, *outputs, advanced=advanced)  # type: ignore[call-arg, misc]

    def _render_prompt(self) -> tuple[gr.Textbox, gr.Textbox]:
        prompt = gr.Textbox(label="Prompt", lines=3, placeholder="A red fox trots through fresh snow at dawn, slow push in",
                            elem_id="t2v-prompt")  # fmt: skip
        negative = gr.Textbox(label="Negative prompt", lines=1, placeholder="blurry, static, watermark",
                              value=self._default.defaults.negative_prompt)  # the model card's, editable
        return prompt, negative

    def _render_settings(self) -> tuple:
        sizes = render_model_settings(self._c, "t2v", self._default, "Frames (4k+1)")
        with gr.Row():
            # Browsers send 0 for an empty number box, so "random" needs a value of its own: -1.
            seed = gr.Number(value=-1, precision=0, minimum=-1, label="Seed (-1 = random)", scale=1, min_width=100)
            self._buttons = (gr.Button("Generate", variant="primary", elem_id="t2v-generate", scale=1, min_width=100),
                             gr.Button("Cancel", variant="stop", elem_id="t2v-cancel", scale=1, min_width=100))  # fmt: skip
        return *sizes, seed, *render_keyframe_settings("t2v")

    def _render_outputs(self) -> tuple:
        outputs = render_job_outputs("t2v")
        return *outputs, *render_review_buttons("t2v")

    def wire(self, w: _Widgets) -> None:
        self.widgets = {"prompt": w.prompt, "negative_prompt": w.negative_prompt}
        #: every setting widget by request key (presets, links and videos fill them)
        self.settings = {"prompt": w.prompt, "negative_prompt": w.negative_prompt, "model": w.model, "width": w.width,
                         "height": w.height, "num_frames": w.num_frames, "fps": w.fps, "steps": w.steps,
                         "guidance_scale": w.guidance_scale, "seed": w.seed}  # fmt: skip
        self.sharing.wire(self._sharing_widgets, self.settings)
        self.sharing_message = self._sharing_widgets.message
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
        step_cache: str | None = None,
        step_cache_threshold: float | None = None,
        loras: list[str] | None = None,
        lora_weight: float | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:
        """Generate a video from a text prompt (text-to-video): queues a job and streams its progress,
        live keyframe previews and finally the video.

        Args:
            prompt: what the video shows, e.g. "a red fox trots through fresh snow at dawn, slow push in".
            negative_prompt: what to avoid, e.g. "blurry, static, watermark".
            model: a registered model key (see the Models tab), a local diffusers folder or a hub id.
            width: frame width in pixels (rounded to the model's multiple).
            height: frame height in pixels (rounded to the model's multiple).
            num_frames: length of the clip in frames (Wan: 4k+1).
            fps: frames per second of the exported video.
            steps: denoising steps; more is slower and usually cleaner.
            guidance_scale: how strongly the prompt steers the model (classifier-free guidance).
            seed: random seed; -1 for a random one (the seed used is returned).
            keyframe_factor: keyframe mode: the model makes every k-th frame (1 = every frame), flow interpolation
                fills in the rest.
            review_keyframes: stop after the keyframes and wait for accept / regenerate.
            export_format: mp4, webm, gif or png_zip.
            step_cache: skip transformer passes: off, first_block, mag or taylorseer.
            step_cache_threshold: the cache's threshold (empty: its default).
            loras: registered LoRA keys or hub ids to apply.
            lora_weight: the weight of the chosen LoRAs.
        Returns:
            status, progress bar, job id, keyframe images, the video file and the seed used.
        """
        with user_errors():
            job = self._c.jobs.submit(self._request(prompt, negative_prompt, model, width, height, num_frames,
                                                    fps, steps, guidance_scale, seed,
                                                    keyframe_values(keyframe_factor, review_keyframes, export_format),
                                                    advanced_values(step_cache, step_cache_threshold, loras, lora_weight)),
                                      owner=session_viewer(self._settings, request).owner)  # fmt: skip
        if job.message != "queued":
            gr.Info(job.message)
        yield from stream_job(self._c, job)

    def _request(self, prompt, negative_prompt, model, width, height, num_frames, fps, steps, guidance_scale, seed,
                 keyframes, advanced):  # fmt: skip
        # a missing value (API call) takes the model's default, the negative prompt included; an emptied box means none
        return request_with_defaults(dict(
            prompt=prompt or "", negative_prompt=negative_prompt, model=model or self._default.key, seed=seed_value(seed),
            **size_values(width, height, num_frames, fps, steps, guidance_scale), **keyframes, **advanced,
        ), self._settings, self._c.registry)  # fmt: skip

    def _default_negative(self, model: str):
        """The negative prompt box follows the chosen model's default (unchanged when it does not resolve)."""
        try:
            return self._c.registry.resolve(model).defaults.negative_prompt
        except StudioError:
            return gr.skip()

    def cancel(self, job_id: str, request: gr.Request | None = None) -> str:
        """Cancel the job shown in this tab."""
        return cancel_job(self._c, job_id, session_viewer(self._settings, request))
