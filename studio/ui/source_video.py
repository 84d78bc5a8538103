"""The "Source video" panel of the Text -> Video tab: video to video from an uploaded clip (no gradio handlers here).

With a clip, Generate asks for mode "v2v": the model re-renders the clip as the
prompt says, keeping ``guide_strength`` of it (how much of the denoising the
clip replaces). The panel shows for models that declare video-to-video
steering (``model_controls``: the ``source_video`` control).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from studio.jobs.defaults import V2V_STRENGTH
from studio.types import Mode


@dataclass
class SourceVideoWidgets:
    """The accordion, the clip and its strength (named like the tab's setting keys and the request's fields)."""

    panel: gr.Accordion
    video: gr.Video
    guide_strength: gr.Slider


def render_source_video(prefix: str) -> SourceVideoWidgets:
    """A closed accordion with the clip upload and the strength slider."""
    with gr.Accordion("Source video (video to video)", open=False, elem_id=f"{prefix}-source-video") as panel:
        video = gr.Video(sources=["upload"], label="Source video: mp4, mov, webm, mkv or gif; re-rendered as the prompt says",
                         elem_id=f"{prefix}-video", height=160)  # fmt: skip
        strength = gr.Slider(0.05, 1.0, value=V2V_STRENGTH, step=0.05, elem_id=f"{prefix}-v2v-strength",
                             label="Strength: how much of the clip stays (1 = nearly as is; lower = freer)")  # fmt: skip
    return SourceVideoWidgets(panel, video, strength)


def source_video_values(video: str | None, guide_strength: float | None) -> dict[str, Any]:
    """Request values of the panel: mode "v2v" with the clip and its strength, or nothing without a clip."""
    if not video:
        return {}
    return {"mode": Mode.V2V, "video": video, "guide_strength": None if guide_strength is None else float(guide_strength)}
