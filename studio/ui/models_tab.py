"""Models tab: what is registered and on disk, what is loaded or loading, load / unload, and estimates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from studio.container import Container
from studio.engine.model_files import weights_status
from studio.errors import StudioError
from studio.types import GenerationRequest, Mode
from studio.ui.common import user_errors
from studio.ui.generation_settings import estimate_markdown, model_defaults
from studio.ui.workers_view import workers_markdown

_REFRESH_S = 2.0


@dataclass
class ModelSizes:
    width: gr.Number
    height: gr.Number
    num_frames: gr.Number
    fps: gr.Number
    steps: gr.Number
    guidance_scale: gr.Number

    def as_list(self) -> list[gr.Number]:
        return [self.width, self.height, self.num_frames, self.fps, self.steps, self.guidance_scale]


@dataclass
class ModelsWidgets:
    registered: gr.Markdown
    model: gr.Dropdown
    load: gr.Button
    unload: gr.Button
    refresh: gr.Button
    state: gr.Markdown
    #: what the estimate is for (the model's defaults until edited)
    sizes: ModelSizes
    estimate: gr.Markdown
    timer: gr.Timer


class ModelsTab:
    def __init__(self, container: Container) -> None:
        self._c = container

    def render(self) -> ModelsWidgets:
        registered = gr.Markdown(self.registered_markdown(), elem_id="models-registered")
        with gr.Row():
            model = gr.Dropdown([(s.display_name, s.key) for s in self._c.registry.specs()], value=self._c.settings.default_model,
                                label="Model", scale=3)  # fmt: skip
            # with Ray, jobs load models on the workers (and stay there: affinity); this process runs none
            in_process = self._c.ray is None
            load = gr.Button("Load", size="sm", elem_id="models-load", interactive=in_process)
            unload = gr.Button("Unload", size="sm", interactive=in_process)
            refresh = gr.Button("Refresh", size="sm")
        state = gr.Markdown(self.state_markdown(), elem_id="models-state")
        sizes = self._render_sizes()
        estimate = gr.Markdown(self.estimate(model.value, *(s.value for s in sizes.as_list())), elem_id="models-estimate")
        timer = gr.Timer(_REFRESH_S)
        return ModelsWidgets(registered, model, load, unload, refresh, state, sizes, estimate, timer)

    def wire(self, w: ModelsWidgets) -> None:
        private: dict[str, Any] = {"api_visibility": "private"}
        sizes: list[Any] = w.sizes.as_list()
        w.timer.tick(self.state_markdown, outputs=[w.state], show_progress="hidden", **private)
        w.load.click(self.load, inputs=[w.model], outputs=[w.state], **private)
        w.unload.click(self.unload, inputs=[w.model], outputs=[w.state], **private)
        w.refresh.click(lambda: (self.registered_markdown(), self.state_markdown()), outputs=[w.registered, w.state], **private)
        w.model.change(partial(model_defaults, self._c.registry), inputs=[w.model], outputs=sizes, **private)
        for widget in (w.model, *sizes):
            widget.change(self.estimate, inputs=[w.model, *sizes], outputs=[w.estimate], show_progress="hidden", **private)

    def _render_sizes(self) -> ModelSizes:
        d = self._c.registry.resolve(self._c.settings.default_model).defaults
        with gr.Row():
            width = gr.Number(d.width, precision=0, label="Width")
            height = gr.Number(d.height, precision=0, label="Height")
            frames = gr.Number(d.num_frames, precision=0, label="Frames")
            fps = gr.Number(d.fps, precision=0, label="FPS", visible=False)
            steps = gr.Number(d.steps, precision=0, label="Steps")
            guidance = gr.Number(d.guidance_scale, label="Guidance")
        return ModelSizes(width, height, frames, fps, steps, guidance)

    # -- views ------------------------------------------------------------------------
    def registered_markdown(self) -> str:
        """Every registered model: where its weights are (or the command that fetches them) and their size."""
        device = self._c.device
        lines = [f"**Device:** {device.device} ({device.dtype}); budget {self._c.manager.budget().gb:.1f} GB "
                 f"{self._c.manager.budget().kind}", "",
                 "| model | family | weights here | disk | weights at load dtype | fetch with |", "|---|---|---|---|---|---|"]  # fmt: skip
        for spec in self._c.registry.specs():
            status = weights_status(spec, self._c.settings.models_dir)
            here = ("yes: " if status.present else "no: ") + status.where
            disk = f"{status.disk_gb:.2f} GB" if status.disk_gb else "-"
            fetch = f"`{status.fetch_command}`" if status.fetch_command and not status.present else "-"
            lines.append(f"| {spec.display_name} | {spec.family} | {here} | {disk} | {self._weights(spec.key, spec.modes[0])} | {fetch} |")
        return "\n".join(lines)

    def _weights(self, key: str, mode: str) -> str:
        try:
            estimate = self._c.manager.estimate(GenerationRequest(prompt="", model=key, mode=Mode(mode)))
        except StudioError as exc:
            return f"unknown ({exc})"
        return f"{estimate.weights_gb:.2f} GB ({estimate.weights_source})"

    def state_markdown(self) -> str:
        """Loaded models (memory, offload, in use), loads in progress, and the last failed loads."""
        manager = self._c.manager
        parts = ["**Loaded:** none"]
        loaded = manager.loaded()
        if loaded:
            rows = [f"| {m.key} | {', '.join(m.modes)} | {m.size_gb:.2f} GB | {m.policy} | {'yes' if m.in_use else 'no'} |" for m in loaded]
            parts = ["**Loaded:**", "", "| model | modes | memory | offload | in use |", "|---|---|---|---|---|", *rows]
        loading = manager.loading()
        if loading:
            parts += ["", "**Loading:**", "", "| model | mode | status | for |", "|---|---|---|---|",
                      *[f"| {m.key} | {m.mode} | {m.status} | {m.seconds:.0f} s |" for m in loading]]  # fmt: skip
        for key, error in manager.load_errors().items():
            parts += ["", f"**Last load of {key} failed:** {error}"]
        if self._c.ray is not None:
            parts += ["", workers_markdown(self._c.ray.workers())]
        return "\n".join(parts)

    def estimate(self, key: str, width, height, num_frames, _fps, steps, guidance_scale) -> str:
        try:
            mode = self._c.registry.resolve(key or "").modes[0]
        except StudioError as exc:
            return f"**Estimate:** unavailable: {exc}"
        return estimate_markdown(self._c, mode, key, width, height, num_frames, steps, guidance_scale)

    # -- actions ----------------------------------------------------------------------
    def load(self, key: str) -> str:
        """Start loading ``key`` in the background; the state view follows it (the studio keeps answering)."""
        with user_errors():
            spec = self._c.registry.resolve(key)
            if not self._c.registry.family(spec).pipelines:
                raise gr.Error(f"{spec.display_name} has no neural model to load")
            self._c.manager.load_in_background(spec, spec.modes[0])
        return self.state_markdown()

    def unload(self, key: str) -> str:
        with user_errors():
            self._c.manager.unload(key)
        return self.state_markdown()
