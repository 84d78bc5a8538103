"""Submit-time rules of video to video (mode "v2v"): a source clip, a model that can, no image-to-video inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import FileTooLargeError, InvalidMediaError, InvalidRequestError
from studio.jobs.defaults import V2V_STRENGTH, request_with_defaults
from studio.jobs.validation import build_request, validate_request
from studio.motion.specs import CameraSpec, MotionSpec
from tests.families.harness import source_image
from tests.v2v.clips import clip_frames, write_clip

REGISTRY = ModelRegistry(offline=True)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clip") / "walk.mp4", clip_frames(9))


def _validate(settings: Settings, **values):
    request = build_request(**{"mode": "v2v", "prompt": "a fox", "model": "wan-demo", "width": 64, "height": 48,
                               "num_frames": 9, "guide_strength": 0.6, **values})  # fmt: skip
    return validate_request(request, settings, REGISTRY)


def test_the_clip_is_checked_and_kept_under_the_data_dir(settings: Settings, clip: Path) -> None:
    fixed, _notes = _validate(settings, video=str(clip))
    stored = Path(fixed.video)
    assert stored.parent == settings.data_dir / "uploads" and stored.suffix == ".mp4"
    assert stored.read_bytes() == clip.read_bytes()
    again, _ = _validate(settings, video=fixed.video)  # a re-run of the stored copy
    assert again.video == fixed.video


@pytest.mark.parametrize("values, error, fragment", [
    ({}, InvalidRequestError, "video to video (mode 'v2v') needs a source video"),
    ({"video": "/nowhere/clip.mp4"}, InvalidRequestError, "source video file not found: /nowhere/clip.mp4"),
    ({"guide_strength": 0.0}, InvalidRequestError, "guide_strength 0 ignores the source video"),
    ({"image": "x.png"}, InvalidRequestError, "video to video takes no image"),
    ({"motion": MotionSpec(camera=CameraSpec(presets=["pan_left"]))}, InvalidRequestError, "takes no motion (motion: the clip brings its own motion"),
    ({"end_image": "x.png"}, InvalidRequestError, "takes no end_image"),
    ({"model": "ltx2-demo"}, InvalidRequestError, "model 'ltx2-demo' cannot re-render a video"),
    ({"model": "ltx-condition-demo"}, InvalidRequestError, "(its steering: frames"),  # the model's own, not its family's
    ({"model": "motion-warp"}, InvalidRequestError, "models that can: wan-demo, wan-i2v-demo"),
    ({"model": "framepack-demo"}, InvalidRequestError, "it declares no 'v2v' steering (its steering: last_frame)"),
])  # fmt: skip
def test_bad_video_to_video_requests(settings: Settings, clip: Path, values: dict, error: type, fragment: str) -> None:
    values = {"video": str(clip), **values} if "video" not in values and values else values
    with pytest.raises(error) as caught:
        _validate(settings, **values)
    assert fragment in str(caught.value)


def test_a_file_that_is_no_clip_is_refused_naming_what_it_is(settings: Settings, tmp_path: Path) -> None:
    fake = tmp_path / "clip.mp4"
    fake.write_text("not a video at all\n")
    with pytest.raises(InvalidMediaError, match="'clip.mp4' is not a video clip .*it looks like text"):
        _validate(settings, video=str(fake))
    stored = settings.data_dir / "uploads" / "0123.png"  # an uploaded image named as the video
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    with pytest.raises(InvalidMediaError, match="the uploaded file is not a video clip .*looks like a PNG image"):
        _validate(settings, video=str(stored))


@pytest.mark.parametrize("mode, model", [("t2v", "wan-demo"), ("i2v", "wan-i2v-demo")])
def test_a_video_with_another_mode_is_refused(settings: Settings, clip: Path, tmp_path: Path, mode: str, model: str) -> None:
    extra = {"image": source_image(tmp_path)} if mode == "i2v" else {}
    with pytest.raises(InvalidRequestError, match=f"a source video is used by video to video only .*not by mode '{mode}'"):
        _validate(settings, mode=mode, model=model, video=str(clip), **extra)


def test_defaults_give_video_to_video_a_strength(settings: Settings, clip: Path) -> None:
    request = request_with_defaults({"mode": "v2v", "prompt": "a fox", "video": str(clip)}, settings, REGISTRY)
    assert request.guide_strength == V2V_STRENGTH and request.model == settings.default_model
    kept = request_with_defaults({"mode": "v2v", "prompt": "a fox", "video": str(clip), "guide_strength": 0.9}, settings, REGISTRY)
    assert kept.guide_strength == 0.9
    assert request_with_defaults({"prompt": "a fox"}, settings, REGISTRY).guide_strength == 0.0  # other modes unchanged


def test_the_operators_clip_limits_apply_to_a_local_clip(tmp_path: Path, shared_model_dir: Path, clip: Path) -> None:
    small = Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir, device="cpu", offline=True,
                     max_video_upload_mb=0.001)  # fmt: skip
    with pytest.raises(FileTooLargeError, match=f"source video 'walk.mp4' is {clip.stat().st_size} bytes, larger than"):
        _validate(small, video=str(clip))
    short = Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir, device="cpu", offline=True, max_video_frames=4)
    with pytest.raises(InvalidMediaError, match="source video 'walk.mp4' has more than 4 frames"):
        _validate(short, video=str(clip))
