"""The optional prompt classifier: a local transformers text-classification model, used with the policy rules."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from studio.errors import PolicyFileError


class TransformersPromptClassifier:
    """Scores a text with a sequence-classification model (softmax over its labels, or sigmoid when multi-label)."""

    def __init__(self, model: torch.nn.Module, tokenizer: object, labels: dict[int, str], multi_label: bool) -> None:
        self._model = model.eval()
        self._tokenizer = tokenizer
        self._labels = labels
        self._multi_label = multi_label

    @classmethod
    def from_pretrained(cls, folder: Path) -> TransformersPromptClassifier:
        """Load from a local folder (never the Hub: a policy must not depend on a download).

        Raises:
            PolicyFileError: the folder is missing or holds no loadable classifier.
        """
        if not folder.is_dir():
            raise PolicyFileError(f"policy classifier folder not found: {folder}")
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(folder, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise PolicyFileError(f"policy classifier {folder} does not load: {exc}") from exc
        multi = model.config.problem_type == "multi_label_classification"
        return cls(model, tokenizer, dict(model.config.id2label), multi)

    def scores(self, text: str) -> dict[str, float]:
        inputs = self._tokenizer(text, return_tensors="pt", truncation=True, max_length=512)  # type: ignore[operator]
        with torch.inference_mode():
            logits = self._model(**inputs).logits[0].float()
        probs = torch.sigmoid(logits) if self._multi_label else torch.softmax(logits, dim=-1)
        return {self._labels[i]: float(p) for i, p in enumerate(probs)}
