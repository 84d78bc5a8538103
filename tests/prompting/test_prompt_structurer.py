"""The offline structurer on a table of varied prompts, round trips and bad input."""

from __future__ import annotations

import pytest

from studio.errors import InvalidRequestError
from studio.prompting.compilers import compile_prompt
from studio.prompting.structurer import OfflineStructurer

S = OfflineStructurer(max_chars=2000)

# text, camera presets, strength (None = don't care), beats, shot size, negatives, subject name
TABLE = [
    ("A woman walks along the beach, slow push in", ["dolly_in"], 0.5, 1, "", [], "woman"),
    ("Drone shot over a misty forest at dawn", ["crane_up", "dolly_in"], 1.0, 0, "", [], None),
    ("Close-up of a cat yawning, static camera", ["static"], None, 1, "close-up", [], None),
    ("A dog runs across the field then jumps over a log", [], None, 2, "", [], "dog"),
    ("The camera orbits around a red sports car in the rain", ["orbit_right"], 1.0, 0, "", [], None),
    ("Whip pan to a man shouting", ["pan_right"], 2.0, 1, "", [], None),
    ("A chef chops onions. Then he tosses them into a pan. Finally he smiles.", [], None, 3, "", [], "chef"),
    ("Wide shot of a city skyline at night, fast zoom in", ["zoom_in"], 1.5, 0, "wide shot", [], None),
    ("A child flies a kite on a hill, handheld, no people in the background", ["static"], 0.3, 1, "", ["people in the background"], "child"),
    ("Extreme close-up of an eye blinking, without blur", [], None, 1, "extreme close-up", ["blur"], None),
    ("A horse gallops through a river while birds fly overhead", [], None, 2, "", [], "horse"),
    ("Tilt up from the boots to the face of a soldier", ["tilt_up"], 1.0, 0, "", [], None),
    ("Tilt down slowly over a waterfall", ["tilt_down"], 0.5, 0, "", [], None),
    ("Pan left across a desert, golden hour, cinematic", ["pan_left"], 1.0, 0, "", [], None),
    ("Crane down onto a busy market square", ["crane_down"], 1.0, 0, "", [], None),
    ("Truck left past a row of bicycles", ["truck_left"], 1.0, 0, "", [], None),
    ("Pedestal up over a stone wall", ["pedestal_up"], 1.0, 0, "", [], None),
    ("Dolly out from a lonely lighthouse, melancholic", ["dolly_out"], 1.0, 0, "", [], None),
    ("Pull back from a girl reading a book", ["dolly_out"], 1.0, 1, "", [], None),
    ("Zoom out slowly from a chessboard", ["zoom_out"], None, 0, "", [], None),
    ("A tracking shot follows a cyclist down a mountain road", ["truck_right"], 1.0, 1, "", [], None),
    ("Aerial shot of a coastline, 4k, no text, no watermark", ["crane_up", "dolly_in"], 1.0, 0, "", ["text", "watermark"], None),
    ("Medium shot, a barista pours latte art, soft light", [], None, 1, "medium shot", [], "barista"),
    ("Low angle shot of a giant robot stomping through the city", [], None, 1, "", [], None),
    ("A fox sleeps in the snow, then wakes up and stretches", [], None, 2, "", [], "fox"),
    ("(0-2 s: a bud opens), (2-4 s: a bee lands on the flower)", [], None, 2, "", [], None),
    ("From 0 to 3 seconds a ball rolls across the floor, then from 3 to 5 seconds it stops", [], None, 2, "", [], "ball"),
    ("A surfer rides a wave, arc shot, 85mm lens", ["orbit_right"], 1.0, 1, "", [], "surfer"),
    ("Two dancers spin on a stage under a spotlight, 360 shot", ["orbit_right"], 3.0, 1, "", [], "dancers"),
    ("An astronaut floats inside the station, dolly zoom", ["dolly_in", "zoom_out"], 1.0, 1, "", [], "astronaut"),
    ("Establishing shot of a castle on a cliff, fantasy, epic", [], None, 0, "establishing shot", [], None),
    ("A kitten plays with yarn. Avoid: blurry, low quality", [], None, 1, "", ["blurry", "low quality"], "kitten"),
    ("The camera slowly pans right across a bookshelf", ["pan_right"], 0.5, 0, "", [], None),
    ("Rapid zoom in on a ringing phone", ["zoom_in"], 1.8, 0, "", [], None),
    ("A man in a suit walks into the office and sits down, static shot, film noir", ["static"], None, 1, "", [], "man"),
    ("Fly-through of a crystal cave, volumetric light", ["dolly_in"], 1.5, 0, "", [], None),
    ("A woman dances in the rain while the camera circles around her", ["orbit_right"], 1.0, 1, "", [], "woman"),
    ("Overhead shot of a table, hands knead dough", [], None, 1, "", [], None),
    ("A butterfly lands on a flower, macro shot, shallow depth of field", [], None, 1, "macro shot", [], "butterfly"),
    ("First the sun rises over the hills, then fog lifts from the valley, finally birds start to sing", [], None, 3, "", [], "sun"),
    ("A car drives along the coast, drone shot, no people", ["crane_up", "dolly_in"], 1.0, 1, "", ["people"], "car"),
    ("Gentle push in on a sleeping baby, warm light, cozy", ["dolly_in"], 0.5, 0, "", [], None),
    ("Zoom in and then zoom out on a clock", ["zoom_in", "zoom_out"], None, 0, "", [], None),
    ("A robot walks through a neon city street at night, cyberpunk", [], None, 1, "", [], "robot"),
]


@pytest.mark.parametrize(("text", "presets", "strength", "beats", "shot", "negatives", "subject"), TABLE)
def test_prompt_table(text, presets, strength, beats, shot, negatives, subject) -> None:
    result = S.structure(text).structure
    assert result.camera.presets == presets
    if strength is not None:
        assert result.camera.strength == pytest.approx(strength)
    assert len(result.beats) == beats, [b.text for b in result.beats]
    assert result.camera.shot_size == shot
    assert result.negatives == negatives
    if subject is not None:
        assert result.subjects and result.subjects[0].name == subject


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


def test_descriptors_and_setting() -> None:
    s = S.structure("An old man in a gray coat feeds pigeons in the park at golden hour, melancholic, film noir").structure
    assert s.subjects[0].name == "man" and s.subjects[0].appearance == "An old man in a gray coat"
    assert s.setting == "in the park" and s.lighting == ["golden hour"] and s.mood == ["melancholic"] and s.style == ["film noir"]


def test_timings_are_read() -> None:
    beats = S.structure("(0-2 s: a bud opens), (2-4.5 s: a bee lands on the flower)").structure.beats
    assert [(b.start_s, b.end_s) for b in beats] == [(0.0, 2.0), (2.0, 4.5)]


def test_invented_fields_are_suggestions_not_values() -> None:
    s = S.structure("A dog runs across the field").structure
    assert s.lighting == [] and s.style == [] and s.camera.presets == []
    assert {x.field for x in s.suggestions} == {"camera", "shot_size", "lighting", "style"}


def test_contradictory_moves_are_warned() -> None:
    result = S.structure("Zoom in and then zoom out on a clock, pan left, pan right")
    assert "contradictory camera moves: pan_left and pan_right" in result.warnings
    assert "contradictory camera moves: zoom_in and zoom_out" in result.warnings


ROUND_TRIP = [
    "A woman with red hair walks along the beach at golden hour, then she turns to the camera and smiles. Slow push in, close-up, cinematic, no text",
    "An old man in a gray coat feeds pigeons in the park while children run past. Orbit around, wide shot, film noir, melancholic",
    "(0-2 s: a bud opens), (2-4 s: a bee lands on the flower). Macro shot, soft light",
    "A chef chops onions. Then he tosses them into a pan. Finally he smiles. Static camera, medium shot, warm light, without blur",
]


@pytest.mark.parametrize("family", ["generic", "timeline"])
@pytest.mark.parametrize("text", ROUND_TRIP)
def test_fields_survive_compile_and_parse(text: str, family: str) -> None:
    first = S.structure(text).structure
    again = S.structure(compile_prompt(first, family).text).structure
    assert again.camera.presets == first.camera.presets and again.camera.strength == first.camera.strength
    assert again.camera.shot_size == first.camera.shot_size
    assert [b.text.lower() for b in again.beats] == [b.text.lower() for b in first.beats]
    assert again.lighting == first.lighting and again.style == first.style and again.mood == first.mood
    assert again.negatives == first.negatives and again.setting == first.setting
    assert [x.name for x in again.subjects] == [x.name for x in first.subjects]


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty_input_is_a_clear_error(text) -> None:
    with pytest.raises(InvalidRequestError, match="prompt is empty"):
        S.structure(text)


def test_over_long_input_names_length_and_limit() -> None:
    with pytest.raises(InvalidRequestError, match="prompt is 2001 characters, the limit is 2000"):
        S.structure("a" * 2001)


@pytest.mark.parametrize("text", ["🚀🚀🚀", "<p></p>", "**__**", "<br/><hr>"])
def test_markup_or_symbols_only_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidRequestError, match="no words|empty"):
        S.structure(text)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("一只猫在屋顶上散步", "一只猫在屋顶上散步"),
        ("Un chat marche sur le toit, zoom in", "Un chat marche sur le toit"),
        ("🐱 a cat 🐱 walks on the roof 🌙", "walks on the roof"),
        ("<b>A cat</b> walks <i>on the roof</i>, [link](http://x) **bold**", "A cat walks on the roof"),
        ("# Title\n- a cat walks\n- then it sleeps", "a cat walks"),
        ("<script>alert(1)</script> a cat walks", "a cat walks"),
    ],
)
def test_non_english_emoji_and_markup_give_a_result(text: str, expect: str) -> None:
    result = S.structure(text)
    joined = " ".join(b.text for b in result.structure.beats)
    assert expect in joined and "<" not in joined and "**" not in joined
