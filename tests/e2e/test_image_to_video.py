"""Image -> Video through gradio_client against the running studio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from studio.media.export import probe_video, read_embedded_metadata

pytestmark = pytest.mark.e2e
ARROWS = {"headers": ["x0", "y0", "x1", "y1", "radius", "start_frame", "end_frame"], "data": []}


@pytest.fixture(scope="module")
def client(studio_server) -> Client:
    return Client(studio_server.url + "/", verbose=False)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    ys, xs = np.mgrid[0:96, 0:160]
    image = np.stack([(xs * 1.5) % 256, (ys * 2.5) % 256, ((xs + ys) * 3) % 256], axis=-1).astype(np.uint8)
    path = tmp_path_factory.mktemp("src") / "checker.png"
    Image.fromarray(image).save(path)
    return path


def _first_frame(video: str) -> np.ndarray:
    from moviepy import VideoFileClip

    with VideoFileClip(video, audio=False) as clip:
        return clip.get_frame(0).astype(np.int16)


def test_motion_warp_animates_the_image_without_a_model(client: Client, source: Path) -> None:
    result = client.predict(image=handle_file(str(source)), presets=["pan_right", "zoom_in"], strength=1.0,
                            width=160, height=96, num_frames=13, fps=8, api_name="/image_to_video")  # fmt: skip
    status, _bar, _job, gallery, video, _seed, quality, _plot = result
    assert status.startswith("**succeeded**") and len(gallery) >= 2 and "flicker score" in quality
    assert probe_video(video) == (13, 160, 96)
    original = np.asarray(Image.open(source)).astype(np.int16)
    assert np.abs(_first_frame(video) - original).mean() < 12  # frame 0 is the image (after H.264)
    metadata = read_embedded_metadata(video)
    assert metadata["request"]["motion"]["camera"]["presets"] == ["pan_right", "zoom_in"]
    assert metadata["model"]["key"] == "motion-warp"


def test_motion_warp_in_keyframe_mode(client: Client, source: Path) -> None:
    result = client.predict(image=handle_file(str(source)), presets=["pan_right"], width=160, height=96, num_frames=13,
                            fps=8, keyframe_factor=2, api_name="/image_to_video")  # fmt: skip
    assert result[0].startswith("**succeeded**") and probe_video(result[4]) == (13, 160, 96)
    assert "keyframes generated: 7 of 13 frames" in result[6]
    assert read_embedded_metadata(result[4])["frame_origins"]["interpolated"] == [1, 3, 5, 7, 9, 11]


def test_i2v_demo_model_steered_by_camera_and_arrow(client: Client, source: Path) -> None:
    arrows = {**ARROWS, "data": [[0.2, 0.5, 0.7, 0.5, 0.2, 0, None]]}
    result = client.predict(image=handle_file(str(source)), model="wan-i2v-demo", prompt="a drifting pattern",
                            presets=["orbit_left"], arrows=arrows, guide_strength=0.5, warped_noise=True,
                            width=160, height=96, num_frames=9, steps=4, api_name="/image_to_video")  # fmt: skip
    assert result[0].startswith("**succeeded**") and probe_video(result[4]) == (9, 160, 96)
    request = read_embedded_metadata(result[4])["request"]
    assert request["guide_strength"] == 0.5 and request["motion"]["trajectories"][0]["points"][1] == [0.7, 0.5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"presets": ["spin_around"]}, "spin_around|presets"),
        ({"schedules": "pan_deg 0:(0)"}, "got 'pan_deg 0'"),
        ({"schedules": "pan_deg: 0:(0), 24(15)"}, "position"),
        ({"arrows": {**ARROWS, "data": [[0.2, 0.5, 1.7, 0.5, 0.2, 0, None]]}}, "arrow"),
        ({"model": "wan-demo"}, "cannot do i2v"),
    ],
)
def test_bad_motion_input_gets_a_clear_error(client: Client, source: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(image=handle_file(str(source)), num_frames=9, width=160, height=96, **kwargs, api_name="/image_to_video")


def test_a_file_that_is_not_an_image_is_refused(client: Client, tmp_path: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"this is not a png")
    with pytest.raises(AppError):
        client.predict(image=handle_file(str(fake)), api_name="/image_to_video")
    with pytest.raises(AppError, match="needs a source image"):
        client.predict(image=None, api_name="/image_to_video")


def test_camera_preview_is_an_animated_gif(client: Client, source: Path) -> None:
    path = client.predict(handle_file(str(source)), ["dolly_in"], 1.0, "ease_in_out", "", ARROWS, 17, api_name="/camera_preview")
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames > 4


def test_vace_demo_uses_the_guide_as_control_video(client: Client, source: Path) -> None:
    result = client.predict(image=handle_file(str(source)), model="wan-vace-demo", presets=["dolly_in"], control_scale=0.8,
                            width=160, height=96, num_frames=9, steps=3, api_name="/image_to_video")  # fmt: skip
    assert result[0].startswith("**succeeded**") and probe_video(result[4]) == (9, 160, 96)
    assert read_embedded_metadata(result[4])["request"]["control_scale"] == 0.8


def test_corrections_to_the_image_are_shown(client: Client, tmp_path: Path) -> None:
    wide = tmp_path / "wide.png"
    Image.fromarray(np.full((100, 400, 3), 90, np.uint8)).save(wide)
    status = client.predict(image=handle_file(str(wide)), width=160, height=96, num_frames=5, api_name="/image_to_video")[0]
    assert status.startswith("**succeeded**") and "400x100 scaled to" in status and "centre-cropped to 160x96" in status


def test_import_export_camera_and_depth_map(client: Client, source: Path, tmp_path: Path) -> None:
    json_file, re10k_file = client.predict(["orbit_left"], 1.0, "linear", "", 17, 160, 96, 8, None, api_name="/export_camera")
    assert Path(json_file).read_text().lstrip().startswith("{") and len(Path(re10k_file).read_text().splitlines()) == 18
    ys, xs = np.mgrid[0:96, 0:160]
    Image.fromarray((xs * 255 // 159).astype(np.uint8)).save(tmp_path / "depth.png")
    result = client.predict(image=handle_file(str(source)), camera_file=handle_file(re10k_file),
                            depth_map=handle_file(str(tmp_path / "depth.png")), width=160, height=96, num_frames=9,
                            api_name="/image_to_video")  # fmt: skip
    assert result[0].startswith("**succeeded**") and "depth map used" in result[0]
    request = read_embedded_metadata(result[4])["request"]
    assert request["motion"]["camera_file"].count("\n") >= 17 and request["depth_map"].endswith(".png")


def test_bad_camera_file_and_flat_depth_map_are_refused(client: Client, source: Path, tmp_path: Path) -> None:
    (tmp_path / "cam.txt").write_text("just a name line\n")
    with pytest.raises(AppError, match="camera file"):
        client.predict(image=handle_file(str(source)), camera_file=handle_file(str(tmp_path / "cam.txt")), api_name="/image_to_video")
    Image.fromarray(np.full((96, 160), 80, np.uint8)).save(tmp_path / "flat.png")
    with pytest.raises(AppError, match="is flat"):
        client.predict(image=handle_file(str(source)), depth_map=handle_file(str(tmp_path / "flat.png")), api_name="/image_to_video")
