"""Preflight estimates: gathers a model's facts and runs the memory arithmetic (no torch).

Facts, best first: measured on the loaded modules, the registry's data (the
released configs), the files on disk (safetensors headers and config.json of a
demo, local or cached pipeline), and last the registry's lump ``weights_gb``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.engine.memory import (
    HEADROOM,
    POLICIES,
    ComponentFacts,
    OffloadPolicy,
    RunEstimate,
    VaeShape,
    Workload,
    attention_gb,
    component_loads,
    denoise_activations_gb,
    latent_tokens,
    plan,
    step_cache_state_gb,
    suggest,
    vae_decode_gb,
)
from studio.engine.model_files import FactsCache, ModelFacts, pipeline_folder
from studio.engine.registry import ModelRegistry, ModelSpec
from studio.engine.step_times import StepTimes


@dataclass(frozen=True)
class Budget:
    """What an estimate is measured against: device memory (offload applies) or RAM (the CPU runs it)."""

    gb: float
    kind: str  # "device" or "ram"

    @property
    def policies(self) -> tuple[OffloadPolicy, ...]:
        return POLICIES if self.kind == "device" else ("none",)


@dataclass(frozen=True)
class Clip:
    width: int
    height: int
    num_frames: int
    steps: int
    guidance_scale: float
    step_cache: str = "off"
    #: latent frames of frame conditions appended to the tokens (keyframe mode's model fill-in: one per later keyframe).
    extra_latent_frames: int = 0


class Estimator:
    """Builds ``RunEstimate``s from model facts, a clip, a budget and measured step times."""

    def __init__(self, registry: ModelRegistry, models_dir: Path, step_times: StepTimes) -> None:
        self._registry = registry
        self._models_dir = models_dir
        self.step_times = step_times
        self._files = FactsCache()

    def facts(self, spec: ModelSpec, loaded: ModelFacts | None) -> tuple[ModelFacts, str]:
        """The best facts known about ``spec`` and where its weights figures come from."""
        if not self._registry.family(spec).pipelines:
            return ModelFacts(), _NO_MODEL
        folder = pipeline_folder(spec, self._models_dir) if not (spec.components and spec.denoiser) else None
        on_disk = self._files.get(folder) if folder is not None else ModelFacts()
        denoiser = spec.denoiser or on_disk.denoiser or (loaded.denoiser if loaded else None)
        vae = spec.vae or on_disk.vae or (loaded.vae if loaded else None)
        if loaded is not None and loaded.components:
            return ModelFacts(loaded.components, denoiser, vae), "loaded"
        if spec.components:
            return ModelFacts(spec.components, denoiser, vae), "registry"
        if on_disk.components:
            return ModelFacts(on_disk.components, denoiser, vae), "files"
        lump = {"weights": ComponentFacts(spec.weights_gb / 2, spec.weights_gb / 2)} if spec.weights_gb else {}
        return ModelFacts(lump, denoiser, vae), "registry total" if lump else "unknown"

    def estimate(self, spec: ModelSpec, clip: Clip, budget: Budget, *, compute_bytes: int, device_name: str,
                 loaded: ModelFacts | None = None) -> RunEstimate:  # fmt: skip
        """Memory per part, the (policy, tiling) that fits ``budget``, and the time, for ``clip`` on ``spec``."""
        facts, source = self.facts(spec, loaded)
        loads = component_loads(facts.components, facts.denoiser, compute_bytes)
        vae = facts.vae or VaeShape()

        def workload(width: int, height: int, num_frames: int) -> tuple[Workload, int, float]:
            if facts.denoiser is None:
                return Workload(0.0, 0.0, 0.0), 0, 0.0
            tokens = latent_tokens(facts.denoiser, vae, width, height, num_frames, clip.extra_latent_frames)
            work = Workload(
                denoise_activations_gb(facts.denoiser, tokens, compute_bytes),
                vae_decode_gb(vae, width, height, num_frames, tiled=False),
                vae_decode_gb(vae, width, height, num_frames, tiled=True),
                step_cache_state_gb(facts.denoiser, tokens, clip.step_cache, clip.guidance_scale > 1.0, compute_bytes),
            )
            return work, tokens, attention_gb(facts.denoiser, tokens, compute_bytes)

        work, tokens, attention = workload(clip.width, clip.height, clip.num_frames)
        chosen = plan(loads, work, budget.gb, budget.policies)
        suggestion = ""
        if not chosen.fits:
            rules = self._registry.family(spec).size_rules
            suggestion = suggest(lambda w, h, f: plan(loads, workload(w, h, f)[0], budget.gb, budget.policies).fits,
                                 clip.width, clip.height, clip.num_frames, rules.side_multiple, rules.temporal_step)  # fmt: skip
        key = StepTimes.key(device_name, spec.key, chosen.policy, clip.guidance_scale > 1.0, clip.step_cache)
        step = self.step_times.lookup(key, tokens)
        return RunEstimate(
            model=spec.key, width=clip.width, height=clip.height, num_frames=clip.num_frames, steps=clip.steps,
            tokens=tokens, component_gb={c.name: c.gb for c in loads},
            weights_gb=sum(c.gb for c in loads), weights_source=source,
            activations_gb=work.denoise_gb, attention_gb=attention,
            vae_decode_gb=work.vae_decode_tiled_gb if chosen.vae_tiling else work.vae_decode_gb,
            step_cache_gb=work.kept_gb,
            peak_gb=chosen.peak_gb, budget_gb=budget.gb, budget_kind=budget.kind, policy=chosen.policy,
            vae_tiling=chosen.vae_tiling, seconds_per_step=step.seconds_per_step if step else None,
            est_seconds=step.seconds_per_step * clip.steps if step else None,
            time_note=step.note if step else "no measurement yet", fits=chosen.fits,
            reason=_reason(spec, chosen.fits, chosen.peak_gb, budget, chosen.policy, facts, source),
            suggestion=suggestion,
        )  # fmt: skip


_NO_MODEL = "none (no neural model)"


def _reason(spec: ModelSpec, fits: bool, peak_gb: float, budget: Budget, policy: str, facts: ModelFacts, source: str) -> str:
    where = f"{budget.gb:.1f} GB {budget.kind} budget ({round(100 * HEADROOM)}% usable)"
    if source == _NO_MODEL:
        return "no neural model: the motion engine renders the clip on the CPU"
    if fits:
        text = f"fits: peak ~{peak_gb:.1f} GB of the {where}, " + ("no offload" if policy == "none" else f"with {policy}")
    elif budget.kind == "device":
        text = f"{spec.key} needs ~{peak_gb:.1f} GB even with sequential CPU offload and VAE tiling; {where}"
    else:
        text = f"{spec.key} needs ~{peak_gb:.1f} GB of RAM on the CPU; {where} (STUDIO_RAM_BUDGET_GB)"
    if facts.denoiser is None and source != "unknown":
        text += "; activations not included (transformer config unknown until the model is loaded)"
    elif source == "unknown":
        text += "; weights unknown until the model is built or loaded"
    return text
