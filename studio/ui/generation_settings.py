"""The model and size/steps widgets both generation tabs share, their rules, request values and the estimate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr
from gradio.blocks import Block

from studio.container import Container
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.errors import StudioError
from studio.jobs.defaults import request_with_defaults
from studio.types import GenerationRequest
from studio.ui.model_controls import model_rules, without_hidden_options
from studio.ui.settings_codec import label


@dataclass
class ModelWidgets:
    """The model dropdown and the size / length / steps sliders (field names are the request's)."""

    model: gr.Dropdown
    width: gr.Slider
    height: gr.Slider
    num_frames: gr.Slider
    fps: gr.Slider
    steps: gr.Slider
    guidance_scale: gr.Slider

    def sliders(self) -> list[gr.Slider]:
        return [self.width, self.height, self.num_frames, self.fps, self.steps, self.guidance_scale]


def render_model_settings(container: Container, mode: str, default: ModelSpec, frames_label: str,
                          sizes_label: str | None = None, sizes_after: Callable[[], None] | None = None) -> ModelWidgets:  # fmt: skip
    """Model dropdown and width/height/frames/fps/steps/guidance sliders.

    ``sizes_label``: put the sliders in a closed accordion of that name (a compact tab);
    ``sizes_after``: renders what goes between the model and the sliders (e.g. the Generate button).
    """
    choices = [(spec.display_name, spec.key) for spec in container.registry.specs() if mode in spec.modes]
    model = gr.Dropdown(choices=choices, value=default.key, label="Model", allow_custom_value=True,
                        info="A registered model, a local diffusers folder or a hub id", elem_id=f"{mode}-model")  # fmt: skip
    if sizes_after is not None:
        sizes_after()
    sizes = gr.Accordion(sizes_label, open=False) if sizes_label else gr.Group()
    with sizes:
        sliders = _render_sliders(container, mode, default, frames_label)
    return ModelWidgets(model, *sliders)


def _render_sliders(container: Container, mode: str, default: ModelSpec, frames_label: str) -> tuple:
    d, s = default.defaults, container.settings
    rules = container.registry.size_rules(default)
    side = rules.side_multiple
    low = max(side, rules.min_side_px)
    with gr.Row():
        width = gr.Slider(low, s.max_side_px, value=d.width, step=side, label="Width")
        height = gr.Slider(low, s.max_side_px, value=d.height, step=side, label="Height")
    with gr.Row():
        frames = gr.Slider(1, s.max_frames, value=d.num_frames, step=rules.temporal_step, label=frames_label)
        fps = gr.Slider(1, 60, value=d.fps, step=1, label="FPS")
    with gr.Row():
        steps = gr.Slider(1, s.max_steps, value=d.steps, step=1, label="Steps", elem_id=f"{mode}-steps")
        guidance = gr.Slider(0.0, 20.0, value=d.guidance_scale, step=0.5, label="Guidance", elem_id=f"{mode}-guidance")
    return width, height, frames, fps, steps, guidance


def render_image_conditioning() -> tuple[gr.Slider, gr.Slider]:
    """Stable Video Diffusion's conditioning: motion bucket and noise augmentation, at the request's defaults."""
    fields = GenerationRequest.model_fields
    with gr.Row():
        return (gr.Slider(1, 255, value=fields["motion_bucket_id"].default, step=1, elem_id="motion-bucket",
                          label="Motion bucket (how much it moves, 1-255)"),
                gr.Slider(0.0, 1.0, value=fields["noise_aug_strength"].default, step=0.01, elem_id="noise-aug",
                          label="Noise augmentation (freedom from the image)"))  # fmt: skip


def wire_model_settings(container: Container, w: ModelWidgets, negative_prompt: gr.Textbox,
                        toggled: Sequence[tuple[str, Block]]) -> None:  # fmt: skip
    """Picking a model loads its defaults; however the model was set, the sliders and controls follow its rules.

    ``toggled``: the tab's model-dependent controls (``model_controls.MODEL_DEPENDENT`` keys) and their widgets.
    """
    private: dict = {"api_visibility": "private"}
    # .input, not .change: a preset or link that sets the model and the sizes must not have them reset
    w.model.input(partial(picked_model_defaults, container.registry), inputs=[w.model],
                  outputs=[*w.sliders(), negative_prompt], **private)  # fmt: skip
    keys = [key for key, _widget in toggled]
    w.model.change(partial(rule_updates, container.registry, keys), inputs=[w.model],
                   outputs=[w.width, w.height, w.num_frames, *(widget for _key, widget in toggled)], **private)  # fmt: skip


def rule_updates(registry: ModelRegistry, keys: Sequence[str], model: str) -> tuple:
    """Width/height/frames slider steps from ``model``'s rules, then one visibility update per control in ``keys``."""
    try:
        rules = model_rules(registry, model)
    except StudioError:
        return (gr.skip(),) * (3 + len(keys))
    side = gr.Slider(step=rules.side_multiple, minimum=rules.min_side_px)
    shown = tuple(gr.update(visible=key in rules.controls) for key in keys)
    return (side, gr.Slider(step=rules.side_multiple, minimum=rules.min_side_px), gr.Slider(step=rules.temporal_step), *shown)


def initial_visibility(registry: ModelRegistry, model: str, toggled: Sequence[tuple[str, Block]]) -> None:
    """Render-time visibility of the toggled controls for the tab's default model (the page opens right)."""
    controls = model_rules(registry, model).controls
    for key, widget in toggled:
        widget.visible = key in controls


def model_defaults(registry: ModelRegistry, model: str) -> tuple:
    """The sliders' values for ``model`` (unchanged when it does not resolve: the error comes on Generate)."""
    try:
        d = registry.resolve(model).defaults
    except StudioError:
        return (gr.skip(),) * 6
    return d.width, d.height, d.num_frames, d.fps, d.steps, d.guidance_scale


def picked_model_defaults(registry: ModelRegistry, model: str) -> tuple:
    """The sliders' values and the negative prompt (the model card's, editable) for a model the user picked."""
    try:
        negative = registry.resolve(model).defaults.negative_prompt
    except StudioError:
        negative = gr.skip()
    return (*model_defaults(registry, model), negative)


def visible_options(registry: ModelRegistry, values: dict) -> dict:
    """``values`` without the leftovers of options hidden for the model (``without_hidden_options``), said in a toast."""
    kept, reset = without_hidden_options(registry, values)
    if reset:
        gr.Info(f"{values.get('model')} does not use {', '.join(label(key) for key in reset)}: left out")
    return kept


def size_values(width, height, num_frames, fps, steps, guidance_scale) -> dict:
    """Request values from the sliders; a missing value (API call) is None, filled by ``request_with_defaults``."""

    def number(value, kind):
        return None if value is None or value == "" else kind(value)

    return {
        "width": number(width, int), "height": number(height, int), "num_frames": number(num_frames, int),
        "fps": number(fps, int), "steps": number(steps, int), "guidance_scale": number(guidance_scale, float),
    }  # fmt: skip


def _estimate_inputs(w: ModelWidgets) -> list[Any]:
    return [w.model, w.width, w.height, w.num_frames, w.steps, w.guidance_scale]


def render_estimate(container: Container, mode: str, w: ModelWidgets) -> gr.Markdown:
    """The preflight estimate under the Generate button, for the rendered values."""
    values = [widget.value for widget in _estimate_inputs(w)]
    return gr.Markdown(estimate_markdown(container, mode, *values), elem_id=f"{mode}-estimate")


def wire_estimate(container: Container, mode: str, w: ModelWidgets, estimate: gr.Markdown) -> None:
    """Refresh the estimate when the model or the clip changes."""
    inputs = _estimate_inputs(w)
    for widget in inputs:
        widget.change(partial(estimate_markdown, container, mode), inputs=inputs, outputs=[estimate],
                      api_visibility="private", show_progress="hidden")  # fmt: skip


def estimate_markdown(container: Container, mode: str, model, width, height, num_frames, steps, guidance_scale) -> str:
    """One line: peak memory against the budget, the offload plan, the time when measured (or why not)."""
    try:
        request = request_with_defaults(dict(prompt="", mode=mode, model=model or None,
                                             **size_values(width, height, num_frames, None, steps, guidance_scale)),
                                        container.settings, container.registry)  # fmt: skip
        return container.jobs.estimate(request).summary()
    except StudioError as exc:
        return f"**Estimate:** unavailable: {exc}"
