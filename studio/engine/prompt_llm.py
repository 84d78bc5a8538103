"""A local instruction model behind the ``Structurer`` interface (transformers).

The model is asked for one JSON object in the schema of ``answer_schema()``
(generated from ``PromptStructure``, in the model's chat template when its
tokenizer has one); the first ``{...}`` of its answer is parsed and validated. Anything else (no JSON,
invalid JSON, fields that break the schema, a generation error) falls back to
the offline structurer, and the reason is returned as a warning. Generation is
greedy, so the same text gives the same structure.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError

from studio.prompting.structure import PromptStructure, StructureResult
from studio.prompting.structurer import OfflineStructurer, contradictions, suggestions_for
from studio.prompting.text import clean

logger = logging.getLogger(__name__)



def answer_schema() -> dict[str, Any]:
    """The JSON schema the model must answer: ``PromptStructure``'s, without ``suggestions`` (the studio adds those)."""
    schema = PromptStructure.model_json_schema()
    schema["properties"].pop("suggestions", None)
    schema.get("$defs", {}).pop("Suggestion", None)
    return schema


_INSTRUCTION = (
    "Turn the video idea into one JSON object that follows this JSON schema. subjects: the main subjects (name = the "
    "head noun, appearance = the words describing it); beats: one per action, in order, with start_s/end_s only when "
    "the idea gives times; camera.presets: only the camera moves the idea names. Answer with the JSON object only.\n"
    "Schema: " + json.dumps(answer_schema(), separators=(",", ":")) + "\nIdea: {idea}\nJSON:"
)


def first_json_object(text: str) -> dict[str, Any]:
    """The first balanced ``{...}`` in ``text``, parsed.

    Raises:
        ValueError: there is none, or it is not valid JSON.
    """
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object in the model's answer")
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return json.loads(text[start : index + 1])
    raise ValueError("the model's JSON object is not closed")


class LLMStructurer:
    """Structures prompts with a causal language model; falls back to ``OfflineStructurer``."""

    def __init__(self, model: Any, tokenizer: Any, *, name: str = "local", max_new_tokens: int = 512,
                 fallback: OfflineStructurer | None = None) -> None:  # fmt: skip
        self._model = model
        self._tokenizer = tokenizer
        self._name = name
        self._max_new_tokens = max_new_tokens
        self._fallback = fallback or OfflineStructurer()

    @classmethod
    def from_pretrained(cls, source: str, *, offline: bool = True, max_new_tokens: int = 512,
                        fallback: OfflineStructurer | None = None) -> LLMStructurer:  # fmt: skip
        """Load a local folder or hub id (``local_files_only`` when offline)."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
        model = AutoModelForCausalLM.from_pretrained(source, local_files_only=offline)
        model.eval()
        return cls(model, tokenizer, name=source, max_new_tokens=max_new_tokens, fallback=fallback)

    def prompt_text(self, idea: str) -> str:
        """The instruction for ``idea``, in the tokenizer's chat template when it has one (instruction-tuned models)."""
        instruction = _INSTRUCTION.replace("{idea}", idea)
        if getattr(self._tokenizer, "chat_template", None):
            return str(self._tokenizer.apply_chat_template([{"role": "user", "content": instruction}], tokenize=False,
                                                           add_generation_prompt=True))  # fmt: skip
        return instruction

    def generate(self, prompt: str) -> str:
        import torch

        inputs = self._tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            output = self._model.generate(**inputs, max_new_tokens=self._max_new_tokens, do_sample=False,
                                          pad_token_id=self._tokenizer.pad_token_id or self._tokenizer.eos_token_id)  # fmt: skip
        return self._tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)

    def structure(self, text: str) -> StructureResult:
        """Structure ``text`` with the model, or with the offline structurer when the model's answer is unusable.

        Raises:
            InvalidRequestError: empty, over-long or markup-only text (checked before the model runs).
        """
        idea = clean(text, self._fallback.max_chars)
        try:
            answer = self.generate(self.prompt_text(idea))
            structure = PromptStructure.model_validate(first_json_object(answer))
        except (ValueError, ValidationError, RuntimeError) as exc:
            reason = str(exc).splitlines()[0][:200]
            logger.info("language model structurer fell back: %s", reason)
            result = self._fallback.structure(text)
            result.warnings.append(f"the language model's answer was unusable ({reason}); used the offline structurer")
            return result
        structure.suggestions = suggestions_for(structure)
        return StructureResult(structure=structure, warnings=contradictions(list(structure.camera.presets)),
                               backend=f"llm:{self._name}")  # fmt: skip
