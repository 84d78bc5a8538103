from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.engine.families.base import SizeRules
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError, UnknownModelError


def test_registered_models_resolve_by_key_and_by_source() -> None:
    registry = ModelRegistry(offline=True)
    demo = registry.resolve("wan-demo")
    assert demo.demo and demo.family == "wan" and "demo" in demo.display_name
    real = registry.resolve("Wan-AI/Wan2.1-T2V-1.3B-Diffusers")
    assert real.key == "wan2.1-t2v-1.3b" and not real.demo


def test_local_pipeline_folder_resolves_to_its_family(tmp_path: Path) -> None:
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "WanPipeline"}))
    spec = ModelRegistry(offline=True).resolve(str(tmp_path))
    assert spec.family == "wan" and spec.source == str(tmp_path) and spec.modes == ("t2v",)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no model_index.json"),
        (lambda p: (p / "model_index.json").write_text("{not json"), "not a valid model_index.json"),
        (lambda p: (p / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline"})),
         "StableDiffusionPipeline.* is not supported; supported pipelines: .*WanImageToVideoPipeline"),
    ],
)
def test_bad_folders_are_refused_with_the_reason(tmp_path: Path, make, message: str) -> None:
    make(tmp_path)
    with pytest.raises(UnknownModelError, match=message):
        ModelRegistry(offline=True).resolve(str(tmp_path))


@pytest.mark.parametrize("name", ["", "   ", "no-such-model", "../relative-nothing"])
def test_unknown_names_are_refused_and_named(name: str) -> None:
    with pytest.raises(UnknownModelError) as info:
        ModelRegistry(offline=True).resolve(name)
    assert "model" in str(info.value)


def test_unknown_hub_id_offline_says_why() -> None:
    with pytest.raises(UnknownModelError, match="no-such-org/no-such-model.*Hub"):
        ModelRegistry(offline=True).resolve("no-such-org/no-such-model")


def test_size_rules_name_the_rule_and_value_when_strict() -> None:
    rules = SizeRules(side_multiple=16, temporal_step=4)
    with pytest.raises(InvalidRequestError, match="multiples of 16, got 300 and 500"):
        rules.check(500, 300, 17, round_values=False)
    with pytest.raises(InvalidRequestError, match="4k\\+1.*got 20"):
        rules.check(512, 320, 20, round_values=False)
    with pytest.raises(InvalidRequestError, match="width must be at least 16 px, got 8"):
        rules.check(8, 320, 17, round_values=True)


def test_size_rules_round_with_a_note() -> None:
    width, height, frames, notes = SizeRules().check(500, 300, 20, round_values=True)
    assert (width, height, frames) == (496, 304, 21)
    assert any("500x300 to 496x304" in n for n in notes)
    assert any("20 to 21" in n for n in notes)
    assert SizeRules().check(512, 320, 17, round_values=False) == (512, 320, 17, [])


def test_a_vace_folder_is_image_to_video_steered_by_control(tmp_path: Path) -> None:
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "WanVACEPipeline"}))
    registry = ModelRegistry(offline=True)
    spec = registry.resolve(str(tmp_path))
    assert spec.modes == ("i2v",) and registry.pipeline_class(spec, "i2v") == "WanVACEPipeline"
    assert "control" in registry.steering(spec)
    assert registry.steering(registry.resolve("wan-i2v-demo")) == frozenset({"v2v", "warped_noise"})
    assert registry.steering(registry.resolve("motion-warp")) == frozenset()


def test_real_wan_entries_carry_the_model_card_defaults() -> None:
    from studio.engine.families.wan_facts import WAN_NEGATIVE_PROMPT

    registry = ModelRegistry(offline=True)
    for key in ("wan2.1-t2v-1.3b", "wan2.1-i2v-14b-480p"):
        spec = registry.resolve(key)
        assert spec.defaults.steps == 50 and spec.defaults.negative_prompt == WAN_NEGATIVE_PROMPT
    assert WAN_NEGATIVE_PROMPT.startswith("色调艳丽，过曝，静态") and WAN_NEGATIVE_PROMPT.endswith("倒着走")
    ti2v = registry.resolve("Wan-AI/Wan2.2-TI2V-5B-Diffusers")
    assert registry.size_rules(ti2v).side_multiple == 32 and ti2v.modes == ("t2v", "i2v")
    assert registry.size_rules(registry.resolve("wan-demo")) == registry.family(ti2v).size_rules
    assert registry.resolve("Wan-AI/Wan2.2-T2V-A14B-Diffusers").key == "wan2.2-t2v-a14b"


@pytest.mark.parametrize(("width", "height", "shift"), [(832, 480, 3.0), (480, 832, 3.0), (1280, 720, 5.0), (1280, 704, 5.0)])
def test_wan_flow_shift_follows_the_resolution(width: int, height: int, shift: float) -> None:
    rule = ModelRegistry(offline=True).family(ModelRegistry(offline=True).resolve("wan-demo")).flow_shift
    assert rule is not None and rule.shift_for(width, height) == shift


@pytest.mark.parametrize("value", [0, -1.0, 51.0, "lots"])
def test_a_bad_flow_shift_is_refused_naming_the_value(value: object) -> None:
    from studio.jobs.validation import build_request

    with pytest.raises(InvalidRequestError, match="flow_shift"):
        build_request(prompt="x", flow_shift=value)
