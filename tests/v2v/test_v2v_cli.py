"""`studio generate --video PATH`: video to video from the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.cli import main
from studio.media.export import probe_video, read_embedded_metadata
from tests.test_cli import _studio
from tests.v2v.clips import clip_frames, write_clip


def test_generate_from_a_clip(tmp_path: Path, shared_model_dir: Path) -> None:
    clip = write_clip(tmp_path / "walk.mp4", clip_frames(9))
    out = tmp_path / "restyled.mp4"
    result = _studio(["generate", "--video", str(clip), "--prompt", "a fox in snow", "--model", "wan-demo", "--width", "64",
                      "--height", "48", "--frames", "9", "--fps", "8", "--steps", "3", "--guide-strength", "0.7",
                      "--seed", "4", "--out", str(out)], tmp_path, shared_model_dir)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert probe_video(out) == (9, 64, 48)
    request = read_embedded_metadata(out)["request"]
    assert (request["mode"], request["guide_strength"]) == ("v2v", 0.7) and "walk" not in request["video"]  # stored copy


@pytest.mark.parametrize("extra, fragment", [
    (["--image", "x.png"], "--video takes no --image, --camera"),
    (["--camera", "pan_left"], "--video takes no --image, --camera"),
    (["--model", "ltx2-demo"], "model 'ltx2-demo' cannot re-render a video"),
    (["--guide-strength", "0"], "guide_strength 0 ignores the source video"),
])  # fmt: skip
def test_bad_video_to_video_flags_exit_2(tmp_path: Path, shared_model_dir: Path, capsys: pytest.CaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch, extra: list[str], fragment: str) -> None:  # fmt: skip
    monkeypatch.setenv("STUDIO_MODEL_DIR", str(shared_model_dir))
    monkeypatch.setenv("STUDIO_DEVICE", "cpu")
    clip = write_clip(tmp_path / "walk.mp4", clip_frames(9))
    code = main(["--data-dir", str(tmp_path / "data"), "generate", "--video", str(clip), "--prompt", "x", *extra,
                 "--out", str(tmp_path / "o.mp4")])  # fmt: skip
    assert code == 2 and fragment in capsys.readouterr().err
    assert not (tmp_path / "o.mp4").exists()


def test_a_text_file_as_the_clip_is_refused(tmp_path: Path, shared_model_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("STUDIO_MODEL_DIR", str(shared_model_dir))
    fake = tmp_path / "clip.mp4"
    fake.write_text("not a clip\n")
    assert main(["--data-dir", str(tmp_path / "data"), "generate", "--video", str(fake), "--prompt", "x"]) == 2
    assert "'clip.mp4' is not a video clip (mp4, mov, webm, mkv, gif): it looks like text" in capsys.readouterr().err
