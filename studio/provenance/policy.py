"""The operator's prompt policy: categories of words, phrases and regular expressions.

The file format (TOML) is documented in ``docs/provenance.md``. Matching works on
*normalised tokens*, so it is word-boundary aware ("skill" never matches "kill")
and ignores case, accents (Unicode NFKD, marks dropped), cheap leetspeak
("k1ll", "@ss") and letter-by-letter spacing ("k i l l", "k.i.l.l"). Allowed
phrases ("assassin bug", "shooting star") are masked before the rules run.

A refusal names the category, never the rule that matched: the rule text would
teach users how to step around it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import tomllib

from studio.errors import PolicyFileError, PolicyViolationError

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
                       "!": "i", "|": "l", "+": "t"})  # fmt: skip
_TOKEN = re.compile(r"[\w@$!|+]+")
_MIN_SPACED_RUN = 3  # "k i l l": at least this many one-letter tokens in a row are read as one word
_CATEGORY_KEYS = {"words", "patterns", "allow"}
_CLASSIFIER_KEYS = {"refuse_labels", "threshold"}


def normalize(text: str) -> str:
    """Case-folded text without accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> list[str]:
    """Normalised words with leetspeak undone; a run of single letters ("k i l l") becomes one word, marked by a
    leading ``~`` so that rules can look for words spelled out inside it."""
    # '!', '|' and '+' read as letters inside a word only ("k!ll"); at its ends they are punctuation ("kill!")
    words = [re.sub(r"[^\w]", "", t.strip("!|+").translate(_LEET)) for t in _TOKEN.findall(normalize(text))]
    words = [w for w in words if w]
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        joined.extend(["~" + "".join(run)] if len(run) >= _MIN_SPACED_RUN else run)
        run = []
        if word:
            joined.append(word)
    return joined


def _skeleton(word: str) -> str:
    """'1' and '|' read as 'i' or 'l' ("b1ood", "k1ll"): words are compared with 'l' folded into 'i' on both sides."""
    return word.replace("l", "i")


@dataclass(frozen=True)
class _Phrase:
    """A word or phrase of the policy file: one pattern per token; ``*`` at a token's end matches any ending."""

    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> _Phrase:
        prefix = [p.endswith("*") for p in text.split()]
        parts = tokens(text.replace("*", " "))
        return cls(tuple(_skeleton(p) + ("*" if i < len(prefix) and prefix[i] else "") for i, p in enumerate(parts)))

    @staticmethod
    def _token_matches(part: str, word: str) -> bool:
        word = _skeleton(word)
        return word.startswith(part[:-1]) if part.endswith("*") else word == part

    def spans(self, words: Sequence[str]) -> list[tuple[int, int]]:
        n = len(self.parts)
        return [(i, i + n) for i in range(len(words) - n + 1)
                if all(self._token_matches(p, w) for p, w in zip(self.parts, words[i:i + n], strict=True))]  # fmt: skip

    def spelled_in(self, words: Sequence[str]) -> bool:
        """A single word spelled out letter by letter hides inside a joined run ("~akill" from "a k i l l")."""
        core = self.parts[0].rstrip("*") if len(self.parts) == 1 else ""
        return len(core) >= _MIN_SPACED_RUN and any(w.startswith("~") and core in _skeleton(w) for w in words)


@dataclass(frozen=True)
class Category:
    name: str
    words: tuple[_Phrase, ...]
    patterns: tuple[re.Pattern[str], ...]
    allow: tuple[_Phrase, ...]


@dataclass(frozen=True)
class PolicyDecision:
    """The outcome of a check. ``category`` and ``field`` are set when refused; never the rule."""

    allowed: bool
    category: str | None = None
    field: str | None = None
    source: Literal["rules", "classifier"] | None = None


class PromptClassifier(Protocol):
    """A text classifier used in addition to the rules (``engine/policy_classifier.py``)."""

    def scores(self, text: str) -> dict[str, float]:
        """Probability per label for ``text``."""


@dataclass(frozen=True)
class ClassifierRule:
    refuse_labels: tuple[str, ...] = ("unsafe", "toxic", "nsfw")
    threshold: float = 0.5


@dataclass
class PromptPolicy:
    """Rules from a policy file plus an optional classifier; ``check`` answers, ``enforce`` refuses."""

    categories: tuple[Category, ...] = ()
    allow: tuple[_Phrase, ...] = ()
    classifier_rule: ClassifierRule = field(default_factory=ClassifierRule)
    classifier: PromptClassifier | None = None
    digest: str = "none"  # sha256 of the policy file, recorded with every job

    def check(self, texts: dict[str, str]) -> PolicyDecision:
        """Check each named text (``{"prompt": ..., "negative prompt": ...}``); the first refusal wins."""
        for name, text in texts.items():
            if not text.strip():
                continue
            category = self._rule_category(text)
            if category is not None:
                return PolicyDecision(False, category, name, "rules")
            if self.classifier is not None:
                for label, score in self.classifier.scores(text).items():
                    if label in self.classifier_rule.refuse_labels and score >= self.classifier_rule.threshold:
                        return PolicyDecision(False, label, name, "classifier")
        return PolicyDecision(True)

    def enforce(self, texts: dict[str, str]) -> PolicyDecision:
        """Like ``check``, but a refusal raises.

        Raises:
            PolicyViolationError: naming the field and the category.
        """
        decision = self.check(texts)
        if not decision.allowed:
            raise PolicyViolationError(
                f"the {decision.field} was refused by this studio's content policy (category: {decision.category}); "
                "nothing was queued"
            )
        return decision

    def _rule_category(self, text: str) -> str | None:
        words = tokens(text)
        for category in self.categories:
            masked = list(words)
            for phrase in (*self.allow, *category.allow):
                for start, end in phrase.spans(masked):
                    masked[start:end] = [""] * (end - start)
            if any(phrase.spans(masked) or phrase.spelled_in(masked) for phrase in category.words):
                return category.name
            normalized = " ".join(w.lstrip("~") for w in masked if w)
            if any(p.search(normalized) for p in category.patterns):
                return category.name
        return None


def load_policy(path: Path) -> PromptPolicy:
    """Read and compile a policy file (TOML; format in ``docs/provenance.md``).

    Raises:
        PolicyFileError: the file is missing, is not TOML, or a key, list or regular expression is wrong
            (the message names the file, the category and the problem).
    """
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise PolicyFileError(f"policy file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyFileError(f"policy file {path} does not parse: {exc}") from exc
    unknown = set(data) - {"version", "allow", "categories", "classifier"}
    if unknown:
        raise PolicyFileError(f"policy file {path}: unknown top-level keys {sorted(unknown)}")
    if data.get("version", 1) != 1:
        raise PolicyFileError(f"policy file {path}: version must be 1, got {data.get('version')!r}")
    categories = data.get("categories", {})
    if not isinstance(categories, dict) or not all(isinstance(v, dict) for v in categories.values()):
        raise PolicyFileError(f"policy file {path}: 'categories' must be tables like [categories.violence]")
    return PromptPolicy(
        categories=tuple(_category(path, name, table) for name, table in categories.items()),
        allow=tuple(_Phrase.parse(w) for w in _strings(path, "allow", data.get("allow", []))),
        classifier_rule=_classifier_rule(path, data.get("classifier", {})),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _strings(path: Path, where: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyFileError(f"policy file {path}: {where} must be a list of non-empty strings, got {value!r}")
    return value


def _category(path: Path, name: str, table: dict) -> Category:
    unknown = set(table) - _CATEGORY_KEYS
    if unknown:
        raise PolicyFileError(f"policy file {path}: category {name!r} has unknown keys {sorted(unknown)}")
    patterns = []
    for index, pattern in enumerate(_strings(path, f"categories.{name}.patterns", table.get("patterns", []))):
        try:
            patterns.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise PolicyFileError(f"policy file {path}: category {name!r} pattern {index + 1} is not a valid regular expression: {exc}") from exc
    words = tuple(_Phrase.parse(w) for w in _strings(path, f"categories.{name}.words", table.get("words", [])))
    if not words and not patterns:
        raise PolicyFileError(f"policy file {path}: category {name!r} has neither words nor patterns")
    allow = tuple(_Phrase.parse(w) for w in _strings(path, f"categories.{name}.allow", table.get("allow", [])))
    return Category(name, words, tuple(patterns), allow)


def _classifier_rule(path: Path, table: object) -> ClassifierRule:
    if not isinstance(table, dict) or set(table) - _CLASSIFIER_KEYS:
        raise PolicyFileError(f"policy file {path}: [classifier] takes only {sorted(_CLASSIFIER_KEYS)}, got {table!r}")
    threshold = table.get("threshold", ClassifierRule.threshold)
    if not isinstance(threshold, (int, float)) or not 0.0 < threshold <= 1.0:
        raise PolicyFileError(f"policy file {path}: classifier threshold must be in (0, 1], got {threshold!r}")
    labels = _strings(path, "classifier.refuse_labels", table.get("refuse_labels", list(ClassifierRule.refuse_labels)))
    return ClassifierRule(tuple(labels), float(threshold))
