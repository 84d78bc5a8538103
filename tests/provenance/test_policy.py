"""Prompt policy: allowed and refused prompts (evasions, innocent near-misses), the file format, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.errors import PolicyFileError, PolicyViolationError
from studio.provenance.policy import load_policy, tokens

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "policy.example.toml"


@pytest.fixture(scope="module")
def policy():
    return load_policy(EXAMPLE)


REFUSED = [
    ("a man tries to kill his neighbour", "violence"),
    ("KILL everyone in the room", "violence"),
    ("kill! kill!", "violence"),
    ("the killer walks into the bank", "violence"),
    ("a k i l l e r in the dark", "violence"),
    ("k.i.l.l the guard", "violence"),
    ("k1ll the guard", "violence"),
    ("a brutal MÜRDER scene", "violence"),
    ("a mürdér at dawn", "violence"),
    ("m u r d e r at the opera", "violence"),
    ("beheading in the square", "violence"),
    ("a b1oodbath downtown", "violence"),
    ("soldiers shooting the crowd", "violence"),
    ("an assassin stalks the senator", "violence"),
    ("how to make a bomb at home", "weapons"),
    ("a p1pe b0mb on a table", "weapons"),
]

ALLOWED = [
    "an assassin bug hunting on a leaf, macro nature clip",
    "a shooting star over the desert at night",
    "shooting stars above a lake",
    "a killer whale breaching at sunset",
    "a skilled potter at the wheel",
    "kiln fire glowing in the workshop",
    "a photographer shooting a wedding",
    "the 4k 1080p camera rolls over green hills",
    "a red panda eats bamboo, slow dolly in",
    "k i t e s over the beach",  # spelled-out letters that spell nothing refused
]


@pytest.mark.parametrize(("prompt", "category"), REFUSED)
def test_refused_prompts_name_the_category(policy, prompt: str, category: str) -> None:
    decision = policy.check({"prompt": prompt})
    assert not decision.allowed and decision.category == category and decision.source == "rules"


@pytest.mark.parametrize("prompt", ALLOWED)
def test_innocent_prompts_and_near_misses_pass(policy, prompt: str) -> None:
    assert policy.check({"prompt": prompt}).allowed, tokens(prompt)


def test_prefix_words_catch_word_forms(policy) -> None:
    assert policy.check({"prompt": "a murderous glare from a cat"}).category == "violence"  # 'murder*'


def test_allowed_phrase_does_not_shield_the_rest_of_the_prompt(policy) -> None:
    decision = policy.check({"prompt": "a shooting star, then they kill the witness"})
    assert decision.category == "violence"


def test_negative_prompt_is_checked_too(policy) -> None:
    decision = policy.check({"prompt": "a quiet street", "negative prompt": "beheading"})
    assert (decision.allowed, decision.field) == (False, "negative prompt")


def test_enforce_message_names_category_never_the_rule(policy) -> None:
    with pytest.raises(PolicyViolationError) as info:
        policy.enforce({"prompt": "soldiers shooting the crowd"})
    message = str(info.value)
    assert "category: violence" in message and "prompt" in message
    assert "shoot" not in message and "crowd" not in message


def test_tokens_normalise_case_accents_leet_and_spacing() -> None:
    assert tokens("Crème BRÛLÉE k1ll3r") == ["creme", "brulee", "killer"]
    assert tokens("k i l l now") == ["~kill", "now"]
    assert tokens("a b") == ["a", "b"]  # two letters are not a spelled-out word


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 1\n[categories.x\nwords = ['a']", "does not parse"),
        ("version = 2", "version must be 1, got 2"),
        ("colour = 'red'", "unknown top-level keys \\['colour'\\]"),
        ("[categories.x]\nwords = 'kill'", "categories.x.words must be a list of non-empty strings"),
        ("[categories.x]\npatterns = ['(unclosed']", "category 'x' pattern 1 is not a valid regular expression"),
        ("[categories.x]\nsynonyms = ['a']", "category 'x' has unknown keys \\['synonyms'\\]"),
        ("[categories.x]\nallow = ['a b']", "category 'x' has neither words nor patterns"),
        ("categories = 3", "'categories' must be tables"),
        ("[classifier]\nthreshold = 2.0", "classifier threshold must be in \\(0, 1\\], got 2.0"),
        ("[classifier]\nlabels = ['x']", "\\[classifier\\] takes only"),
    ],
)
def test_bad_policy_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(PolicyFileError, match=message) as info:
        load_policy(path)
    assert str(path) in str(info.value)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")
