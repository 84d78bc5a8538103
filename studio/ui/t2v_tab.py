"""Text -> Video tab: prompt and settings (and, for video to video, a source clip) in, live keyframe previews and
the video out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr
from gradio.blocks import Block

from studio.container import Container
from studio.jobs.defaults import request_with_defaults
from studio.ui.advanced_settings import AdvancedWidgets, advanced_values, render_advanced, wire_advanced
from studio.ui.common import dependent_widgets, user_errors, widgets_for_keys
from studio.ui.generation_settings import (
    ModelWidgets,
    initial_visibility,
    render_estimate,
    render_model_settings,
    size_values,
    visible_options,
    wire_estimate,
    wire_model_settings,
)
from studio.ui.gpus_control import gpus_value, render_gpus
from studio.ui.keyframe_controls import (
    KeyframeWidgets,
    ReviewButtons,
    keyframe_values,
    render_keyframe_settings,
    render_review_buttons,
    wire_review_buttons,
)
from studio.ui.session import session_viewer
from studio.ui.settings_codec import TAB_KEYS
from studio.ui.sharing import SharingBar, SharingWidgets
from studio.ui.source_video import SourceVideoWidgets, render_source_video, source_video_values
from studio.ui.streaming import OutputWidgets, cancel_job, render_job_outputs, seed_value, stream_job


@dataclass
class TextToVideoWidgets:
    """Every widget of the tab; setting widgets are named like their ``TAB_KEYS["t2v"]`` key."""

    sharing: SharingWidgets
    prompt: gr.Textbox
    negative_prompt: gr.Textbox
    settings: ModelWidgets
    seed: gr.Number
    generate: gr.Button
    cancel: gr.Button
    estimate: gr.Markdown
    options: KeyframeWidgets
    advanced: AdvancedWidgets
    outputs: OutputWidgets
    review: ReviewButtons
    #: "GPUs for this job" (hidden unless a job can have several: ``gpus_control``).
    gpus: gr.Slider
    #: video to video: the source clip and its strength (models that declare "v2v" steering).
    source: SourceVideoWidgets

    def setting_widgets(self) -> list[gr.components.Component]:
        """The widgets presets, links and videos fill, in ``TAB_KEYS["t2v"]`` order."""
        return widgets_for_keys(TAB_KEYS["t2v"], self, self.settings, self.options, self.advanced, self.source)

    def model_dependent(self) -> list[tuple[str, Block]]:
        """The controls shown only when the selected model uses them (``model_controls``)."""
        return [*dependent_widgets(self, self.settings, self.options, self.advanced, self.source),
                ("advanced", self.advanced.panel), ("source_video", self.source.panel)]  # fmt: skip

    def generate_inputs(self) -> list[gr.components.Component]:
        """In the order of ``text_to_video``'s parameters."""
        s, o, a = self.settings, self.options, self.advanced
        return [self.prompt, self.negative_prompt, s.model, s.width, s.height, s.num_frames, s.fps, s.steps,
                s.guidance_scale, self.seed, o.keyframe_factor, o.review_keyframes, o.export_format, *a.inputs(),
                a.flow_shift, o.keyframe_fill, self.gpus, self.source.video,
                self.source.guide_strength]  # fmt: skip


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
    def render(self) -> TextToVideoWidgets:
        with gr.Row():
            with gr.Column(scale=2):
                sharing_top = self.sharing.render_top()
                prompt = gr.Textbox(label="Prompt", lines=3, placeholder="A red fox trots through fresh snow at dawn, slow push in",
                                    elem_id="t2v-prompt")  # fmt: skip
                negative = gr.Textbox(label="Negative prompt", lines=1, placeholder="blurry, static, watermark",
                                      value=self._default.defaults.negative_prompt, elem_id="t2v-negative-prompt")  # the model card's
                source = render_source_video("t2v")
                settings = render_model_settings(self._c, "t2v", self._default, "Frames (4k+1)")
                with gr.Row():
                    # Browsers send 0 for an empty number box, so "random" needs a value of its own: -1.
                    seed = gr.Number(value=-1, precision=0, minimum=-1, label="Seed (-1 = random)", scale=1, min_width=100)
                    generate = gr.Button("Generate", variant="primary", elem_id="t2v-generate", scale=1, min_width=100)
                    cancel = gr.Button("Cancel", variant="stop", elem_id="t2v-cancel", scale=1, min_width=100)
                options = render_keyframe_settings("t2v")
                estimate = render_estimate(self._c, "t2v", settings)
                gpus = render_gpus(self._c, "t2v")
                advanced = render_advanced(self._c, "t2v")
                gr.Examples(EXAMPLE_PROMPTS, inputs=[prompt], label="Example prompts")
                sharing = self.sharing.render_panel(sharing_top)
            with gr.Column(scale=3):
                outputs = render_job_outputs("t2v")
                review = render_review_buttons("t2v")
        w = TextToVideoWidgets(sharing, prompt, negative, settings, seed, generate, cancel, estimate, options, advanced,
                               outputs, review, gpus, source)  # fmt: skip
        initial_visibility(self._c.registry, self._default.key, w.model_dependent())
        return w

    def wire(self, w: TextToVideoWidgets) -> None:
        outputs = w.outputs.as_list()
        w.generate.click(self.text_to_video, inputs=w.generate_inputs(), outputs=outputs, api_name="text_to_video")
        w.cancel.click(self.cancel, inputs=[w.outputs.job_id], outputs=[w.outputs.status], api_name="cancel_job")
        wire_review_buttons(self._c, w.review, w.outputs.job_id, w.seed, outputs, public=True)
        wire_model_settings(self._c, w.settings, w.negative_prompt, w.model_dependent())
        wire_estimate(self._c, "t2v", w.settings, w.estimate)
        wire_advanced(self._c, w.advanced, w.settings.steps, w.settings.guidance_scale)
        self.sharing.wire(w.sharing, w.setting_widgets())

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
        flow_shift: float | None = None,
        keyframe_fill: str | None = None,
        gpus: float | None = None,
        video: str | None = None,
        guide_strength: float | None = None,
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
            flow_shift: the noise-schedule shift (empty: the model card's value for the size).
            keyframe_fill: keyframe mode's in-betweens: "flow" (optical flow) or "model" (the clip generated again,
                conditioned on the keyframes; models that condition on frames at chosen indices, e.g. LTX-Video 0.9.5).
            gpus: GPUs of one node to split this video over (Ray executor, models with a context-parallel plan).
            video: a source clip to re-render as the prompt says (video to video; models declaring it).
            guide_strength: video to video: how much of the denoising the clip replaces (1 = nearly the clip as is).
        Returns:
            status, progress bar, job id, keyframe images, the video file and the seed used.
        """
        with user_errors():
            job = self._c.jobs.submit(self._request(prompt, negative_prompt, model, width, height, num_frames,
                                                    fps, steps, guidance_scale, seed,
                                                    keyframe_values(keyframe_factor, review_keyframes, export_format, keyframe_fill),
                                                    advanced_values(step_cache, step_cache_threshold, loras, lora_weight, flow_shift)
                                                    | gpus_value(gpus),
                                                    source_video_values(video, guide_strength)),
                                      owner=session_viewer(self._settings, request).owner)  # fmt: skip
        if job.message != "queued":
            gr.Info(job.message)
        yield from stream_job(self._c, job)

    def _request(self, prompt, negative_prompt, model, width, height, num_frames, fps, steps, guidance_scale, seed,
                 keyframes, advanced, source):  # fmt: skip
        # a missing value (API call) takes the model's default, the negative prompt included; an emptied box means none
        return request_with_defaults(visible_options(self._c.registry, dict(
            prompt=prompt or "", negative_prompt=negative_prompt, model=model or self._default.key, seed=seed_value(seed),
            **size_values(width, height, num_frames, fps, steps, guidance_scale), **keyframes, **advanced, **source,
        )), self._settings, self._c.registry)  # fmt: skip

    def cancel(self, job_id: str, request: gr.Request | None = None) -> str:
        """Cancel the job shown in this tab."""
        return cancel_job(self._c, job_id, session_viewer(self._settings, request))
