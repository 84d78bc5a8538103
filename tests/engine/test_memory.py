import pytest

from studio.engine.memory import (
    MemoryEstimate,
    choose_offload_policy,
    estimate_activations_gb,
    needs_vae_tiling,
)


@pytest.mark.parametrize(
    ("weights", "largest", "budget", "policy"),
    [
        (14.2, 11.0, None, "none"),  # CPU: no device budget
        (14.2, 11.0, 80.0, "none"),
        (14.2, 11.0, 16.0, "model_cpu_offload"),
        (14.2, 11.0, 8.0, "group_offload"),
        (14.2, 11.0, 1.0, "sequential_cpu_offload"),
    ],
)
def test_offload_policy_is_the_cheapest_that_fits(weights, largest, budget, policy) -> None:
    assert choose_offload_policy(weights, largest, budget) == policy


def test_activation_estimate_grows_with_the_clip_and_triggers_tiling() -> None:
    small = estimate_activations_gb(160, 96, 17, 1536, 2)
    big = estimate_activations_gb(832, 480, 81, 1536, 2)
    assert 0 < small < big
    assert needs_vae_tiling(big, budget_gb=8.0)
    assert not needs_vae_tiling(small, budget_gb=8.0)
    assert not needs_vae_tiling(big, budget_gb=None)
    estimate = MemoryEstimate(14.2, big, 24.0, "model_cpu_offload", True)
    assert estimate.peak_gb == pytest.approx(14.2 + big)
    assert "model_cpu_offload" in estimate.describe() and "VAE tiling" in estimate.describe()
