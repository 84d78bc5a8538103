"""Video to video through the running studio's Text -> Video endpoint, as another program (or the page) sends it."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from studio.media.export import probe_video, read_embedded_metadata
from tests.v2v.clips import clip_frames, write_clip

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(studio_server) -> Client:
    return Client(studio_server.url + "/", verbose=False)


def test_a_clip_sent_to_text_to_video_is_re_rendered(client: Client, tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "walk.mp4", clip_frames(9))
    result = client.predict(prompt="the same walk in snow", model="wan-demo", width=64, height=48, num_frames=9, fps=8,
                            steps=2, seed=5, video=handle_file(str(clip)), guide_strength=0.8,
                            api_name="/text_to_video")  # fmt: skip
    assert probe_video(result[4]) == (9, 64, 48)
    request = read_embedded_metadata(result[4])["request"]
    assert (request["mode"], request["guide_strength"]) == ("v2v", 0.8)


def test_a_text_file_as_the_clip_is_refused_by_name(client: Client, tmp_path: Path) -> None:
    fake = tmp_path / "walk.mp4"
    fake.write_text("not a video\n" * 10)
    with pytest.raises(AppError, match="is not a video clip .*it looks like text"):
        client.predict(prompt="x", model="wan-demo", width=64, height=48, num_frames=9, steps=2,
                       video=handle_file(str(fake)), api_name="/text_to_video")  # fmt: skip
