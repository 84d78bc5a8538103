"""Parameter counts for the full-size (meta-device) architecture tests."""

from __future__ import annotations

import torch


def billions(module: torch.nn.Module) -> float:
    """Parameters of ``module`` in billions (works on the meta device: only shapes are read)."""
    return sum(p.numel() for p in module.parameters()) / 1e9
