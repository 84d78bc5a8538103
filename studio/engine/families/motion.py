"""``motion-warp``: image to video with no neural model: the motion engine's guide is the result."""

from __future__ import annotations

from pathlib import Path

from studio.engine.families.base import Family, SizeRules


def _no_demo(folder: Path, scale: int, mode: str) -> None:
    raise NotImplementedError("motion-warp has no weights to build")


MOTION = Family(
    name="motion",
    label="Motion engine",
    pipelines={},  # no pipeline: the runner returns the guide video
    # any frame count; even sides for 4:2:0 video
    size_rules=SizeRules(side_multiple=2, temporal_step=1, min_side_px=16),
    previews=(),  # the result is the guide video itself, previewed as frames
    prediction="flow",
    pipeline_class_names=(),
    build_demo=_no_demo,
    # no steps or guidance; a prompt is accepted (kept with the job for a re-run on a neural model), not read
    inputs=frozenset({"prompt"}),
)
