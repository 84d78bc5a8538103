"""The "Advanced" accordion both generation tabs share: step cache, LoRAs, flow shift (and their request values)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import gradio as gr

from studio.container import Container
from studio.engine.lora_registry import LoraRegistry
from studio.engine.step_cache_rules import STEP_CACHE_CHOICES, STEP_CACHES
from studio.jobs.options import lora_registry
from studio.ui.settings_codec import lora_values, number_or_default

_CACHE_LABELS = {"off": "Off", "first_block": "FirstBlockCache", "mag": "MagCache", "taylorseer": "TaylorSeer"}


@dataclass
class AdvancedWidgets:
    """The accordion and its controls (field names are the tab's setting keys)."""

    panel: gr.Accordion
    step_cache: gr.Dropdown
    step_cache_threshold: gr.Number
    flow_shift: gr.Number
    loras: gr.Dropdown
    lora_weight: gr.Slider

    def inputs(self) -> list[gr.components.Component]:
        """In the order of the generate handlers' parameters."""
        return [self.step_cache, self.step_cache_threshold, self.loras, self.lora_weight]


def render_advanced(container: Container, prefix: str) -> AdvancedWidgets:
    """Step cache + threshold, flow shift, and a LoRA picker with one weight."""
    rules = lora_registry(container.settings)
    with gr.Accordion("Advanced: step cache, LoRA, flow shift", open=False, elem_id=f"{prefix}-advanced") as panel:
        with gr.Row():
            step_cache = gr.Dropdown([(_CACHE_LABELS[k], k) for k in STEP_CACHE_CHOICES], value="off", label="Step cache",
                                     info="Skips or predicts transformer passes; the job records how many",
                                     elem_id=f"{prefix}-step-cache")  # fmt: skip
            threshold = gr.Number(value=None, label="Threshold (empty or 0 = the cache's default)", info=cache_info("off"),
                                  elem_id=f"{prefix}-step-cache-threshold")  # fmt: skip
        with gr.Row():
            loras = gr.Dropdown(lora_choices(rules), value=[], multiselect=True, allow_custom_value=True, label="LoRAs",
                                info="Registered LoRAs, files in the LoRA folder, or a hub id (org/name)",
                                elem_id=f"{prefix}-loras")  # fmt: skip
            lora_weight = gr.Slider(-2.0, 2.0, value=1.0, step=0.05, label="LoRA weight", elem_id=f"{prefix}-lora-weight")
        flow_shift = gr.Number(value=None, minimum=0.0, maximum=50.0, label="Flow shift (empty or 0 = the model card's for the size)",
                               info="Noise-schedule shift of flow-matching models; higher spends more steps on coarse structure",
                               elem_id=f"{prefix}-flow-shift")  # fmt: skip
    return AdvancedWidgets(panel, step_cache, threshold, flow_shift, loras, lora_weight)


def wire_advanced(container: Container, w: AdvancedWidgets, steps: gr.Slider, guidance: gr.Slider) -> None:
    """Picking a cache fills its default threshold; picking a step-distilled LoRA sets steps and guidance.

    Both on user input only (``.input``): a preset, link or video that sets these controls keeps its own values.
    """
    private: dict = {"api_visibility": "private"}
    w.step_cache.input(cache_defaults, inputs=[w.step_cache], outputs=[w.step_cache_threshold], **private)
    w.step_cache.change(cache_range, inputs=[w.step_cache], outputs=[w.step_cache_threshold], **private)
    rules = lora_registry(container.settings)
    w.loras.input(partial(recipe_settings, rules), inputs=[w.loras], outputs=[steps, guidance], **private)


def lora_choices(rules: LoraRegistry) -> list[tuple[str, str]]:
    registered = [(lora.label, lora.key) for lora in rules.registered()]
    return registered + [(f"{name} (LoRA folder)", name) for name in rules.folder_files()]


def cache_info(kind: str) -> str:
    knob = STEP_CACHES.get(kind)
    if knob is None:
        return "no step cache"
    low = "[" if knob.low_inclusive else "("
    return f"{knob.label}: {low}{knob.low:g}, {knob.high:g}], default {knob.default:g}"


def cache_range(kind: str) -> gr.Number:
    """The threshold box's note for ``kind`` (its value untouched)."""
    return gr.Number(info=cache_info(kind))


def cache_defaults(kind: str) -> gr.Number:
    knob = STEP_CACHES.get(kind)
    return gr.Number(value=None if knob is None else knob.default, info=cache_info(kind))


def recipe_settings(rules: LoraRegistry, selected: list[str] | None) -> tuple:
    """Steps and guidance of the first picked LoRA that carries a recipe (one click to a distilled run)."""
    for key in selected or []:
        lora = rules.get(key)
        if lora is not None and lora.recipe is not None:
            gr.Info(f"{lora.label}: {lora.recipe.steps} steps, guidance {lora.recipe.guidance_scale:g}")
            return lora.recipe.steps, lora.recipe.guidance_scale
    return gr.skip(), gr.skip()


def advanced_values(step_cache: str | None, threshold: float | None, loras: list[str] | str | None,
                    lora_weight: float | None, flow_shift: float | None = None) -> dict:  # fmt: skip
    """Request values from the accordion; missing values (API calls) take the request defaults."""
    return {
        "step_cache": step_cache or "off",
        "step_cache_threshold": number_or_default(threshold),
        "loras": lora_values(loras, lora_weight),
        "flow_shift": number_or_default(flow_shift),
    }
