"""Tokens, noun phrases and the left-to-right reading of one segment into subject + predicate.

A word the lexicon (``pos.py``) gives several classes is decided from its
neighbours: a verb form is the predicate when a complete noun phrase precedes
it, what follows fits a verb (an article, a preposition, an adverb, a particle,
a pronoun, the end) and the number agrees ("a pocket watch on": "watch" is a
noun, the verb would be "watches"); after an article, a possessive or an
adjective it is a noun ("the lead", "a steam locomotive"). An "-ing" word
before a noun describes it ("a sleeping baby"); after a noun phrase it is the
predicate unless a finite verb follows ("a woman wearing a red dress walks").
A past form without an auxiliary describes a noun ("motorcycles parked").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.prompting import pos
from studio.prompting.camera import Move

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*|[,:]")
_VERB_NEXT = pos.DETERMINERS | pos.PREPOSITIONS | pos.PARTICLES | pos.PRONOUNS | pos.POSSESSIVES | pos.NUMBERS | {
    "to", ",", ":", "and", "or", "but", "then", "while", "as"}  # fmt: skip
_SINGULAR = frozenset(("a", "an", "one", "this", "that", "each", "every"))
_PLURAL = frozenset(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several", "many", "few",
                     "these", "those", "both"))  # fmt: skip


@dataclass
class Token:
    text: str
    lower: str
    start: int  # character offsets in the text
    end: int


@dataclass
class NounPhrase:
    """Token range of a noun phrase (as far as its head), its head noun, and whether it names the camera."""

    start: int
    end: int
    heads: list[str] = field(default_factory=list)
    camera: bool = False
    pronoun: bool = False
    counted: bool = False  # "a herd of elephants": either number agrees


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words (with inner apostrophes and hyphens: "man's", "close-up", "0-3s"), commas and colons of ``text[start:end]``."""
    end = len(text) if end is None else end
    return [Token(m.group(0), m.group(0).lower().replace("’", "'"), m.start() + start, m.end() + start)
            for m in _TOKEN.finditer(text[start:end])]  # fmt: skip


def verb_fits(tokens: list[Token], index: int, phrase: NounPhrase | None, plural: bool = False) -> bool:
    """Whether a word that may be a noun or a verb is the verb here (see the module docstring).

    The verb's number must agree with the subject: a bare form ("play") needs a plural subject ("two robots
    play"), an "-s" form ("steams") a singular one ("a barista steams milk"). A bare object after the verb
    ("milk") is accepted only with that agreement; an article, preposition, adverb, particle, pronoun or the
    end after it is enough otherwise.
    """
    word = tokens[index].lower
    if not pos.is_noun_too(word):
        return True
    bare = word == pos.verb_root(word) and not word.endswith("s")
    number = _number(tokens, phrase, plural)
    agrees = number == ("plural" if bare else "singular")
    if number and not agrees and not (number == "plural" and not bare and word.endswith("ss")):
        return False
    following = tokens[index + 1].lower if index + 1 < len(tokens) else ""
    first = tokens[phrase.start].lower if phrase is not None else ""
    if not following or following in _VERB_NEXT or pos.is_adverb(following) or (agrees and first in _SINGULAR | _PLURAL):
        return True
    # a bare object ("steams milk") needs agreement; before another verb form it is a compound ("paint drops fall")
    return agrees and not (pos.verb_root(following) and not following.endswith("ing"))


def _number(tokens: list[Token], phrase: NounPhrase | None, plural: bool) -> str:
    """ "singular", "plural" or "" (unknown) for the subject ``phrase``."""
    if plural:
        return "plural"
    if phrase is None or not phrase.heads or phrase.counted:
        return ""
    head, first = phrase.heads[-1], tokens[phrase.start].lower
    if phrase.pronoun:
        return "singular" if head in ("he", "she", "it", "everyone", "everybody", "someone", "somebody") else "plural"
    if first in _PLURAL or head in pos.IRREGULAR_PLURALS or (head.endswith("s") and not head.endswith("ss")):
        return "plural"
    return "singular" if first in _SINGULAR or head.isalpha() else ""


def is_nominal(word: str) -> bool:
    return bool(re.match(r"^[^\W\d_][\w'-]*$", word)) and word not in pos.PRONOUNS and not pos.is_adverb(word)


def analyse(tokens: list[Token], start: int, end: int, moves: dict[int, Move], marks: set[int],
            plural: bool = False) -> tuple[NounPhrase | None, int | None]:  # fmt: skip
    """Subject noun phrase and predicate index of ``tokens[start:end]`` (either may be None).

    A camera move starting outside a prepositional phrase is a predicate. ``marks``: token indices of
    camera words (shot sizes, angles). ``plural``: the subject is the last of several joined by "and",
    so a bare verb form agrees with it.
    """
    return _Reader(tokens, start, end, moves, marks, plural).read()


class _Reader:
    """The state of one left-to-right reading: the subject so far, and whether we are inside a modifier."""

    def __init__(self, tokens: list[Token], start: int, end: int, moves: dict[int, Move], marks: set[int],
                 plural: bool) -> None:  # fmt: skip
        self.tokens, self.start, self.end, self.moves, self.marks, self.plural = tokens, start, end, moves, marks, plural
        self.phrase: NounPhrase | None = None
        self.local: NounPhrase | None = None  # the latest article's phrase: "a pocket watch" is no verb
        self.in_pp = self.in_object = self.replace_head = False
        self.ing: int | None = None

    def read(self) -> tuple[NounPhrase | None, int | None]:
        j = self.start
        while j < self.end:
            word = self.tokens[j].lower
            if j in self.moves and not (self.in_pp or self.in_object):
                return self.phrase, j
            if word in pos.CAMERA_NOUNS or j in self.marks:
                self._head(j, camera=True)
            elif word in pos.NUMBERS and self._word(j + 1) == "of":
                self._head(j, camera=False)  # "one of them", "thousands of particles": a quantity, read on
            elif word in pos.DETERMINERS or word in pos.NUMBERS or word in pos.POSSESSIVES or word.endswith("'s"):
                self._determiner(j)
            elif word == "to" and pos.verb_root(self._word(j + 1)):
                self.in_object, j = True, j + 1  # "to reveal the canyon": a purpose, not a predicate
            elif word in pos.PREPOSITIONS or (word in pos.PARTICLES and self.phrase is not None and self.phrase.heads):
                self._preposition(j)
            elif word in pos.PRONOUNS:
                if self.phrase is None and not self.in_pp:
                    self.phrase = NounPhrase(j, j + 1, heads=[word], pronoun=True)
            elif word in pos.AUXILIARIES and self.phrase is not None and not self.in_object:
                return self.phrase, j
            elif pos.verb_root(word) and not pos.is_participle(word):
                if (found := self._verb(j)) is not None:
                    return found
            elif pos.is_participle(word) or pos.is_adverb(word):
                pass
            elif self.phrase is not None and self.phrase.pronoun and not self.in_pp and is_nominal(word) and \
                    not pos.is_known(word) and j == self.phrase.end:  # fmt: skip
                return self.phrase, j  # "he mends a net": after a subject pronoun an unknown word is the verb
            elif self._unknown_verb(j):
                return self.phrase, j
            elif is_nominal(word) or re.match(r"^\d", word):
                self._head(j, camera=False)
            j += 1
        return self.phrase, self.ing

    def _unknown_verb(self, j: int) -> bool:
        """A word the lexicon lacks, with an "-s", right after "a/an/one ... noun" and before what follows a verb
        ("a massive wave curls over"): singular subject + "-s" form is a verb."""
        word, phrase, following = self.tokens[j].lower, self.phrase, self._word(j + 1)
        if phrase is None or not phrase.heads or phrase.pronoun or phrase.end != j or self.in_pp or self.in_object:
            return False
        if pos.is_known(word) or not word.endswith("s") or word.endswith(("ss", "us", "is")) or not is_nominal(word):
            return False
        return self.tokens[phrase.start].lower in _SINGULAR and (not following or following in _VERB_NEXT)

    def _word(self, index: int) -> str:
        return self.tokens[index].lower if self.start <= index < self.end else ""

    def _head(self, j: int, camera: bool) -> None:
        if self.phrase is None:
            self.phrase = NounPhrase(j, j + 1)
        if not (self.in_pp or self.in_object):
            self.replace_head = False
            self.phrase.heads, self.phrase.end = [self.tokens[j].lower], j + 1
            self.phrase.camera = camera

    def _determiner(self, j: int) -> None:
        word, phrase = self.tokens[j].lower, self.phrase
        inside = self.in_pp or self.in_object or self.replace_head
        if phrase is None or (phrase.heads and not inside and not word.endswith("'s") and self._word(j - 1) != "of"):
            self.phrase = NounPhrase(j, j + 1)  # a new phrase: what came before was a fragment ("Title a cat walks")
        self.local = NounPhrase(j, j + 1)
        if word.endswith("'s") and not (self.in_pp or self.in_object) and self.phrase is not None:
            self.phrase.heads, self.phrase.end = [], j + 1  # "an old man's hands": the head is yet to come

    def _preposition(self, j: int) -> None:
        word, phrase = self.tokens[j].lower, self.phrase
        if phrase is None and word == "of":
            return  # "of a cat yawning", left of "close-up of a cat yawning"
        if word == "of" and phrase and phrase.heads and not (self.in_pp or self.in_object) and (
                phrase.heads[-1] in pos.QUANTITY_NOUNS or phrase.camera):  # fmt: skip
            # "a herd of elephants", "close-up of a cat": the noun after "of" is the head
            self.replace_head = True
            if self._word(j + 1) not in pos.PRONOUNS:
                phrase.start = min(j + 1, self.end - 1)
            phrase.counted, phrase.camera = not phrase.camera, False
        else:
            self.in_pp = True

    def _verb(self, j: int) -> tuple[NounPhrase | None, int] | None:
        """(subject, predicate index) when the verb form at ``j`` is the predicate, else None (it was a noun)."""
        word, previous, following, phrase = self.tokens[j].lower, self._word(j - 1), self._word(j + 1), self.phrase
        nominal_place = (previous in pos.DETERMINERS or previous in pos.POSSESSIVES or previous.endswith("'s")
                         or pos.is_adjective(previous)
                         or (phrase is not None and not phrase.heads and previous != "of" and not phrase.pronoun
                             and j > phrase.start))  # fmt: skip
        if word.endswith("ing"):
            adjective = nominal_place or (is_nominal(following) and following not in pos.PREPOSITIONS
                                          and following not in pos.DETERMINERS and not pos.verb_root(following))  # fmt: skip
            if not adjective:
                if phrase is None:
                    return None, j
                self.ing = j if self.ing is None else self.ing
                self.in_object = True
                return None
        elif phrase is None and not self.in_pp:
            if verb_fits(self.tokens, j, None) or not following:
                return None, j
        elif not nominal_place and phrase is not None:
            # "repairing a pocket watch on": a bare form right inside "a ..." is that phrase's noun
            bare = word == pos.verb_root(word) and not word.endswith("s")
            compound = (self.in_object or self.in_pp) and self.local is not None and bare and \
                self.tokens[self.local.start].lower in _SINGULAR and pos.is_noun_too(word)  # fmt: skip
            if not compound and verb_fits(self.tokens, j, phrase, self.plural):
                return phrase, j
        self._head(j, camera=False)
        return None
