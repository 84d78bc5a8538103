"""The offline structurer on the prompt table (tuned and held-out parts), the issue's cases, rules, round trips and bad input."""

from __future__ import annotations

import contextlib
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from studio.errors import InvalidRequestError
from studio.motion.names import PRESET_NAMES
from studio.prompting.compilers import compile_prompt
from studio.prompting.structure import PromptStructure
from studio.prompting.structurer import OfflineStructurer

S = OfflineStructurer(max_chars=2000)
DATA = Path(__file__).parent / "data"
TUNED = json.loads((DATA / "prompts_tuned.json").read_text(encoding="utf-8"))
HELD_OUT = json.loads((DATA / "prompts_held_out.json").read_text(encoding="utf-8"))
FIELDS = ("subjects", "camera", "beats")


def _fields(text: str) -> dict[str, object]:
    s = S.structure(text).structure
    return {"subjects": sorted(x.name for x in s.subjects), "camera": sorted(s.camera.presets), "beats": len(s.beats)}


def _accuracy(rows: list[dict]) -> dict[str, float]:
    right: Counter[str] = Counter()
    for row in rows:
        got = _fields(row["text"])
        want = {"subjects": sorted(row["subjects"]), "camera": sorted(row["camera"]), "beats": row["beats"]}
        right.update(name for name in FIELDS if got[name] == want[name])
    return {name: right[name] / len(rows) for name in FIELDS} | {"all": sum(right.values()) / (3 * len(rows))}


def test_the_table_is_large_varied_and_well_formed() -> None:
    rows = TUNED + HELD_OUT
    assert len(rows) >= 100 and len(HELD_OUT) * 3 >= len(rows) - 2
    assert len({r["text"] for r in rows}) == len(rows)
    assert {r["kind"] for r in rows} >= {"people", "animals", "vehicles", "landscapes", "abstract"}
    assert all(set(r) == {"kind", "text", "subjects", "camera", "beats"} for r in rows)
    assert all(p in PRESET_NAMES for r in rows for p in r["camera"])
    assert sum(bool(r["camera"]) for r in rows) > 40 and sum(not r["camera"] for r in rows) > 30
    assert sum(any(c.isdigit() for c in r["text"]) for r in rows) >= 8  # timed prompts
    assert min(len(r["text"]) for r in rows) < 40 < 140 < max(len(r["text"]) for r in rows)


def test_tuned_table_accuracy() -> None:
    accuracy = _accuracy(TUNED)
    assert accuracy["all"] >= 0.97, accuracy
    assert min(accuracy[name] for name in FIELDS) >= 0.93, accuracy


def test_held_out_accuracy_floor() -> None:
    """Measured 0.93 (benchmarks/prompts.py); the floor leaves room for rule changes tuned elsewhere."""
    accuracy = _accuracy(HELD_OUT)
    assert accuracy["all"] >= 0.88, accuracy
    assert min(accuracy[name] for name in FIELDS) >= 0.8, accuracy


def test_issue_drone_shot_rises_and_tilts() -> None:
    s = S.structure("Drone shot flying over a misty pine forest at sunrise, camera slowly rises and tilts down").structure
    assert [x.name for x in s.subjects] == ["forest"] and s.subjects[0].appearance == "a misty pine forest"
    assert s.camera.presets == ["crane_up", "tilt_down"] and s.camera.strength == 0.5 and s.beats == []
    assert s.camera.angle == "drone shot" and "sunrise" in s.lighting


def test_issue_close_up_of_hands_then_he_looks_up_and_smiles() -> None:
    s = S.structure("close-up of an old man's hands repairing a pocket watch on a wooden workbench; then he looks up "
                    "and smiles").structure  # fmt: skip
    assert [x.name for x in s.subjects] == ["hands"] and s.subjects[0].appearance == "an old man's hands"
    assert [b.text for b in s.beats] == ["an old man's hands repairing a pocket watch on a wooden workbench",
                                         "he looks up", "smiles"]  # fmt: skip
    assert s.beats[1].connective == "then" and s.camera.shot_size == "close-up" and s.camera.presets == []


def test_issue_girl_on_a_bicycle() -> None:
    s = S.structure("anime style: a girl on a bicycle rides down a hill past cherry blossom trees").structure
    assert [(x.name, x.appearance) for x in s.subjects] == [("girl", "a girl on a bicycle")]
    assert s.setting != "on a bicycle" and s.style == ["anime"] and len(s.beats) == 1


def test_issue_zoom_out_while_orbiting_with_timed_beats() -> None:
    s = S.structure("zoom out while orbiting left around a red sports car in a parking garage, 0-3s car idle, "
                    "3-6s headlights turn on").structure  # fmt: skip
    assert s.camera.presets == ["zoom_out", "orbit_left"] and [x.name for x in s.subjects] == ["car"]
    assert [(b.text, b.start_s, b.end_s) for b in s.beats] == [("car idle", 0, 3), ("headlights turn on", 3, 6)]


@pytest.mark.parametrize(
    ("text", "presets"),
    [
        ("The camera tracks left past a fence", ["truck_left"]),
        ("the camera follows him right", ["truck_right"]),
        ("a tracking shot of a runner", ["truck_right"]),
        ("the camera follows from behind", ["dolly_in"]),
        ("the camera pushes in on a face", ["dolly_in"]),
        ("the camera pulls back from the table", ["dolly_out"]),
        ("the camera rises over the roofs", ["crane_up"]),
        ("camera cranes up", ["crane_up"]),
        ("the camera descends to the street", ["crane_down"]),
        ("pan from left to right across a bay", ["pan_right"]),
        ("pan from right to left across a bay", ["pan_left"]),
        ("the camera rolls counterclockwise", ["roll_ccw"]),
        ("roll clockwise", ["roll_cw"]),
        ("the camera orbits clockwise around a tree", ["orbit_left"]),
        ("a slow zoom into a keyhole", ["zoom_in"]),
        ("static camera, slow zoom in, pan left", ["static"]),
        ("the sun rises over the sea", []),
        ("sparks rise from a fire", []),
        ("the dog tilts its head", []),
        ("a ball rolls across the floor", []),
        ("a woman pulls back her hair", []),
        ("a pickup truck on a road", []),
        ("a bird flying over a lake", []),
        ("a cat sleeps, no zoom, no pan", []),
        ("the camera pans right to follow the bus", ["pan_right"]),
        ("dolly zoom on a face", ["dolly_in", "zoom_out"]),
    ],
)
def test_camera_moves_named_once_with_directions(text: str, presets: list[str]) -> None:
    assert S.structure(text).structure.camera.presets == presets


@pytest.mark.parametrize(
    ("text", "strength"),
    [("slow push in", 0.5), ("whip pan to a door", 2.0), ("360 shot of a statue", 3.0), ("rapid zoom in", 1.8),
     ("zoom in slowly", 0.5), ("fly-through of a cave", 1.5), ("crash zoom on a face", 2.0), ("pan left", 1.0)],
)  # fmt: skip
def test_speed_words_and_terms_set_strength(text: str, strength: float) -> None:
    assert S.structure(text).structure.camera.strength == pytest.approx(strength)


@pytest.mark.parametrize(
    ("text", "beats"),
    [
        ("A gymnast jumps, flips, and lands on the mat", ["A gymnast jumps", "flips", "lands on the mat"]),
        ("A cabin in the woods, warm, soft light", []),
        ("A chef chops onions; he tosses them into a pan", ["A chef chops onions", "he tosses them into a pan"]),
        ("A dog runs after that it sleeps", ["A dog runs", "it sleeps"]),
        ("A cat and a dog play with a ball and a rope", ["A cat and a dog play with a ball and a rope"]),
        ("A jellyfish pulses through the water, glowing softly", ["A jellyfish pulses through the water, glowing softly"]),
        ("A row of motorcycles parked outside a diner", []),
        ("0-2s a door opens, 2-4s a dog runs in", ["a door opens", "a dog runs in"]),
        ("A barista steams milk and pours it", ["A barista steams milk", "pours it"]),  # agreement, bare object
        ("Two robots play chess; one of them wins", ["Two robots play chess", "one of them wins"]),
        ("Colorful paint drops fall into water", ["Colorful paint drops fall into water"]),  # a compound subject
        ("he mends a net, then she zigzags away", ["he mends a net", "she zigzags away"]),  # unknown verb after a pronoun
        ("A kite zigzags across the sky", ["A kite zigzags across the sky"]),  # unknown "-s" verb after "a ... noun"
        ("A bowl of ramen steaming on a counter", ["A bowl of ramen steaming on a counter"]),
    ],
)
def test_beats_split_at_connectives_timing_and_verb_lists_only(text: str, beats: list[str]) -> None:
    assert [b.text for b in S.structure(text).structure.beats] == beats


@pytest.mark.parametrize(
    ("text", "subjects"),
    [("Two kids build a sandcastle", ["kids"]), ("A cat and a dog sleep on a sofa", ["cat", "dog"]),
     ("A herd of elephants crosses a river", ["elephants"]), ("Slowly, a fox walks", ["fox"]),
     ("Close-up of a cat", ["cat"]), ("The camera orbits a statue", ["statue"]), ("He waves, then a dog barks", ["dog"])],
)  # fmt: skip
def test_subjects_are_head_nouns(text: str, subjects: list[str]) -> None:
    assert [x.name for x in S.structure(text).structure.subjects] == subjects


@pytest.mark.parametrize(
    ("text", "shot", "negatives"),
    [("Extreme close-up of an eye blinking, without blur", "extreme close-up", ["blur"]),
     ("Aerial shot of a coastline, 4k, no text, no watermark", "", ["text", "watermark"]),
     ("A kitten plays with yarn. Avoid: blurry, low quality", "", ["blurry", "low quality"]),
     ("Medium shot, a barista pours latte art, soft light", "medium shot", [])],
)  # fmt: skip
def test_shot_size_and_negatives(text: str, shot: str, negatives: list[str]) -> None:
    s = S.structure(text).structure
    assert s.camera.shot_size == shot and s.negatives == negatives


@pytest.mark.parametrize(
    ("text", "setting"),
    [("A fox trots through snow at dawn", "through snow"), ("Camera pushes in on a chess board as a hand moves the queen", ""),
     ("a cat sits on a windowsill watching the rain", "on a windowsill"), ("lights turn on one by one", "")],
)  # fmt: skip
def test_setting_is_a_place_phrase_after_an_action(text: str, setting: str) -> None:
    assert S.structure(text).structure.setting == setting


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


@pytest.mark.parametrize(
    "text",
    ["jumps it while : dolly rises pans follows right pull tracks a pull dolly right and close-up an of sun ( jumps",
     "of", "a of", "close-up of", "the camera", ", , and and then ;", "0-3s", "(0-2 s: )", "herd of", "'s 's",
     "Camera: Subject: style:", "anime style:", "at 3s at 4s at 5s", "a man's", "to to to the"],
)  # fmt: skip
def test_odd_fragments_never_crash(text: str) -> None:
    try:
        result = S.structure(text)
    except InvalidRequestError:
        return
    assert result.structure.model_dump_json()


_SALAD = ("a", "the", "camera", "pans", "left", "right", "and", "then", "while", ",", ";", ".", "0-3s", "at", "3s", "zoom",
          "in", "out", "dog", "cat", "runs", "jumps", "of", "over", "slowly", "static", "shot", "close-up", "(", ")", ":",
          "no", "tracks", "follows", "rises", "sun", "his", "'s", "it", "to", "from", "orbit", "around", "dolly", "push",
          "pull", "back", "herd", "style:", "Camera:", "一只猫", "chat")  # fmt: skip


def test_random_word_salad_gives_a_valid_structure_or_a_clear_error() -> None:
    generator, structured = random.Random(7), 0
    for _ in range(400):
        text = " ".join(generator.choice(_SALAD) for _ in range(generator.randint(1, 20)))
        with contextlib.suppress(InvalidRequestError):
            structured += bool(PromptStructure.model_validate_json(S.structure(text).structure.model_dump_json()))
    assert structured > 350
