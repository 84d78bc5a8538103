"""The offline structurer: free text -> ``PromptStructure``, deterministic, no weights.

Steps: clean markup; read labelled sections ("Camera: ...", "Lighting: ...");
pull out negatives, camera moves (with speed words -> strength), shot size,
angle, lens, lighting, style and mood from lexicons; split what is left into
beats at temporal connectives and sentence ends, reading timings
("(0-2 s: ...)", "from 2 to 4 s", "at 3 s"); take the subject from the first
beat's leading noun phrase and the setting from its first place phrase. Empty
fields get *suggestions*, kept apart and marked, never merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from studio.prompting import lexicons as lx
from studio.prompting.structure import Beat, Camera, PromptStructure, StructureResult, Subject, Suggestion
from studio.prompting.text import clean, find_terms, remove_spans, tidy, trim_dangling, words

_LABELS = {"subject": "subject", "subjects": "subject", "action": "action", "setting": "setting", "scene": "setting",
           "camera": "camera", "shot": "camera", "lighting": "lighting", "light": "lighting", "style": "style",
           "mood": "mood", "negative": "negative", "negatives": "negative", "avoid": "negative"}  # fmt: skip
_LABEL_RE = re.compile(r"(?i)(?:^|(?<=[.;\n]))\s*(" + "|".join(_LABELS) + r")\s*:")
_TIMELINE_RE = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?\s*:\s*([^)]*)\)")
_RANGE_RE = re.compile(r"\(?\s*(?:from\s+)?(\d+(?:\.\d+)?)\s*(?:s(?:ec(?:onds?)?)?)?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?\b\s*\)?:?")
_AT_RE = re.compile(r"\bat\s+(\d+(?:\.\d+)?)\s*s(?:ec(?:onds?)?)?\b")
_NEGATIVE_RE = re.compile(r"(?i)\b(?:without|no|avoid|don't show|do not show|never show)\s+([^,.;]+)")
_LENS_MM_RE = re.compile(r"(?i)\b\d{2,3}\s?mm(?:\s+lens)?\b(?!\s*film)")
_CONNECTIVE_RE = re.compile(r"(?i)\b(" + "|".join(re.escape(c) for c in lx.BEAT_CONNECTIVES) + r")\b")
_VERB_ROOTS = ["walk", "run", "jog", "sprint", "dance", "jump", "leap", "fly", "float", "drift", "swim", "dive", "climb", "fall", "rise", "sit", "stand", "turn", "spin", "look", "smile", "laugh", "cry", "talk", "sing", "play", "eat", "drink", "hold", "carry", "throw", "catch", "kick", "push", "pull", "open", "close", "write", "read", "ride", "drive", "race", "chase", "follow", "crawl", "roll", "glide", "wave", "nod", "reach", "grab", "pour", "cook", "paint", "build", "burn", "melt", "grow", "bloom", "crash", "explode", "shine", "glow", "flicker", "flow", "rush", "move", "travel", "wander", "stroll", "hop", "fight", "hug", "kiss", "wait", "watch", "stare", "gaze", "sleep", "wake", "emerge", "appear", "disappear", "vanish", "enter", "exit", "leave", "arrive", "approach", "cross", "sway", "shake", "tremble", "flap", "soar", "hover", "land", "blow", "splash", "ripple", "pass", "reveal", "become", "change", "transform", "light", "fade", "bounce", "slide", "skate", "surf", "ski", "march", "gallop", "trot", "prowl", "stalk", "pounce", "breathe", "blink", "raise", "lower", "lift", "drop", "put", "place", "feed", "pet", "stir", "yawn", "shout", "scream", "yell", "point", "clap", "tap", "type", "chop", "toss", "slice", "knead", "bake", "sip", "bite", "chew", "stretch", "kneel", "bow", "jog", "paddle", "sail"]
_VERBS = {form for root in _VERB_ROOTS for form in (root, root + "s", root + "es", root + "ing", root + "ed",
          root[:-1] + "ing" if root.endswith("e") else root, root + root[-1] + "ing", root[:-1] + "ies")}  # fmt: skip
_VERBS |= {"is", "are", "was", "were", "flies", "runs", "swims", "sits", "lies", "lying", "gets", "goes", "does", "has"}
_DETERMINERS = {"a", "an", "the", "two", "three", "four", "one", "some", "several", "many", "his", "her", "their", "its"}


class Structurer(Protocol):
    """Anything that turns free text into a ``StructureResult`` (offline, or a language model)."""

    def structure(self, text: str) -> StructureResult: ...


class OfflineStructurer:
    """Deterministic lexicon and pattern structurer; the default and the fallback of every other."""

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
        free = self._negatives(free, sections, result)
        free = self._descriptors(free, sections, result)
        free = self._camera(free, sections.get("camera", ""), result)
        self._beats_and_subject(free, sections, result)
        warnings = contradictions(result.camera.presets)
        if not (result.beats or result.subjects or result.setting or result.camera.presets or result.style
                or result.lighting or result.mood):  # fmt: skip
            warnings.append("no subject or action recognised; the text is kept as one beat")
            result.beats = [Beat(text=tidy(free) or cleaned)]
        result.suggestions = suggestions_for(result)
        return StructureResult(structure=result, warnings=warnings, backend="offline")

    def _negatives(self, free: str, sections: dict[str, str], result: PromptStructure) -> str:
        negatives = [n.strip() for n in re.split(r"[,;]", sections.get("negative", "")) if n.strip()]
        spans = []
        for match in _NEGATIVE_RE.finditer(free):
            negatives.append(match.group(1).strip())
            spans.append(match.span())
        result.negatives = _dedupe(negatives)
        return remove_spans(free, spans)

    def _camera(self, free: str, camera_text: str, result: PromptStructure) -> str:
        camera = Camera()
        moves: list[str] = []
        for source in (camera_text, free):
            for start, end, term in find_terms(source, lx.CAMERA_MOVES):
                presets, base = lx.CAMERA_MOVES[term]
                speed_word = _speed_word(source, start, end)
                if not moves:
                    camera.strength = round(min(5.0, base * lx.SPEED_WORDS.get(speed_word, 1.0)), 2)
                moves.append(f"{speed_word} {term}" if speed_word else term)
                camera.presets.extend(p for p in presets if p not in camera.presets)  # type: ignore[misc]
        camera.move = ", ".join(_dedupe(moves))
        both = f"{camera_text}, {free}"
        camera.shot_size = _first(find_terms(both, lx.SHOT_SIZES))
        camera.angle = _first(find_terms(both, lx.ANGLES))
        lenses = [t for _, _, t in find_terms(both, lx.LENSES)] + [m.group(0) for m in _LENS_MM_RE.finditer(both)]
        camera.lens = ", ".join(_dedupe(lenses))
        result.camera = camera
        terms = (*lx.CAMERA_MOVES, *lx.SHOT_SIZES, *lx.ANGLES, *lx.LENSES, *lx.SPEED_WORDS)
        spans = [(s, e) for s, e, t in find_terms(free, terms) if t not in lx.SPEED_WORDS or _next_to_camera_term(free, s, e)]
        spans += [m.span() for m in _LENS_MM_RE.finditer(free)]
        free = remove_spans(free, spans)
        # "The camera orbits around a red car." leaves "a red car": what is in frame, not an action
        clauses = re.split(r"(?<=[.;!?])\s+", free)
        return " ".join(re.sub(r"(?i)^\s*(?:the\s+)?camera\b\s*", "", c) for c in clauses)

    def _descriptors(self, free: str, sections: dict[str, str], result: PromptStructure) -> str:
        spans: list[tuple[int, int]] = []
        for name, lexicon in (("lighting", lx.LIGHTING), ("style", lx.STYLES), ("mood", lx.MOODS)):
            labelled = [v.strip() for v in re.split(r"[,;]", sections.get(name, "")) if v.strip()]
            found = find_terms(free, lexicon)
            spans += [(s, e) for s, e, _ in found]
            setattr(result, name, _dedupe(labelled + [t for _, _, t in found]))
        free = remove_spans(free, spans)
        return re.sub(r"(?i)\b(?:a|an)?\s*(?:video|scene|footage|clip) of\b", "", free).strip()

    def _beats_and_subject(self, free: str, sections: dict[str, str], result: PromptStructure) -> None:
        result.setting = sections.get("setting", "").strip(" .")
        beats = _timeline_beats(free) or _beats(" ".join(x for x in (sections.get("action", ""), free) if x))
        result.beats = beats
        subject_text = sections.get("subject", "")
        if subject_text:
            result.subjects = [_subject(part) for part in re.split(r";|\band\b", subject_text) if part.strip()]
        elif beats:
            subject = _subject_of_clause(beats[0].text)
            result.subjects = [subject] if subject else []
        # a verbless clause opening with a preposition ("over snowy mountains", left of "drone shot over
        # snowy mountains") describes the place, not an action
        places = [b for b in beats if _is_place(b.text)]
        result.beats = [b for b in beats if b not in places]
        if not result.setting:
            result.setting = _setting([b.text for b in result.beats], result.subjects) or (places[0].text if places else "")


def _split_sections(text: str) -> tuple[str, dict[str, str]]:
    matches = list(_LABEL_RE.finditer(text))
    if not matches:
        return text, {}
    sections: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        key = _LABELS[match.group(1).lower()]
        value = text[match.end() : end].strip(" .;")
        sections[key] = f"{sections[key]}, {value}" if key in sections else value
    return text[: matches[0].start()].strip(), sections


def _timeline_beats(text: str) -> list[Beat]:
    return [Beat(text=tidy(m.group(3)), start_s=float(m.group(1)), end_s=float(m.group(2)))
            for m in _TIMELINE_RE.finditer(text) if tidy(m.group(3))]  # fmt: skip


def _beats(text: str) -> list[Beat]:
    beats: list[Beat] = []
    for sentence in re.split(r"(?<=[.!?;])\s+", text):
        pieces = _CONNECTIVE_RE.split(sentence)
        connective = ""
        for piece in pieces:
            if piece.lower() in lx.BEAT_CONNECTIVES:
                connective = piece.lower()
                continue
            beat = _timed_beat(piece, connective)
            if beat is not None and not re.match(r"(?i)(?:the\s+)?camera\b", beat.text):
                beats.append(beat)
            connective = ""
    return beats


def _timed_beat(piece: str, connective: str) -> Beat | None:
    start = end = None
    if match := _RANGE_RE.search(piece):
        start, end = float(match.group(1)), float(match.group(2))
        piece = piece[: match.start()] + piece[match.end() :]
    elif match := _AT_RE.search(piece):
        start = float(match.group(1))
        piece = piece[: match.start()] + piece[match.end() :]
    text = trim_dangling(tidy(re.sub(r"(?i)^\s*(?:and|,)\s*", "", piece)).rstrip(".!?"))
    if not _is_place(text):
        text = re.sub(r"(?i)^of\s+", "", text)  # "of a cat yawning", left of "close-up of a cat yawning"
        tokens = text.split()
        if len(tokens) > 1 and tokens[0].lower() in _DETERMINERS and tokens[1].lower() in _VERBS:
            text = " ".join(tokens[1:])  # "A follows a cyclist", left of "A tracking shot follows a cyclist"
    if len(words(text)) < 2 and not (start is not None and text):
        return None
    return Beat(text=text, start_s=start, end_s=end, connective=connective)


def _subject_of_clause(clause: str) -> Subject | None:
    tokens = words(clause)
    for index, token in enumerate(tokens):
        if token.lower() in _VERBS and index > 0:
            phrase = tokens[:index]
            break
    else:
        return None
    head = [t for t in phrase if t.lower() not in _DETERMINERS]
    if not head:
        return None
    noun_part = re.split(r"(?i)\b(?:with|wearing|in|holding|dressed)\b", " ".join(phrase))[0].split()
    name = next((t for t in reversed(noun_part) if t.lower() not in _DETERMINERS), head[-1])
    if name.lower() in lx.STOP_NAMES:
        return None
    return Subject(name=name.lower(), appearance=" ".join(phrase))


def _subject(text: str) -> Subject:
    subject = _subject_of_clause(text.strip() + " is")
    return subject or Subject(name=text.strip().lower(), appearance=text.strip())


_PLACE_WORDS = {*lx.SETTING_PREPOSITIONS, "from", "to", "onto", "into", "past", "of", "toward", "towards", "around"}


def _is_place(text: str) -> bool:
    """Opens with a preposition and has no verb (a participle after an article, "a sleeping baby", is no verb)."""
    tokens = [t.lower() for t in words(text)]
    verbs = [i for i, t in enumerate(tokens)
             if t in _VERBS and not (t.endswith("ing") and i > 0 and tokens[i - 1] in _DETERMINERS)]  # fmt: skip
    return bool(tokens) and (tokens[0] in _PLACE_WORDS or tokens[0] in _DETERMINERS) and not verbs


def _setting(clauses: list[str], subjects: list[Subject]) -> str:
    """The first place phrase ("along the beach", "over snowy mountains") after the subject, up to a verb or comma."""
    prepositions = "|".join(lx.SETTING_PREPOSITIONS)
    for clause in clauses:
        for subject in subjects:
            if clause.lower().startswith(subject.appearance.lower()):
                clause = clause[len(subject.appearance) :]
        for match in re.finditer(rf"(?i)\b(?:{prepositions})\s+[^,.;]+", clause):
            phrase: list[str] = []
            for token in match.group(0).split():
                if phrase and (token.lower() in _VERBS or token.lower() in lx.BEAT_CONNECTIVES or token.lower() == "and"):
                    break
                phrase.append(token)
            if len(phrase) >= 2:
                return trim_dangling(" ".join(phrase[:7]))
    return ""


def _speed_word(text: str, start: int, end: int) -> str:
    """The speed word right before ("slow push in") or after ("tilt down slowly") a camera term, or ""."""
    lowered = text.lower()
    before = " ".join(words(lowered[:start])[-2:])
    after = " ".join(words(lowered[end:])[:2])
    for word in sorted(lx.SPEED_WORDS, key=len, reverse=True):
        if before.endswith(word) or after == word or after.startswith(word + " "):
            return word
    return ""


def _next_to_camera_term(text: str, start: int, end: int) -> bool:
    """A speed word belongs to the camera when a camera move is right next to it."""
    following = find_terms(text[end : end + 30], lx.CAMERA_MOVES)
    preceding = find_terms(text[max(0, start - 30) : start], lx.CAMERA_MOVES)
    return (bool(following) and following[0][0] <= 1) or (bool(preceding) and preceding[-1][1] >= min(start, 30) - 1)


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
