"""GET /api/v1/loras: registered LoRAs with their recipes, then the LoRA folder's files; never other server files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container
from studio.engine.lora_registry import default_loras


def test_lists_registered_loras_and_folder_files_behind_the_token(settings: Settings) -> None:
    settings.loras_dir.mkdir(parents=True)
    (settings.loras_dir / "style.safetensors").write_bytes(b"x")
    (settings.loras_dir / "readme.txt").write_text("not a LoRA")
    container = build_container(settings.model_copy(update={"api_token": "s3cret"}), start=False)
    app = FastAPI()
    app.state.container = container
    install(app)
    api = TestClient(app)
    try:
        assert api.get("/api/v1/loras").status_code == 401
        listed = api.get("/api/v1/loras", headers={"Authorization": "Bearer s3cret"}).json()
    finally:
        container.close()
    sources = [item["source"] for item in listed]
    assert sources[:2] == ["lightx2v-wan2.1-t2v-14b-4step", "lightx2v-wan2.1-i2v-14b-480p-4step"]
    assert sources == [lora.key for lora in default_loras()] + ["style.safetensors"]
    assert listed[0]["recipe"] == {"steps": 4, "guidance_scale": 1.0, "scheduler": "FlowMatchEulerDiscreteScheduler",
                                   "scheduler_config": {"shift": 5.0}, "sigmas": [1.0, 0.75, 0.5, 0.25]}  # fmt: skip
    assert listed[0]["base_models"] == ["wan2.1-t2v-14b", "Wan-AI/Wan2.1-T2V-14B-Diffusers"]
    assert listed[-1]["recipe"] is None and listed[-1]["base_models"] == []
