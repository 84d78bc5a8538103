"""Vocabularies of the offline structurer: facts about words, no logic."""

from __future__ import annotations

# phrase -> (motion-engine presets, strength). Longer phrases are matched first.
CAMERA_MOVES: dict[str, tuple[tuple[str, ...], float]] = {
    "static shot": (("static",), 1.0), "static camera": (("static",), 1.0), "locked-off": (("static",), 1.0),
    "locked off": (("static",), 1.0), "tripod shot": (("static",), 1.0), "still camera": (("static",), 1.0),
    "push in": (("dolly_in",), 1.0), "push-in": (("dolly_in",), 1.0), "dolly in": (("dolly_in",), 1.0),
    "dolly forward": (("dolly_in",), 1.0), "move in": (("dolly_in",), 1.0), "moves in": (("dolly_in",), 1.0),
    "pull out": (("dolly_out",), 1.0), "pull back": (("dolly_out",), 1.0), "dolly out": (("dolly_out",), 1.0),
    "dolly back": (("dolly_out",), 1.0), "pulls back": (("dolly_out",), 1.0),
    "zoom in": (("zoom_in",), 1.0), "zooms in": (("zoom_in",), 1.0), "zoom out": (("zoom_out",), 1.0),
    "zooms out": (("zoom_out",), 1.0), "crash zoom": (("zoom_in",), 2.0), "dolly zoom": (("dolly_in", "zoom_out"), 1.0),
    "whip pan": (("pan_right",), 2.0), "pan left": (("pan_left",), 1.0), "pans left": (("pan_left",), 1.0),
    "pan right": (("pan_right",), 1.0), "pans right": (("pan_right",), 1.0), "panning shot": (("pan_right",), 1.0),
    "tilt up": (("tilt_up",), 1.0), "tilts up": (("tilt_up",), 1.0), "tilt down": (("tilt_down",), 1.0),
    "tilts down": (("tilt_down",), 1.0), "dutch roll": (("roll_cw",), 1.0), "barrel roll": (("roll_cw",), 2.0),
    "roll clockwise": (("roll_cw",), 1.0), "roll counterclockwise": (("roll_ccw",), 1.0),
    "truck left": (("truck_left",), 1.0), "truck right": (("truck_right",), 1.0),
    "tracking shot": (("truck_right",), 1.0), "tracks alongside": (("truck_right",), 1.0),
    "pedestal up": (("pedestal_up",), 1.0), "pedestal down": (("pedestal_down",), 1.0),
    "orbit around": (("orbit_right",), 1.0), "orbits around": (("orbit_right",), 1.0), "orbit left": (("orbit_left",), 1.0),
    "orbit right": (("orbit_right",), 1.0), "arc shot": (("orbit_right",), 1.0), "360 shot": (("orbit_right",), 3.0),
    "circles around": (("orbit_right",), 1.0), "crane up": (("crane_up",), 1.0), "crane shot": (("crane_up",), 1.0),
    "crane down": (("crane_down",), 1.0), "jib up": (("crane_up",), 1.0), "boom up": (("crane_up",), 1.0),
    "drone shot": (("crane_up", "dolly_in"), 1.0), "aerial shot": (("crane_up", "dolly_in"), 1.0),
    "flyover": (("dolly_in", "crane_up"), 1.0), "fly-through": (("dolly_in",), 1.5), "handheld": (("static",), 0.3),
    "shaky cam": (("static",), 0.5), "follow shot": (("dolly_in",), 0.7), "reveal shot": (("crane_up",), 1.0),
}
SPEED_WORDS: dict[str, float] = {
    "very slow": 0.3, "very slowly": 0.3, "slow": 0.5, "slowly": 0.5, "gentle": 0.5, "gently": 0.5, "subtle": 0.4,
    "gradual": 0.6, "gradually": 0.6, "steady": 0.8, "fast": 1.5, "quick": 1.5, "quickly": 1.5, "rapid": 1.8,
    "rapidly": 1.8, "dramatic": 1.6, "sudden": 1.8, "swift": 1.6,
}
SHOT_SIZES = (
    "extreme close-up", "extreme close up", "close-up", "close up", "closeup", "medium close-up", "medium shot",
    "mid shot", "medium long shot", "cowboy shot", "full shot", "full body shot", "long shot", "wide shot",
    "extreme wide shot", "establishing shot", "over-the-shoulder shot", "two shot", "insert shot", "macro shot",
)  # fmt: skip
ANGLES = (
    "low angle", "low-angle", "high angle", "high-angle", "eye level", "eye-level", "bird's-eye view", "birds-eye view",
    "bird's eye view", "overhead shot", "top-down", "worm's-eye view", "dutch angle", "point of view", "pov",
)  # fmt: skip
LENSES = (
    "wide-angle lens", "wide angle lens", "telephoto lens", "fisheye lens", "macro lens", "anamorphic lens",
    "tilt-shift", "shallow depth of field", "deep focus", "bokeh",
)  # fmt: skip
LIGHTING = (
    "golden hour", "blue hour", "soft light", "soft lighting", "hard light", "harsh light", "natural light",
    "natural lighting", "backlit", "backlight", "rim light", "volumetric light", "god rays", "neon lights", "neon light",
    "candlelight", "candlelit", "moonlight", "moonlit", "sunlight", "sunlit", "studio lighting", "low key lighting",
    "high key lighting", "dramatic lighting", "cinematic lighting", "overcast", "sunset light", "warm light",
    "cold light", "silhouette", "firelight", "fluorescent light", "spotlight", "sunset", "sunrise", "dusk", "dawn",
    "twilight", "at night", "midday sun",
)  # fmt: skip
STYLES = (
    "cinematic", "photorealistic", "realistic", "hyperrealistic", "anime", "cartoon", "pixar style", "3d render",
    "claymation", "stop motion", "watercolor", "oil painting", "film noir", "noir", "documentary", "vintage",
    "35mm film", "16mm film", "film grain", "black and white", "vhs", "cyberpunk", "steampunk", "fantasy",
    "sci-fi", "surreal", "minimalist", "retro", "pixel art", "low poly", "studio ghibli style", "music video",
)  # fmt: skip
MOODS = (
    "calm", "peaceful", "serene", "tense", "eerie", "ominous", "joyful", "happy", "melancholic", "sad", "romantic",
    "mysterious", "dreamy", "epic", "nostalgic", "playful", "dramatic mood", "energetic", "gloomy", "whimsical",
    "cozy", "lonely", "hopeful", "chaotic", "tranquil",
)  # fmt: skip
NEGATION_CUES = ("without", "no", "avoid", "not", "don't show", "do not show", "never")
# Connectives that start a new beat, in the order they appear in text.
BEAT_CONNECTIVES = (
    "and then", "after that", "afterwards", "meanwhile", "at the end", "in the end", "finally", "eventually",
    "then", "next", "later", "first", "while", "as", "before", "suddenly",
)  # fmt: skip
SETTING_PREPOSITIONS = ("in", "on", "at", "inside", "across", "through", "over", "under", "along", "near", "by", "beneath", "above")
OPPOSITE_PRESETS = (
    ("pan_left", "pan_right"), ("tilt_up", "tilt_down"), ("roll_cw", "roll_ccw"), ("zoom_in", "zoom_out"),
    ("dolly_in", "dolly_out"), ("truck_left", "truck_right"), ("pedestal_up", "pedestal_down"),
    ("orbit_left", "orbit_right"), ("crane_up", "crane_down"),
)  # fmt: skip
CUT_WORDS = ("cut to", "cuts to", "jump cut", "transition", "fade to", "scene change", "smash cut", "dissolve")
STOP_NAMES = {"the", "a", "an", "camera", "shot", "scene", "video", "it", "they", "he", "she"}
