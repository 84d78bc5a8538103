"""Image -> Video tab: source image, camera motion, arrows drawn on the image, model, generate."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import gradio as gr
import numpy as np

from studio.config import ASSETS_DIR
from studio.container import Container
from studio.errors import StudioError
from studio.jobs.defaults import request_with_defaults
from studio.media.images import load_image
from studio.motion.camera_io import camera_for, camera_to_json, camera_to_re10k
from studio.motion.names import EASINGS, PRESET_NAMES
from studio.motion.preview import frames_to_gif_bytes, preview_camera_path
from studio.motion.vectors import trajectories_from_specs
from studio.types import Mode
from studio.ui.advanced_settings import advanced_values, render_advanced
from studio.ui.common import user_errors
from studio.ui.generation_settings import render_estimate, render_model_settings, size_values
from studio.ui.keyframe_controls import (
    keyframe_values,
    render_keyframe_settings,
    render_review_buttons,
    wire_review_buttons,
)
from studio.ui.motion_controls import ARROW_COLUMNS, DEFAULT_RADIUS, draw_arrows, motion_from_widgets
from studio.ui.session import session_viewer
from studio.ui.sharing import SharingBar
from studio.ui.streaming import cancel_job, render_job_outputs, seed_value, stream_job

_SCHEDULE_HINT = "pan_deg: 0:(0), 24:(15), 48:(0)\nzoom: 0:(1), 48:(1.5)"
#: The steering routes each guide control serves: guide strength (video-to-video, or the conditioning strength
#: of later guide frames), noise following the camera, control scale.
_GUIDE_ROUTES = (frozenset({"v2v", "frames"}), frozenset({"warped_noise"}), frozenset({"control"}))


def _examples() -> list[list[Any]]:
    return [
        [str(ASSETS_DIR / "mountain-lake.png"), ["dolly_in", "pan_right"], [], "a calm lake at dusk, mist rising"],
        [str(ASSETS_DIR / "flower-field.png"), ["orbit_left"], [[0.25, 0.3, 0.35, 0.25, 0.12, 0, None]],
         "flowers sway in the wind"],
        [str(ASSETS_DIR / "city-night.png"), ["crane_up"], [], "a city skyline at night, lights flicker"],
    ]  # fmt: skip


class ImageToVideoTab:
    """Builds the tab and adapts its widgets to the job service and the motion engine."""

    def __init__(self, container: Container) -> None:
        self._c = container
        self._default = container.registry.resolve(container.settings.default_i2v_model)
        self._preview_dir = container.settings.outputs_dir / "_camera_previews"
        self.sharing = SharingBar(container, "i2v")

    # -- layout -------------------------------------------------------------------
    def render_and_wire(self) -> None:
        # Compact: image, prompt, camera, model and Generate first; the rest in closed accordions, so that
        # Generate and the result show without scrolling on a laptop screen.
        with gr.Row():
            with gr.Column(scale=2):
                sharing_top = self.sharing.render_top()
                image = gr.Image(type="filepath", label="Source image", elem_id="i2v-image", height=190)
                prompt = gr.Textbox(label="Prompt (used by neural models)", lines=1, elem_id="i2v-prompt")
                camera = self._render_camera()
                model, *sizes = render_model_settings(self._c, "i2v", self._default, "Frames", sizes_label="Size, length, steps",
                                                      sizes_after=self._render_buttons)  # fmt: skip
                generate, cancel = self._buttons
                render_estimate(self._c, "i2v", model, *sizes[:3], *sizes[4:6])  # model, size, frames; steps, guidance
                arrows_widgets = self._render_arrows()
                camera = (*camera, *self._render_camera_extras())
                with gr.Accordion("End image (first-and-last-frame models, e.g. Wan 2.1 FLF2V)", open=False):
                    end_image = gr.Image(type="filepath", label="End image (optional)", elem_id="i2v-end-image", height=160)
                settings = (model, *sizes, *self._render_guide(), *render_keyframe_settings("i2v"))
                advanced = render_advanced(self._c, "i2v", steps=sizes[4], guidance=sizes[5])
                sharing = self.sharing.render_panel(sharing_top)
            with gr.Column(scale=3):
                preview = gr.Image(label="Camera preview (low resolution, instant)", elem_id="i2v-camera-preview",
                                   interactive=False, height=150)  # fmt: skip
                outputs = render_job_outputs("i2v")
                review_buttons = render_review_buttons("i2v")
        self._wire(image, prompt, camera, arrows_widgets, settings, preview, generate, cancel, outputs,
                   [end_image, *advanced.inputs()])  # fmt: skip
        wire_review_buttons(self._c, *review_buttons, outputs[2], settings[10], list(outputs), public=False)
        self.widgets = {"prompt": prompt, "presets": camera[0], "strength": camera[1]}
        model, width, height, frames, fps, steps, guidance, guide_strength, warped_noise, control_scale, seed = settings[:11]
        #: every setting widget by request key (presets, links and videos fill them)
        self.settings = {
            "prompt": prompt, "model": model, "width": width, "height": height, "num_frames": frames, "fps": fps,
            "steps": steps, "guidance_scale": guidance, "seed": seed, "guide_strength": guide_strength,
            "warped_noise": warped_noise, "control_scale": control_scale, "depth_is_distance": camera[8],
            "presets": camera[0], "strength": camera[1], "easing": camera[2], "schedules": camera[3],
            "arrows": arrows_widgets[1],
        }  # fmt: skip
        self.sharing.wire(sharing, self.settings)
        self.sharing_message = sharing.message
        gr.Examples(_examples(), inputs=[image, camera[0], arrows_widgets[1], prompt], label="Examples: image, camera, arrows")

    def _render_camera(self) -> tuple:
        with gr.Row():
            presets = gr.Dropdown(list(PRESET_NAMES), value=[], multiselect=True, label="Camera presets (combinable)",
                                  elem_id="i2v-presets", scale=3)  # fmt: skip
            strength = gr.Slider(0.0, 3.0, value=1.0, step=0.05, label="Strength", scale=2)
        return presets, strength

    def _render_camera_extras(self) -> tuple:
        with gr.Accordion("Camera: easing, schedules, camera files", open=False):
            easing = gr.Radio(list(EASINGS), value="linear", label="Easing")
            schedules = gr.Textbox(label="Keyframed schedules (one parameter per line)", lines=2, placeholder=_SCHEDULE_HINT)
            with gr.Row():
                camera_file = gr.File(label="Import camera (studio JSON or RealEstate10K .txt; replaces presets)",
                                      file_types=[".json", ".txt"], type="filepath", elem_id="i2v-camera-file")  # fmt: skip
                exported = gr.File(label="Exported camera", file_count="multiple", interactive=False)
            export = gr.Button("Export camera (JSON + RealEstate10K)", size="sm")
        with gr.Accordion("Depth map (optional)", open=False):
            depth_map = gr.Image(type="filepath", label="Depth map: translations move near things more", height=160)
            depth_is_distance = gr.Checkbox(value=False, label="Brighter = farther (default: brighter = nearer)")
        return easing, schedules, camera_file, exported, export, depth_map, depth_is_distance

    def _render_arrows(self) -> tuple:
        with gr.Accordion("Motion arrows: click the start, then the end, on the image", open=False, elem_id="i2v-arrows-panel"):
            canvas = gr.Image(label="Motion arrows", interactive=False, elem_id="i2v-canvas", height=260)
            arrows = gr.Dataframe(headers=ARROW_COLUMNS, datatype="number", type="array", interactive=True,
                                  column_count=len(ARROW_COLUMNS), elem_id="i2v-arrows",
                                  label="Arrows (normalised 0..1; radius is a fraction of the shorter side)")  # fmt: skip
            with gr.Row():
                undo = gr.Button("Undo arrow", size="sm")
                clear = gr.Button("Clear arrows", size="sm")
        pending = gr.State(None)
        return canvas, arrows, undo, clear, pending

    def _render_buttons(self) -> None:
        with gr.Row():
            self._buttons = (gr.Button("Generate", variant="primary", elem_id="i2v-generate"),
                             gr.Button("Cancel", variant="stop", elem_id="i2v-cancel"))  # fmt: skip

    def _render_guide(self) -> tuple:
        with gr.Accordion("Guide and seed", open=False):
            with gr.Row():
                guide_strength = gr.Slider(0.0, 1.0, value=0.0, step=0.05, label="Guide strength (video-to-video / guide frames)")
                warped_noise = gr.Checkbox(value=True, label="Noise follows the camera")
            with gr.Row():
                control_scale = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Control scale (control-video models, e.g. VACE)")
                seed = gr.Number(value=-1, precision=0, minimum=-1, label="Seed (-1 = random)")
        return guide_strength, warped_noise, control_scale, seed

    def _wire(self, image, prompt, camera, arrows_widgets, settings, preview, generate, cancel, outputs, extra) -> None:
        canvas, arrows, undo, clear, pending = arrows_widgets
        presets, strength, easing, schedules, camera_file, exported, export, depth_map, depth_is_distance = camera
        private: dict[str, Any] = {"api_visibility": "private"}
        image.change(self.show_canvas, inputs=[image, arrows], outputs=[canvas, pending], **private)
        canvas.select(self.click, inputs=[image, arrows, pending], outputs=[canvas, arrows, pending], **private)
        arrows.input(self.show_canvas, inputs=[image, arrows], outputs=[canvas, pending], **private)
        undo.click(self.undo, inputs=[image, arrows], outputs=[canvas, arrows, pending], **private)
        clear.click(self.clear, inputs=[image], outputs=[canvas, arrows, pending], **private)
        preview_inputs = [image, presets, strength, easing, schedules, arrows, settings[3], camera_file]
        presets.change(self.camera_preview, inputs=preview_inputs, outputs=[preview], api_name="camera_preview")
        for widget in (image, strength, easing, schedules, arrows, camera_file):
            widget.change(self.camera_preview, inputs=preview_inputs, outputs=[preview], **private)
        export.click(self.export_camera, inputs=[presets, strength, easing, schedules, settings[3], settings[1], settings[2],
                                                 settings[4], camera_file], outputs=[exported], api_name="export_camera")  # fmt: skip
        inputs = [image, prompt, settings[0], presets, strength, easing, schedules, arrows, *settings[1:11],
                  camera_file, depth_map, depth_is_distance, *settings[11:], *extra]  # fmt: skip
        generate.click(self.image_to_video, inputs=inputs, outputs=list(outputs), api_name="image_to_video")
        cancel.click(self.cancel, inputs=[outputs[2]], outputs=[outputs[0]], **private)
        settings[0].change(self.guide_controls, inputs=[settings[0]], outputs=list(settings[7:10]), **private)
        initial_routes = self._c.registry.steering(self._default)
        for widget, routes in zip(settings[7:10], _GUIDE_ROUTES, strict=True):
            widget.visible = bool(routes & initial_routes)

    def guide_controls(self, model: str | None) -> tuple:
        """Show only the guide controls the model's steering uses (none for motion-warp)."""
        try:
            steering = self._c.registry.steering(self._c.registry.resolve(model or self._default.key))
        except StudioError:
            return gr.skip(), gr.skip(), gr.skip()
        return tuple(gr.update(visible=bool(routes & steering)) for routes in _GUIDE_ROUTES)

    # -- arrows -------------------------------------------------------------------------
    def _image(self, path: str | None) -> np.ndarray | None:
        if not path:
            return None
        with user_errors():
            return load_image(path, max_side_px=768)[0]

    def show_canvas(self, image: str | None, arrows: list | None) -> tuple:
        picture = self._image(image)
        return (None if picture is None else draw_arrows(picture, arrows, None)), None

    def click(self, image: str | None, arrows: list | None, pending, event: gr.SelectData) -> tuple:
        picture = self._image(image)
        if picture is None or event is None:
            return gr.skip(), gr.skip(), None
        height, width = picture.shape[:2]
        x, y = event.index[0] / width, event.index[1] / height
        rows = [list(r) for r in (arrows or []) if any(v not in (None, "") for v in r)]
        if pending is None:
            return draw_arrows(picture, rows, (x, y)), rows, (x, y)
        rows.append([round(pending[0], 4), round(pending[1], 4), round(x, 4), round(y, 4), DEFAULT_RADIUS, 0, None])
        return draw_arrows(picture, rows, None), rows, None

    def undo(self, image: str | None, arrows: list | None) -> tuple:
        rows = [list(r) for r in (arrows or [])][:-1]
        picture = self._image(image)
        return (None if picture is None else draw_arrows(picture, rows, None)), rows, None

    def clear(self, image: str | None) -> tuple:
        picture = self._image(image)
        return picture, [], None

    # -- camera preview -----------------------------------------------------------------
    def camera_preview(self, image: str | None, presets=None, strength=1.0, easing="linear", schedules="",
                       arrows=None, num_frames: float | None = None, camera_file: str | None = None) -> str | None:  # fmt: skip
        """A low-resolution animated GIF of the camera path and arrows over the image."""
        picture = self._image(image)
        if picture is None:
            return None
        frames = int(num_frames or self._default.defaults.num_frames)
        try:
            motion = motion_from_widgets(presets, strength, easing, schedules, arrows, camera_file)
            height, width = picture.shape[:2]
            camera = camera_for(motion, frames, width, height)
            clip = preview_camera_path(picture, camera, trajectories_from_specs(motion.trajectories), num_frames=24)
        except StudioError as exc:
            gr.Warning(str(exc))
            return gr.skip()
        data = frames_to_gif_bytes(clip, fps=12)
        self._preview_dir.mkdir(parents=True, exist_ok=True)
        path = self._preview_dir / f"{hashlib.sha256(data).hexdigest()[:16]}.gif"
        path.write_bytes(data)
        return str(path)

    def export_camera(self, presets=None, strength=1.0, easing="linear", schedules="", num_frames=None, width=None,
                      height=None, fps=None, camera_file: str | None = None) -> list[str]:  # fmt: skip
        """The current camera path as studio JSON and RealEstate10K / CameraCtrl text files."""
        d = self._default.defaults
        frames, w, h = int(num_frames or d.num_frames), int(width or d.width), int(height or d.height)
        with user_errors():
            motion = motion_from_widgets(presets, strength, easing, schedules, [], camera_file)
            camera = camera_for(motion, frames, w, h)
            texts = {"camera.json": camera_to_json(camera), "camera_re10k.txt": camera_to_re10k(camera, fps=float(fps or d.fps))}
        folder = self._preview_dir / hashlib.sha256("".join(texts.values()).encode()).hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (folder / name).write_text(text)
        return [str(folder / name) for name in texts]

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
        lora_weight: float | None = None, request: gr.Request | None = None,
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
        Returns:
            status, progress bar, job id, keyframe images, the video file and the seed used.
        """
        with user_errors():
            job = self._c.jobs.submit(request_with_defaults(dict(
                mode=Mode.I2V, image=image, prompt=prompt or "animate the image", model=model or self._default.key,
                motion=motion_from_widgets(presets, strength, easing, schedules, arrows, camera_file).model_dump(),
                depth_map=depth_map or None, depth_is_distance=bool(depth_is_distance), end_image=end_image or None,
                guide_strength=0.0 if guide_strength is None else float(guide_strength),
                warped_noise=True if warped_noise is None else bool(warped_noise),
                control_scale=1.0 if control_scale is None else float(control_scale), seed=seed_value(seed),
                **size_values(width, height, num_frames, fps, steps, guidance_scale),
                **keyframe_values(keyframe_factor, review_keyframes, export_format),
                **advanced_values(step_cache, step_cache_threshold, loras, lora_weight),
            ), self._c.settings, self._c.registry), owner=session_viewer(self._c.settings, request).owner)  # fmt: skip
        if job.message != "queued":
            gr.Info(job.message)
        yield from stream_job(self._c, job)
