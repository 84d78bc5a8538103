"""Every tab has one shape (a dataclass of widgets, render then wire), and its setting widgets are all shared."""

from __future__ import annotations

import inspect
from dataclasses import fields, is_dataclass

import gradio as gr
import pytest

from studio.config import Settings
from studio.container import Container, build_container
from studio.ui.generation_settings import rule_updates
from studio.ui.i2v_tab import ImageToVideoTab
from studio.ui.jobs_tab import JobsTab
from studio.ui.model_controls import MODEL_DEPENDENT, applicable_controls
from studio.ui.models_tab import ModelsTab
from studio.ui.prompt_tab import PromptTab
from studio.ui.settings_codec import NOT_SHARED, TAB_KEYS
from studio.ui.t2v_tab import TextToVideoTab

#: generate-handler parameters that take files: never part of shared settings (uploaded again).
FILE_PARAMETERS = {"image", "camera_file", "depth_map", "end_image", "video"}
#: Generate inputs that no preset, link or video carries, for the reason ``NOT_SHARED`` gives (the cluster's GPUs).
UNSHARED_PARAMETERS = {"gpus"}


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory, shared_model_dir) -> Container:
    built = build_container(Settings(data_dir=tmp_path_factory.mktemp("data"), model_dir=shared_model_dir, device="cpu",
                                     offline=True), start=False)  # fmt: skip
    yield built
    built.close()


@pytest.fixture(scope="module")
def rendered(container: Container) -> dict:
    views = {"t2v": TextToVideoTab(container), "i2v": ImageToVideoTab(container), "prompt": PromptTab(container),
             "jobs": JobsTab(container), "models": ModelsTab(container)}  # fmt: skip
    with gr.Blocks():
        widgets = {name: view.render() for name, view in views.items()}
        for name in ("t2v", "i2v", "jobs", "models"):
            views[name].wire(widgets[name])
        with gr.Tabs() as tabs:
            pass
        views["prompt"].wire(widgets["prompt"], widgets["t2v"], widgets["i2v"], tabs)
    return {"views": views, "widgets": widgets}


def test_every_tab_renders_a_dataclass_of_widgets_then_wires_it(rendered: dict) -> None:
    for name, widgets in rendered["widgets"].items():
        assert is_dataclass(widgets), name
        for field in fields(widgets):
            value = getattr(widgets, field.name)
            assert is_dataclass(value) or isinstance(value, gr.blocks.Block), f"{name}.{field.name}: {type(value)}"
        assert list(inspect.signature(rendered["views"][name].wire).parameters)[0] == "w", name


@pytest.mark.parametrize(("tab", "handler"), [("t2v", "text_to_video"), ("i2v", "image_to_video")])
def test_every_generate_input_is_a_shared_setting_or_a_file(rendered: dict, tab: str, handler: str) -> None:
    """A widget that feeds Generate but no preset, link or video (nor a reason in ``NOT_SHARED``) fails here."""
    widgets = rendered["widgets"][tab]
    parameters = [p for p in inspect.signature(getattr(rendered["views"][tab], handler)).parameters if p != "request"]
    assert len(widgets.generate_inputs()) == len(parameters)
    settings = dict(zip(TAB_KEYS[tab], widgets.setting_widgets(), strict=True))
    for name, widget in zip(parameters, widgets.generate_inputs(), strict=True):
        if name in FILE_PARAMETERS or name in UNSHARED_PARAMETERS:
            assert widget not in settings.values() and (name in FILE_PARAMETERS or name in NOT_SHARED), name
        else:
            assert settings.get(name) is widget, f"{tab}: {name} feeds Generate but is not shared"
    assert set(TAB_KEYS[tab]) <= set(parameters)  # and every shared setting is what Generate uses
    assert len({id(w) for w in settings.values()}) == len(settings)  # one widget per setting


@pytest.mark.parametrize(
    ("model", "shown", "hidden"),
    [
        ("motion-warp", set(), {"steps", "guidance_scale", "negative_prompt", "guide_strength", "step_cache", "advanced",
                                "end_image"}),
        ("wan-i2v-demo", {"steps", "guide_strength", "warped_noise", "end_image", "step_cache", "advanced"}, {"control_scale"}),
        ("wan-vace-demo", {"control_scale", "warped_noise", "guide_strength"}, {"end_image"}),
        ("wan-demo", {"steps", "guidance_scale", "negative_prompt", "flow_shift", "loras"}, {"end_image"}),
    ],
)
def test_controls_follow_what_the_model_declares(container: Container, model: str, shown: set, hidden: set) -> None:
    controls = applicable_controls(container.registry, container.registry.resolve(model))
    assert shown <= controls and not hidden & controls and controls <= MODEL_DEPENDENT


def test_picking_a_model_toggles_the_tab_controls(rendered: dict, container: Container) -> None:
    toggled = rendered["widgets"]["i2v"].model_dependent()
    keys = [key for key, _widget in toggled]
    assert {"steps", "guide_strength", "control_scale", "end_image", "advanced", "negative_prompt"} <= set(keys)
    # the page opens for the default (motion-warp): nothing neural shows, its prompt box does
    assert [key for key, widget in toggled if widget.visible] == ["prompt"]
    updates = rule_updates(container.registry, keys, "wan-i2v-demo")
    visible = {key: update["visible"] for key, update in zip(keys, updates[3:], strict=True)}
    assert visible["steps"] and visible["guide_strength"] and visible["end_image"] and not visible["control_scale"]
    svd = {key: update["visible"] for key, update in zip(keys, rule_updates(container.registry, keys, "svd-demo")[3:],
                                                          strict=True)}  # fmt: skip
    assert svd["motion_bucket_id"] and svd["noise_aug_strength"] and not svd["prompt"] and not svd["guidance_scale"]
    assert rule_updates(container.registry, keys, "no/such-model-here") == (gr.skip(),) * (3 + len(keys))


def test_leftovers_of_hidden_options_are_left_out_for_a_model_without_them(container: Container) -> None:
    from studio.ui.model_controls import without_hidden_options

    values = {"model": "motion-warp", "step_cache": "mag", "step_cache_threshold": 0.1, "loras": [{"source": "x"}],
              "flow_shift": None, "steps": 30}  # fmt: skip
    kept, reset = without_hidden_options(container.registry, values)
    assert reset == ["loras", "step_cache", "step_cache_threshold"]
    assert (kept["step_cache"], kept["loras"], kept["steps"]) == ("off", [], 30)
    neural = {**values, "model": "wan-demo"}
    assert without_hidden_options(container.registry, neural) == (neural, [])
    assert without_hidden_options(container.registry, {**values, "model": "no/such"})[1] == []


def test_the_gpus_slider_shows_only_where_a_job_can_have_several(rendered: dict, container: Container) -> None:
    from dataclasses import replace

    from studio.ui.gpus_control import gpus_value, render_gpus

    assert not rendered["widgets"]["t2v"].gpus.visible and not rendered["widgets"]["i2v"].gpus.visible  # in process

    class _Ray:  # what a RayExecutor on nodes of 4 GPUs answers
        def max_job_gpus(self) -> int:
            return 4

    with gr.Blocks():
        slider = render_gpus(replace(container, ray=_Ray()), "t2v")  # type: ignore[arg-type]
    assert slider.visible and (slider.minimum, slider.maximum, slider.value) == (1, 4, 1)
    assert gpus_value(None) == {"gpus": 1} and gpus_value(2.0) == {"gpus": 2}


def test_a_job_of_several_gpus_is_refused_in_process_naming_the_ray_executor(rendered: dict) -> None:
    handler = rendered["views"]["t2v"].text_to_video("a lighthouse", model="wan-demo", width=64, height=64, num_frames=5,
                                                      steps=2, gpus=2)  # fmt: skip
    with pytest.raises(gr.Error, match=r"gpus=2: .*STUDIO_EXECUTOR=ray"):
        next(handler)
