"""The prompt assistant through gradio_client and REST."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(studio_server) -> Client:
    return Client(studio_server.url + "/", verbose=False)


def test_structure_prompt_fills_fields_and_compiles(client: Client) -> None:
    out = client.predict("A fox trots through snow at dawn, then looks back. Slow push in, close-up, no text", "wan",
                         api_name="/structure_prompt")  # fmt: skip
    subjects, beats, setting, move, presets, strength, shot, _angle, _lens, lighting, _style, _mood, negatives = out[:13]
    compiled, negative, info = out[13:]
    assert subjects == "A fox" and len(beats["data"]) == 2 and setting == "through snow"
    assert presets == ["dolly_in"] and strength == 0.5 and shot == "close-up" and lighting == "dawn"
    assert negatives == "text" and negative == "text"
    assert "through snow" in compiled and "words" in info and "suggestion" in info


def test_edited_fields_compile_for_each_family(client: Client) -> None:
    beats = {"headers": ["start_s", "end_s", "text"], "data": [[0, 2, "a bud opens"], [2, 4, "a bee lands on it"]]}
    text, negative, info = client.predict("a bud", beats, "in a garden", "slow zoom in", ["zoom_in"], 0.5, "macro shot", "",
                                          "", "soft light", "", "", "blur", "timeline", api_name="/compile_prompt")  # fmt: skip
    assert text.startswith("(0–2 s: a bud opens), (2–4 s: a bee lands on it)") and negative == "blur"
    with pytest.raises(AppError, match="beat 1 start must be a number"):
        client.predict("", {**beats, "data": [["soon", 2, "x"]]}, "", "", [], 1.0, "", "", "", "", "", "", "", "wan",
                       api_name="/compile_prompt")  # fmt: skip


@pytest.mark.parametrize(("text", "message"), [("", "prompt is empty"), ("🚀🚀", "no words"), ("x" * 3000, "3000 characters")])
def test_bad_ideas_get_clear_errors(client: Client, text: str, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(text, "wan", api_name="/structure_prompt")


def test_rest_route(studio_server) -> None:
    response = httpx.post(studio_server.url + "/api/v1/prompt/structure", json={"text": "drone shot rising over a lake", "family": "ltx"})
    assert response.status_code == 200
    body = response.json()
    assert body["result"]["structure"]["camera"]["presets"] == ["crane_up"] and body["compiled"]["family"] == "ltx"
    bad = httpx.post(studio_server.url + "/api/v1/prompt/structure", json={"text": "a lake", "family": "sora"})
    assert bad.status_code == 422 and "unknown prompt format 'sora'" in bad.text
