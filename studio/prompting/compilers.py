"""``PromptStructure`` -> the prompt format each model family likes.

Formats (facts from each family's prompting guide):
  * ``ltx``: one chronological paragraph: main action, movements, appearance,
    environment, camera, lighting, later events; at most 150 words.
  * ``wan``: style first, then shot scale, strong motion verbs; 80-120 words
    (under 80: a warning; over 120: trimmed, with a warning).
  * ``cogvideox_i2v``: motion starting from the given first frame; no camera
    transitions or cuts (removed, with a warning).
  * ``animatediff``: comma-separated tags, weighted ``(tag:1.2)``.
  * ``timeline``: ``(0–2 s: ...), (2–4 s: ...)``, one entry per beat.
  * ``generic``: sentences plus labelled sections; what the offline
    structurer reads back without loss (the round-trip form).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from studio.errors import InvalidRequestError
from studio.prompting import lexicons as lx
from studio.prompting.structure import Beat, CompiledPrompt, PromptStructure
from studio.prompting.structurer import contradictions
from studio.prompting.text import words

DEFAULT_BEAT_S = 2.0
LTX_MAX_WORDS = 150
WAN_MIN_WORDS, WAN_MAX_WORDS = 80, 120


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return (text[:1].upper() + text[1:] + ".") if text else ""


def _join(items: list[str]) -> str:
    return ", ".join(i for i in items if i)


def _camera_phrase(s: PromptStructure) -> str:
    c = s.camera
    return _join([c.shot_size, c.angle, c.move, c.lens])


def _beat_sentences(beats: list[Beat]) -> list[str]:
    out = []
    for index, beat in enumerate(beats):
        lead = "" if index == 0 else ("while " if beat.connective == "while" else ("finally, " if index == len(beats) - 1 and len(beats) > 2 else "then "))
        out.append(_sentence(lead + beat.text))
    return out


def _timed(beats: list[Beat]) -> list[tuple[float, float, str]]:
    spans, clock = [], 0.0
    for beat in beats:
        start = beat.start_s if beat.start_s is not None else clock
        end = beat.end_s if beat.end_s is not None else start + DEFAULT_BEAT_S
        spans.append((start, end, beat.text))
        clock = end
    return spans


def _limit(text: str, max_words: int, family: str, warnings: list[str]) -> str:
    tokens = text.split()
    if len(tokens) <= max_words:
        return text
    warnings.append(f"{family}: {len(tokens)} words is over the {max_words}-word limit; trimmed to {max_words}")
    return " ".join(tokens[:max_words]).rstrip(",;") + "."


def _subject_sentence(s: PromptStructure) -> str:
    said = " ".join(b.text.lower() for b in s.beats)
    described = [sub.appearance for sub in s.subjects
                 if sub.appearance and sub.appearance.lower() != sub.name and sub.appearance.lower() not in said]  # fmt: skip
    return _sentence(f"{_join(described)} in view") if described else ""


def compile_generic(s: PromptStructure, warnings: list[str]) -> str:
    parts = _beat_sentences(s.beats) or [_sentence(_join([sub.appearance or sub.name for sub in s.subjects]))]
    sections = [("Setting", s.setting), ("Camera", _camera_phrase(s)), ("Lighting", _join(s.lighting)),
                ("Style", _join(s.style)), ("Mood", _join(s.mood)), ("Avoid", _join(s.negatives))]  # fmt: skip
    parts += [f"{label}: {value}." for label, value in sections if value]
    return " ".join(p for p in parts if p)


def compile_timeline(s: PromptStructure, warnings: list[str]) -> str:
    entries = [f"({_num(a)}–{_num(b)} s: {text})" for a, b, text in _timed(s.beats)]
    tail = compile_generic(s.model_copy(update={"beats": []}), warnings) if (s.setting or s.camera.move or s.lighting) else ""
    tail = re.sub(r"^[^:]*?\.\s*(?=Setting|Camera|Lighting|Style|Mood|Avoid)", "", tail) if s.subjects else tail
    return ", ".join(entries) + (". " + tail if tail else "")


def compile_ltx(s: PromptStructure, warnings: list[str]) -> str:
    beats = _beat_sentences(s.beats)
    parts = [beats[0] if beats else "", *beats[1:2], _subject_sentence(s),
             _sentence(f"The scene takes place {s.setting}") if s.setting else "",
             _sentence(f"The camera: {_camera_phrase(s)}") if _camera_phrase(s) else "",
             _sentence(f"The lighting is {_join(s.lighting)}") if s.lighting else "",
             *beats[2:], _sentence(_join(s.style + s.mood)) if s.style or s.mood else ""]  # fmt: skip
    return _limit(" ".join(p for p in parts if p), LTX_MAX_WORDS, "ltx", warnings)


def compile_wan(s: PromptStructure, warnings: list[str]) -> str:
    lead = _join([*s.style, s.camera.shot_size])
    parts = [_sentence(lead) if lead else "", *_beat_sentences(s.beats), _subject_sentence(s),
             _sentence(f"The setting is {s.setting}") if s.setting else "",
             _sentence(f"{_join(s.lighting)} lighting") if s.lighting else "",
             _sentence(f"Camera: {_join([s.camera.angle, s.camera.move, s.camera.lens])}") if s.camera.move or s.camera.angle else "",
             _sentence(f"The mood is {_join(s.mood)}") if s.mood else ""]  # fmt: skip
    text = _limit(" ".join(p for p in parts if p), WAN_MAX_WORDS, "wan", warnings)
    if len(text.split()) < WAN_MIN_WORDS:
        warnings.append(f"wan: {len(text.split())} words; Wan follows prompts of {WAN_MIN_WORDS}–{WAN_MAX_WORDS} words best: "
                        "describe appearance, setting and lighting in more detail")  # fmt: skip
    return text


def compile_cogvideox_i2v(s: PromptStructure, warnings: list[str]) -> str:
    beats = []
    for beat in s.beats:
        if any(w in beat.text.lower() for w in lx.CUT_WORDS):
            warnings.append(f"cogvideox_i2v: removed a cut or transition, which image-to-video cannot do: {beat.text!r}")
            continue
        beats.append(beat)
    motion = " ".join(_beat_sentences(beats))
    camera = _join([s.camera.move, s.camera.shot_size])
    parts = ["Starting from the given first frame,", motion[:1].lower() + motion[1:] if motion else "the scene comes to life.",
             _sentence(f"The camera: {camera}, in one continuous shot") if camera else "",
             _sentence(_join(s.lighting + s.style)) if s.lighting or s.style else ""]  # fmt: skip
    return " ".join(p for p in parts if p)


def compile_animatediff(s: PromptStructure, warnings: list[str]) -> str:
    tags = [f"({sub.appearance or sub.name}:1.2)" for sub in s.subjects]
    tags += [f"({s.beats[0].text}:1.1)"] if s.beats else []
    tags += [b.text for b in s.beats[1:]] + [s.setting] + s.lighting + s.style + s.mood
    tags += [s.camera.move, s.camera.shot_size, s.camera.angle]
    return _join([t.strip() for t in tags if t and t.strip()])


COMPILERS: dict[str, Callable[[PromptStructure, list[str]], str]] = {
    "generic": compile_generic, "timeline": compile_timeline, "ltx": compile_ltx, "wan": compile_wan,
    "cogvideox_i2v": compile_cogvideox_i2v, "animatediff": compile_animatediff,
}  # fmt: skip


def compile_prompt(structure: PromptStructure, family: str) -> CompiledPrompt:
    """The prompt for ``family`` with its negative, word count and warnings.

    Raises:
        InvalidRequestError: an unknown family (the message lists the known ones).
    """
    if family not in COMPILERS:
        raise InvalidRequestError(f"unknown prompt format {family!r}; use one of {', '.join(COMPILERS)}")
    warnings = contradictions(list(structure.camera.presets))
    text = COMPILERS[family](structure, warnings)
    return CompiledPrompt(family=family, text=text, negative=_join(structure.negatives), word_count=len(words(text)),
                          warnings=warnings)  # fmt: skip


def _num(value: float) -> str:
    return f"{value:g}"
