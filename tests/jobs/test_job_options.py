"""Submit-time checks of step cache, LoRAs and end image: each bad value is named and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError, LoraError
from studio.jobs.validation import build_request, validate_request


def _validate(settings: Settings, **values):
    base = {"prompt": "go", "model": "wan-demo", "width": 64, "height": 48, "num_frames": 9}
    return validate_request(build_request(**{**base, **values}), settings, ModelRegistry(offline=True))[0]


def _image(folder: Path, name: str, width: int, height: int) -> str:
    path = folder / name
    Image.fromarray(np.full((height, width, 3), 100, np.uint8)).save(path)
    return str(path)


def test_cache_threshold_out_of_range(settings: Settings) -> None:
    with pytest.raises(InvalidRequestError, match=r"step_cache_threshold for first_block .* got 3"):
        _validate(settings, step_cache="first_block", step_cache_threshold=3)
    with pytest.raises(InvalidRequestError, match="step_cache must be 'off', 'first_block', 'mag' or 'taylorseer', got 'tea'"):
        _validate(settings, step_cache="tea")
    with pytest.raises(InvalidRequestError, match="'motion-warp' has no transformer to cache"):
        _validate(settings, mode="i2v", model="motion-warp", image=_image(settings.data_dir.parent, "a.png", 64, 48), step_cache="mag")
    assert _validate(settings, step_cache="mag").step_cache == "mag"


def test_lora_sources_are_checked_and_server_paths_refused(settings: Settings, tmp_path: Path) -> None:
    settings.loras_dir.mkdir(parents=True)
    (settings.loras_dir / "style.safetensors").write_bytes(b"x")
    outside = tmp_path / "secret.safetensors"
    outside.write_bytes(b"x")
    assert _validate(settings, loras=[{"source": "style.safetensors", "weight": 0.8}]).loras[0].weight == 0.8
    assert _validate(settings, loras=[{"source": "org/some-lora", "weight_name": "a.safetensors"}]).loras
    bad = [
        ("missing.safetensors", "LoRA file 'missing.safetensors' not found in the LoRA folder"),
        (str(outside), "paths on the server are not accepted"),
        ("../secret.safetensors", "paths on the server are not accepted"),
        ("lightx2v-wan2.1-t2v-14b-4step", "is made for wan2.1-t2v-14b"),
        ("nonsense", "'nonsense' is no registered LoRA"),
    ]
    for source, message in bad:
        with pytest.raises(LoraError, match=message):
            _validate(settings, loras=[{"source": source}])
    with pytest.raises(LoraError, match="listed twice: style.safetensors"):
        _validate(settings, loras=[{"source": "style.safetensors"}, {"source": "style.safetensors"}])
    with pytest.raises(InvalidRequestError, match=r"loras.0.weight must be less than or equal to 4"):
        _validate(settings, loras=[{"source": "style.safetensors", "weight": 9}])


def test_local_lora_paths_only_where_the_operator_allows_them(settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "mine.safetensors"
    outside.write_bytes(b"x")
    allowed = settings.model_copy(update={"allow_local_loras": True})
    assert _validate(allowed, loras=[{"source": str(outside)}]).loras[0].source == str(outside)
    with pytest.raises(LoraError, match=f"LoRA file not found: {tmp_path}/nope.safetensors"):
        _validate(allowed, loras=[{"source": str(tmp_path / "nope.safetensors")}])


def test_end_image_is_stored_and_checked(settings: Settings, tmp_path: Path) -> None:
    source = _image(tmp_path, "first.png", 64, 48)
    i2v = {"mode": "i2v", "model": "wan-i2v-demo", "image": source}
    fixed = _validate(settings, **i2v, end_image=_image(tmp_path, "last.png", 128, 96))
    assert Path(fixed.end_image).parent == settings.data_dir / "uploads"
    with pytest.raises(InvalidRequestError, match="end image is 96x96 but the source image is 64x48"):
        _validate(settings, **i2v, end_image=_image(tmp_path, "square.png", 96, 96))
    with pytest.raises(InvalidRequestError, match="end image file not found"):
        _validate(settings, **i2v, end_image=str(tmp_path / "nothing.png"))
    with pytest.raises(InvalidRequestError, match="model 'wan-vace-demo' cannot use an end image"):
        _validate(settings, **{**i2v, "model": "wan-vace-demo"}, end_image=_image(tmp_path, "l2.png", 64, 48))
    with pytest.raises(InvalidRequestError, match="end image needs image-to-video"):
        _validate(settings, end_image=_image(tmp_path, "l3.png", 64, 48))
