"""Preset files: schema round trip, migration from version 1, broken files skipped, user presets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.errors import InvalidRequestError
from studio.presets.library import CURATED_DIR, PresetLibrary
from studio.presets.schema import SCHEMA_VERSION, Preset, migrate, parse_preset, shareable_fields
from studio.types import GenerationRequest


def test_every_curated_preset_loads_and_there_are_enough() -> None:
    library = PresetLibrary(Path("/nonexistent-user-dir"))
    presets = library.load()
    assert library.problems == []
    assert len(presets) >= 12
    assert len(list(CURATED_DIR.glob("*.json"))) == len(presets)
    kinds = {name.split("-")[0] for name in presets}
    assert {"look", "wan", "motion"} <= kinds  # looks and speed/quality tiers are there, not only camera moves
    for loaded in presets.values():
        # every preset's values make a valid request when applied over a prompt
        GenerationRequest.model_validate({"prompt": "x", **loaded.preset.values})


def test_schema_round_trip() -> None:
    preset = parse_preset({"schema_version": SCHEMA_VERSION, "name": "mine", "title": "Mine", "tabs": ["t2v"],
                           "values": {"steps": 12, "guidance_scale": 3.5}}, where="test")  # fmt: skip
    again = parse_preset(json.loads(preset.model_dump_json()), where="again")
    assert again == preset
    assert again.values == {"steps": 12, "guidance_scale": 3.5}


def test_a_version_1_file_is_migrated() -> None:
    old = {"schema_version": 1, "name": "old-one", "title": "Old", "steps": 8, "negative_prompt": "blurry"}
    migrated = migrate(dict(old))
    assert migrated["schema_version"] == SCHEMA_VERSION
    preset = Preset.model_validate(migrated)
    assert preset.values == {"steps": 8, "negative_prompt": "blurry"}
    assert preset.tabs == ["t2v", "i2v"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"name": "x", "title": "X"}, "schema_version must be an integer"),
        ({"schema_version": 99, "name": "x", "title": "X"}, "schema_version 99 is not known"),
        ({"schema_version": 2, "name": "../etc/passwd", "title": "X"}, "name"),
        ({"schema_version": 2, "name": "x", "title": "X", "values": {"steps": 0}}, "steps"),
        ({"schema_version": 2, "name": "x", "title": "X", "values": {"image": "/etc/passwd"}}, "not a shareable setting: image"),
        ({"schema_version": 2, "name": "x", "title": "X", "values": {"bogus": 1}}, "not a shareable setting: bogus"),
        ({"schema_version": 2, "name": "x", "title": "X", "tabs": ["video"]}, "tabs"),
        ([1, 2], "a preset is a JSON object"),
    ],
)
def test_bad_documents_name_the_problem(document: object, message: str) -> None:
    with pytest.raises(InvalidRequestError, match="broken.json") as info:
        parse_preset(document, where="broken.json")
    assert message in str(info.value)


def test_broken_files_are_skipped_with_a_message(tmp_path: Path) -> None:
    curated = tmp_path / "curated"
    curated.mkdir()
    (curated / "good.json").write_text(json.dumps({"schema_version": 2, "name": "good", "title": "Good", "values": {"fps": 8}}))
    (curated / "truncated.json").write_text('{"schema_version": 2, "name": "tr')
    (curated / "bad-value.json").write_text(json.dumps({"schema_version": 2, "name": "bad", "title": "B", "values": {"fps": -3}}))
    library = PresetLibrary(tmp_path / "user", curated)
    assert list(library.load()) == ["good"]
    assert len(library.problems) == 2
    assert any("truncated.json" in p for p in library.problems)
    assert any("bad-value.json" in p and "fps" in p for p in library.problems)


def test_user_presets_save_list_delete(tmp_path: Path) -> None:
    library = PresetLibrary(tmp_path / "user")
    saved = library.save_user("my-look", "My look", ["t2v"], {"steps": 7, "negative_prompt": "text"})
    assert (tmp_path / "user" / "my-look.json").is_file()
    loaded = library.get("my-look")
    assert loaded.user and loaded.preset == saved and loaded.label == "My look (yours)"
    assert "my-look" in [p.preset.name for p in library.for_tab("t2v")]
    assert "my-look" not in [p.preset.name for p in library.for_tab("i2v")]
    library.save_user("my-look", "My look", ["t2v"], {"steps": 9})  # replacing one's own is fine
    assert library.get("my-look").preset.values == {"steps": 9}
    library.delete_user("my-look")
    assert "my-look" not in library.load()


def test_user_presets_refuse_bad_names_values_and_curated_ones(tmp_path: Path) -> None:
    library = PresetLibrary(tmp_path / "user")
    with pytest.raises(InvalidRequestError, match="name"):
        library.save_user("../../escape", "x", ["t2v"], {})
    with pytest.raises(InvalidRequestError, match="steps"):
        library.save_user("fine", "x", ["t2v"], {"steps": -1})
    with pytest.raises(InvalidRequestError, match="curated preset"):
        library.save_user("slow-push-in", "x", ["i2v"], {})
    with pytest.raises(InvalidRequestError, match="cannot be deleted"):
        library.delete_user("slow-push-in")
    with pytest.raises(InvalidRequestError, match="unknown preset 'nope'"):
        library.delete_user("nope")
    assert not list((tmp_path / "user").glob("*")) if (tmp_path / "user").exists() else True


def test_shareable_fields_follow_the_request_and_exclude_files() -> None:
    fields = shareable_fields()
    assert {"prompt", "steps", "motion", "model"} <= fields
    assert not {"image", "depth_map"} & fields


def test_a_look_appends_its_words_once() -> None:
    look = parse_preset({"schema_version": 2, "name": "look", "title": "Look", "prompt_suffix": "anime style"}, where="t")
    assert look.prompt_with_suffix("a kite, ") == "a kite, anime style"
    assert look.prompt_with_suffix("") == "anime style" and look.prompt_with_suffix(None) == "anime style"
    assert look.prompt_with_suffix("a kite, anime style") == "a kite, anime style"
    plain = parse_preset({"schema_version": 2, "name": "plain", "title": "Plain"}, where="t")
    assert plain.prompt_with_suffix("a kite, ") == "a kite, "


def test_speed_tiers_set_the_step_cache() -> None:
    """fast: the cache on, looser than its default (skips more); balanced: on at the default; quality: off."""
    from studio.engine.step_cache_rules import STEP_CACHES, cache_threshold

    library = PresetLibrary(Path("/nonexistent-user-dir"))
    tiers = {tier: library.get(f"wan-{tier}").preset.values for tier in ("fast", "balanced", "quality")}
    for values in tiers.values():
        cache_threshold(values["step_cache"], values["step_cache_threshold"])  # within the cache's range
    fast, balanced = tiers["fast"], tiers["balanced"]
    assert fast["step_cache"] == balanced["step_cache"] == "first_block"
    assert balanced["step_cache_threshold"] == STEP_CACHES["first_block"].default < fast["step_cache_threshold"]
    assert (tiers["quality"]["step_cache"], tiers["quality"]["step_cache_threshold"]) == ("off", None)
    assert fast["steps"] < balanced["steps"] < tiers["quality"]["steps"]
