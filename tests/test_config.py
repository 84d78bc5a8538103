from pathlib import Path

import pytest
from pydantic import ValidationError

from studio.config import Settings


def test_settings_read_studio_prefixed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STUDIO_MAX_FRAMES", "49")
    monkeypatch.setenv("STUDIO_VRAM_BUDGET_GB", "7.5")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.max_frames == 49
    assert settings.vram_budget_gb == 7.5
    assert settings.db_path == tmp_path / "jobs.db"
    assert settings.outputs_dir == tmp_path / "outputs"
    assert settings.models_dir == tmp_path / "models"


def test_settings_reject_bad_values() -> None:
    with pytest.raises(ValidationError, match="vram_budget_gb"):
        Settings(vram_budget_gb=-1)
    with pytest.raises(ValidationError, match="port"):
        Settings(port=70000)
