"""The "GPUs for this job" slider of the generation tabs: shown only where a job can have more than one GPU."""

from __future__ import annotations

import gradio as gr

from studio.container import Container


def job_gpus(container: Container) -> int:
    """The most GPUs one job may ask for: on Ray, one node's less the workers'; 1 in process."""
    return container.ray.max_job_gpus() if container.ray is not None else 1


def render_gpus(container: Container, prefix: str) -> gr.Slider:
    """A slider from 1 to what one job may have, hidden when that is 1 (in process, or one GPU per node)."""
    most = job_gpus(container)
    return gr.Slider(1, max(most, 2), value=1, step=1, label="GPUs for this job", visible=most > 1,
                     info="Splits this one video over several GPUs of one node (context parallelism); "
                          "the model must support it", elem_id=f"{prefix}-gpus")  # fmt: skip


def gpus_value(gpus: float | None) -> dict[str, int]:
    """The request value of the slider; a missing value (API call) is one GPU."""
    return {"gpus": 1 if gpus is None else int(gpus)}
