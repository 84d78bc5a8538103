"""A studio (service, worker, engine) per test module, on the session's shared demo models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.config import Settings
from studio.container import Container, build_container


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("family-data"), model_dir=shared_model_dir, device="cpu",
                        offline=True)  # fmt: skip
    c = build_container(settings)
    yield c
    c.close()
