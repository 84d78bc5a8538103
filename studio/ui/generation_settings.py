"""The model and size/steps widgets both generation tabs share, their request values and the estimate."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import gradio as gr

from studio.container import Container
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.errors import StudioError
from studio.jobs.defaults import request_with_defaults
from studio.types import GenerationRequest


def render_model_settings(container: Container, mode: str, default: ModelSpec, frames_label: str,
                          sizes_label: str | None = None, sizes_after: Callable[[], None] | None = None) -> tuple:  # fmt: skip
    """Model dropdown and width/height/frames/fps/steps/guidance sliders; picking a model loads its defaults.

    ``sizes_label``: put the sliders in a closed accordion of that name (a compact tab);
    ``sizes_after``: renders what goes between the model and the sliders (e.g. the Generate button).
    Returns:
        (model, width, height, frames, fps, steps, guidance)
    """
    choices = [(spec.display_name, spec.key) for spec in container.registry.specs() if mode in spec.modes]
    model = gr.Dropdown(choices=choices, value=default.key, label="Model", allow_custom_value=True,
                        info="A registered model, a local diffusers folder or a hub id")  # fmt: skip
    if sizes_after is not None:
        sizes_after()
    sizes = gr.Accordion(sizes_label, open=False) if sizes_label else gr.Group()
    with sizes:
        width, height, frames, fps, steps, guidance = _render_sliders(container, mode, default, frames_label)
    sliders = [width, height, frames, fps, steps, guidance]
    # .input, not .change: a preset or link that sets the model and the sizes must not have them reset
    model.input(partial(model_defaults, container.registry), inputs=[model], outputs=sliders, api_visibility="private")
    # the model's own rules (slider steps) and which controls do anything for it, however the model was set
    model.change(partial(model_rules, container.registry), inputs=[model], outputs=[width, height, frames, steps, guidance],
                 api_visibility="private")  # fmt: skip
    return model, *sliders


def _render_sliders(container: Container, mode: str, default: ModelSpec, frames_label: str) -> tuple:
    d, s = default.defaults, container.settings
    family = container.registry.family(default)
    side, shown = family.size_rules.side_multiple, family.inputs
    low = max(side, family.size_rules.min_side_px)
    with gr.Row():
        width = gr.Slider(low, s.max_side_px, value=d.width, step=side, label="Width")
        height = gr.Slider(low, s.max_side_px, value=d.height, step=side, label="Height")
    with gr.Row():
        frames = gr.Slider(1, s.max_frames, value=d.num_frames, step=family.size_rules.temporal_step, label=frames_label)
        fps = gr.Slider(1, 60, value=d.fps, step=1, label="FPS")
    with gr.Row():
        steps = gr.Slider(1, s.max_steps, value=d.steps, step=1, label="Steps", visible="steps" in shown,
                          elem_id=f"{mode}-steps")  # fmt: skip
        guidance = gr.Slider(0.0, 20.0, value=d.guidance_scale, step=0.5, label="Guidance",
                             visible="guidance_scale" in shown, elem_id=f"{mode}-guidance")  # fmt: skip
    return width, height, frames, fps, steps, guidance


def model_rules(registry: ModelRegistry, model: str) -> tuple:
    """Width/height/frames slider steps from ``model``'s family rules; steps and guidance shown where it reads them."""
    try:
        family = registry.family(registry.resolve(model))
    except StudioError:
        return (gr.skip(),) * 5
    rules, shown = family.size_rules, family.inputs
    step, low = rules.side_multiple, max(rules.side_multiple, rules.min_side_px)
    return (gr.Slider(step=step, minimum=low), gr.Slider(step=step, minimum=low), gr.Slider(step=rules.temporal_step),
            gr.Slider(visible="steps" in shown), gr.Slider(visible="guidance_scale" in shown))  # fmt: skip


def render_family_inputs(container: Container, default: ModelSpec) -> dict[str, gr.Slider]:
    """Controls of inputs only some families read (Stable Video Diffusion's conditioning), by request key;
    ``wire_family_inputs`` shows them for those models only."""
    d = GenerationRequest.model_fields
    with gr.Row():
        widgets = {
            "motion_bucket_id": gr.Slider(1, 255, value=d["motion_bucket_id"].default, step=1, elem_id="motion-bucket",
                                          label="Motion bucket (how much it moves, 1-255)"),
            "noise_aug_strength": gr.Slider(0.0, 1.0, value=d["noise_aug_strength"].default, step=0.01,
                                            label="Noise augmentation (freedom from the image)", elem_id="noise-aug"),
        }  # fmt: skip
    return widgets


def wire_family_inputs(container: Container, model: gr.Dropdown, default: ModelSpec, widgets: dict[str, Any]) -> None:
    """Show each widget (keyed by request field) only for models whose family reads that field (``Family.inputs``)."""
    shown = container.registry.family(default).inputs
    for key, widget in widgets.items():
        widget.visible = key in shown
    model.change(partial(family_input_updates, container.registry, tuple(widgets)), inputs=[model],
                 outputs=list(widgets.values()), api_visibility="private")  # fmt: skip


def family_input_updates(registry: ModelRegistry, keys: tuple[str, ...], model: str) -> tuple:
    """Visibility per widget for ``model``; a hidden prompt is also emptied (a model without one refuses it)."""
    try:
        shown = registry.family(registry.resolve(model)).inputs
    except StudioError:
        return (gr.skip(),) * len(keys)
    return tuple(gr.update(visible=True) if k in shown else gr.update(visible=False, **_CLEARED.get(k, {})) for k in keys)


#: what a hidden widget is reset to.
_CLEARED: dict[str, dict[str, Any]] = {"prompt": {"value": ""}, "negative_prompt": {"value": ""}}


def model_defaults(registry: ModelRegistry, model: str) -> tuple:
    """The sliders' values for ``model`` (unchanged when it does not resolve: the error comes on Generate)."""
    try:
        d = registry.resolve(model).defaults
    except StudioError:
        return (gr.skip(),) * 6
    return d.width, d.height, d.num_frames, d.fps, d.steps, d.guidance_scale


def size_values(width, height, num_frames, fps, steps, guidance_scale) -> dict:
    """Request values from the sliders; a missing value (API call) is None, filled by ``request_with_defaults``."""

    def number(value, kind):
        return None if value is None or value == "" else kind(value)

    return {
        "width": number(width, int), "height": number(height, int), "num_frames": number(num_frames, int),
        "fps": number(fps, int), "steps": number(steps, int), "guidance_scale": number(guidance_scale, float),
    }  # fmt: skip


def render_estimate(container: Container, mode: str, model, width, height, frames, steps, guidance) -> gr.Markdown:
    """The preflight estimate under the Generate button, refreshed when the model or the clip changes."""
    inputs = [model, width, height, frames, steps, guidance]
    compute = partial(estimate_markdown, container, mode)
    markdown = gr.Markdown(compute(model.value, width.value, height.value, frames.value, steps.value, guidance.value),
                           elem_id=f"{mode}-estimate")  # fmt: skip
    for widget in inputs:
        widget.change(compute, inputs=inputs, outputs=[markdown], api_visibility="private", show_progress="hidden")
    return markdown


def estimate_markdown(container: Container, mode: str, model, width, height, num_frames, steps, guidance_scale) -> str:
    """One line: peak memory against the budget, the offload plan, the time when measured (or why not)."""
    try:
        request = request_with_defaults(dict(prompt="", mode=mode, model=model or None,
                                             **size_values(width, height, num_frames, None, steps, guidance_scale)),
                                        container.settings, container.registry)  # fmt: skip
        return container.jobs.estimate(request).summary()
    except StudioError as exc:
        return f"**Estimate:** unavailable: {exc}"
