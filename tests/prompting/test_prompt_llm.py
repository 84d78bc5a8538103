"""The language-model structurer's plumbing, on a tiny random causal LM built in code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from studio.engine.families.wan import _demo_tokenizer
from studio.engine.prompt_llm import LLMStructurer, answer_schema, first_json_object
from studio.errors import InvalidRequestError
from studio.motion.names import PRESET_NAMES


@pytest.fixture(scope="module")
def tiny_llm() -> LLMStructurer:
    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                         num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                                         max_position_embeddings=2048, pad_token_id=0, eos_token_id=1))  # fmt: skip
    return LLMStructurer(model.eval(), tokenizer, name="tiny-random", max_new_tokens=12)


def test_random_model_output_falls_back_to_the_offline_structurer(tiny_llm: LLMStructurer) -> None:
    result = tiny_llm.structure("a fox runs through snow, slow push in")
    assert result.backend == "offline"
    assert any("language model's answer was unusable" in w for w in result.warnings)
    assert result.structure.camera.presets == ["dolly_in"]  # the offline structurer's work


def test_valid_json_from_the_model_is_validated_and_used(tiny_llm: LLMStructurer, monkeypatch) -> None:
    answer = {"subjects": [{"name": "fox", "appearance": "a red fox"}], "beats": [{"text": "a red fox runs"}],
              "setting": "in deep snow", "camera": {"move": "orbit", "presets": ["orbit_left", "orbit_right"]},
              "lighting": ["dawn"], "style": [], "mood": [], "negatives": ["blur"]}  # fmt: skip
    monkeypatch.setattr(tiny_llm, "generate", lambda prompt: "Sure! " + json.dumps(answer) + " Hope it helps {")
    result = tiny_llm.structure("a fox in snow")
    assert result.backend == "llm:tiny-random" and result.structure.setting == "in deep snow"
    assert "contradictory camera moves: orbit_left and orbit_right" in result.warnings
    assert any(s.field == "style" for s in result.structure.suggestions)


@pytest.mark.parametrize(
    "answer",
    ['{"subjects": "not a list"}', '{"camera": {"presets": ["spin"]}}', "no json here", '{"beats": [{"text": 1', '{"x": 1}'],
)
def test_invalid_answers_fall_back(tiny_llm: LLMStructurer, monkeypatch, answer: str) -> None:
    monkeypatch.setattr(tiny_llm, "generate", lambda prompt: answer)
    result = tiny_llm.structure("a boat on a lake")
    assert result.backend == "offline" and "unusable" in result.warnings[-1]


def test_bad_input_is_refused_before_the_model_runs(tiny_llm: LLMStructurer, monkeypatch) -> None:
    monkeypatch.setattr(tiny_llm, "generate", lambda prompt: pytest.fail("the model must not run"))
    with pytest.raises(InvalidRequestError, match="empty"):
        tiny_llm.structure("   ")


def test_first_json_object_handles_strings_and_nesting() -> None:
    assert first_json_object('x {"a": "}{", "b": {"c": 1}} y {"d": 2}') == {"a": "}{", "b": {"c": 1}}
    with pytest.raises(ValueError, match="no JSON"):
        first_json_object("nothing")


def test_instruction_carries_the_schema_generated_from_the_model(tiny_llm: LLMStructurer) -> None:
    prompt = tiny_llm.prompt_text("a fox in snow")
    schema = json.loads(prompt.split("Schema: ", 1)[1].split("\nIdea:", 1)[0])
    assert schema == answer_schema() and "suggestions" not in schema["properties"]
    assert tuple(schema["$defs"]["Camera"]["properties"]["presets"]["items"]["enum"]) == PRESET_NAMES
    assert prompt.endswith("Idea: a fox in snow\nJSON:")


def test_chat_template_wraps_the_instruction_when_the_tokenizer_has_one(tiny_llm: LLMStructurer, monkeypatch) -> None:
    seen: list[list[dict]] = []

    class ChatTokenizer:
        chat_template = "{{ messages }}"

        def apply_chat_template(self, messages, tokenize, add_generation_prompt):  # noqa: ANN001, ANN202
            assert tokenize is False and add_generation_prompt is True
            seen.append(messages)
            return "<|user|>" + messages[0]["content"] + "<|assistant|>"

    monkeypatch.setattr(tiny_llm, "_tokenizer", ChatTokenizer())
    text = tiny_llm.prompt_text("a boat")
    assert text.startswith("<|user|>Turn the video idea") and text.endswith("<|assistant|>")
    assert seen[0][0]["role"] == "user" and "Idea: a boat" in seen[0][0]["content"]


def test_the_documented_schema_is_the_generated_one() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "prompting.md").read_text(encoding="utf-8")
    block = doc.split("<!-- answer-schema -->", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    assert json.loads(block) == answer_schema()
