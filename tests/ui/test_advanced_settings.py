"""The Advanced accordion's request values and its one-click distilled-LoRA settings."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from studio.engine.lora_registry import LoraRegistry
from studio.jobs.validation import build_request
from studio.ui.advanced_settings import advanced_values, cache_info, lora_choices, recipe_settings


def test_missing_values_take_the_request_defaults() -> None:
    values = advanced_values(None, None, None, None)
    assert values == {"step_cache": "off", "step_cache_threshold": None, "loras": [], "flow_shift": None}
    request = build_request(prompt="x", **values)
    assert (request.step_cache, request.loras) == ("off", [])


def test_picked_loras_share_the_weight_and_a_single_string_is_one_lora() -> None:
    values = advanced_values("mag", 0.1, ["a.safetensors", "org/b"], 0.6)
    assert values["loras"] == [{"source": "a.safetensors", "weight": 0.6}, {"source": "org/b", "weight": 0.6}]
    assert advanced_values("off", "", "org/c", None)["loras"] == [{"source": "org/c", "weight": 1.0}]
    assert advanced_values("off", None, [], None, 7)["flow_shift"] == 7.0
    # browsers send 0 for an emptied number box; 0 is no valid threshold or shift, so it means the default
    assert advanced_values("mag", 0, [], None, 0) | {"loras": []} == {"step_cache": "mag", "step_cache_threshold": None,
                                                                     "loras": [], "flow_shift": None}  # fmt: skip


def test_a_distilled_lora_sets_steps_and_guidance_and_others_leave_them(tmp_path: Path) -> None:
    rules = LoraRegistry(tmp_path)
    assert recipe_settings(rules, ["someone/style", "lightx2v-wan2.1-t2v-14b-4step"]) == (4, 1.0)
    assert recipe_settings(rules, ["someone/style"]) == (gr.skip(), gr.skip())


def test_choices_list_registered_loras_then_the_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.safetensors").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a LoRA")
    registry = LoraRegistry(tmp_path)
    keys = [key for _label, key in lora_choices(registry)]
    assert keys[:2] == ["lightx2v-wan2.1-t2v-14b-4step", "lightx2v-wan2.1-i2v-14b-480p-4step"]
    assert keys == [lora.key for lora in registry.registered()] + ["mine.safetensors"]
    assert cache_info("taylorseer") == "TaylorSeer refresh interval (steps): [2, 20], default 5"
