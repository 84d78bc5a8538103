"""The classifier hook: a tiny BERT classifier built and trained in code, used in addition to the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.config import Settings
from studio.errors import PolicyFileError
from studio.jobs.policy_gate import policy_for

TOXIC = ["a vile cruel attack on the village", "cruel vile torture", "they attack the cruel prisoners"]
SAFE = ["a calm lake at dawn", "a fox in the snow", "children play in a sunny park"]


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = pytest.importorskip("torch")
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    folder = tmp_path_factory.mktemp("classifier")
    words = sorted({w for text in TOXIC + SAFE for w in text.split()} | {"unseen", "words"})
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]))
    tokenizer = BertTokenizer(str(folder / "vocab.txt"))
    config = BertConfig(vocab_size=len(words) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, id2label={0: "safe", 1: "toxic"},
                        label2id={"safe": 0, "toxic": 1})  # fmt: skip
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    batch = tokenizer(TOXIC + SAFE, return_tensors="pt", padding=True)
    labels = torch.tensor([1] * len(TOXIC) + [0] * len(SAFE))
    for _ in range(40):  # a few steps: enough for a tiny model to separate the two sets
        loss = model(**batch, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_classifier_refuses_what_the_rules_let_through(tmp_path: Path, classifier_dir: Path) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text("[categories.violence]\nwords = ['kill*']\n[classifier]\nrefuse_labels = ['toxic']\nthreshold = 0.7\n")
    policy = policy_for(Settings(policy_file=policy_file, policy_classifier=classifier_dir))
    decision = policy.check({"prompt": "cruel vile attack"})
    assert (decision.allowed, decision.category, decision.source) == (False, "toxic", "classifier")
    assert policy.check({"prompt": "a calm fox in the park"}).allowed
    assert policy.check({"prompt": "kill"}).source == "rules"  # rules first
    scores = policy.classifier.scores("a calm lake")  # type: ignore[union-attr]
    assert set(scores) == {"safe", "toxic"} and abs(sum(scores.values()) - 1.0) < 1e-5


def test_classifier_without_a_policy_file_uses_default_labels(classifier_dir: Path) -> None:
    policy = policy_for(Settings(policy_classifier=classifier_dir))
    assert policy.check({"prompt": "vile cruel torture"}).category == "toxic"


def test_missing_or_broken_classifier_folder(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="policy classifier folder not found"):
        policy_for(Settings(policy_classifier=tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(PolicyFileError, match="does not load"):
        policy_for(Settings(policy_classifier=tmp_path / "empty"))
