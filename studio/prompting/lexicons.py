"""Vocabularies of the offline structurer: facts about words, no logic (camera moves: ``camera.py``; word classes: ``pos.py``)."""

from __future__ import annotations

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
    "aerial shot", "aerial view", "drone shot",
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
SETTING_PREPOSITIONS = ("in", "on", "at", "inside", "across", "through", "over", "under", "along", "near", "by", "beneath", "above")
OPPOSITE_PRESETS = (
    ("pan_left", "pan_right"), ("tilt_up", "tilt_down"), ("roll_cw", "roll_ccw"), ("zoom_in", "zoom_out"),
    ("dolly_in", "dolly_out"), ("truck_left", "truck_right"), ("pedestal_up", "pedestal_down"),
    ("orbit_left", "orbit_right"), ("crane_up", "crane_down"),
)  # fmt: skip
CUT_WORDS = ("cut to", "cuts to", "jump cut", "transition", "fade to", "scene change", "smash cut", "dissolve")
STOP_NAMES = {"the", "a", "an", "camera", "shot", "scene", "video", "it", "they", "he", "she"}
