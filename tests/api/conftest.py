from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from studio.api.routes import install
from studio.config import Settings
from studio.container import build_container

OPERATOR = {"Authorization": "Bearer op-token"}
ALICE = {"Authorization": "Bearer alice-token"}
BOB = {"Authorization": "Bearer bob-token"}


def png_bytes(width: int = 64, height: int = 48, seed: int = 0) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory, shared_model_dir):
    """A started studio with an operator token and two client tokens (module-wide: jobs run for real)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("api-data"), model_dir=shared_model_dir, device="cpu", offline=True,
                        api_token="op-token", api_tokens="alice=alice-token,bob=bob-token", max_upload_mb=0.5,
                        section_min_lead_s=0)  # fmt: skip  # every section streamed, however fast the demo
    container = build_container(settings)
    app = FastAPI()
    app.state.container = container
    install(app)
    with TestClient(app) as client:
        yield client
    container.close()
