"""Step caching for one job with diffusers' own hooks, and a count of what it skipped.

``StepCacheRun`` enables FirstBlockCache, MagCache or TaylorSeer on the
pipeline's denoiser(s) for one run and always disables it again (success,
error or cancel), so the next job starts from the plain model.

What was skipped is counted, not estimated: a forward pre-hook counts the
denoiser's passes, another counts the calls of one linear layer inside the
last transformer block. A pass where that layer did not run had its last block
served from the cache (FirstBlockCache, MagCache) or its attention predicted
(TaylorSeer), so ``skipped = passes - probe calls``.

MagCache needs the model's magnitude ratios (how the residual's norm changes
from step to step). diffusers ships them for Flux only, so the first MagCache
run of a model measures them instead of skipping (the same ratio diffusers'
calibration mode prints: the mean over tokens of |r_t| / |r_t-1|, for the
residual r between the first block's input and the last block's output),
stores them under the models folder and later runs skip with them. diffusers
resamples them to another step count.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from types import TracebackType
from typing import Any

import torch

from studio.engine.step_cache_rules import cache_threshold
from studio.errors import InvalidRequestError
from studio.types import StepCacheStats

logger = logging.getLogger(__name__)


def transformer_blocks(denoiser: torch.nn.Module) -> tuple[str, torch.nn.ModuleList]:
    """The denoiser's list of transformer blocks (``blocks``, ``transformer_blocks``, ...)."""
    for name, child in denoiser.named_children():
        if name.endswith("blocks") and isinstance(child, torch.nn.ModuleList) and len(child) > 0:
            return name, child
    raise InvalidRequestError(f"{type(denoiser).__name__} has no transformer blocks a step cache can skip")


def _heavy_children(block: torch.nn.Module) -> list[str]:
    """Names of a block's children that hold linear layers (attention, feed-forward)."""
    return [n for n, c in block.named_children() if any(isinstance(m, torch.nn.Linear) for m in c.modules())]


def _probe(block: torch.nn.Module) -> torch.nn.Module:
    first = _heavy_children(block)[0]
    return next(m for m in getattr(block, first).modules() if isinstance(m, torch.nn.Linear))


class MagRatioStore:
    """Measured MagCache ratios, one JSON file per model under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def _path(self, model_key: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_key)[:60]
        return self._folder / f"{slug}-{hashlib.sha256(model_key.encode()).hexdigest()[:8]}.json"

    def load(self, model_key: str) -> list[float] | None:
        path = self._path(model_key)
        if not path.is_file():
            return None
        try:
            ratios = json.loads(path.read_text())["ratios"]
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("ignoring unreadable MagCache ratios %s (%s); recalibrating", path, exc)
            return None
        return [float(r) for r in ratios] if ratios else None

    def save(self, model_key: str, ratios: list[float]) -> Path:
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._path(model_key)
        tmp = path.with_suffix(".partial")
        tmp.write_text(json.dumps({"model": model_key, "steps": len(ratios), "ratios": ratios}, indent=1))
        tmp.replace(path)
        return path


class _MagCalibrator:
    """Records, per pass, the norm of each token of the residual (last block output - first block input)."""

    def __init__(self, blocks: torch.nn.ModuleList) -> None:
        self._input: torch.Tensor | None = None
        self.norms: list[torch.Tensor] = []
        self._handles = [
            blocks[0].register_forward_pre_hook(self._on_first, with_kwargs=True),
            blocks[-1].register_forward_hook(self._on_last),
        ]

    def _on_first(self, _module, args, kwargs):
        self._input = args[0] if args else kwargs["hidden_states"]

    def _on_last(self, _module, _args, output):
        out = output[0] if isinstance(output, tuple) else output
        if self._input is not None and out.shape == self._input.shape:
            self.norms.append(torch.linalg.norm((out - self._input).float(), dim=-1).cpu())

    def ratios(self, steps: int) -> list[float]:
        """One ratio per step, averaged over the passes of a step (conditional, unconditional)."""
        per_step = max(1, len(self.norms) // max(1, steps))
        slots = [self.norms[s::per_step] for s in range(per_step)]
        ratios = []
        for i in range(min(len(slot) for slot in slots)):
            values = [1.0 if i == 0 else float((slot[i] / (slot[i - 1] + 1e-8)).mean()) for slot in slots]
            ratios.append(sum(values) / len(values))
        return ratios

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()


class StepCacheRun:
    """Context manager: the request's step cache on ``denoisers`` for one run; ``stats`` afterwards.

    Raises (on enter):
        InvalidRequestError: the threshold is out of range, or the model cannot take this cache.
    """

    def __init__(self, denoisers: list[torch.nn.Module], kind: str, threshold: float | None, steps: int,
                 model_key: str, store: MagRatioStore) -> None:  # fmt: skip
        self._denoisers = denoisers
        self._kind = kind
        self._threshold = cache_threshold(kind, threshold)
        self._steps = steps
        self._model_key = model_key
        self._store = store
        self._enabled: list[Any] = []
        self._handles: list[torch.utils.hooks.RemovableHandle] = []
        self._calibrator: _MagCalibrator | None = None
        self._passes = 0
        self._computed = 0
        self.stats: StepCacheStats | None = None
        self.notes: list[str] = []

    def __enter__(self) -> StepCacheRun:
        if self._kind == "off":
            return self
        if self._kind == "mag" and len(self._denoisers) > 1:
            raise InvalidRequestError("MagCache takes one transformer; this model switches between two (use first_block or taylorseer)")
        try:
            for denoiser in self._denoisers:
                self._enable(denoiser)
        except BaseException:
            self._close()
            raise
        return self

    def _enable(self, denoiser: Any) -> None:
        if not hasattr(denoiser, "enable_cache"):
            raise InvalidRequestError(f"{type(denoiser).__name__} does not support diffusers' step caches")
        _, blocks = transformer_blocks(denoiser)
        self._handles.append(denoiser.register_forward_pre_hook(self._count_pass))
        self._handles.append(_probe(blocks[-1]).register_forward_pre_hook(self._count_computed))
        config = self._config(denoiser, blocks)
        if config is None:  # MagCache without ratios: this run measures them
            self._calibrator = _MagCalibrator(blocks)
            return
        denoiser.enable_cache(config)
        self._enabled.append(denoiser)

    def _config(self, denoiser: Any, blocks: torch.nn.ModuleList) -> object | None:
        from diffusers.hooks import FirstBlockCacheConfig, MagCacheConfig, TaylorSeerCacheConfig

        if self._kind == "first_block":
            return FirstBlockCacheConfig(threshold=self._threshold)
        if self._kind == "taylorseer":
            # diffusers' default patterns expect modules named "...attn"; Wan names them attn1/attn2/ffn,
            # so the heavy children of every block are named explicitly.
            name, _ = transformer_blocks(denoiser)
            children = "|".join(re.escape(c) for c in _heavy_children(blocks[0]))
            return TaylorSeerCacheConfig(cache_interval=int(self._threshold), disable_cache_before_step=3, max_order=1,
                                         taylor_factors_dtype=denoiser.dtype, cache_identifiers=[rf"{name}\.\d+\.({children})"])  # fmt: skip
        ratios = self._store.load(self._model_key)
        if ratios is None:
            return None
        return MagCacheConfig(threshold=self._threshold, num_inference_steps=self._steps, mag_ratios=ratios)

    def _count_pass(self, *_args) -> None:
        self._passes += 1

    def _count_computed(self, *_args) -> None:
        self._computed += 1

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._kind == "off":
            return
        calibrator = self._calibrator
        self._close()
        self.stats = StepCacheStats(kind=self._kind, threshold=self._threshold, passes=self._passes,
                                    skipped_passes=max(0, self._passes - self._computed), calibrating=calibrator is not None)  # fmt: skip
        if calibrator is not None and exc_type is None:
            ratios = calibrator.ratios(self._steps)
            path = self._store.save(self._model_key, ratios)
            self.notes.append(f"MagCache measured this model's ratios on this run ({len(ratios)} steps, nothing skipped, "
                              f"stored in {path.name}); later MagCache runs skip with them")  # fmt: skip
        elif self._passes:
            self.notes.append(f"step cache {self._kind} ({self._threshold:g}) skipped {self.stats.skipped_passes} of "
                              f"{self._passes} transformer passes")  # fmt: skip

    def _close(self) -> None:
        for denoiser in self._enabled:
            denoiser.disable_cache()
        self._enabled = []
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._calibrator is not None:
            self._calibrator.close()
            self._calibrator = None
