"""The memory arithmetic: tokens, activations, VAE decode, per-policy peaks and the plan (no GPU needed)."""

import pytest

from studio.engine.memory import (
    ComponentFacts,
    ComponentLoad,
    DenoiserShape,
    VaeShape,
    Workload,
    attention_gb,
    component_loads,
    denoise_activations_gb,
    latent_tokens,
    plan,
    policy_peak_gb,
    suggest,
    vae_decode_gb,
)

WAN_1_3B = DenoiserShape(num_layers=30, num_heads=12, head_dim=128, ffn_dim=8960)
WAN_14B = DenoiserShape(num_layers=40, num_heads=40, head_dim=128, ffn_dim=13824)
WAN_1_3B_FACTS = {
    "transformer": ComponentFacts(1.419, 0.0464),
    "text_encoder": ComponentFacts(5.68, 1.050),
    "vae": ComponentFacts(0.127, 0.127),
}


def test_tokens_follow_the_latent_grid_and_the_patch() -> None:
    # 81 frames -> 21 latent frames; 480x832 -> 60x104 latent cells -> 30x52 patches of 2x2
    assert latent_tokens(WAN_1_3B, VaeShape(), 832, 480, 81) == 21 * 30 * 52 == 32760
    assert latent_tokens(WAN_1_3B, VaeShape(), 1280, 720, 81) == 21 * 45 * 80
    # Wan 2.2 TI2V: 16x spatial compression halves each side again
    assert latent_tokens(WAN_1_3B, VaeShape(spatial_compression=16), 1280, 704, 121) == 31 * 22 * 40


def test_activations_scale_with_tokens_width_and_kept_states() -> None:
    base = denoise_activations_gb(WAN_1_3B, 32760, 2)
    # per token (bf16): feed-forward half 1536 x 18 + 2 x 8960 x 2 = 63488 bytes, rotary tables 1024
    assert base == pytest.approx(32760 * (63488 + 1024) / 1e9)
    assert denoise_activations_gb(WAN_1_3B, 2 * 32760, 2) == pytest.approx(2 * base)
    assert denoise_activations_gb(WAN_14B, 32760, 2) > 2 * base  # 5120 wide, 13824 ffn
    vace = DenoiserShape(30, 12, 128, 8960, kept_states=15)
    assert denoise_activations_gb(vace, 32760, 2) - base == pytest.approx(32760 * 15 * 1536 * 2 / 1e9)
    # fused attention: linear in tokens, a fraction of the block's working set
    assert 0 < attention_gb(WAN_1_3B, 32760, 2) < base
    assert attention_gb(WAN_1_3B, 2 * 32760, 2) == pytest.approx(2 * attention_gb(WAN_1_3B, 32760, 2))


def test_vae_tiling_bounds_the_decode_by_a_tile() -> None:
    full = vae_decode_gb(VaeShape(), 832, 480, 81, tiled=False)
    tiled = vae_decode_gb(VaeShape(), 832, 480, 81, tiled=True)
    assert 6 < full < 12 and tiled < full / 2
    big = vae_decode_gb(VaeShape(), 1280, 720, 81, tiled=False)
    assert big > 2 * full * 0.9  # 2.3x the pixels
    # a clip smaller than a tile gains nothing but the blending copies
    assert vae_decode_gb(VaeShape(), 160, 96, 17, tiled=True) >= vae_decode_gb(VaeShape(), 160, 96, 17, tiled=False)


def _wan_1_3b_work() -> tuple[list[ComponentLoad], Workload]:
    loads = component_loads(WAN_1_3B_FACTS, WAN_1_3B, 2)
    tokens = latent_tokens(WAN_1_3B, VaeShape(), 832, 480, 81)
    work = Workload(denoise_activations_gb(WAN_1_3B, tokens, 2), vae_decode_gb(VaeShape(), 832, 480, 81, tiled=False),
                    vae_decode_gb(VaeShape(), 832, 480, 81, tiled=True))  # fmt: skip
    return loads, work


def test_component_loads_keep_the_vae_in_fp32() -> None:
    loads = {c.name: c for c in component_loads(WAN_1_3B_FACTS, WAN_1_3B, 2)}
    assert loads["transformer"].gb == pytest.approx(2.838)
    assert loads["text_encoder"].gb == pytest.approx(11.36)
    assert loads["vae"].gb == pytest.approx(0.508)  # fp32: 4 bytes a parameter
    # sequential offload moves one layer at a time: the transformer's widest is 1536 x 8960
    assert loads["transformer"].leaf_gb == pytest.approx(1536 * 8960 * 2 / 1e9)


@pytest.mark.parametrize(
    ("budget", "policy", "tiling"),
    [
        (32.0, "none", False),
        (16.0, "model_cpu_offload", False),  # UMT5-XXL alone is 11.4 GB
        (6.0, "group_offload", True),  # the embedding (2.1 GB) is the largest group; decode tiled
        (4.0, "sequential_cpu_offload", True),
    ],
)
def test_plan_is_the_cheapest_policy_that_fits_weights_and_activations(budget, policy, tiling) -> None:
    loads, work = _wan_1_3b_work()
    chosen = plan(loads, work, budget)
    assert (chosen.policy, chosen.vae_tiling, chosen.fits) == (policy, tiling, True)
    assert chosen.peak_gb <= budget * 0.85


def test_activations_decide_the_policy_not_weights_alone() -> None:
    loads, work = _wan_1_3b_work()
    weights = sum(c.gb for c in loads)
    budget = (weights + 0.5) / 0.85  # the weights fit, the clip does not
    assert plan(loads, Workload(0.0, 0.0, 0.0), budget).policy == "none"
    assert plan(loads, work, budget).policy != "none"


def test_group_offload_of_the_text_encoder_is_leaf_level() -> None:
    loads, work = _wan_1_3b_work()
    leaf = policy_peak_gb(loads, work, "group_offload", tiled=True)
    whole = [c if c.name != "text_encoder" else ComponentLoad(c.name, c.gb, c.gb, c.gb) for c in loads]
    assert leaf < 5 < 2 * 11.36 <= policy_peak_gb(whole, work, "group_offload", tiled=True)


def test_nothing_fits_gives_the_most_frugal_plan_and_a_suggestion() -> None:
    loads, work = _wan_1_3b_work()
    chosen = plan(loads, work, 2.0)
    assert not chosen.fits and chosen.policy == "sequential_cpu_offload" and chosen.vae_tiling
    assert plan(loads, work, 2.0, ("none",)).policy == "none"  # the CPU: no offload to fall back on

    def fits(w: int, h: int, f: int) -> bool:
        return w * h * f <= 832 * 480 * 49

    assert suggest(fits, 832, 480, 81) == "try 49 frames at 832x480, or a smaller size"
    assert suggest(lambda w, h, f: w * h <= 416 * 240, 832, 480, 81) == "try 416x240 with 81 frames"
    assert "does not fit" in suggest(lambda w, h, f: False, 832, 480, 81)


def test_a_step_cache_keeps_state_per_pass_and_taylorseer_per_block() -> None:
    from studio.engine.memory import step_cache_state_gb

    hidden = 32760 * 1536 * 2 / 1e9  # one bf16 hidden state of the 832x480x81 clip
    assert step_cache_state_gb(WAN_1_3B, 32760, "off", True, 2) == 0.0
    assert step_cache_state_gb(WAN_1_3B, 32760, "mag", True, 2) == pytest.approx(2 * hidden)
    assert step_cache_state_gb(WAN_1_3B, 32760, "first_block", False, 2) == pytest.approx(2 * hidden)
    # three hooked children x two Taylor factors x 30 blocks x two guidance passes
    assert step_cache_state_gb(WAN_1_3B, 32760, "taylorseer", True, 2) == pytest.approx(360 * hidden)
    assert step_cache_state_gb(WAN_14B, 32760, "taylorseer", True, 2) > 4 * step_cache_state_gb(WAN_1_3B, 32760, "taylorseer", True, 2)


@pytest.mark.parametrize("policy", ["none", "model_cpu_offload", "group_offload", "sequential_cpu_offload"])
def test_state_kept_through_the_call_adds_to_every_policy_peak(policy) -> None:
    loads = component_loads(WAN_1_3B_FACTS, WAN_1_3B, 2)
    plain = Workload(5.0, 9.0, 3.0)
    kept = Workload(5.0, 9.0, 3.0, kept_gb=36.0)
    for tiled in (False, True):
        assert policy_peak_gb(loads, kept, policy, tiled=tiled) == pytest.approx(policy_peak_gb(loads, plain, policy, tiled=tiled) + 36.0)
