"""The camera and motion-arrow controls of the Image -> Video tab: widgets, events and handlers.

Rendered in pieces, where the tab's layout wants them (the camera moves near
the top, the details and arrows in closed accordions further down); the
widget <-> spec conversions are gradio-free in ``motion_controls``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import gradio as gr
import numpy as np

from studio.container import Container
from studio.engine.registry import ModelSpec
from studio.errors import StudioError
from studio.media.images import load_image
from studio.motion.camera_io import camera_for, camera_to_json, camera_to_re10k
from studio.motion.names import EASINGS, PRESET_NAMES
from studio.motion.preview import frames_to_gif_bytes, preview_camera_path
from studio.motion.vectors import trajectories_from_specs
from studio.ui.common import user_errors
from studio.ui.generation_settings import ModelWidgets
from studio.ui.motion_controls import ARROW_COLUMNS, DEFAULT_RADIUS, draw_arrows, motion_from_widgets

_SCHEDULE_HINT = "pan_deg: 0:(0), 24:(15), 48:(0)\nzoom: 0:(1), 48:(1.5)"


@dataclass
class CameraMoves:
    presets: gr.Dropdown
    strength: gr.Slider


@dataclass
class CameraWidgets:
    """The camera: moves (near the top), easing, schedules and camera files (an accordion), the depth map."""

    moves: CameraMoves
    easing: gr.Radio
    schedules: gr.Textbox
    camera_file: gr.File
    exported: gr.File
    export_camera: gr.Button
    depth_map: gr.Image
    depth_is_distance: gr.Checkbox


@dataclass
class ArrowWidgets:
    canvas: gr.Image
    arrows: gr.Dataframe
    undo: gr.Button
    clear: gr.Button
    #: the start point of an arrow being drawn (normalised x, y), or None
    pending: gr.State


class CameraPanel:
    """Camera moves, camera files, depth map and motion arrows drawn on the image, with the instant preview."""

    def __init__(self, container: Container, default: ModelSpec) -> None:
        self._preview_dir = container.settings.outputs_dir / "_camera_previews"
        #: the sizes an API call that leaves them out gets
        self._defaults = default.defaults

    # -- layout -------------------------------------------------------------------
    def render_moves(self) -> CameraMoves:
        with gr.Row():
            presets = gr.Dropdown(list(PRESET_NAMES), value=[], multiselect=True, label="Camera presets (combinable)",
                                  elem_id="i2v-presets", scale=3)  # fmt: skip
            strength = gr.Slider(0.0, 3.0, value=1.0, step=0.05, label="Strength", scale=2, elem_id="i2v-strength")
        return CameraMoves(presets, strength)

    def render_details(self, moves: CameraMoves) -> CameraWidgets:
        with gr.Accordion("Camera: easing, schedules, camera files", open=False):
            easing = gr.Radio(list(EASINGS), value="linear", label="Easing", elem_id="i2v-easing")
            schedules = gr.Textbox(label="Keyframed schedules (one parameter per line)", lines=2, placeholder=_SCHEDULE_HINT,
                                   elem_id="i2v-schedules")  # fmt: skip
            with gr.Row():
                camera_file = gr.File(label="Import camera (studio JSON or RealEstate10K .txt; replaces presets)",
                                      file_types=[".json", ".txt"], type="filepath", elem_id="i2v-camera-file")  # fmt: skip
                exported = gr.File(label="Exported camera", file_count="multiple", interactive=False)
            export = gr.Button("Export camera (JSON + RealEstate10K)", size="sm")
        with gr.Accordion("Depth map (optional)", open=False):
            depth_map = gr.Image(type="filepath", label="Depth map: translations move near things more", height=160)
            depth_is_distance = gr.Checkbox(value=False, label="Brighter = farther (default: brighter = nearer)",
                                            elem_id="i2v-depth-is-distance")  # fmt: skip
        return CameraWidgets(moves, easing, schedules, camera_file, exported, export, depth_map, depth_is_distance)

    def render_arrows(self) -> ArrowWidgets:
        with gr.Accordion("Motion arrows: click the start, then the end, on the image", open=False, elem_id="i2v-arrows-panel"):
            canvas = gr.Image(label="Motion arrows", interactive=False, elem_id="i2v-canvas", height=260)
            arrows = gr.Dataframe(headers=ARROW_COLUMNS, datatype="number", type="array", interactive=True,
                                  column_count=len(ARROW_COLUMNS), elem_id="i2v-arrows",
                                  label="Arrows (normalised 0..1; radius is a fraction of the shorter side)")  # fmt: skip
            with gr.Row():
                undo = gr.Button("Undo arrow", size="sm")
                clear = gr.Button("Clear arrows", size="sm")
        pending = gr.State(None)
        return ArrowWidgets(canvas, arrows, undo, clear, pending)

    def wire(self, camera: CameraWidgets, arrows: ArrowWidgets, image: gr.Image, sizes: ModelWidgets, preview: gr.Image) -> None:
        """Drawing arrows on the image, the instant camera preview, and the camera export."""
        private: dict[str, Any] = {"api_visibility": "private"}
        a, moves = arrows, camera.moves
        image.change(self.show_canvas, inputs=[image, a.arrows], outputs=[a.canvas, a.pending], **private)
        a.canvas.select(self.click, inputs=[image, a.arrows, a.pending], outputs=[a.canvas, a.arrows, a.pending], **private)
        a.arrows.input(self.show_canvas, inputs=[image, a.arrows], outputs=[a.canvas, a.pending], **private)
        a.undo.click(self.undo, inputs=[image, a.arrows], outputs=[a.canvas, a.arrows, a.pending], **private)
        a.clear.click(self.clear, inputs=[image], outputs=[a.canvas, a.arrows, a.pending], **private)
        preview_inputs = [image, moves.presets, moves.strength, camera.easing, camera.schedules, a.arrows, sizes.num_frames,
                          camera.camera_file]  # fmt: skip
        moves.presets.change(self.camera_preview, inputs=preview_inputs, outputs=[preview], api_name="camera_preview")
        for widget in (image, moves.strength, camera.easing, camera.schedules, a.arrows, camera.camera_file):
            widget.change(self.camera_preview, inputs=preview_inputs, outputs=[preview], **private)
        camera.export_camera.click(self.export_camera, inputs=[moves.presets, moves.strength, camera.easing, camera.schedules,
                                                               sizes.num_frames, sizes.width, sizes.height, sizes.fps,
                                                               camera.camera_file],
                                   outputs=[camera.exported], api_name="export_camera")  # fmt: skip

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
        frames = int(num_frames or self._defaults.num_frames)
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
        d = self._defaults
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
