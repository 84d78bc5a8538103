"""The Text -> Video tab's "Source video" panel: shown for models that re-render video, and what Generate asks for."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest

from studio.config import Settings
from studio.container import Container, build_container
from studio.types import Mode
from studio.ui.generation_settings import rule_updates
from studio.ui.model_controls import applicable_controls
from studio.ui.settings_codec import request_values
from studio.ui.t2v_tab import TextToVideoTab
from tests.v2v.clips import clip_frames, write_clip


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path):
    container = build_container(Settings(data_dir=tmp_path_factory.mktemp("data"), model_dir=shared_model_dir,
                                         device="cpu", offline=True), start=False)  # fmt: skip
    tab = TextToVideoTab(container)
    with gr.Blocks():
        widgets = tab.render()
        tab.wire(widgets)
    yield container, tab, widgets
    container.close()


@pytest.mark.parametrize("model, shown", [("wan-demo", True), ("cogvideox-demo", True), ("hunyuan15-demo", True),
                                          ("ltx2-demo", False), ("ltx-condition-demo", False), ("motion-warp", False)])  # fmt: skip
def test_the_panel_follows_the_models_video_to_video_steering(ui, model: str, shown: bool) -> None:
    container, _tab, widgets = ui
    assert ("source_video" in applicable_controls(container.registry, container.registry.resolve(model))) == shown
    toggled = widgets.model_dependent()
    keys = [key for key, _widget in toggled]
    assert ("source_video", widgets.source.panel) in toggled
    visible = dict(zip(keys, (u["visible"] for u in rule_updates(container.registry, keys, model)[3:]), strict=True))
    assert visible["source_video"] == shown


def test_generate_with_a_clip_asks_for_video_to_video(ui, tmp_path: Path) -> None:
    container: Container = ui[0]
    tab: TextToVideoTab = ui[1]
    clip = str(write_clip(tmp_path / "walk.mp4", clip_frames(9)))
    common = ("a fox", None, "wan-demo", 64, 48, 9, 8, 2, 5.0, -1, {}, {})
    request = tab._request(*common, {"mode": Mode.V2V, "video": clip, "guide_strength": 0.8})
    assert (request.mode, request.video, request.guide_strength) == (Mode.V2V, clip, 0.8)
    plain = tab._request(*common, {})
    assert plain.mode == Mode.T2V and plain.video is None and plain.guide_strength == 0.0
    job = container.jobs.submit(request)  # validated: the clip is stored under the data dir
    assert Path(job.request.video).parent == container.settings.data_dir / "uploads"
    container.jobs.cancel(job.id)
    # a video made this way restores its strength in the tab, never its clip
    tab_name, values = request_values(job.request.model_dump(mode="json"))
    assert tab_name == "t2v" and values["guide_strength"] == 0.8 and "video" not in values


def test_handler_values_of_the_panel() -> None:
    from studio.ui.source_video import source_video_values

    assert source_video_values(None, 0.7) == {}
    assert source_video_values("/tmp/x.mp4", 0.7) == {"mode": Mode.V2V, "video": "/tmp/x.mp4", "guide_strength": 0.7}
