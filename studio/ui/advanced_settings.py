"""The "Advanced" accordion both generation tabs share: step cache, LoRAs (and their request values)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import gradio as gr

from studio.container import Container
from studio.engine.lora_registry import LoraRegistry
from studio.engine.step_cache_rules import STEP_CACHE_CHOICES, STEP_CACHES
from studio.jobs.options import lora_registry

_CACHE_LABELS = {"off": "Off", "first_block": "FirstBlockCache", "mag": "MagCache", "taylorseer": "TaylorSeer"}


@dataclass
class AdvancedWidgets:
    step_cache: gr.Dropdown
    threshold: gr.Number
    loras: gr.Dropdown
    lora_weight: gr.Slider

    def inputs(self) -> list[gr.components.Component]:
        return [self.step_cache, self.threshold, self.loras, self.lora_weight]


def render_advanced(container: Container, steps: gr.Slider, guidance: gr.Slider) -> AdvancedWidgets:
    """Step cache + threshold and a LoRA picker; picking a step-distilled LoRA sets steps and guidance."""
    rules = lora_registry(container.settings)
    with gr.Accordion("Advanced: step cache, LoRA", open=False):
        with gr.Row():
            step_cache = gr.Dropdown([(_CACHE_LABELS[k], k) for k in STEP_CACHE_CHOICES], value="off", label="Step cache",
                                     info="Skips or predicts transformer passes; the job records how many")  # fmt: skip
            threshold = gr.Number(value=None, label="Threshold (empty = the cache's default)", info=cache_info("off"))
        with gr.Row():
            loras = gr.Dropdown(lora_choices(rules), value=[], multiselect=True, allow_custom_value=True, label="LoRAs",
                                info="Registered LoRAs, files in the LoRA folder, or a hub id (org/name)")  # fmt: skip
            lora_weight = gr.Slider(-2.0, 2.0, value=1.0, step=0.05, label="LoRA weight")
    private: dict = {"api_visibility": "private"}
    step_cache.change(cache_defaults, inputs=[step_cache], outputs=[threshold], **private)
    loras.change(partial(recipe_settings, rules), inputs=[loras], outputs=[steps, guidance], **private)
    return AdvancedWidgets(step_cache, threshold, loras, lora_weight)


def lora_choices(rules: LoraRegistry) -> list[tuple[str, str]]:
    registered = [(lora.label, lora.key) for lora in rules.registered()]
    return registered + [(f"{name} (LoRA folder)", name) for name in rules.folder_files()]


def cache_info(kind: str) -> str:
    knob = STEP_CACHES.get(kind)
    if knob is None:
        return "no step cache"
    low = "[" if knob.low_inclusive else "("
    return f"{knob.label}: {low}{knob.low:g}, {knob.high:g}], default {knob.default:g}"


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
                    lora_weight: float | None) -> dict:  # fmt: skip
    """Request values from the accordion; missing values (API calls) take the request defaults."""
    names = [loras] if isinstance(loras, str) else list(loras or [])
    weight = 1.0 if lora_weight is None else float(lora_weight)
    return {
        "step_cache": step_cache or "off",
        "step_cache_threshold": None if threshold in (None, "") else float(threshold),
        "loras": [{"source": name, "weight": weight} for name in names if name and name.strip()],
    }
