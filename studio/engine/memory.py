"""Memory estimates and the offload policy (pure arithmetic, tested without a GPU)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OffloadPolicy = Literal["none", "model_cpu_offload", "group_offload", "sequential_cpu_offload"]

# Share of a budget we plan to fill: allocator fragmentation and the CUDA context need the rest.
_HEADROOM = 0.85


@dataclass(frozen=True)
class MemoryEstimate:
    """What a generation is expected to need on its device, in GB."""

    weights_gb: float
    activations_gb: float
    budget_gb: float | None
    policy: OffloadPolicy
    vae_tiling: bool

    @property
    def peak_gb(self) -> float:
        return self.weights_gb + self.activations_gb

    def describe(self) -> str:
        budget = "no device budget" if self.budget_gb is None else f"budget {self.budget_gb:.1f} GB"
        tiling = ", VAE tiling" if self.vae_tiling else ""
        return (
            f"weights {self.weights_gb:.1f} GB + activations ~{self.activations_gb:.1f} GB ({budget}); "
            f"offload: {self.policy}{tiling}"
        )


def choose_offload_policy(weights_gb: float, largest_component_gb: float, budget_gb: float | None) -> OffloadPolicy:
    """Pick the least costly offload policy that fits the budget.

    * everything fits -> ``none``;
    * the largest component fits alone -> ``model_cpu_offload`` (whole components
      move on and off the device, small cost per call);
    * a tenth of it fits -> ``group_offload`` (blocks stream in, overlapped);
    * otherwise ``sequential_cpu_offload`` (layer by layer, slowest, smallest).
    ``budget_gb=None`` means no device limit (the CPU): ``none``.
    """
    if budget_gb is None:
        return "none"
    usable = budget_gb * _HEADROOM
    if weights_gb <= usable:
        return "none"
    if largest_component_gb <= usable:
        return "model_cpu_offload"
    if largest_component_gb / 10 <= usable:
        return "group_offload"
    return "sequential_cpu_offload"


def estimate_activations_gb(width: int, height: int, num_frames: int, hidden_size: int, bytes_per_value: int) -> float:
    """A rough peak-activation figure: transformer tokens x hidden x a working factor, or VAE decode.

    Tokens: latent frames (4x temporal) x latent pixels (8x spatial) / 2x2 patches.
    The VAE decode of the full clip (tens of channels at full resolution) is the
    other peak; the larger of the two counts.
    """
    latent_frames = (num_frames - 1) // 4 + 1
    tokens = latent_frames * (height // 16) * (width // 16)
    transformer_gb = tokens * hidden_size * bytes_per_value * 24 / 1e9
    vae_gb = num_frames * height * width * 96 * bytes_per_value * 2 / 1e9
    return max(transformer_gb, vae_gb)


def needs_vae_tiling(activations_gb: float, budget_gb: float | None) -> bool:
    return budget_gb is not None and activations_gb > budget_gb * 0.3
