"""Assembles the tabs into one ``gr.Blocks``."""

from __future__ import annotations

import gradio as gr

from studio.container import Container
from studio.presets.schema import Tab
from studio.ui.i2v_tab import ImageToVideoTab, ImageToVideoWidgets
from studio.ui.jobs_tab import JobsTab
from studio.ui.models_tab import ModelsTab
from studio.ui.prompt_tab import PromptTab
from studio.ui.settings_codec import TAB_KEYS
from studio.ui.sharing import restore_from_url
from studio.ui.t2v_tab import TextToVideoTab, TextToVideoWidgets

_CSS = """
#t2v-previews img { image-rendering: pixelated; }
"""


def build_ui(container: Container) -> gr.Blocks:
    """The studio's Blocks; every event meant for clients has an ``api_name``.

    Every tab has the same shape: ``render()`` builds its widgets into a dataclass, ``wire(widgets)`` connects
    their events (the prompt assistant also gets the generation tabs' widgets, to send its prompt there).
    """
    with gr.Blocks(title="Video Studio") as blocks:
        gr.Markdown(header_markdown(container), elem_id="studio-header")
        t2v, i2v, prompt = TextToVideoTab(container), ImageToVideoTab(container), PromptTab(container)
        jobs, models = JobsTab(container), ModelsTab(container)
        with gr.Tabs() as tabs:
            with gr.Tab("Text → Video", id="t2v"):
                t2v_widgets = t2v.render()
            with gr.Tab("Image → Video", id="i2v"):
                i2v_widgets = i2v.render()
            with gr.Tab("Prompt assistant", id="prompt"):
                prompt_widgets = prompt.render()
            with gr.Tab("Jobs", id="jobs"):
                jobs_widgets = jobs.render()
            with gr.Tab("Models", id="models"):
                models_widgets = models.render()
        t2v.wire(t2v_widgets)
        i2v.wire(i2v_widgets)
        prompt.wire(prompt_widgets, t2v_widgets, i2v_widgets, tabs)
        jobs.wire(jobs_widgets)
        models.wire(models_widgets)
        _wire_links(container, blocks, tabs, t2v_widgets, i2v_widgets)
    blocks.queue(default_concurrency_limit=8, max_size=container.settings.max_queue_length)
    return blocks


CSS = _CSS


def header_markdown(container: Container) -> str:
    """What the studio is, and a plain warning when the default models are random-weight demos."""
    lines = ["### Video Studio · text and images to video: camera moves, motion arrows, live previews, jobs (REST: `/docs`)"]
    defaults = [container.registry.resolve(container.settings.default_model)]
    if any(spec.demo for spec in defaults):
        lines.append(
            "The default models are **random-weight demos**: they make coloured noise, fast, to try every part of the "
            "studio; real models (e.g. `wan2.1-t2v-1.3b`) load from the Hugging Face cache or a local folder (see "
            "**Models** and the README). *Motion warp* (Image → Video) needs no weights at all."
        )
    return "\n\n".join(lines)


def _wire_links(container: Container, blocks: gr.Blocks, tabs: gr.Tabs, t2v: TextToVideoWidgets,
                i2v: ImageToVideoWidgets) -> None:  # fmt: skip
    """``?preset=`` / ``?s=`` restore the settings (and select the tab) when the page opens."""
    views: list[tuple[Tab, TextToVideoWidgets | ImageToVideoWidgets]] = [("t2v", t2v), ("i2v", i2v)]
    settings = [widget for _tab, view in views for widget in view.setting_widgets()]
    outputs = [tabs, *settings, *(view.sharing.top.message for _tab, view in views)]

    def restore(request: gr.Request | None = None) -> list:
        query = dict(request.query_params) if request is not None else {}
        tab, values, message = restore_from_url(container, query)
        updates: list = [gr.Tabs(selected=tab) if tab else gr.skip()]
        for name, _view in views:
            updates += [values[k] if name == tab and k in values else gr.skip() for k in TAB_KEYS[name]]
        updates += [message if name == tab or (tab is None and name == "t2v") else gr.skip() for name, _view in views]
        return updates

    blocks.load(restore, outputs=outputs, api_visibility="private")
