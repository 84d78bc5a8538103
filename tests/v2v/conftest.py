"""A studio per test module for video to video (watermark and signing off: outputs compare exactly)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.config import Settings
from studio.container import Container, build_container
from tests.v2v.clips import clip_frames, write_clip


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("v2v-data"), model_dir=shared_model_dir, device="cpu",
                        offline=True, watermark=False, c2pa_signing=False)  # fmt: skip
    c = build_container(settings)
    yield c
    c.close()


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two 9-frame 64x48 mp4 clips at 8 fps that differ in colour ("a", "b")."""
    folder = tmp_path_factory.mktemp("clips")
    return {name: write_clip(folder / f"{name}.mp4", clip_frames(9, seed=seed)) for name, seed in (("a", 0), ("b", 5))}
