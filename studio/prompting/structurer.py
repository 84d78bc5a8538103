"""The offline structurer: free text -> ``PromptStructure``, deterministic, no weights.

Steps: clean markup; read labelled sections ("Camera: ...", "Lighting: ...");
pull out negatives and the lighting, style and mood terms (lexicons); mark
shot size, angle and lens words; read the rest clause by clause
(``clauses.py``: units at timing marks, connectives and sentence ends,
segments at commas and "and", subject + predicate per segment); camera moves
are the camera's clauses' moves (``camera.py``), beats the action clauses,
the subject the first clause's subject or camera focus, the setting the first
place phrase after an action. Empty fields get *suggestions*, kept apart and
marked, never merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from studio.prompting import lexicons as lx
from studio.prompting import pos
from studio.prompting.clauses import Clause, NounPhrase, read
from studio.prompting.structure import Beat, Camera, PromptStructure, StructureResult, Subject, Suggestion
from studio.prompting.text import clean, find_terms, remove_spans, tidy, trim_dangling

_LABELS = {"subject": "subject", "subjects": "subject", "action": "action", "setting": "setting", "scene": "setting",
           "camera": "camera", "shot": "camera", "lighting": "lighting", "light": "lighting", "style": "style",
           "mood": "mood", "negative": "negative", "negatives": "negative", "avoid": "negative"}  # fmt: skip
_LABEL_RE = re.compile(r"(?i)(?:^|(?<=[.;\n]))\s*(" + "|".join(_LABELS) + r")\s*:")
_STYLE_PREFIX_RE = re.compile(r"(?i)^\s*((?:[\w-]+\s+){0,3}?[\w-]+)\s+style\s*[:,]\s*")
_NEGATIVE_RE = re.compile(r"(?i)\b(?:without|no|avoid|don't show|do not show|never show)\s+([^,.;]+)")
_LENS_MM_RE = re.compile(r"(?i)\b\d{2,3}\s?mm(?:\s+lens)?\b(?!\s*film)")


class Structurer(Protocol):
    """Anything that turns free text into a ``StructureResult`` (offline, or a language model)."""

    def structure(self, text: str) -> StructureResult: ...


class OfflineStructurer:
    """Deterministic lexicon and shallow-parse structurer; the default and the fallback of every other."""

    def __init__(self, max_chars: int = 2000) -> None:
        self.max_chars = max_chars

    def structure(self, text: str) -> StructureResult:
        """Structure ``text``.

        Raises:
            InvalidRequestError: empty, over-long, or markup-only text.
        """
        cleaned = clean(text, self.max_chars)
        free, sections = _split_sections(cleaned)
        result = PromptStructure()
        free = _negatives(free, sections, result)
        free = _descriptors(free, sections, result)
        marks = _framing(free, sections.get("camera", ""), result.camera)
        clauses = read(free, marks)
        camera_clauses = read(sections["camera"], _framing(sections["camera"], "", Camera())) if "camera" in sections else []
        _camera_moves(camera_clauses + clauses, result.camera)
        action = read(sections["action"], []) if "action" in sections else []
        result.beats = _beats(sections.get("action", ""), action) + _beats(free, clauses)
        result.subjects = _subjects(sections.get("subject", ""), free, action + clauses)
        result.setting = sections.get("setting", "").strip(" .") or _setting(free, action + clauses)
        warnings = contradictions(result.camera.presets)
        if not (result.beats or result.subjects or result.setting or result.camera.presets or result.style
                or result.lighting or result.mood):  # fmt: skip
            warnings.append("no subject or action recognised; the text is kept as one beat")
            result.beats = [Beat(text=tidy(free) or cleaned)]
        result.suggestions = suggestions_for(result)
        return StructureResult(structure=result, warnings=warnings, backend="offline")


def _split_sections(text: str) -> tuple[str, dict[str, str]]:
    sections: dict[str, str] = {}
    if prefix := _STYLE_PREFIX_RE.match(text):  # "anime style: a girl ..." names the style, it is no label
        sections["style"] = prefix.group(1).strip()
        text = text[prefix.end() :]
    matches = list(_LABEL_RE.finditer(text))
    if not matches:
        return text, sections
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        key = _LABELS[match.group(1).lower()]
        value = text[match.end() : end].strip(" .;")
        sections[key] = f"{sections[key]}, {value}" if key in sections else value
    return text[: matches[0].start()].strip(), sections


def _negatives(free: str, sections: dict[str, str], result: PromptStructure) -> str:
    negatives = [n.strip() for n in re.split(r"[,;]", sections.get("negative", "")) if n.strip()]
    spans = []
    for match in _NEGATIVE_RE.finditer(free):
        negatives.append(match.group(1).strip())
        spans.append(match.span())
    result.negatives = _dedupe(negatives)
    return remove_spans(free, spans)


def _descriptors(free: str, sections: dict[str, str], result: PromptStructure) -> str:
    spans: list[tuple[int, int]] = []
    for name, lexicon in (("lighting", lx.LIGHTING), ("style", lx.STYLES), ("mood", lx.MOODS)):
        labelled = [v.strip() for v in re.split(r"[,;]", sections.get(name, "")) if v.strip()]
        found = find_terms(free, lexicon)
        spans += [(s, e) for s, e, _ in found]
        setattr(result, name, _dedupe(labelled + [t for _, _, t in found]))
    return remove_spans(free, spans)


def _framing(free: str, camera_text: str, camera: Camera) -> list[tuple[int, int]]:
    """Shot size, angle and lens into ``camera``; the character spans of those words in ``free``."""
    both = f"{camera_text}, {free}"
    camera.shot_size = _first(find_terms(both, lx.SHOT_SIZES))
    camera.angle = _first(find_terms(both, lx.ANGLES))
    lenses = [t for _, _, t in find_terms(both, lx.LENSES)] + [m.group(0) for m in _LENS_MM_RE.finditer(both)]
    camera.lens = ", ".join(_dedupe(lenses))
    spans = [(s, e) for s, e, _ in find_terms(free, (*lx.SHOT_SIZES, *lx.ANGLES, *lx.LENSES))]
    return spans + [m.span() for m in _LENS_MM_RE.finditer(free)]


def _camera_moves(clauses: list[Clause], camera: Camera) -> None:
    """Presets of the moves in the camera's clauses, each once; "static" excludes the others."""
    moves: list[str] = []
    for clause in clauses:
        for move in clause.moves:
            speed = _speed_word([t.lower for t in clause.tokens], move.start, move.end)
            if not moves:
                camera.strength = round(min(5.0, move.strength * lx.SPEED_WORDS.get(speed, 1.0)), 2)
            moves.append(f"{speed} {move.words}" if speed else move.words)
            camera.presets.extend(p for p in move.presets if p not in camera.presets)  # type: ignore[misc]
    if "static" in camera.presets:
        camera.presets = ["static"]
    camera.move = ", ".join(_dedupe(moves))


def _speed_word(lowered: list[str], start: int, end: int) -> str:
    """The speed word right before ("slow push in") or after ("tilt down slowly") a camera move, or ""."""
    for before, after in ((2, 0), (1, 0), (0, 2), (0, 1)):
        words = " ".join(lowered[start - before : start] if before else lowered[end : end + after])
        if words in lx.SPEED_WORDS:
            return words
    return ""


def _beats(source: str, clauses: list[Clause]) -> list[Beat]:
    """One beat per action clause; the unit's timing and connective go to its first beat. A trailing "-ing"
    phrase or a noun phrase joined by "and" ("plays with a ball and a rope") stays in the beat before it."""
    beats: list[Beat] = []
    units_seen: set[int] = set()
    extendable: Clause | None = None
    for clause in clauses:
        if clause.action:
            own = clause.subject is not None and clause.subject.start >= clause.start
            start = min(p.start for p in [*clause.partners, clause.subject]) if own else clause.predicate  # type: ignore[union-attr]
            first, unit = id(clause.unit) not in units_seen, clause.unit
            units_seen.add(id(unit))
            beats.append(Beat(text=_beat_text(clause.text(source, start)) or tidy(clause.text(source)),
                              start_s=unit.start_s if first else None, end_s=unit.end_s if first else None,
                              connective=unit.connective if first else ""))  # fmt: skip
            extendable = clause
            continue
        joined = clause.separator == "and" and not clause.camera and clause.predicate is None and not clause.merged
        if extendable is not None and clause.unit is extendable.unit and (clause.attached or joined):
            joiner = ", " if clause.attached else " and "
            beats[-1].text = _beat_text(beats[-1].text + joiner + clause.text(source))
        else:
            extendable = None
    return [b for b in beats if b.text]


def _beat_text(text: str) -> str:
    """Tidied, without a preposition left dangling by removed words, keeping a verb's particle ("turn on")."""
    text = tidy(text)
    words = text.split()
    if len(words) >= 2 and words[-1].lower() in (*pos.PARTICLES, "on") and pos.verb_root(words[-2].lower()):
        return text.rstrip(".!?")
    return trim_dangling(text).rstrip(".!?")


def _subjects(labelled: str, source: str, clauses: list[Clause]) -> list[Subject]:
    if labelled:
        return [Subject(name=part.strip().split()[-1].lower(), appearance=part.strip())
                for part in re.split(r";|\band\b", labelled) if part.strip()]  # fmt: skip
    for clause in clauses:
        if clause.merged:
            continue
        if clause.action and clause.subject is not None and clause.subject.start >= clause.start:
            phrases, upto = [*clause.partners, clause.subject], clause.predicate
        elif clause.camera and clause.focus is not None:
            phrases, upto = [clause.focus, *clause.partners], None
        elif not clause.camera and not clause.action and clause.predicate is None and clause.subject is not None:
            phrases, upto = [clause.subject], None
        else:
            continue
        subjects = [s for p in phrases if (s := _subject(source, clause, p, upto if p is clause.subject else None))]
        if subjects:
            return subjects
    return []


def _subject(source: str, clause: Clause, phrase: NounPhrase, upto: int | None) -> Subject | None:
    if not phrase.heads or phrase.pronoun or phrase.camera or phrase.heads[-1] in lx.STOP_NAMES:
        return None
    name = phrase.heads[-1]
    if not re.match(r"^[^\W\d_]", name) or name in pos.ADVERBS:
        return None
    tokens = clause.tokens
    end = upto if upto is not None else phrase.end
    while end > phrase.start + 1 and pos.is_adverb(tokens[end - 1].lower):
        end -= 1
    return Subject(name=name, appearance=tidy(source[tokens[phrase.start].start : tokens[end - 1].end]))


def _bare(clause: Clause) -> bool:
    return not clause.action and not clause.camera and clause.predicate is None

def _setting(source: str, clauses: list[Clause]) -> str:
    """The first place phrase ("along the beach") after an action's verb, else after a noun phrase on its own
    (never a camera clause's: "pushes in on a board" says where the camera goes)."""
    ordered = [c for c in clauses if c.action and c.predicate is not None] + [c for c in clauses if _bare(c)]
    for clause in ordered:
        begin = clause.predicate + 1 if clause.action and clause.predicate is not None else clause.start + 1
        tokens = clause.tokens
        for index in range(begin, clause.end):
            following = tokens[index + 1].lower if index + 1 < clause.end else ""
            if tokens[index].lower in lx.SETTING_PREPOSITIONS and following and following not in pos.NUMBERS:
                end = min(clause.end, index + 7)
                end = next((k for k in range(index + 2, end) if pos.is_ing(tokens[k].lower)), end)
                phrase = trim_dangling(tidy(source[tokens[index].start : tokens[end - 1].end]))
                if len(phrase.split()) >= 2:
                    return phrase
    return ""


def contradictions(presets: Sequence[str]) -> list[str]:
    return [f"contradictory camera moves: {a} and {b}" for a, b in lx.OPPOSITE_PRESETS if a in presets and b in presets]


def suggestions_for(structure: PromptStructure) -> list[Suggestion]:
    offers = []
    if not structure.camera.presets:
        offers.append(Suggestion(field="camera", value="static", reason="no camera move was described"))
    if not structure.camera.shot_size:
        offers.append(Suggestion(field="shot_size", value="medium shot", reason="no shot size was described"))
    if not structure.lighting:
        offers.append(Suggestion(field="lighting", value="soft natural light", reason="no lighting was described"))
    if not structure.style:
        offers.append(Suggestion(field="style", value="cinematic", reason="no style was described"))
    return offers


def _first(found: list[tuple[int, int, str]]) -> str:
    return found[0][2] if found else ""


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if x and not (x.lower() in seen or seen.add(x.lower()))]  # type: ignore[func-returns-value]
