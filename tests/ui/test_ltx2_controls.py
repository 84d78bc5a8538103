"""The tabs show LTX-2's guide strength (its frame conditioning) and hide the v2v-only guide controls."""

from __future__ import annotations

from studio.engine.registry import ModelRegistry
from studio.ui.model_controls import applicable_controls


def test_ltx2_shows_the_guide_strength_for_its_frame_condition() -> None:
    registry = ModelRegistry()
    for key in ("ltx2-demo", "ltx-2"):
        controls = applicable_controls(registry, registry.resolve(key))
        assert {"guide_strength", "steps", "guidance_scale", "negative_prompt"} <= controls
        # no noise warping, control video, dual clock (v2v only) or end image for LTX-2
        assert not {"warped_noise", "control_scale", "arrow_steering", "arrow_strength", "end_image"} & controls
