"""Presets, share links and "load settings from a video" for a generation tab.

One ``SharingBar`` per generation tab: pick a preset (it fills the controls and
says what it changed), save the current settings as your own preset, delete
one of yours, make a share link, or drop a video the studio made to get its
settings back. ``restore_from_url`` applies ``?preset=`` / ``?s=`` when a page
opens. Conversions live in ``settings_codec`` (no gradio).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from studio.container import Container
from studio.errors import StudioError
from studio.media.export import read_embedded_metadata
from studio.presets.links import decode_settings, share_query
from studio.presets.schema import Tab
from studio.ui.common import PRIVATE, user_errors
from studio.ui.settings_codec import TAB_KEYS, label, request_values, to_values, to_widgets

_IMAGE_AGAIN = "files (source image, end image, depth map, camera file) are not part of shared settings: upload them again"


@dataclass
class SharingTop:
    """The preset picker, the Share button, the link and the message (at the top of a tab)."""

    preset: gr.Dropdown
    share: gr.Button
    link: gr.Textbox
    query: gr.Textbox
    message: gr.Markdown


@dataclass
class SharingWidgets:
    top: SharingTop
    save_name: gr.Textbox
    save: gr.Button
    delete: gr.Button
    video: gr.File


class SharingBar:
    """Renders and wires the preset/share controls of one tab over its setting widgets."""

    def __init__(self, container: Container, tab: Tab) -> None:
        self._c = container
        self._tab = tab
        self._keys = TAB_KEYS[tab]
        #: the widgets' values when the page opens: what a ``?preset=`` link starts from
        self._initial: dict[str, Any] = {}

    # -- layout ---------------------------------------------------------------------
    def render_top(self) -> SharingTop:
        """The preset picker and Share button (one row), the link and the message; see ``render_panel``."""
        with gr.Row(equal_height=True):
            preset = gr.Dropdown(self._choices(), value=None, label="Preset (fills the controls it names)", scale=4,
                                 elem_id=f"{self._tab}-preset")  # fmt: skip
            share = gr.Button("Share", size="sm", scale=1, min_width=80, elem_id=f"{self._tab}-share")
        link = gr.Textbox(label="Share link", visible=False, interactive=False, elem_id=f"{self._tab}-link",
                          buttons=["copy"])  # fmt: skip
        query = gr.Textbox(visible=False)
        message = gr.Markdown(elem_id=f"{self._tab}-sharing-message")
        return SharingTop(preset, share, link, query, message)

    def render_panel(self, top: SharingTop) -> SharingWidgets:
        """The save / delete / load-from-video panel (a closed accordion), with ``top``: every sharing widget."""
        with gr.Accordion("Presets: save, delete, load settings from a video", open=False):
            with gr.Row():
                save_name = gr.Textbox(label="Preset name", placeholder="my-look", scale=3, elem_id=f"{self._tab}-save-name")
                save = gr.Button("Save as preset", size="sm", scale=1)
                delete = gr.Button("Delete preset", size="sm", scale=1)
            video = gr.File(label="Load settings from a video the studio made", file_types=[".mp4", ".webm", ".mkv"],
                            type="filepath", elem_id=f"{self._tab}-settings-video")  # fmt: skip
        return SharingWidgets(top, save_name, save, delete, video)

    def wire(self, w: SharingWidgets, settings: Sequence[gr.components.Component]) -> None:
        """``settings``: the tab's setting widgets, one per key of ``TAB_KEYS[tab]``, in that order."""
        widgets = list(settings)
        if len(widgets) != len(self._keys):
            raise ValueError(f"{self._tab}: {len(widgets)} setting widgets for {len(self._keys)} keys")
        self._initial = {k: widget.value for k, widget in zip(self._keys, widgets, strict=True)}
        top, private = w.top, PRIVATE
        top.preset.input(self.apply_preset, inputs=[top.preset, *widgets], outputs=[*widgets, top.message], **private)
        top.share.click(self.share_link, inputs=[top.preset, *widgets], outputs=[top.query, top.message], **private).then(
            None, inputs=[top.query], outputs=[top.link],
            js="(q) => q ? window.location.origin + window.location.pathname + '?' + q : ''",
        ).then(lambda q: gr.Textbox(visible=bool(q)), inputs=[top.query], outputs=[top.link], **private)  # fmt: skip
        w.save.click(self.save_preset, inputs=[w.save_name, *widgets], outputs=[top.preset, top.message], **private)
        w.delete.click(self.delete_preset, inputs=[top.preset], outputs=[top.preset, top.message], **private)
        w.video.upload(self.load_video, inputs=[w.video, *widgets], outputs=[*widgets, top.message], **private)

    # -- handlers -----------------------------------------------------------------------
    def _choices(self) -> list[tuple[str, str]]:
        return [(p.label, p.preset.name) for p in self._c.presets.for_tab(self._tab)]

    def _current(self, values: Sequence[Any]) -> dict[str, Any]:
        return dict(zip(self._keys, values, strict=True))

    def _updates(self, new: dict[str, Any], current: dict[str, Any]) -> tuple[list[Any], list[str]]:
        """One output per setting widget (``gr.skip()`` where unchanged) and the labels that changed."""
        updates, changed = [], []
        for key in self._keys:
            if key in new and new[key] != current.get(key):
                updates.append(new[key])
                changed.append(label(key))
            else:
                updates.append(gr.skip())
        return updates, changed

    def apply_preset(self, name: str | None, *values: Any) -> list[Any]:
        """Fill the controls the preset names; the message lists what changed."""
        if not name:
            return [gr.skip()] * len(self._keys) + [""]
        with user_errors():
            preset = self._c.presets.get(name).preset
            new = to_widgets(self._tab, preset.values)
        current = self._current(values)
        if preset.prompt_suffix:
            new["prompt"] = preset.prompt_with_suffix(current.get("prompt"))
        updates, changed = self._updates(new, current)
        what = ", ".join(changed) if changed else "nothing (the controls already match)"
        return [*updates, f"Preset **{preset.title}** changed: {what}."]

    def share_link(self, preset: str | None, *values: Any) -> tuple[str, str]:
        """The query of a link for the current settings: ``?preset=`` when opening that preset gives exactly them."""
        try:
            settings = to_values(self._tab, self._current(values))
            if preset and settings == to_values(self._tab, self._opened_with(preset)):
                return share_query(self._tab, preset=preset), "Link to the preset (copy it above)."
            query = share_query(self._tab, values=settings)
        except StudioError as exc:
            return "", f"⚠ {exc}"
        note = f" Note: {_IMAGE_AGAIN}." if self._tab == "i2v" else ""
        return query, f"Link with these settings (copy it above).{note}"

    def _opened_with(self, preset: str) -> dict[str, Any]:
        """The widget values a page opened with ``?preset=`` shows (see ``restore_from_url``)."""
        _tab, widgets, _message = restore_from_url(self._c, {"tab": self._tab, "preset": preset})
        return {**self._initial, **widgets}

    def save_preset(self, name: str | None, *values: Any) -> tuple[Any, str]:
        """Save the current settings as your preset."""
        with user_errors():
            preset = self._c.presets.save_user((name or "").strip(), (name or "").strip(), [self._tab],
                                               to_values(self._tab, self._current(values)))  # fmt: skip
        return gr.Dropdown(choices=self._choices(), value=preset.name), f"Saved preset **{preset.name}**."

    def delete_preset(self, name: str | None) -> tuple[Any, str]:
        """Delete one of your presets (curated ones stay)."""
        if not name:
            return gr.skip(), "Pick one of your presets to delete."
        with user_errors():
            self._c.presets.delete_user(name)
        return gr.Dropdown(choices=self._choices(), value=None), f"Deleted preset **{name}**."

    def load_video(self, path: str | None, *values: Any) -> list[Any]:
        """Restore every control from the settings embedded in a video the studio made."""
        skip = [gr.skip()] * len(self._keys)
        if not path:
            return [*skip, ""]
        try:
            request = read_embedded_metadata(Path(path)).get("request")
            if not isinstance(request, dict):
                raise ValueError("no request")
            tab, shared = request_values(request)
        except (OSError, ValueError, KeyError, StudioError):
            return [*skip, "⚠ This video carries no studio settings (only videos the studio made do)."]
        if tab != self._tab:
            other = "Image → Video" if tab == "i2v" else "Text → Video"
            return [*skip, f"⚠ This video was made in the {other} tab: load it there."]
        try:
            new = to_widgets(self._tab, shared)
        except StudioError as exc:
            return [*skip, f"⚠ This video's settings cannot all be shown here: {exc}."]
        updates, changed = self._updates(new, self._current(values))
        note = f" ({_IMAGE_AGAIN})" if tab == "i2v" else ""
        return [*updates, f"Restored from the video: {', '.join(changed) or 'nothing changed'}{note}."]


def restore_from_url(container: Container, query: dict[str, str]) -> tuple[Tab | None, dict[str, Any], str]:
    """What a page opened with ``?tab=&preset=`` or ``?s=`` should show: (tab, widget values, message).

    Never raises: a bad link gives a message and the defaults.
    """
    try:
        if query.get("s"):
            shared = decode_settings(query["s"])
            note = f" Note: {_IMAGE_AGAIN}." if shared.tab == "i2v" else ""
            return shared.tab, to_widgets(shared.tab, shared.values), f"Settings restored from the link.{note}"
        if query.get("preset"):
            preset = container.presets.get(query["preset"]).preset
            tab: Tab = query.get("tab") if query.get("tab") in preset.tabs else preset.tabs[0]  # type: ignore[assignment]
            widgets = to_widgets(tab, preset.values)
            if preset.prompt_suffix:
                widgets["prompt"] = preset.prompt_with_suffix(widgets.get("prompt"))
            return tab, widgets, f"Preset **{preset.title}** loaded from the link."
    except StudioError as exc:
        return None, {}, f"⚠ {exc} — the defaults are loaded instead."
    return None, {}, ""
