"""Memory arithmetic and the offload policy (pure: no torch, tested without a GPU).

Everything here works from *facts* about a model (parameters per component,
the transformer's shape, the VAE's shape) and a clip size; where the facts
come from (the registry, the files on disk, the loaded modules) is the
estimator's business (``engine/estimator.py``).

Peak device memory of one generation is the largest of its phases:

* encoding: the text (and image) encoder's weights; 512 tokens of activations
  are negligible next to 11 GB of UMT5-XXL;
* denoising: the denoiser's weights + the working set of one transformer block
  over all tokens (``denoise_activations_gb``); classifier-free guidance runs
  the conditional and unconditional passes one after the other (Wan), so it
  does not double this;
* decoding: the VAE's weights + its decode working set (``vae_decode_gb``).

Under each offload policy a different share of the weights is on the device
at once (``policy_peak_gb``); ``plan`` picks the cheapest policy, then VAE
tiling, that fits the budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

OffloadPolicy = Literal["none", "model_cpu_offload", "group_offload", "sequential_cpu_offload"]
#: cheapest (fastest) first.
POLICIES: tuple[OffloadPolicy, ...] = ("none", "model_cpu_offload", "group_offload", "sequential_cpu_offload")

GB = 1e9
# Share of a budget we plan to fill: allocator fragmentation and the CUDA context need the rest.
HEADROOM = 0.85
# Components the model cards ask to keep in float32 whatever the compute dtype (loading uses this list too:
# ``device.component_dtypes``).
FP32_COMPONENTS = frozenset({"vae", "image_encoder"})
# Group offload with CUDA streams keeps the next group on the device while the current one runs.
_GROUPS_ON_DEVICE = 2
# Full-resolution tensors alive at once inside a VAE decoder block (input, conv output, causal cache, norm).
_VAE_LIVE_TENSORS = 4
# The Wan decoder's causal convolutions cache two frames of their input, at every resolution: summed over its
# convolutions (full, 1/2, 1/4, 1/8 resolution) about 28 x base_dim channels at full resolution.
_VAE_CACHE_CHANNELS_PER_BASE = 28
# diffusers' Wan VAE tiles: 256 px squares (192 px stride).
_VAE_TILE_PX = 256


@dataclass(frozen=True)
class DenoiserShape:
    """What the activations of a DiT denoiser depend on (from its config)."""

    num_layers: int
    num_heads: int
    head_dim: int
    ffn_dim: int
    #: (frames, height, width) of one token in latent cells.
    patch_size: tuple[int, int, int] = (1, 2, 2)
    #: hidden states kept for the whole forward besides the residual stream (VACE: one hint per VACE layer).
    kept_states: int = 0
    #: a timestep per token (Wan 2.2 TI2V, ``expand_timesteps``): its six modulation vectors are per token too.
    per_token_timestep: bool = False

    @property
    def hidden_size(self) -> int:
        return self.num_heads * self.head_dim

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, per_token_timestep: bool = False) -> DenoiserShape | None:
        """A DiT's shape from its diffusers config (Wan's keys); None when they are not there."""
        try:
            return cls(
                num_layers=int(config["num_layers"]),
                num_heads=int(config["num_attention_heads"]),
                head_dim=int(config["attention_head_dim"]),
                ffn_dim=int(config["ffn_dim"]),
                patch_size=tuple(config.get("patch_size", (1, 2, 2))),  # type: ignore[arg-type]
                kept_states=len(config.get("vace_layers") or ()),
                per_token_timestep=per_token_timestep,
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class VaeShape:
    """What the VAE decode working set depends on."""

    #: the decoder's base width (``decoder_base_dim`` when it differs from the encoder's).
    base_dim: int = 96
    spatial_compression: int = 8
    temporal_compression: int = 4
    #: pixels per side packed into one decoder output position (Wan 2.2: 2x2 patches).
    patch_size: int = 1

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> VaeShape | None:
        if "base_dim" not in config:
            return None
        return cls(
            base_dim=int(config.get("decoder_base_dim") or config["base_dim"]),
            spatial_compression=int(config.get("scale_factor_spatial") or 8),
            temporal_compression=int(config.get("scale_factor_temporal") or 4),
            patch_size=int(config.get("patch_size") or 1),
        )


@dataclass(frozen=True)
class ComponentFacts:
    """One component's size: all parameters, and the largest group moved at once under group offload
    (a transformer block; for an encoder offloaded leaf by leaf, its largest layer: UMT5's embedding)."""

    params_b: float
    unit_params_b: float


def is_denoiser(component: str) -> bool:
    return component.startswith(("transformer", "unet"))


def bytes_per_param(component: str, compute_bytes: int) -> int:
    return 4 if component in FP32_COMPONENTS else compute_bytes


def latent_tokens(denoiser: DenoiserShape, vae: VaeShape, width: int, height: int, num_frames: int,
                  extra_latent_frames: int = 0) -> int:  # fmt: skip
    """Tokens the transformer attends over: latent frames x latent height x latent width / patch.

    ``extra_latent_frames``: latent frames of conditions appended to the sequence (LTX-Video's frame conditions).
    """
    pt, ph, pw = denoiser.patch_size
    latent_frames = (num_frames - 1) // vae.temporal_compression + 1 + extra_latent_frames
    return (
        max(1, latent_frames // pt)
        * max(1, height // vae.spatial_compression // ph)
        * max(1, width // vae.spatial_compression // pw)
    )


def attention_gb(denoiser: DenoiserShape, tokens: int, compute_bytes: int) -> float:
    """Attention working set with a fused kernel (SDPA flash / memory-efficient, also on the CPU):
    q, k, v and the output, plus the softmax statistics; no tokens x tokens matrix."""
    return tokens * (4 * denoiser.hidden_size * compute_bytes + denoiser.num_heads * 4) / GB


def denoise_activations_gb(denoiser: DenoiserShape, tokens: int, compute_bytes: int) -> float:
    """Peak working set of one denoiser forward (one block at a time under inference mode).

    Per token, the larger of
      * the attention half: residual, normed input, q, k, v, fp32 rotary temporaries,
        rotated output and attention output;
      * the feed-forward half: residual, fp32 norm temporary, normed input, the two
        ``ffn_dim`` wide tensors (linear, GELU), the output and its fp32 sum;
    plus states kept across the forward, per-token modulation (Wan 2.2 TI2V) and the fp32 rotary tables.
    """
    d, b = denoiser.hidden_size, compute_bytes
    attention = d * (7 * b + 4) + denoiser.num_heads * 4
    feed_forward = d * (3 * b + 12) + 2 * denoiser.ffn_dim * b
    kept = denoiser.kept_states * d * b + denoiser.head_dim * 8
    if denoiser.per_token_timestep:  # the (tokens, 6, hidden) projection, and its fp32 sum inside each block
        kept += 6 * d * (b + 4) + d * b
    return tokens * (max(attention, feed_forward) + kept) / GB


#: TaylorSeer hooks the heavy children of every block (``engine/step_cache.py``): attention, cross-attention and
#: feed-forward in Wan's and LTX's blocks.
_TAYLOR_CHILDREN = 3
#: TaylorSeer's factors per hooked output: ``max_order`` 1, so the output and its first difference.
_TAYLOR_FACTORS = 2
#: per pass, the hidden-state-sized tensors FirstBlockCache (first block's residual, the block stack's output
#: residual) and MagCache (the residual) keep from one step to the next.
_CACHE_STATES = {"first_block": 2, "mag": 1}


def step_cache_state_gb(denoiser: DenoiserShape, tokens: int, step_cache: str, guided: bool, compute_bytes: int) -> float:
    """Device memory a step cache keeps from step to step, held until the pipeline call ends (the decode included).

    The caches keep a state per denoiser pass, so guidance's two passes keep two.
    TaylorSeer keeps ``_TAYLOR_FACTORS`` tensors of each hooked child's output for every block.
    Measured on full-size Wan 2.1 1.3B at 832x480, 81 frames, with guidance on an H200 (``benchmarks/gpu.py``):
    the peak rose by 36.2 GB with TaylorSeer, 0.6 with FirstBlockCache and 0.1 with MagCache (this
    arithmetic: 36.2, 0.4 and 0.2).
    """
    per_pass = _TAYLOR_CHILDREN * _TAYLOR_FACTORS * denoiser.num_layers if step_cache == "taylorseer" else _CACHE_STATES.get(step_cache, 0)
    return per_pass * (2 if guided else 1) * tokens * denoiser.hidden_size * compute_bytes / GB


def vae_decode_gb(vae: VaeShape, width: int, height: int, num_frames: int, *, tiled: bool, vae_bytes: int = 4) -> float:
    """Peak of the VAE decode: the Wan VAE decodes one latent frame (``temporal_compression`` video
    frames) at a time; its widest full-resolution tensors have ``2 * base_dim`` channels, and its causal
    convolutions keep frame caches. Tiling bounds the spatial extent by a tile; the decoded clip (and its
    copies while concatenating / blending) adds."""
    pixels = width * height
    if tiled:
        pixels = min(pixels, _VAE_TILE_PX * _VAE_TILE_PX)
    pixels //= vae.patch_size * vae.patch_size  # the decoder works on patches; unpatchify makes the pixels
    channels = _VAE_LIVE_TENSORS * vae.temporal_compression * 2 * vae.base_dim + _VAE_CACHE_CHANNELS_PER_BASE * vae.base_dim
    working = pixels * channels * vae_bytes
    clip = num_frames * width * height * 3 * vae_bytes * (3 if tiled else 2)
    return (working + clip) / GB


@dataclass(frozen=True)
class ComponentLoad:
    """A component as the policy arithmetic sees it, in GB at its load dtype."""

    name: str
    gb: float
    unit_gb: float
    #: the largest single layer (sequential offload moves one at a time).
    leaf_gb: float


@dataclass(frozen=True)
class Workload:
    """What one clip needs besides the weights, in GB."""

    denoise_gb: float
    vae_decode_gb: float
    vae_decode_tiled_gb: float
    #: held through every phase of the pipeline call (a step cache's state).
    kept_gb: float = 0.0


def policy_peak_gb(components: list[ComponentLoad], work: Workload, policy: OffloadPolicy, *, tiled: bool) -> float:
    """Device memory at the worst phase of a run under ``policy``."""
    decode = work.vae_decode_tiled_gb if tiled else work.vae_decode_gb

    def phase_gb(c: ComponentLoad) -> float:
        if is_denoiser(c.name):
            return work.denoise_gb
        return decode if c.name == "vae" else 0.0

    if not components:
        worst = max(work.denoise_gb, decode)
    elif policy == "none":
        worst = sum(c.gb for c in components) + max(work.denoise_gb, decode)
    elif policy == "model_cpu_offload":  # one whole component on the device at a time
        worst = max(c.gb + phase_gb(c) for c in components)
    elif policy == "group_offload":
        worst = max(_GROUPS_ON_DEVICE * c.unit_gb + phase_gb(c) for c in components)
    else:
        worst = max(c.leaf_gb + phase_gb(c) for c in components)
    return worst + work.kept_gb  # held through every phase


@dataclass(frozen=True)
class Plan:
    policy: OffloadPolicy
    vae_tiling: bool
    peak_gb: float
    fits: bool


def _options(allowed: tuple[OffloadPolicy, ...]) -> Iterator[tuple[OffloadPolicy, bool]]:
    # tiling costs less than offloading, so each policy is tried without, then with it
    for policy in allowed:
        yield policy, False
        yield policy, True


def plan(components: list[ComponentLoad], work: Workload, budget_gb: float,
         allowed: tuple[OffloadPolicy, ...] = POLICIES) -> Plan:  # fmt: skip
    """The cheapest (policy, VAE tiling) whose peak fits ``HEADROOM`` of the budget.

    When nothing fits: the most frugal option, with ``fits=False``.
    """
    usable = budget_gb * HEADROOM
    for policy, tiled in _options(allowed):
        peak = policy_peak_gb(components, work, policy, tiled=tiled)
        if peak <= usable:
            return Plan(policy, tiled, peak, True)
    policy = allowed[-1]
    return Plan(policy, True, policy_peak_gb(components, work, policy, tiled=True), False)


def component_loads(facts: Mapping[str, ComponentFacts], denoiser: DenoiserShape | None, compute_bytes: int) -> list[ComponentLoad]:
    """GB per component at its load dtype (VAE and image encoder in fp32)."""
    loads = []
    for name, f in facts.items():
        size = bytes_per_param(name, compute_bytes)
        unit = f.unit_params_b * size
        leaf = unit
        if denoiser is not None and is_denoiser(name):  # a block's widest layer: the feed-forward projection
            leaf = denoiser.hidden_size * denoiser.ffn_dim * size / GB
        loads.append(ComponentLoad(name, f.params_b * size, unit, min(unit, leaf)))
    return loads


def suggest(fits: Callable[[int, int, int], bool], width: int, height: int, num_frames: int,
            side_multiple: int = 16, temporal_step: int = 4) -> str:  # fmt: skip
    """What to lower so a clip that does not fit would: fewer frames at this size, else a smaller size."""
    frames = num_frames - temporal_step
    while frames >= 1:
        if fits(width, height, frames):
            return f"try {frames} frames at {width}x{height}, or a smaller size"
        frames -= temporal_step
    for scale in (0.75, 0.5, 0.375, 0.25):
        w = max(side_multiple, int(width * scale) // side_multiple * side_multiple)
        h = max(side_multiple, int(height * scale) // side_multiple * side_multiple)
        if fits(w, h, num_frames):
            return f"try {w}x{h} with {num_frames} frames"
    return "this model does not fit this device's budget at any size; raise the budget or pick a smaller model"


class RunEstimate(BaseModel):
    """A preflight estimate of one generation: memory per part, the plan, and time."""

    model: str
    width: int
    height: int
    num_frames: int
    steps: int
    #: transformer tokens of this clip (0 when the transformer's shape is unknown).
    tokens: int
    #: weights per component in GB at their load dtype.
    component_gb: dict[str, float]
    weights_gb: float
    #: where the weights figures come from: "loaded" (measured), "registry", "files" (safetensors headers),
    #: "registry total", "unknown", or "none (no neural model)".
    weights_source: str
    #: the denoiser's working set (attention included) and the attention part alone.
    activations_gb: float
    attention_gb: float
    vae_decode_gb: float
    #: held through the whole call by the step cache (0 without one).
    step_cache_gb: float = 0.0
    #: device (or RAM) peak under the chosen policy and tiling.
    peak_gb: float
    budget_gb: float
    #: "device" (accelerator memory) or "ram" (the CPU runs it; offloading does not apply).
    budget_kind: str
    policy: OffloadPolicy
    vae_tiling: bool
    seconds_per_step: float | None = None
    est_seconds: float | None = None
    #: how the time was obtained ("no measurement yet", "measured at this size (n runs)", ...).
    time_note: str = "no measurement yet"
    fits: bool
    reason: str
    suggestion: str = ""

    def summary(self) -> str:
        """One short Markdown paragraph for the generation tabs."""
        if self.weights_source.startswith("none"):
            return f"**Estimate:** {self.reason}."
        tiling = " + VAE tiling" if self.vae_tiling else ""
        head = "**Estimate:**" if self.fits else "**Will not fit:**"
        text = (f"{head} peak ~{self.peak_gb:.1f} GB of {self.budget_gb:.1f} GB {self.budget_kind} "
                f"(weights {self.weights_gb:.1f}, activations {self.activations_gb:.1f}, VAE decode "
                f"{self.vae_decode_gb:.1f}{self._cache_part()}); offload: {self.policy}{tiling}.")  # fmt: skip
        if self.est_seconds is not None:
            text += f" Time ~{self.est_seconds:.0f} s ({self.seconds_per_step:.2f} s/step, {self.time_note})."
        else:
            text += f" Time: {self.time_note}."
        if not self.fits:
            text += f" {self.reason}."
        if self.suggestion:
            text += f" Suggestion: {self.suggestion}."
        return text

    def _cache_part(self) -> str:
        return f", step cache {self.step_cache_gb:.1f}" if self.step_cache_gb >= 0.05 else ""
