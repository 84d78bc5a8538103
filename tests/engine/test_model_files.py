"""Weights on disk: a hub cache snapshot (faked on disk), its size, and facts from safetensors headers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from studio.engine.model_files import FactsCache, pipeline_folder, weights_status
from studio.engine.registry import ModelRegistry

REPO = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"


def _snapshot(cache: Path, *, with_transformer_weights: bool) -> Path:
    repo = cache / "models--Wan-AI--Wan2.1-T2V-1.3B-Diffusers"
    snapshot = repo / "snapshots" / ("a" * 40)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("a" * 40)
    (snapshot / "transformer").mkdir(parents=True)
    (snapshot / "model_index.json").write_text(json.dumps({
        "_class_name": "WanPipeline", "transformer": ["diffusers", "WanTransformer3DModel"],
        "scheduler": ["diffusers", "UniPCMultistepScheduler"], "transformer_2": [None, None],
    }))  # fmt: skip
    (snapshot / "transformer" / "config.json").write_text(json.dumps({
        "num_layers": 2, "num_attention_heads": 2, "attention_head_dim": 8, "ffn_dim": 32, "patch_size": [1, 2, 2],
    }))  # fmt: skip
    if with_transformer_weights:
        tensors = {f"blocks.{i}.ffn.weight": np.zeros((32, 16), np.float32) for i in range(2)}
        tensors["patch_embedding.weight"] = np.zeros((16, 64), np.float32)
        save_file(tensors, str(snapshot / "transformer" / "diffusion_pytorch_model.safetensors"))
    return snapshot


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


def test_a_cached_snapshot_is_found_measured_and_read(hub_cache: Path, tmp_path: Path) -> None:
    snapshot = _snapshot(hub_cache, with_transformer_weights=True)
    spec = ModelRegistry(offline=True).resolve("wan2.1-t2v-1.3b")
    status = weights_status(spec, tmp_path)
    assert status.present and status.where == "Hugging Face cache" and status.disk_gb > 0
    assert pipeline_folder(spec, tmp_path) == snapshot
    facts = FactsCache().get(snapshot)
    transformer = facts.components["transformer"]
    assert transformer.params_b == pytest.approx((2 * 32 * 16 + 16 * 64) / 1e9)
    assert transformer.unit_params_b == pytest.approx(32 * 16 / 1e9)  # one block
    assert facts.denoiser is not None and facts.denoiser.hidden_size == 16 and facts.denoiser.num_layers == 2


def test_a_snapshot_without_weights_is_incomplete_and_says_how_to_fetch(hub_cache: Path, tmp_path: Path) -> None:
    _snapshot(hub_cache, with_transformer_weights=False)
    status = weights_status(ModelRegistry(offline=True).resolve("wan2.1-t2v-1.3b"), tmp_path)
    assert not status.present and status.where == "Hugging Face cache (incomplete)"
    assert status.fetch_command == f"hf download {REPO}"


def test_a_missing_local_folder_is_reported_not_fetched(tmp_path: Path) -> None:
    from studio.engine.registry import ModelSpec

    spec = ModelSpec(key="local", family="wan", label="local", source=str(tmp_path / "gone"))
    status = weights_status(spec, tmp_path)
    assert not status.present and "not found" in status.where and status.fetch_command is None
    assert pipeline_folder(spec, tmp_path) is None
