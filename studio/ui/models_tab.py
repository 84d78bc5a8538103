"""Models tab: what is registered, what is loaded, and estimates before running."""

from __future__ import annotations

import gradio as gr

from studio.container import Container
from studio.ui.common import user_errors


class ModelsTab:
    def __init__(self, container: Container) -> None:
        self._c = container

    def render_and_wire(self) -> None:
        gr.Markdown(self.registered_markdown())
        loaded = gr.Markdown(self.loaded_markdown())
        with gr.Row():
            model = gr.Dropdown([s.key for s in self._c.registry.specs()], value=self._c.settings.default_model, label="Model")
            unload = gr.Button("Unload", size="sm")
            refresh = gr.Button("Refresh", size="sm")
        refresh.click(self.loaded_markdown, outputs=[loaded], api_visibility="private")
        unload.click(self.unload, inputs=[model], outputs=[loaded], api_visibility="private")

    def registered_markdown(self) -> str:
        lines = [f"**Device:** {self._c.device.device} ({self._c.device.dtype})", "",
                 "| model | family | source | weights (bf16) |", "|---|---|---|---|"]  # fmt: skip
        for spec in self._c.registry.specs():
            source = "built locally, random weights" if spec.demo else spec.source
            lines.append(f"| {spec.display_name} | {spec.family} | {source} | {spec.weights_gb:.1f} GB |")
        return "\n".join(lines)

    def loaded_markdown(self) -> str:
        loaded = self._c.manager.loaded()  # type: ignore[attr-defined]
        if not loaded:
            return "**Loaded:** none"
        rows = [f"| {m.key} | {', '.join(m.modes)} | {m.size_gb:.2f} GB | {m.policy} | {'yes' if m.in_use else 'no'} |" for m in loaded]
        return "\n".join(["**Loaded:**", "", "| model | mode | size | offload | in use |", "|---|---|---|---|---|", *rows])

    def unload(self, key: str) -> str:
        with user_errors():
            self._c.manager.unload(key)  # type: ignore[attr-defined]
        return self.loaded_markdown()
