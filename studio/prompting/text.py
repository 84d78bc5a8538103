"""Text helpers of the structurer: clean-up and lexicon matching."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from studio.errors import InvalidRequestError

_TAG = re.compile(r"<[^>]{0,200}>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"[*_`#>~|]+")
_SPACE = re.compile(r"\s+")


def clean(text: str | None, max_chars: int) -> str:
    """Markup-free, whitespace-normalised text.

    Raises:
        InvalidRequestError: empty, over ``max_chars``, or no words left after removing markup.
    """
    if text is None or not text.strip():
        raise InvalidRequestError("prompt is empty: describe the video in a few words")
    if len(text) > max_chars:
        raise InvalidRequestError(f"prompt is {len(text)} characters, the limit is {max_chars}")
    text = html.unescape(_TAG.sub(" ", text))
    text = _MD_MARKS.sub(" ", _MD_LINK.sub(r"\1", text))
    text = _SPACE.sub(" ", text).strip()
    if not re.search(r"\w", text):
        raise InvalidRequestError("prompt has no words once markup and symbols are removed")
    return text


def find_terms(text: str, terms: Iterable[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping case-insensitive whole-word matches in text order; where terms overlap, the longest wins."""
    pattern, by_lower = _terms_pattern(tuple(sorted(set(terms))))
    return [(m.start(), m.end(), by_lower[m.group(0).lower()]) for m in pattern.finditer(text)]


@lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    ordered = sorted(terms, key=len, reverse=True)
    alternatives = "|".join(re.escape(t) for t in ordered)
    return re.compile(rf"(?i)(?<![\w-])(?:{alternatives})(?![\w-])"), {t.lower(): t for t in ordered}


def remove_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        if start >= last:
            out.append(text[last:start])
            last = end
    out.append(text[last:])
    return tidy("".join(out))


def tidy(text: str) -> str:
    """Collapse spaces and stray punctuation left by removals."""
    text = re.sub(r"\s+([,.;:!?])", r"\1", _SPACE.sub(" ", text))
    text = re.sub(r"([,;:])(\s*[,;:])+", r"\1", text)
    return text.strip(" ,;:-").strip()


_DANGLING = re.compile(r"(?i)(?:\s+\b(?:at|in|on|of|with|and|by|during|under|from|to|the|a|an)\b)+\s*$")


def trim_dangling(text: str) -> str:
    """Drop prepositions and articles left at the end of a clause by removals ("walks along the beach at")."""
    return _DANGLING.sub("", text).strip(" ,;:-")


def words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text)
