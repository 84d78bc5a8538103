"""Keyframe mode and export widgets both generation tabs share, and the review buttons (accept / regenerate)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from studio.container import Container
from studio.errors import InvalidRequestError
from studio.ui.common import user_errors
from studio.ui.session import session_viewer
from studio.ui.streaming import seed_value, stream_job

FACTORS = [("Off: the model makes every frame", 1), ("2x: the model makes every 2nd frame", 2),
           ("3x: every 3rd frame", 3), ("4x: every 4th frame", 4)]  # fmt: skip
#: how keyframe mode fills in the in-betweens (``keyframe_fill``); "model" only for models declaring "keyframes".
FILLS = [("Optical flow", "flow"), ("The model, conditioned on the keyframes", "model")]
FORMATS = [("mp4 (H.264)", "mp4"), ("webm (VP9)", "webm"), ("GIF (one palette)", "gif"), ("PNG frames (zip)", "png_zip")]


@dataclass
class KeyframeWidgets:
    keyframe_factor: gr.Dropdown
    review_keyframes: gr.Checkbox
    export_format: gr.Dropdown
    keyframe_fill: gr.Radio


@dataclass
class ReviewButtons:
    accept: gr.Button
    regenerate: gr.Button


def render_keyframe_settings(prefix: str) -> KeyframeWidgets:
    """Keyframe factor, review switch, fill-in and export format, in a closed accordion."""
    with gr.Accordion("Keyframes and export", open=False):
        factor = gr.Dropdown(FACTORS, value=1, label="Keyframe mode (the model makes keyframes, then the rest is filled in)",
                             info="Frames - 1 must be a multiple of the factor", elem_id=f"{prefix}-keyframe-factor")  # fmt: skip
        fill = gr.Radio(FILLS, value="flow", label="Fill in the in-betweens with",
                        info="The model: the whole clip generated again, conditioned on the keyframes at their frames",
                        elem_id=f"{prefix}-keyframe-fill")  # fmt: skip
        review = gr.Checkbox(value=False, label="Review keyframes before the in-betweens are made",
                             elem_id=f"{prefix}-review-keyframes")  # fmt: skip
        export_format = gr.Dropdown(FORMATS, value="mp4", label="Export format", elem_id=f"{prefix}-export-format")
    return KeyframeWidgets(factor, review, export_format, fill)


def keyframe_values(factor: Any, review: Any, export_format: Any, fill: Any = None) -> dict:
    """Request values from the widgets; missing ones (API calls) take the defaults."""
    return {"keyframe_factor": int(factor or 1), "review_keyframes": bool(review),
            "export": {"format": export_format or "mp4"}, "keyframe_fill": fill or "flow"}  # fmt: skip


def render_review_buttons(prefix: str) -> ReviewButtons:
    with gr.Row():
        accept = gr.Button("Accept keyframes", size="sm", elem_id=f"{prefix}-accept")
        regenerate = gr.Button("Regenerate keyframes (new seed)", size="sm", elem_id=f"{prefix}-regenerate")
    return ReviewButtons(accept, regenerate)


def wire_review_buttons(container: Container, w: ReviewButtons, job_id: gr.Textbox, seed: gr.Number, outputs: list,
                        public: bool) -> None:  # fmt: skip
    """Accept streams the filled-in clip; regenerate uses the seed box (-1 = random) and streams the new keyframes."""
    names: dict[str, Any] = {"api_name": "accept_keyframes"} if public else {"api_visibility": "private"}
    w.accept.click(partial(accept_keyframes, container), inputs=[job_id], outputs=outputs, **names)
    names = {"api_name": "regenerate_keyframes"} if public else {"api_visibility": "private"}
    w.regenerate.click(partial(regenerate_keyframes, container), inputs=[job_id, seed], outputs=outputs, **names)


def accept_keyframes(container: Container, job_id: str, request: gr.Request | None = None) -> Iterator[tuple]:
    """Accept the shown job's keyframes and stream the rest of it."""
    with user_errors():
        job = container.jobs.accept_keyframes(_job_id(job_id), session_viewer(container.settings, request))
    yield from stream_job(container, job)


def regenerate_keyframes(container: Container, job_id: str, seed: float | None = None,
                         request: gr.Request | None = None) -> Iterator[tuple]:  # fmt: skip
    """Generate the shown job's keyframes again (seed -1 or empty = random) and stream them."""
    with user_errors():
        job = container.jobs.regenerate_keyframes(_job_id(job_id), seed_value(seed), session_viewer(container.settings, request))
    yield from stream_job(container, job)


def _job_id(job_id: str | None) -> str:
    if not job_id or not job_id.strip():
        raise InvalidRequestError("no job to review: generate with 'Review keyframes' on first")
    return job_id.strip()
