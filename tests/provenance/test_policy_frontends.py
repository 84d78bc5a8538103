"""The policy at every front end: service, REST (jobs and the prompt assistant), CLI; a start with a bad file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container
from studio.errors import PolicyFileError, PolicyViolationError
from studio.types import GenerationRequest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "policy.example.toml"


@pytest.fixture
def container(settings: Settings):
    c = build_container(settings.model_copy(update={"policy_file": EXAMPLE}), start=False)
    yield c
    c.close()


def test_service_refuses_and_stores_nothing(container) -> None:
    request = GenerationRequest(prompt="a masked man tries to k i l l the mayor", model="wan-demo", width=64, height=48, num_frames=9)
    with pytest.raises(PolicyViolationError, match="category: violence"):
        container.jobs.submit(request)
    assert container.jobs.recent() == []
    allowed = container.jobs.submit(request.model_copy(update={"prompt": "a shooting star over the sea"}))
    assert [j.id for j in container.jobs.recent()] == [allowed.id]


def test_rest_refuses_jobs_and_structured_prompts(container) -> None:
    app = FastAPI()
    app.state.container = container
    install(app)
    api = TestClient(app)
    response = api.post("/api/v1/jobs", json={"prompt": "a calm lake", "negative_prompt": "b3head1ng", "width": 64, "height": 48})
    assert response.status_code == 422
    assert response.json() == {"detail": "the negative prompt was refused by this studio's content policy "
                                         "(category: violence); nothing was queued", "error": "PolicyViolationError"}  # fmt: skip
    assert api.get("/api/v1/jobs").json()["jobs"] == []
    refused = api.post("/api/v1/prompt/structure", json={"text": "an assassin creeps up, slow push in"})
    assert refused.status_code == 422 and "structured prompt" in refused.json()["detail"]
    ok = api.post("/api/v1/prompt/structure", json={"text": "an assassin bug on a leaf, slow push in"})
    assert ok.status_code == 200 and "assassin bug" in ok.json()["compiled"]["text"]


def test_bad_policy_file_stops_the_start(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "policy.toml"
    broken.write_text("[categories.x]\npatterns = ['(']\n")
    with pytest.raises(PolicyFileError, match="category 'x' pattern 1 is not a valid regular expression"):
        build_container(settings.model_copy(update={"policy_file": broken}), start=False)


def test_a_file_broken_while_serving_refuses_with_a_clear_error(container, tmp_path: Path) -> None:
    live = tmp_path / "live.toml"
    live.write_text(EXAMPLE.read_text())
    container.settings.policy_file = live
    request = GenerationRequest(prompt="a calm lake", model="wan-demo", width=64, height=48, num_frames=9)
    container.jobs.submit(request)
    live.write_text("version = = 1")
    with pytest.raises(PolicyFileError, match="does not parse"):
        container.jobs.submit(request)
    assert len(container.jobs.recent()) == 1


def test_cli_refuses_with_exit_2_and_writes_nothing(tmp_path: Path, shared_model_dir: Path) -> None:
    env = {**os.environ, "STUDIO_MODEL_DIR": str(shared_model_dir), "STUDIO_DEVICE": "cpu", "HF_HUB_OFFLINE": "1",
           "STUDIO_POLICY_FILE": str(EXAMPLE)}  # fmt: skip
    out = tmp_path / "c.mp4"
    result = subprocess.run([sys.executable, "-m", "studio.cli", "--data-dir", str(tmp_path / "data"), "generate",
                             "--prompt", "Murdér in the library", "--out", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert "refused by this studio's content policy (category: violence)" in result.stderr
    assert not out.exists()
