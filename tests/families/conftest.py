"""A studio (service, worker, engine) per test module, on the session's shared demo models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.config import Settings
from studio.container import Container, build_container


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> Iterator[Container]:
    # every section streamed, however fast the demo: the section gate has tests of its own
    settings = Settings(data_dir=tmp_path_factory.mktemp("family-data"), model_dir=shared_model_dir, device="cpu",
                        offline=True, section_min_lead_s=0)  # fmt: skip
    c = build_container(settings)
    yield c
    c.close()


@pytest.fixture(scope="module")
def runner(container: Container):
    """A runner on the module's container (its manager, so the loaded demos are shared), with the motion engine."""
    from studio.engine.guide import GuideRenderer
    from studio.engine.runner import GenerationRunner

    c = container
    return GenerationRunner(c.settings, c.registry, c.manager, c.device, guide_builder=GuideRenderer(c.settings))


@pytest.fixture(scope="module")
def bf16_runner(container: Container):
    """A runner loading in bf16 as on CUDA (per-component dtypes from the family), on the CPU."""
    from studio.engine.device import resolve_device
    from studio.engine.guide import GuideRenderer
    from studio.engine.manager import ModelManager
    from studio.engine.runner import GenerationRunner

    c = container
    device = resolve_device("cpu", "bfloat16")
    manager = ModelManager(c.settings, c.registry, device)
    return GenerationRunner(c.settings, c.registry, manager, device, guide_builder=GuideRenderer(c.settings))
