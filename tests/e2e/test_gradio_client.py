"""Drive the running studio through gradio_client, as another program would."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from studio.media.export import probe_video, read_embedded_metadata

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(studio_server) -> Client:
    return Client(studio_server.url + "/", verbose=False)


def _is_gallery(value) -> bool:
    return isinstance(value, list) and len(value) > 0


def test_text_to_video_streams_previews_before_the_final_video(client: Client) -> None:
    job = client.submit(prompt="a paper boat drifting on a pond", num_frames=13, steps=5, seed=42, api_name="/text_to_video")
    final = job.result(timeout=300)
    outputs = job.outputs()
    status, _bar, job_id, gallery, video, seed_used, quality, plot = final
    assert status.startswith("**succeeded**") and seed_used == 42 and job_id
    assert "flicker score" in quality and plot is not None  # the quality report, with per-frame series
    first_preview = next(i for i, out in enumerate(outputs) if _is_gallery(out[3]))
    first_video = next(i for i, out in enumerate(outputs) if isinstance(out[4], str) and out[4].endswith(".mp4"))
    assert first_preview < first_video
    assert "step 1" in outputs[first_preview][3][0]["caption"]
    assert len(outputs[first_preview][3]) == 4  # keyframes spread over the clip
    assert probe_video(video) == (13, 160, 96)  # the demo model's default size
    assert read_embedded_metadata(video)["seed"] == 42
    assert all("(final)" in item["caption"] for item in gallery)


def test_every_setting_can_be_passed_by_name(client: Client) -> None:
    result = client.predict(
        prompt="fog over hills", negative_prompt="blurry", model="wan-demo", width=64, height=48, num_frames=5, fps=4,
        steps=2, guidance_scale=0.0, seed=3, api_name="/text_to_video",
    )  # fmt: skip
    assert probe_video(result[4]) == (5, 64, 48)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": ""}, "prompt is empty"),
        # slider bounds are enforced by Gradio itself, with the value in the message
        ({"prompt": "x", "steps": 0}, "Value 0 is less than minimum value 1"),
        ({"prompt": "x", "guidance_scale": -2}, "Value -2 is less than minimum value 0"),
        ({"prompt": "x", "num_frames": 999}, "Value 999 is greater than maximum value 161"),
        ({"prompt": "x", "width": 100, "height": 50}, None),  # rounded to multiples of 16, with a note
        ({"prompt": "x", "model": "no-such-model"}, "unknown model 'no-such-model'"),
        ({"prompt": "x" * 5000}, "prompt is 5000 characters"),
    ],
)
def test_bad_input_gets_a_clear_error_and_the_app_keeps_serving(client: Client, kwargs: dict, message: str | None) -> None:
    if message is None:
        result = client.predict(**kwargs, steps=1, num_frames=5, api_name="/text_to_video")
        assert result[0].startswith("**succeeded**") and "at 96x48" in result[0]
        return
    with pytest.raises(AppError, match=message):
        client.predict(**kwargs, api_name="/text_to_video")
    assert client.predict(prompt="still alive", steps=1, num_frames=5, api_name="/text_to_video")[0].startswith("**succeeded**")


def test_keyframe_review_then_accept(client: Client) -> None:
    waiting = client.predict(prompt="a kite", width=64, height=48, num_frames=9, steps=2, seed=4, keyframe_factor=2,
                             review_keyframes=True, export_format="webm", api_name="/text_to_video")  # fmt: skip
    assert waiting[0].startswith("**awaiting review**") and waiting[4] is None
    assert [item["caption"] for item in waiting[3]] == [f"frame {i} · keyframe" for i in (0, 2, 4, 6, 8)]
    done = client.predict(job_id=waiting[2], api_name="/accept_keyframes")
    assert done[0].startswith("**succeeded**") and done[4].endswith(".webm") and probe_video(done[4])[0] == 9
    assert "keyframes generated: 5 of 9 frames" in done[6]
    with pytest.raises(AppError, match="not waiting for keyframe review"):
        client.predict(job_id=waiting[2], api_name="/accept_keyframes")


def test_cancel_endpoint(client: Client) -> None:
    job = client.submit(prompt="a long one", steps=150, num_frames=5, width=32, height=32, api_name="/text_to_video")
    job_id = ""
    for _ in range(600):
        outs = job.outputs()
        if outs and outs[-1][2] and "step" in outs[-1][0]:
            job_id = outs[-1][2]
            break
        import time

        time.sleep(0.05)
    assert job_id
    client.predict(job_id, api_name="/cancel_job")
    final = job.result(timeout=120)
    assert final[0] == "**canceled**" and final[4] is None


def test_default_seed_is_random_and_shown(client: Client) -> None:
    first = client.predict(prompt="random seed please", steps=1, num_frames=5, api_name="/text_to_video")
    second = client.predict(prompt="random seed please", steps=1, num_frames=5, api_name="/text_to_video")
    assert first[5] != second[5]
    assert f"seed {first[5]}" in first[0]


def test_jobs_are_listed_for_other_clients(client: Client) -> None:
    client.predict(prompt="listed job", steps=1, num_frames=5, api_name="/text_to_video")
    table = client.predict(api_name="/list_jobs")
    prompts = [row[5] for row in table["data"]]
    assert "listed job" in prompts
    assert table["headers"][:3] == ["id", "status", "phase"]
