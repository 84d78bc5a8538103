"""Shared fixtures: settings on a temporary data dir, one demo model folder per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from studio.config import Settings  # noqa: E402


@pytest.fixture(scope="session")
def shared_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo models are built once per test session and shared (they are read-only once built)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def settings(tmp_path: Path, shared_model_dir: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir, device="cpu", offline=True)
