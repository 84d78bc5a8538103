"""Small helpers shared by the tabs: error translation and formatting."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, TypeVar

import gradio as gr
from gradio.blocks import Block

from studio.errors import StudioError
from studio.types import Job, JobEvent, JobStatus
from studio.ui.model_controls import MODEL_DEPENDENT

T = TypeVar("T")
#: keyword arguments of an event clients do not call (no API endpoint); spread it, never change it.
PRIVATE: dict[str, Any] = {"api_visibility": "private"}


@contextmanager
def user_errors() -> Iterator[None]:
    """The UI's one translation of studio errors: a ``gr.Error`` with the message."""
    try:
        yield
    except StudioError as exc:
        raise gr.Error(str(exc)) from exc


def _named_widgets(groups: Sequence[Any]) -> dict[str, gr.components.Component]:
    """The widget fields of widget dataclasses by field name (nested groups are not entered; pass them too).

    Raises:
        ValueError: two groups have a widget of the same name (which one a key means would be a guess).
    """
    found: dict[str, gr.components.Component] = {}
    for group in groups:
        for f in fields(group):
            widget = getattr(group, f.name)
            if not isinstance(widget, gr.components.Component):
                continue
            if f.name in found:
                raise ValueError(f"two widgets named {f.name!r} ({type(group).__name__} and another group)")
            found[f.name] = widget
    return found


def widgets_for_keys(keys: Sequence[str], *groups: Any) -> list[gr.components.Component]:
    """The widgets named ``keys`` (setting keys are field names) in the tab's widget dataclasses, in ``keys`` order.

    Raises:
        KeyError: a key no group has a field for (a tab that forgot a setting widget fails when it is built).
    """
    found = _named_widgets(groups)
    missing = [key for key in keys if key not in found]
    if missing:
        raise KeyError(f"no widget for setting(s) {', '.join(missing)}")
    return [found[key] for key in keys]


def dependent_widgets(*groups: Any) -> list[tuple[str, Block]]:
    """(control, widget) for the fields of ``groups`` whose visibility follows the model (``MODEL_DEPENDENT``)."""
    return [(key, widget) for key, widget in _named_widgets(groups).items() if key in MODEL_DEPENDENT]


def guarded(fn: Callable[..., T]) -> Callable[..., T]:
    def wrapper(*args, **kwargs):
        with user_errors():
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def progress_bar_html(fraction: float) -> str:
    percent = max(0.0, min(1.0, fraction)) * 100
    return (
        "<div class='studio-progress' style='background:#e5e7eb;border-radius:6px;height:10px;'>"
        f"<div style='width:{percent:.1f}%;background:#6366f1;height:10px;border-radius:6px;'></div></div>"
    )


def event_status_markdown(event: JobEvent) -> str:
    """One line for the status area: status, phase, step and message."""
    if event.status == JobStatus.FAILED:
        return f"**failed**: {event.message}"
    if event.status.is_terminal:
        return f"**{event.status.value}**"
    parts = [f"**{event.status.value}**", event.phase.value]
    if event.total_steps and event.step:
        parts.append(f"step {event.step}/{event.total_steps}")
    if event.kind in ("phase", "log") and event.message:
        parts.append(event.message)
    return " · ".join(parts)


def format_time(timestamp: float | None) -> str:
    return "" if timestamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def job_row(job: Job) -> list[object]:
    duration = job.duration_s
    return [
        job.id, job.status.value, job.phase.value, f"{job.progress * 100:.0f}%", job.request.model,
        job.request.prompt[:80], format_time(job.created_at), "" if duration is None else f"{duration:.1f}",
        job.outputs.video or "", job.error or "", step_cache_cell(job), job.attempts,
        job.worker or "",
    ]  # fmt: skip


JOB_COLUMNS = ["id", "status", "phase", "progress", "model", "prompt", "created", "seconds", "output", "error", "step cache",
               "attempts", "worker"]


def step_cache_cell(job: Job) -> str:
    """Which step cache a job asked for and, once it ran, how many transformer passes it skipped."""
    stats = job.outputs.step_cache
    if stats is not None:
        return f"{stats.kind}: calibrated" if stats.calibrating else f"{stats.kind}: {stats.skipped_passes}/{stats.passes} skipped"
    return "" if job.request.step_cache == "off" else job.request.step_cache
