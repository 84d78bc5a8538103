"""The model and size/steps widgets both generation tabs share, and their request values."""

from __future__ import annotations

from functools import partial

import gradio as gr

from studio.container import Container
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.errors import StudioError


def render_model_settings(container: Container, mode: str, default: ModelSpec, frames_label: str) -> tuple:
    """Model dropdown and width/height/frames/fps/steps/guidance sliders; picking a model loads its defaults.

    Returns:
        (model, width, height, frames, fps, steps, guidance)
    """
    d, s = default.defaults, container.settings
    choices = [(spec.display_name, spec.key) for spec in container.registry.specs() if mode in spec.modes]
    model = gr.Dropdown(choices=choices, value=default.key, label="Model", allow_custom_value=True,
                        info="A registered model, a local diffusers folder or a hub id")  # fmt: skip
    with gr.Row():
        width = gr.Slider(16, s.max_side_px, value=d.width, step=16, label="Width")
        height = gr.Slider(16, s.max_side_px, value=d.height, step=16, label="Height")
    with gr.Row():
        frames = gr.Slider(1, s.max_frames, value=d.num_frames, step=4, label=frames_label)
        fps = gr.Slider(1, 60, value=d.fps, step=1, label="FPS")
    with gr.Row():
        steps = gr.Slider(1, s.max_steps, value=d.steps, step=1, label="Steps", elem_id=f"{mode}-steps")
        guidance = gr.Slider(0.0, 20.0, value=d.guidance_scale, step=0.5, label="Guidance", elem_id=f"{mode}-guidance")
    sliders = [width, height, frames, fps, steps, guidance]
    model.change(partial(model_defaults, container.registry), inputs=[model], outputs=sliders, api_visibility="private")
    return model, *sliders


def model_defaults(registry: ModelRegistry, model: str) -> tuple:
    """The sliders' values for ``model`` (unchanged when it does not resolve: the error comes on Generate)."""
    try:
        d = registry.resolve(model).defaults
    except StudioError:
        return (gr.skip(),) * 6
    return d.width, d.height, d.num_frames, d.fps, d.steps, d.guidance_scale


def size_values(spec: ModelSpec, width, height, num_frames, fps, steps, guidance_scale) -> dict:
    """Request values from the sliders; a missing value (API call) takes the model's default."""
    d = spec.defaults

    def pick(value, default):
        return default if value is None or value == "" else value

    return {
        "width": int(pick(width, d.width)), "height": int(pick(height, d.height)),
        "num_frames": int(pick(num_frames, d.num_frames)), "fps": int(pick(fps, d.fps)),
        "steps": int(pick(steps, d.steps)), "guidance_scale": float(pick(guidance_scale, d.guidance_scale)),
    }  # fmt: skip
