from __future__ import annotations

import pytest

from studio.config import Settings
from studio.container import build_structurer
from studio.errors import InvalidRequestError
from studio.prompting.structurer import OfflineStructurer
from studio.ui.prompt_fields import fields_to_structure, structure_to_fields


def test_fields_round_trip_through_the_widgets() -> None:
    s = OfflineStructurer().structure("A fox trots through snow at dawn, then looks back. Slow push in, close-up, no text").structure
    again = fields_to_structure(*structure_to_fields(s))
    assert again.camera == s.camera and again.beats == [b.model_copy(update={"connective": ""}) for b in s.beats]
    assert again.lighting == s.lighting and again.negatives == s.negatives and again.setting == s.setting


@pytest.mark.parametrize(
    ("changes", "message"),
    [({1: [["later", None, "x"]]}, "beat 1 start must be a number"), ({4: ["spin"]}, "camera.presets.0"), ({5: 9.0}, "strength")],
)
def test_bad_field_values_are_named(changes: dict, message: str) -> None:
    values = ["", [], "", "", [], 1.0, "", "", "", "", "", "", ""]
    for index, value in changes.items():
        values[index] = value
    with pytest.raises(InvalidRequestError, match=message):
        fields_to_structure(*values)


def test_a_prompt_model_that_cannot_load_falls_back_to_offline(tmp_path) -> None:
    structurer = build_structurer(Settings(prompt_llm=str(tmp_path / "missing"), offline=True))
    assert isinstance(structurer, OfflineStructurer)
    assert isinstance(build_structurer(Settings()), OfflineStructurer)


def test_a_local_prompt_model_is_used(tmp_path) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from studio.engine.families.wan import _demo_tokenizer
    from studio.engine.prompt_llm import LLMStructurer

    torch.manual_seed(0)
    tokenizer = _demo_tokenizer()
    LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                 num_attention_heads=2, num_key_value_heads=2)).save_pretrained(tmp_path)  # fmt: skip
    tokenizer.save_pretrained(tmp_path)
    structurer = build_structurer(Settings(prompt_llm=str(tmp_path), offline=True))
    assert isinstance(structurer, LLMStructurer)
    structurer._max_new_tokens = 8
    assert structurer.structure("a boat on a lake").backend == "offline"  # random weights: unusable answer, fallback
