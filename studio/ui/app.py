"""Assembles the tabs into one ``gr.Blocks``."""

from __future__ import annotations

import gradio as gr

from studio.container import Container
from studio.ui.i2v_tab import ImageToVideoTab
from studio.ui.jobs_tab import JobsTab
from studio.ui.models_tab import ModelsTab
from studio.ui.prompt_tab import PromptTab
from studio.ui.t2v_tab import TextToVideoTab

_CSS = """
#t2v-previews img { image-rendering: pixelated; }
"""


def build_ui(container: Container) -> gr.Blocks:
    """The studio's Blocks; every event meant for clients has an ``api_name``."""
    with gr.Blocks(title="Video Studio") as blocks:
        gr.Markdown("## Video Studio")
        with gr.Tabs() as tabs:
            with gr.Tab("Text → Video", id="t2v"):
                t2v = TextToVideoTab(container)
                t2v.wire(t2v.render())
            with gr.Tab("Image → Video", id="i2v"):
                i2v = ImageToVideoTab(container)
                i2v.render_and_wire()
            with gr.Tab("Prompt assistant", id="prompt"):
                prompt = PromptTab(container)
                prompt_widgets = prompt.render()
            with gr.Tab("Jobs", id="jobs"):
                JobsTab(container).render_and_wire()
            with gr.Tab("Models", id="models"):
                ModelsTab(container).render_and_wire()
        prompt.wire(prompt_widgets, t2v.widgets, i2v.widgets, tabs)
    blocks.queue(default_concurrency_limit=8, max_size=container.settings.max_queue_length)
    return blocks


CSS = _CSS
