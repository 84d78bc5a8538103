from __future__ import annotations

import re

import pytest

from studio.errors import InvalidRequestError
from studio.prompting.compilers import COMPILERS, compile_prompt
from studio.prompting.structure import Beat, Camera, PromptStructure, Subject
from studio.prompting.structurer import OfflineStructurer

RICH = OfflineStructurer().structure(
    "A woman with red hair walks along the beach at golden hour, then she turns to the camera and smiles, "
    "finally she waves. Slow push in, close-up, low angle, 35mm lens, cinematic, dreamy, no text, without watermark"
).structure


def test_every_family_compiles_with_negatives_and_counts() -> None:
    for family in COMPILERS:
        compiled = compile_prompt(RICH, family)
        assert compiled.text and compiled.negative == "text, watermark"
        assert compiled.word_count == len(re.findall(r"[\w'-]+", compiled.text))


def test_ltx_is_chronological_and_capped_at_150_words() -> None:
    text = compile_prompt(RICH, "ltx").text
    assert text.index("walks along the beach") < text.index("turns to the camera") < text.index("The camera:")
    assert text.index("The scene takes place") < text.index("The lighting is golden hour")
    long = RICH.model_copy(update={"beats": [Beat(text=f"she takes step number {i} along the sand") for i in range(40)]})
    compiled = compile_prompt(long, "ltx")
    assert compiled.word_count <= 150 and any("150-word limit" in w for w in compiled.warnings)


def test_wan_puts_style_first_and_keeps_80_to_120_words() -> None:
    compiled = compile_prompt(RICH, "wan")
    assert compiled.text.startswith("Cinematic, close-up.")
    assert any("80–120 words" in w for w in compiled.warnings)  # this one is short: warned, not padded
    long = RICH.model_copy(update={"beats": [Beat(text=f"she runs past beach hut number {i}") for i in range(30)]})
    trimmed = compile_prompt(long, "wan")
    assert trimmed.word_count <= 120 and any("120-word limit" in w for w in trimmed.warnings)


def test_cogvideox_i2v_starts_from_the_first_frame_without_cuts() -> None:
    s = RICH.model_copy(update={"beats": [*RICH.beats, Beat(text="cut to a city street at night")]})
    compiled = compile_prompt(s, "cogvideox_i2v")
    assert compiled.text.startswith("Starting from the given first frame,")
    assert "cut to" not in compiled.text and "one continuous shot" in compiled.text
    assert any("removed a cut" in w for w in compiled.warnings)


def test_animatediff_tags_carry_weights() -> None:
    tags = compile_prompt(RICH, "animatediff").text.split(", ")
    assert tags[0] == "(A woman with red hair:1.2)" and tags[1].endswith(":1.1)")
    assert "golden hour" in tags and "cinematic" in tags and "slow push in" in tags


def test_timeline_form_fills_missing_times() -> None:
    s = PromptStructure(subjects=[Subject(name="bud")], beats=[Beat(text="a bud opens"), Beat(text="a bee lands", start_s=3, end_s=5),
                                                               Beat(text="the bee flies off")])  # fmt: skip
    assert compile_prompt(s, "timeline").text == "(0–2 s: a bud opens), (3–5 s: a bee lands), (5–7 s: the bee flies off)"


def test_contradictory_camera_moves_are_warned() -> None:
    s = PromptStructure(camera=Camera(presets=["zoom_in", "zoom_out", "pan_left"]))
    assert compile_prompt(s, "wan").warnings[0] == "contradictory camera moves: zoom_in and zoom_out"


def test_unknown_family_lists_the_known_ones() -> None:
    with pytest.raises(InvalidRequestError, match="unknown prompt format 'sora'.*ltx.*wan"):
        compile_prompt(RICH, "sora")
