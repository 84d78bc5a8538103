"""Shallow parse of a prompt into clauses: units (cut at timing marks, connectives, sentence ends), segments (cut
at commas and "and" / "or" / "but"), each read by ``phrases.analyse`` into subject + predicate.

- a segment that starts with a verb continues the previous clause's subject ("jumps, flips, and lands"), and a
  trailing "-ing" segment after a comma belongs to the clause before it ("pulses, glowing softly");
- camera moves (``camera.py``) are the camera's when the clause's subject is the camera, when it has no subject
  of its own and the move is a film term or nothing else is the subject, or when the move is used as a noun
  ("slow push in"); the noun phrase after the move is its focus ("orbits around a car"), and a verb that focus
  does is an action of its own ("pull back from a girl reading a book");
- noun phrases joined by "and" are joined ("a cat and a dog sleep", "dolly back from a bride and groom");
- a timed unit is always an action, and so is a segment with no word of the lexicon ("Un chat marche ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studio.prompting import pos
from studio.prompting.camera import Move, find_moves
from studio.prompting.phrases import NounPhrase, Token, analyse, tokenize

_RANGE = re.compile(r"(?i)\(?\s*(?:from\s+)?(\d+(?:\.\d+)?)\s*(?:s(?:ec(?:onds?)?)?)?\s*(?:-|–|to)\s*"
                    r"(\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?\b\s*:?")  # fmt: skip
_AT = re.compile(r"(?i)\bat\s+(\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?\b\s*:?")
_HARD = re.compile(r"[.!?;()]+(?=\s|$|\()|[;()]")
_ANYWHERE = ("and then", "after that", "afterwards", "meanwhile", "suddenly", "then", "while", "as", "before", "when",
             "until")  # fmt: skip
_OPENING = ("at the end", "in the end", "finally", "eventually", "first", "next", "later")
_CONNECTIVE = re.compile(r"(?i)\b(" + "|".join(re.escape(c) for c in sorted(_ANYWHERE + _OPENING, key=len, reverse=True)) + r")\b")
_NOT_AS = re.compile(r"(?i)(?:such|well|as|same)\s+$")
@dataclass
class Unit:
    """A stretch of text between hard boundaries, with the timing mark or connective that opened it."""

    start: int
    end: int
    connective: str = ""
    start_s: float | None = None
    end_s: float | None = None


@dataclass
class Clause:
    """One segment read: its subject, predicate, camera moves, focus and whether it is an action (a beat)."""

    unit: Unit
    tokens: list[Token]
    start: int
    end: int
    separator: str = ""
    subject: NounPhrase | None = None
    predicate: int | None = None
    moves: list[Move] = field(default_factory=list)
    focus: NounPhrase | None = None
    action: bool = False
    camera: bool = False
    attached: bool = False
    #: noun phrases joined to the subject (or focus) by "and": "a cat and a dog"
    partners: list[NounPhrase] = field(default_factory=list)
    merged: bool = False

    def text(self, source: str, start: int | None = None) -> str:
        first = self.tokens[self.start if start is None or not self.start <= start < self.end else start]
        return source[first.start : self.tokens[self.end - 1].end] if self.end > self.start else ""


def split_units(text: str) -> list[Unit]:
    """Units in text order, cut at sentence ends, semicolons, parentheses, timing marks and connectives."""
    cuts: list[tuple[int, int, str, float | None, float | None]] = []
    cuts += [(m.start(), m.end(), "", None, None) for m in _HARD.finditer(text)]
    cuts += [(m.start(), m.end(), "", float(m.group(1)), float(m.group(2))) for m in _RANGE.finditer(text)]
    cuts += [(m.start(), m.end(), "", float(m.group(1)), None) for m in _AT.finditer(text)]
    for m in _CONNECTIVE.finditer(text):
        word, before = m.group(1).lower(), text[: m.start()]
        opening = not before.strip() or re.search(r"(?:[,.;:!?(]|\band)\s*$", before)
        if word in _OPENING and not opening or word == "as" and (_NOT_AS.search(before) or re.match(r"\s+(?:well|if|though)\b", text[m.end():])):
            continue
        if word == "next" and re.match(r"\s+to\b", text[m.end() :]):
            continue
        cuts.append((m.start(), m.end(), word, None, None))
    units: list[Unit] = []
    position, pending = 0, Unit(0, 0)
    for start, end, connective, start_s, end_s in sorted(cuts, key=lambda cut: (cut[0], -cut[1])):
        if end <= position:
            continue
        start = max(start, position)
        if text[position:start].strip(" ,:"):
            units.append(Unit(position, start, pending.connective, pending.start_s, pending.end_s))
            pending = Unit(0, 0)
        pending.connective = connective or pending.connective
        if start_s is not None:
            pending.start_s, pending.end_s = start_s, end_s
        position = end
    if text[position:].strip(" ,:"):
        units.append(Unit(position, len(text), pending.connective, pending.start_s, pending.end_s))
    return units


def _segments(tokens: list[Token]) -> list[tuple[int, int, str]]:
    """(start, end, separator before) at commas, colons and "and" / "or" / "but"."""
    out, start, separator = [], 0, ""
    for index, token in enumerate(tokens):
        if token.lower in (",", ":") or token.lower in pos.CONJUNCTIONS:
            if index > start:
                out.append((start, index, separator))
            separator = token.lower if token.lower in pos.CONJUNCTIONS else (separator if index == start else ",")
            start = index + 1
    if start < len(tokens):
        out.append((start, len(tokens), separator))
    return out


def _focus(tokens: list[Token], start: int, end: int, moves: dict[int, Move], marks: set[int]) -> tuple[NounPhrase | None, int | None]:
    """The noun phrase a camera move or shot is about ("around a red car"), and a verb it does ("a man shouting")."""
    j = start
    while j < end and _before_focus(tokens, j, end):
        j += 1
    if j < end and tokens[j].lower in pos.PREPOSITIONS and tokens[j].lower != "with":
        j += 1
    if j >= end or tokens[j].lower in pos.PRONOUNS or tokens[j].lower == "to":
        return None, None
    phrase, predicate = analyse(tokens, j, end, {k: v for k, v in moves.items() if k >= end}, marks)
    if phrase is None or not phrase.heads or phrase.camera:
        return None, None
    return phrase, predicate


def _before_focus(tokens: list[Token], j: int, end: int) -> bool:
    """Words between a move and its focus: particles, adverbs, directions ("pan from left to right across ...")."""
    word, following = tokens[j].lower, tokens[j + 1].lower if j + 1 < end else ""
    if word in ("from", "to"):
        return following in ("left", "right")
    return word in pos.PARTICLES or pos.is_adverb(word) or word in ("left", "right", "clockwise", "counterclockwise",
                                                                     "anticlockwise")  # fmt: skip


def read(text: str, marks: list[tuple[int, int]]) -> list[Clause]:
    """Every segment of ``text`` as a clause, in order. ``marks`` are character spans of camera words (shot sizes...)."""
    clauses: list[Clause] = []
    state: tuple[NounPhrase | None, bool] = (None, False)  # the subject a verb with none continues, and is it the camera
    for unit in split_units(text):
        tokens = tokenize(text, unit.start, unit.end)
        marked = {i for i, t in enumerate(tokens) if any(s <= t.start < e for s, e in marks)}
        moves = {m.start: m for m in find_moves([t.lower for t in tokens]) if m.start == 0 or tokens[m.start - 1].lower != "to"}
        first = len(clauses)
        for start, end, separator in _segments(tokens):
            clause = Clause(unit, tokens, start, end, separator)
            extra, state = _read_segment(clause, moves, marked, state, clauses[-1] if clauses else None)
            clauses.append(clause)
            if extra is not None:
                clauses.append(extra)
        _coordinate(clauses[first:])
        # a timed stretch is always a beat, even a verbless one ("0-3s car idle")
        if unit.start_s is not None and not any(c.action for c in clauses[first:]):
            for clause in clauses[first:]:
                if not clause.camera and clause.end > clause.start:
                    clause.action = True
                    break
    return clauses


def _read_segment(clause: Clause, moves: dict[int, Move], marks: set[int], state: tuple[NounPhrase | None, bool],
                  previous: Clause | None) -> tuple[Clause | None, tuple[NounPhrase | None, bool]]:  # fmt: skip
    """Fill ``clause`` in; returns an extra action clause (a camera move's focus doing something) and the new state."""
    tokens, end = clause.tokens, clause.end
    after_bare = previous is not None and previous.unit is clause.unit and _bare(previous)
    phrase, predicate = analyse(tokens, clause.start, end, moves, marks, plural=clause.separator == "and" and after_bare)
    clause.subject, clause.predicate = phrase, predicate
    if predicate is None and not any(pos.is_known(t.lower) for t in tokens[clause.start : end]) and (
            end - clause.start >= 3 or not tokens[clause.start].lower.isascii()):  # fmt: skip
        clause.action, clause.subject = True, None  # not English: kept whole as an action
        return None, state
    inherited, inherited_camera = state
    own = phrase is not None and (bool(phrase.heads) or phrase.pronoun)
    camera_subject = bool(phrase and phrase.camera) or (not own and inherited_camera)
    move = moves.get(predicate) if predicate is not None else None
    after = None
    if move is not None and (move.nominal or camera_subject or (not own and (move.technical or inherited is None))):
        clause.camera, after = True, move.end
        clause.moves.append(move)
        while after < end and (after in moves or pos.is_adverb(tokens[after].lower)):
            if after in moves:
                clause.moves.append(moves[after])
                after = moves[after].end
            else:
                after += 1
    elif predicate is not None and camera_subject:
        clause.camera, after = True, predicate + 1
    elif predicate is not None:
        if not own and tokens[predicate].lower.endswith("ing") and clause.separator == "," and previous and previous.action:
            clause.attached = True
            return None, state
        clause.action = True
        if not own:
            clause.subject = inherited
            return None, state
        return None, (phrase, False)
    elif phrase is not None and phrase.camera:
        clause.camera, after = True, phrase.end
    if not clause.camera or after is None:
        return None, state
    focus, acting = _focus(tokens, after, end, moves, marks)
    clause.focus = focus
    if focus is not None and acting is not None and acting not in moves:
        # "pull back from a girl reading a book": the girl's reading is a beat of its own
        extra = Clause(clause.unit, tokens, focus.start, end, ",", subject=focus, predicate=acting, action=True)
        return extra, (focus, False)
    return None, (phrase if own else inherited, True)


def _coordinate(clauses: list[Clause]) -> None:
    """Join noun phrases linked by "and": "a cat and a dog sleep" (subjects), "dolly back from a bride and groom"."""
    for before, clause in zip(clauses, clauses[1:], strict=False):
        if clause.separator != "and":
            continue
        if clause.action and _bare(before) and before.subject and before.subject.heads and \
                clause.subject is not None and clause.subject.start >= clause.start:  # fmt: skip
            clause.partners = [*before.partners, before.subject]
            clause.start, before.merged = before.start, True
        elif before.camera and before.focus is not None and _bare(clause) and clause.subject and clause.subject.heads:
            before.partners.append(clause.subject)
            clause.merged = True


def _bare(clause: Clause) -> bool:
    """A noun phrase alone: no verb, no camera move, not an action."""
    return not clause.camera and not clause.action and clause.predicate is None and clause.subject is not None
