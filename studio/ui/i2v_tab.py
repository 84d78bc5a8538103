"""Image -> Video tab: source image, camera motion, arrows drawn on the image, model, generate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from studio.config import ASSETS_DIR
from studio.container import Container
from studio.jobs.defaults import request_with_defaults
from studio.types import Mode
from studio.ui.advanced_settings import AdvancedWidgets, advanced_values, render_advanced, wire_advanced
from studio.ui.camera_panel import ArrowWidgets, CameraPanel, CameraWidgets
from studio.ui.common import PRIVATE, dependent_widgets, user_errors, widgets_for_keys
from studio.ui.generation_settings import (
    ModelWidgets,
    initial_visibility,
    render_estimate,
    render_image_conditioning,
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
from studio.ui.motion_controls import motion_from_widgets
from studio.ui.session import session_viewer
from studio.ui.settings_codec import TAB_KEYS
from studio.ui.sharing import SharingBar, SharingWidgets
from studio.ui.streaming import OutputWidgets, cancel_job, render_job_outputs, seed_value, stream_job


def _examples() -> list[list[Any]]:
    return [
        [str(ASSETS_DIR / "mountain-lake.png"), ["dolly_in", "pan_right"], [], "a calm lake at dusk, mist rising"],
        [str(ASSETS_DIR / "flower-field.png"), ["orbit_left"], [[0.25, 0.3, 0.35, 0.25, 0.12, 0, None]],
         "flowers sway in the wind"],
        [str(ASSETS_DIR / "city-night.png"), ["crane_up"], [], "a city skyline at night, lights flicker"],
    ]  # fmt: skip


@dataclass
class GuideWidgets:
    """How the guide steers a neural model, the negative prompt and the seed (one closed accordion)."""

    negative_prompt: gr.Textbox
    guide_strength: gr.Slider
    warped_noise: gr.Checkbox
    control_scale: gr.Slider
    seed: gr.Number
    arrow_steering: gr.Radio
    arrow_strength: gr.Slider


@dataclass
class ImageToVideoWidgets:
    """Every widget of the tab; setting widgets are named like their ``TAB_KEYS["i2v"]`` key."""

    sharing: SharingWidgets
    image: gr.Image
    prompt: gr.Textbox
    #: Stable Video Diffusion's conditioning (shown for families that read it, in place of the prompt).
    motion_bucket_id: gr.Slider
    noise_aug_strength: gr.Slider
    camera: CameraWidgets
    settings: ModelWidgets
    generate: gr.Button
    cancel: gr.Button
    estimate: gr.Markdown
    arrows: ArrowWidgets
    end_panel: gr.Accordion
    end_image: gr.Image
    guide: GuideWidgets
    options: KeyframeWidgets
    advanced: AdvancedWidgets
    preview: gr.Image
    outputs: OutputWidgets
    review: ReviewButtons
    #: "GPUs for this job" (hidden unless a job can have several: ``gpus_control``).
    gpus: gr.Slider

    def setting_widgets(self) -> list[gr.components.Component]:
        """The widgets presets, links and videos fill, in ``TAB_KEYS["i2v"]`` order."""
        return widgets_for_keys(TAB_KEYS["i2v"], self, self.settings, self.guide, self.camera, self.camera.moves,
                                self.arrows, self.options, self.advanced)  # fmt: skip

    def model_dependent(self) -> list[tuple[str, Block]]:
        """The controls (and panels) shown only when the selected model uses them (``model_controls``)."""
        return [*dependent_widgets(self, self.settings, self.guide, self.options, self.advanced), ("end_image", self.end_panel),
                ("advanced", self.advanced.panel)]  # fmt: skip

    def generate_inputs(self) -> list[gr.components.Component]:
        """In the order of ``image_to_video``'s parameters."""
        s, c, g, o, a = self.settings, self.camera, self.guide, self.options, self.advanced
        return [self.image, self.prompt, s.model, c.moves.presets, c.moves.strength, c.easing, c.schedules, self.arrows.arrows,
                s.width, s.height, s.num_frames, s.fps, s.steps, s.guidance_scale, g.guide_strength, g.warped_noise,
                g.control_scale, g.seed, c.camera_file, c.depth_map, c.depth_is_distance, o.keyframe_factor,
                o.review_keyframes, o.export_format, self.end_image, *a.inputs(), g.negative_prompt, a.flow_shift,
                g.arrow_steering, g.arrow_strength, self.motion_bucket_id, self.noise_aug_strength, o.keyframe_fill, self.gpus]  # fmt: skip


class ImageToVideoTab:
    """Builds the tab and adapts its widgets to the job service and the motion engine."""

    def __init__(self, container: Container) -> None:
        self._c = container
        self._default = container.registry.resolve(container.settings.default_i2v_model)
        self.sharing = SharingBar(container, "i2v")
        self.camera = CameraPanel(container, self._default)

    # -- layout -------------------------------------------------------------------
    def render(self) -> ImageToVideoWidgets:
        # Compact: image, prompt, camera, model and Generate first; the rest in closed accordions, so that
        # Generate and the result show without scrolling on a laptop screen.
        buttons: list[gr.Button] = []
        with gr.Row():
            with gr.Column(scale=2):
                sharing_top = self.sharing.render_top()
                image = gr.Image(type="filepath", label="Source image", elem_id="i2v-image", height=190)
                prompt = gr.Textbox(label="Prompt (used by neural models)", lines=1, elem_id="i2v-prompt")
                motion_bucket, noise_aug = render_image_conditioning()
                moves = self.camera.render_moves()
                settings = render_model_settings(self._c, "i2v", self._default, "Frames", sizes_label="Size, length, steps",
                                                 sizes_after=lambda: buttons.extend(self._render_buttons()))  # fmt: skip
                estimate = render_estimate(self._c, "i2v", settings)
                gpus = render_gpus(self._c, "i2v")
                arrows = self.camera.render_arrows()
                camera = self.camera.render_details(moves)
                with gr.Accordion("End image (first-and-last-frame models, e.g. Wan 2.1 FLF2V)", open=False) as end_panel:
                    end_image = gr.Image(type="filepath", label="End image (optional)", elem_id="i2v-end-image", height=160)
                guide = self._render_guide()
                options = render_keyframe_settings("i2v")
                advanced = render_advanced(self._c, "i2v")
                sharing = self.sharing.render_panel(sharing_top)
            with gr.Column(scale=3):
                preview = gr.Image(label="Camera preview (low resolution, instant)", elem_id="i2v-camera-preview",
                                   interactive=False, height=150)  # fmt: skip
                outputs = render_job_outputs("i2v")
                review = render_review_buttons("i2v")
        gr.Examples(_examples(), inputs=[image, moves.presets, arrows.arrows, prompt], label="Examples: image, camera, arrows")
        generate, cancel = buttons
        w = ImageToVideoWidgets(sharing, image, prompt, motion_bucket, noise_aug, camera, settings, generate, cancel, estimate, arrows, end_panel,
                                end_image, guide, options, advanced, preview, outputs, review, gpus)  # fmt: skip
        initial_visibility(self._c.registry, self._default.key, w.model_dependent())
        return w

    @staticmethod
    def _render_buttons() -> tuple[gr.Button, gr.Button]:
        with gr.Row():
            return (gr.Button("Generate", variant="primary", elem_id="i2v-generate"),
                    gr.Button("Cancel", variant="stop", elem_id="i2v-cancel"))  # fmt: skip

    def _render_guide(self) -> GuideWidgets:
        with gr.Accordion("Negative prompt, guide and seed", open=False):
            negative = gr.Textbox(label="Negative prompt", lines=1, value=self._default.defaults.negative_prompt,
                                  elem_id="i2v-negative-prompt")  # the model card's, editable
            with gr.Row():
                guide_strength = gr.Slider(0.0, 1.0, value=0.0, step=0.05, label="Guide strength (video-to-video / guide frames)")
                warped_noise = gr.Checkbox(value=True, label="Noise follows the camera")
            with gr.Row():
                control_scale = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Control scale (control-video models, e.g. VACE)")
                seed = gr.Number(value=-1, precision=0, minimum=-1, label="Seed (-1 = random)")
            with gr.Row():
                arrow_steering = gr.Radio(
                    [("Dragged regions lead (dual clock)", "dual_clock"), ("Whole frame alike", "guide")],
                    value="dual_clock", label="How motion arrows steer",
                    info="dual clock: what the arrows drag follows the guide longer than the rest of the frame",
                )  # fmt: skip
                arrow_strength = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label="Arrow strength (dual clock)",
                                           info="share of the steps the dragged regions follow the guide")  # fmt: skip
        return GuideWidgets(negative, guide_strength, warped_noise, control_scale, seed, arrow_steering, arrow_strength)

    def wire(self, w: ImageToVideoWidgets) -> None:
        outputs, private = w.outputs.as_list(), PRIVATE
        w.generate.click(self.image_to_video, inputs=w.generate_inputs(), outputs=outputs, api_name="image_to_video")
        w.cancel.click(self.cancel, inputs=[w.outputs.job_id], outputs=[w.outputs.status], **private)
        wire_review_buttons(self._c, w.review, w.outputs.job_id, w.guide.seed, outputs, public=False)
        self.camera.wire(w.camera, w.arrows, w.image, w.settings, w.preview)
        wire_model_settings(self._c, w.settings, w.guide.negative_prompt, w.model_dependent())
        wire_estimate(self._c, "i2v", w.settings, w.estimate)
        wire_advanced(self._c, w.advanced, w.settings.steps, w.settings.guidance_scale)
        self.sharing.wire(w.sharing, w.setting_widgets())

    def cancel(self, job_id: str, request: gr.Request | None = None) -> str:
        return cancel_job(self._c, job_id, session_viewer(self._c.settings, request))

    # -- generate ---------------------------------------------------------------------
    def image_to_video(
        self, image: str | None, prompt: str | None = None, model: str | None = None, presets: list[str] | None = None,
        strength: float | None = None, easing: str | None = None, schedules: str | None = None,
        arrows: list | None = None, width: float | None = None, height: float | None = None,
        num_frames: float | None = None, fps: float | None = None, steps: float | None = None,
        guidance_scale: float | None = None, guide_strength: float | None = None, warped_noise: bool | None = None,
        control_scale: float | None = None, seed: float | None = None, camera_file: str | None = None,
        depth_map: str | None = None, depth_is_distance: bool | None = None, keyframe_factor: float | None = None,
        review_keyframes: bool | None = None, export_format: str | None = None, end_image: str | None = None,
        step_cache: str | None = None, step_cache_threshold: float | None = None, loras: list[str] | None = None,
        lora_weight: float | None = None, negative_prompt: str | None = None, flow_shift: float | None = None,
        arrow_steering: str | None = None, arrow_strength: float | None = None, motion_bucket_id: float | None = None,
        noise_aug_strength: float | None = None, keyframe_fill: str | None = None, gpus: float | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:  # fmt: skip
        """Animate an image (image-to-video) with a camera move and motion arrows: queues a job and
        streams its progress and the video. Works without a neural model (model "motion-warp").

        Args:
            image: the source image to animate.
            prompt: what happens in the clip (used by neural models).
            model: "motion-warp" (no weights) or an image-to-video model key.
            presets: camera moves, combinable: pan_left, pan_right, tilt_up, tilt_down, roll_cw, roll_ccw,
                zoom_in, zoom_out, dolly_in, dolly_out, truck_left, truck_right, pedestal_up, pedestal_down,
                orbit_left, orbit_right, crane_up, crane_down, static.
            strength: scales every camera preset (1 = its full amount).
            easing: linear, ease_in, ease_out or ease_in_out.
            schedules: keyframed parameters, one per line, e.g. "pan_deg: 0:(0), 24:(15)".
            arrows: motion arrows as rows [x0, y0, x1, y1, radius, start_frame, end_frame], coordinates 0..1.
            width: frame width in pixels.
            height: frame height in pixels.
            num_frames: length of the clip in frames.
            fps: frames per second.
            steps: denoising steps (neural models).
            guidance_scale: prompt guidance (neural models).
            guide_strength: how much of the denoising the motion guide replaces (0..1).
            warped_noise: start from noise that follows the camera.
            control_scale: weight of the guide as a control video (control-video models such as VACE).
            seed: random seed; -1 for a random one.
            camera_file: a camera path file (studio JSON or RealEstate10K text) replacing the presets.
            depth_map: an optional depth map of the image (brighter = nearer).
            depth_is_distance: the depth map's brighter values are farther.
            keyframe_factor: keyframe mode: the model makes every k-th frame (1 = every frame), flow interpolation
                fills in the rest.
            review_keyframes: stop after the keyframes and wait for accept / regenerate.
            export_format: mp4, webm, gif or png_zip.
            end_image: the last frame, for first-and-last-frame models.
            step_cache: skip transformer passes: off, first_block, mag or taylorseer.
            step_cache_threshold: the cache's threshold (empty: its default).
            loras: registered LoRA keys or hub ids to apply.
            lora_weight: the weight of the chosen LoRAs.
            negative_prompt: what to avoid (neural models; empty: none, left out: the model card's).
            flow_shift: the noise-schedule shift (empty: the model card's value for the size).
            arrow_steering: "dual_clock" (what the arrows drag follows the guide from a lower noise level than the
                rest of the frame) or "guide" (the whole frame alike).
            arrow_strength: dual clock: the share of the steps the dragged regions follow the guide (0..1).
            motion_bucket_id: how much the clip moves, 1..255 (Stable Video Diffusion).
            noise_aug_strength: noise added to the image, 0..1 (Stable Video Diffusion: more = freer from it).
            keyframe_fill: keyframe mode's in-betweens: "flow" (optical flow) or "model" (the clip generated again,
                conditioned on the keyframes; models that condition on frames at chosen indices, e.g. LTX-Video 0.9.5).
            gpus: GPUs of one node to split this video over (Ray executor, models with a context-parallel plan).
        Returns:
            status, progress bar, job id, keyframe images, the video file and the seed used.
        """
        with user_errors():
            job = self._c.jobs.submit(request_with_defaults(visible_options(self._c.registry, dict(
                mode=Mode.I2V, image=image, prompt=prompt or None, negative_prompt=negative_prompt,
                model=model or self._default.key,
                motion=motion_from_widgets(presets, strength, easing, schedules, arrows, camera_file).model_dump(),
                depth_map=depth_map or None, depth_is_distance=bool(depth_is_distance), end_image=end_image or None,
                guide_strength=0.0 if guide_strength is None else float(guide_strength),
                warped_noise=True if warped_noise is None else bool(warped_noise),
                control_scale=1.0 if control_scale is None else float(control_scale), seed=seed_value(seed),
                arrow_steering=arrow_steering or "dual_clock",
                arrow_strength=0.6 if arrow_strength is None else float(arrow_strength),
                motion_bucket_id=None if motion_bucket_id is None else int(motion_bucket_id),
                noise_aug_strength=noise_aug_strength,
                **size_values(width, height, num_frames, fps, steps, guidance_scale),
                **keyframe_values(keyframe_factor, review_keyframes, export_format, keyframe_fill),
                **advanced_values(step_cache, step_cache_threshold, loras, lora_weight, flow_shift),
                **gpus_value(gpus),
            )), self._c.settings, self._c.registry), owner=session_viewer(self._c.settings, request).owner)  # fmt: skip
        if job.message != "queued":
            gr.Info(job.message)
        yield from stream_job(self._c, job)
