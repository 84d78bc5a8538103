"""`studio generate` with presets and the image-to-video flags (in process: fast), and their bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.cli import _parser, main
from studio.hosting.space import entry_argv
from studio.media.export import probe_video, read_embedded_metadata

ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.fixture
def run_cli(tmp_path: Path, shared_model_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STUDIO_MODEL_DIR", str(shared_model_dir))
    monkeypatch.setenv("STUDIO_DEVICE", "cpu")

    def run(*args: str) -> int:
        return main(["--data-dir", str(tmp_path / "data"), "generate", *args])

    return run


def test_a_preset_fills_the_request_and_flags_win(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "tiny.mp4"
    assert run_cli("--preset", "demo-tiny", "--prompt", "a kite", "--steps", "1", "--seed", "3", "--out", str(out)) == 0
    assert probe_video(out) == (5, 64, 48)  # from the preset
    request = read_embedded_metadata(out)["request"]
    assert request["steps"] == 1 and request["model"] == "wan-demo" and request["seed"] == 3


def test_image_camera_and_arrows_from_the_command_line(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "i2v.mp4"
    arrows = json.dumps([{"points": [[0.25, 0.8], [0.45, 0.7]], "radius": 0.1}])
    code = run_cli("--image", str(ASSETS / "flower-field.png"), "--model", "motion-warp", "--camera", "pan_left, zoom_in",
                   "--camera-strength", "0.5", "--arrows", arrows, "--frames", "9", "--width", "160", "--height", "96",
                   "--out", str(out))  # fmt: skip
    assert code == 0
    assert probe_video(out) == (9, 160, 96)
    motion = read_embedded_metadata(out)["request"]["motion"]
    assert motion["camera"]["presets"] == ["pan_left", "zoom_in"] and motion["camera"]["strength"] == 0.5
    assert motion["trajectories"][0]["points"] == [[0.25, 0.8], [0.45, 0.7]]


def test_dual_clock_flags_reach_the_request(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "dual.mp4"
    arrows = json.dumps([{"points": [[0.3, 0.5], [0.6, 0.5]], "radius": 0.2}])
    code = run_cli("--image", str(ASSETS / "flower-field.png"), "--model", "wan-i2v-demo", "--arrows", arrows,
                   "--arrow-strength", "0.75", "--guide-strength", "0.25", "--frames", "5", "--width", "64",
                   "--height", "48", "--steps", "4", "--out", str(out))  # fmt: skip
    assert code == 0
    metadata = read_embedded_metadata(out)
    request = metadata["request"]
    assert request["arrow_strength"] == 0.75 and request["guide_strength"] == 0.25
    assert request["arrow_steering"] == "dual_clock"
    assert any("dual clock" in note for note in metadata["notes"])


def test_any_request_option_can_be_scripted(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "options.webm"
    code = run_cli("--model", "wan-demo", "--prompt", "a kite", "--frames", "9", "--width", "64", "--height", "48",
                   "--steps", "2", "--step-cache", "first_block", "--set", "step_cache_threshold=0.2", "--format", "webm",
                   "--set", "keyframe_factor=2", "--set", "negative_prompt=blurry", "--out", str(out))  # fmt: skip
    assert code == 0
    request = read_embedded_metadata(out)["request"]
    assert request["step_cache"] == "first_block" and request["step_cache_threshold"] == 0.2
    assert request["export"]["format"] == "webm" and request["keyframe_factor"] == 2
    assert request["negative_prompt"] == "blurry"


def test_keyframe_fill_flag_has_the_model_fill_in(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "filled.mp4"
    code = run_cli("--model", "ltx-condition-demo", "--prompt", "a kite", "--frames", "17", "--width", "96", "--height",
                   "64", "--steps", "1", "--keyframe-factor", "2", "--keyframe-fill", "model", "--out", str(out))  # fmt: skip
    assert code == 0
    metadata = read_embedded_metadata(out)
    assert metadata["request"]["keyframe_fill"] == "model" and probe_video(out)[0] == 17
    assert metadata["frame_origins"]["interpolator"] == "model:ltx-condition-demo"


def test_lora_flags_become_request_loras() -> None:
    from studio.cli_options import lora_values

    assert lora_values(["org/style", "style.safetensors:0.7", "C:/loras/a.safetensors"]) == [
        {"source": "org/style", "weight": 1.0}, {"source": "style.safetensors", "weight": 0.7},
        {"source": "C:/loras/a.safetensors", "weight": 1.0},
    ]  # fmt: skip


def test_camera_file_and_arrows_file(run_cli, tmp_path: Path) -> None:
    arrows = tmp_path / "arrows.json"
    arrows.write_text(json.dumps([{"points": [[0.5, 0.5], [0.6, 0.5]]}]))
    out = tmp_path / "file.mp4"
    code = run_cli("--image", str(ASSETS / "mountain-lake.png"), "--model", "motion-warp", "--camera-file",
                   str(ASSETS / "orbit-push-camera.json"), "--arrows", f"@{arrows}", "--frames", "9", "--width", "160",
                   "--height", "96", "--out", str(out))  # fmt: skip
    assert code == 0
    assert read_embedded_metadata(out)["request"]["motion"]["camera_file"].startswith("{")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "no-such-preset", "--prompt", "x"], "unknown preset 'no-such-preset'"),
        (["--prompt", "x", "--camera", "pan_left"], "need --image"),
        (["--image", "IMG", "--camera", "spin_wildly"], "spin_wildly"),
        (["--image", "IMG", "--arrows", "[not json"], "--arrows is not JSON"),
        (["--image", "IMG", "--arrows", '{"points": 1}'], "must be a JSON list"),
        (["--image", "IMG", "--arrows", "@/no/such/arrows.json"], "--arrows file not found"),
        (["--image", "IMG", "--camera-file", "/no/such/camera.json"], "--camera-file not found"),
        (["--image", "IMG", "--arrows", '[{"points": [[0.5, 0.5]]}]'], "points"),
        (["--image", "IMG", "--arrow-strength", "1.5"], "arrow_strength"),
        (["--prompt", "x", "--set", "no_such_field=1"], "unknown request field 'no_such_field'"),
        (["--prompt", "x", "--set", "steps"], "--set takes FIELD=VALUE"),
        (["--prompt", "x", "--set", "steps=many"], "steps"),
        (["--prompt", "x", "--lora", "org/style:heavy"], "must be a number, got 'heavy'"),
        (["--image", "IMG", "--guide-strength", "-1"], "guide_strength"),
        (["--image", "IMG", "--frames", "9", "--keyframe-factor", "2", "--keyframe-fill", "model"],
         "keyframe_fill 'model' needs a model that conditions on frames at chosen indices, and 'motion-warp' does not"),
    ],
)
def test_bad_flags_exit_2_naming_the_value(run_cli, tmp_path: Path, capsys, args: list[str], message: str) -> None:
    args = [str(ASSETS / "flower-field.png") if a == "IMG" else a for a in args]
    out = tmp_path / "never.mp4"
    assert run_cli(*args, "--model", "motion-warp", "--out", str(out)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_app_py_options_without_a_command_mean_serve() -> None:
    args = _parser().parse_args(entry_argv(["--port", "8000", "--data-dir", "/tmp/x"]))
    assert (args.command, args.port, str(args.data_dir)) == ("serve", 8000, "/tmp/x")
    args = _parser().parse_args(entry_argv(["--data-dir", "/tmp/y", "serve", "--host", "0.0.0.0"]))
    assert (args.command, args.host, str(args.data_dir)) == ("serve", "0.0.0.0", "/tmp/y")
    assert entry_argv(["generate", "--prompt", "x"])[0] == "generate"
