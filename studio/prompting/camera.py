"""Camera moves named in a prompt -> motion-engine presets (candidates; the parser decides which are the camera's).

A move is a camera word ("pan", "pushes", "orbiting", "cranes") plus the
direction that follows it ("left", "in", "from left to right",
"counterclockwise"), or a fixed term ("dolly zoom", "whip pan", "arc shot").
Each family maps a direction to one preset, with a default where the text
gives none (documented in docs/prompting.md). Whether a verb is the camera's
("the camera rises") or someone else's ("the sun rises") is decided by
``clauses.py`` from the clause's subject, so every candidate carries
``technical`` (a film term: pan, tilt, zoom, dolly, ...) and ``nominal`` (used
as a noun: "slow dolly in", "tracking shot"), which relax that check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.prompting import pos

# family -> direction -> presets; "" is the default when no direction is given (None: not a move without one).
_FAMILIES: dict[str, dict[str, tuple[str, ...] | None]] = {
    "pan": {"left": ("pan_left",), "right": ("pan_right",), "": ("pan_right",)},
    "tilt": {"up": ("tilt_up",), "down": ("tilt_down",), "": ("tilt_up",)},
    "roll": {"cw": ("roll_cw",), "right": ("roll_cw",), "ccw": ("roll_ccw",), "left": ("roll_ccw",), "": ("roll_cw",)},
    "zoom": {"in": ("zoom_in",), "out": ("zoom_out",), "": ("zoom_in",)},
    "dolly": {"in": ("dolly_in",), "out": ("dolly_out",), "left": ("truck_left",), "right": ("truck_right",), "": ("dolly_in",)},
    "push": {"in": ("dolly_in",), "": ("dolly_in",)},
    "pull": {"out": ("dolly_out",), "": None},
    "move": {"in": ("dolly_in",), "out": ("dolly_out",), "left": ("truck_left",), "right": ("truck_right",),
             "up": ("pedestal_up",), "down": ("pedestal_down",), "": None},
    "truck": {"left": ("truck_left",), "right": ("truck_right",), "": ("truck_right",)},
    "follow": {"left": ("truck_left",), "right": ("truck_right",), "behind": ("dolly_in",), "": ("truck_right",)},
    "pedestal": {"up": ("pedestal_up",), "down": ("pedestal_down",), "": ("pedestal_up",)},
    "crane": {"up": ("crane_up",), "down": ("crane_down",), "": ("crane_up",)},
    "rise": {"": ("crane_up",), "up": ("crane_up",)},
    "descend": {"": ("crane_down",), "down": ("crane_down",)},
    "orbit": {"left": ("orbit_left",), "right": ("orbit_right",), "cw": ("orbit_left",), "ccw": ("orbit_right",),
              "": ("orbit_right",)},
    "fly": {"": ("dolly_in",)},
    "static": {"": ("static",)},
}  # fmt: skip
# word form -> (family, technical): technical film terms may be used without a subject after another subject's clause.
_WORDS: dict[str, tuple[str, bool]] = {}
for _family, _technical, _forms in (
    ("pan", True, "pan pans panning panned"), ("tilt", True, "tilt tilts tilting tilted"),
    ("roll", False, "roll rolls rolling"), ("zoom", True, "zoom zooms zooming zoomed"),
    ("dolly", True, "dolly dollies dollying dollied"), ("push", False, "push pushes pushing push-in"),
    ("pull", False, "pull pulls pulling pull-back pull-out"), ("move", False, "move moves moving"),
    ("push", False, "approach approaches approaching"), ("truck", True, "truck trucks trucking"),
    ("follow", False, "track tracks tracking follow follows following"),
    ("pedestal", True, "pedestal pedestals pedestaling pedestalling"),
    ("crane", True, "crane cranes craning boom booms booming jib jibs"), ("rise", False, "rise rises rising ascend ascends ascending"),
    ("descend", False, "descend descends descending"), ("orbit", True, "orbit orbits orbiting arc arcs arcing"),
    ("orbit", False, "circle circles circling"), ("fly", True, "fly-through flythrough"),
    ("static", True, "static locked-off tripod"),
):  # fmt: skip
    for _form in _forms.split():
        _WORDS[_form] = (_family, _technical)
# two-word terms: (first, second) -> (family, direction, base strength)
_TERMS: dict[tuple[str, str], tuple[str, str, float]] = {
    ("dolly", "zoom"): ("dolly_zoom", "", 1.0), ("crash", "zoom"): ("zoom", "in", 2.0), ("whip", "pan"): ("pan", "", 2.0),
    ("whip", "pans"): ("pan", "", 2.0), ("arc", "shot"): ("orbit", "", 1.0), ("360", "shot"): ("orbit", "", 3.0),
    ("360", "orbit"): ("orbit", "", 3.0), ("tracking", "shot"): ("follow", "", 1.0), ("crane", "shot"): ("crane", "", 1.0),
    ("static", "shot"): ("static", "", 1.0), ("static", "camera"): ("static", "", 1.0), ("still", "camera"): ("static", "", 1.0),
    ("fixed", "camera"): ("static", "", 1.0), ("locked", "off"): ("static", "", 1.0), ("tripod", "shot"): ("static", "", 1.0),
    ("dutch", "roll"): ("roll", "", 1.0), ("barrel", "roll"): ("roll", "", 2.0), ("follow", "shot"): ("follow", "", 1.0),
    ("flies", "through"): ("fly", "", 1.5), ("fly", "through"): ("fly", "", 1.5), ("flying", "through"): ("fly", "", 1.5),
}  # fmt: skip
_BASE_STRENGTH = {"fly": 1.5}
_DIRECTIONS = {
    "left": "left", "right": "right", "up": "up", "upward": "up", "upwards": "up", "down": "down", "downward": "down",
    "downwards": "down", "in": "in", "into": "in", "inward": "in", "closer": "in", "toward": "in", "towards": "in",
    "forward": "in", "forwards": "in", "out": "out", "outward": "out", "away": "out", "back": "out", "backward": "out",
    "backwards": "out", "clockwise": "cw", "counterclockwise": "ccw", "counter-clockwise": "ccw", "anticlockwise": "ccw",
    "anti-clockwise": "ccw", "behind": "behind",
}  # fmt: skip
_SKIP = pos.PRONOUNS | {"slowly", "gently", "quickly", "slightly", "smoothly", "steadily", "rapidly", "gradually",
                        "very", "fast", "slow", "the", "camera", "from", "around", "to", "on"}  # fmt: skip
_SPANS = re.compile(r"(?i)\b(?:from\s+)?(left|right)\s+to\s+(left|right)\b")


@dataclass
class Move:
    """One camera move named in the text: token range, presets, base strength, and how sure it is the camera's."""

    start: int
    end: int
    presets: tuple[str, ...]
    strength: float
    technical: bool
    nominal: bool
    words: str


def _direction(lowered: list[str], index: int, family: str) -> tuple[str, int]:
    """The direction word after a camera word (skipping adverbs and pronouns), and the index after it."""
    span = _SPANS.match(" ".join(lowered[index : index + 4]))
    if span and family in ("pan", "truck", "follow", "move", "orbit", "dolly"):
        return span.group(2), index + (4 if lowered[index] == "from" else 3)
    for offset in range(index, min(len(lowered), index + 3)):
        word = lowered[offset]
        if word == "behind" and offset > index and lowered[offset - 1] == "from":
            return "behind", offset + 1
        if word in _DIRECTIONS and (word != "around" or family == "orbit"):
            return _DIRECTIONS[word], offset + 1
        if word not in _SKIP:
            break
    return "", index


def find_moves(lowered: list[str]) -> list[Move]:
    """Every camera-move candidate in the lower-cased tokens of one text, in order, not overlapping."""
    moves: list[Move] = []
    index = 0
    while index < len(lowered):
        move = _term_move(lowered, index) or _word_move(lowered, index)
        if move is not None:
            moves.append(move)
        index = move.end if move is not None else index + 1
    return moves


def _term_move(lowered: list[str], index: int) -> Move | None:
    """A two-word term at ``index`` ("dolly zoom", "whip pan", "tracking shot"), with the direction after it."""
    pair = (lowered[index], lowered[index + 1]) if index + 1 < len(lowered) else None
    if pair not in _TERMS:
        return None
    family, fixed, base = _TERMS[pair]  # type: ignore[index]
    direction, end = _direction(lowered, index + 2, family)
    end = max(end, index + 2)
    if family == "dolly_zoom":
        presets: tuple[str, ...] = ("dolly_in", "zoom_out")
    else:
        presets = _FAMILIES[family].get(fixed or direction) or _FAMILIES[family][""] or ()
    return Move(index, end, presets, base, True, True, " ".join(lowered[index:end]))


def _word_move(lowered: list[str], index: int) -> Move | None:
    """A camera word at ``index`` ("pans", "orbiting", "cranes") with its direction, when it names a move."""
    word = lowered[index]
    if word not in _WORDS:
        return None
    family, technical = _WORDS[word]
    direction, end = _direction(lowered, index + 1, family)
    table = _FAMILIES[family]
    presets = table.get(direction) if direction else None if word in _NOUNS_NEEDING_DIRECTION else table.get("")
    if not presets:
        return None
    end = max(end, index + 1)
    # "slow dolly in", "a push-in": used as a noun, a film term names the camera's move wherever it stands
    nominal = index > 0 and (lowered[index - 1] in pos.DETERMINERS or lowered[index - 1] in _SPEED_ADJECTIVES)
    nominal = nominal and (technical or family in ("push", "pull"))
    return Move(index, end, presets, _BASE_STRENGTH.get(family, 1.0), technical, nominal, " ".join(lowered[index:end]))


# nouns with other meanings ("a pickup truck", "a crane lifts beams", "the track") name a move only with a direction
_NOUNS_NEEDING_DIRECTION = frozenset(("truck", "crane", "boom", "jib", "track", "circle", "arc", "pedestal", "dolly"))
_SPEED_ADJECTIVES = frozenset(("slow", "gentle", "subtle", "gradual", "steady", "fast", "quick", "rapid", "dramatic",
                               "sudden", "swift", "smooth"))  # fmt: skip
