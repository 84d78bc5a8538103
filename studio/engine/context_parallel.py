"""Context parallelism: one generation's transformer split over several processes.

diffusers' own ``ContextParallelConfig`` (Ulysses attention): every rank holds
the whole model, the token sequence is split between the ranks at the first
block (the transformer's ``_cp_plan``), attention exchanges heads with an
all-to-all over ``torch.distributed``, and the output is gathered after
``proj_out``. Each rank runs the same pipeline call with the same seed and
gets the same frames. Families whose transformer has no ``_cp_plan`` (in
diffusers 0.42: Wan, LTX, Flux, Qwen-Image and a few more) cannot.

What diffusers 0.42 allows, as found on this code base:

- Ulysses with the native (SDPA) attention backend. Ring attention needs the
  attention's log-sum-exp, which native attention does not return
  ("Native attention does not support return_lse=True"): ring needs the
  flash or sage backends, i.e. CUDA.
- Ranks are placed on accelerators only: ``enable_parallelism`` computes
  ``rank % torch.accelerator.device_count()``, a ``ZeroDivisionError`` on a
  machine without one. ``enable_context_parallel`` stands in a device count of
  1 while it runs on such a machine (CPU ranks over gloo: the tests, a CPU
  cluster), and only then.

``check_model_plan`` is the submit-time check of a registry entry: it reads the
transformer classes from the pipeline class's signature and the head count from
the entry or its files, and loads no weights.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.errors import InvalidRequestError

if TYPE_CHECKING:
    from studio.engine.registry import ModelRegistry, ModelSpec

#: the pipeline components that are denoisers (Wan 2.2 A14B has two transformers).
_DENOISER_NAMES = ("transformer", "transformer_2")


def denoisers(pipe: Any) -> list[Any]:
    """The pipeline's transformers (Wan 2.2 A14B has two)."""
    return [m for m in (getattr(pipe, "transformer", None), getattr(pipe, "transformer_2", None)) if m is not None]


def check_context_parallel(pipe: Any, degree: int) -> None:
    """Raises InvalidRequestError unless every transformer of ``pipe`` can split its attention ``degree`` ways."""
    if degree < 2:
        raise InvalidRequestError(f"context parallelism needs at least 2 processes, got {degree}")
    for model in denoisers(pipe) or [None]:
        if model is None or not getattr(model, "_cp_plan", None):
            name = type(model).__name__ if model is not None else type(pipe).__name__
            raise InvalidRequestError(f"{name} has no context-parallel plan in diffusers; it runs on one device only")
        heads = model.config.num_attention_heads
        if heads % degree:
            raise InvalidRequestError(f"Ulysses attention splits heads: {type(model).__name__} has {heads} heads, "
                                      f"not divisible by {degree} processes")  # fmt: skip


def enable_context_parallel(pipe: Any, degree: int) -> None:
    """Split ``pipe``'s transformers' attention over ``degree`` ranks (Ulysses, native attention).

    Call it in every rank, after ``torch.distributed.init_process_group`` (nccl on GPUs), before the pipeline call.

    Raises:
        InvalidRequestError: the family has no plan, or its heads do not divide by ``degree``.
    """
    from diffusers import ContextParallelConfig

    check_context_parallel(pipe, degree)
    with _device_count_on_cpu():
        for model in denoisers(pipe):
            model.set_attention_backend("native")
            model.enable_parallelism(config=ContextParallelConfig(ulysses_degree=degree))


def split_degree(pipe: Any) -> int:
    """How many ways ``pipe``'s transformers split their attention now (1: not split; the least of them)."""
    configs = [getattr(m, "_parallel_config", None) for m in denoisers(pipe)]
    return min((c.context_parallel_config.ulysses_degree or 1 if c and c.context_parallel_config else 1 for c in configs),
               default=1)  # fmt: skip


@contextmanager
def _device_count_on_cpu() -> Iterator[None]:
    """On a machine without an accelerator, a device count of 1 for diffusers' rank placement (see above)."""
    import torch

    if torch.accelerator.device_count():
        yield
        return
    original = torch.accelerator.device_count
    torch.accelerator.device_count = lambda: 1  # type: ignore[assignment]
    try:
        yield
    finally:
        torch.accelerator.device_count = original  # type: ignore[assignment]


def check_model_plan(spec: ModelSpec, mode: str, degree: int, registry: ModelRegistry, models_dir: Path) -> None:
    """Refuse a model whose transformers cannot split ``degree`` ways, before any weight is loaded.

    The transformer classes come from the signature of the pipeline class of ``mode``; the head count
    from the entry's declared denoiser shape, else from ``transformer/config.json`` of its files when
    they are on this machine. With neither (a demo not built yet, a hub model not downloaded), the heads
    are checked by the ranks when they load it (``enable_context_parallel``): the job fails at start.

    Raises:
        InvalidRequestError: naming the model, when its family has no transformer, a transformer class
            has no context-parallel plan, or its heads do not divide by ``degree``.
    """
    import diffusers

    family = registry.family(spec)
    if mode not in family.pipelines:
        raise InvalidRequestError(f"model {spec.key!r} has no transformer to split over {degree} GPUs; use gpus=1")
    pipeline = getattr(diffusers, registry.pipeline_class(spec, mode))
    types = pipeline._get_signature_types()
    classes = {c for name in _DENOISER_NAMES for c in types.get(name, ()) if isinstance(c, type) and c is not type(None)}
    unplanned = sorted(c.__name__ for c in classes if not getattr(c, "_cp_plan", None))
    if not classes or unplanned:
        what = ", ".join(unplanned) or f"{pipeline.__name__} (no transformer)"
        raise InvalidRequestError(f"model {spec.key!r} cannot run on {degree} GPUs: {what} has no context-parallel "
                                  "plan in diffusers; it runs on one GPU (gpus=1)")  # fmt: skip
    heads = spec.denoiser.num_heads if spec.denoiser is not None else _heads_in_files(spec, models_dir)
    if heads is not None and heads % degree:
        raise InvalidRequestError(f"model {spec.key!r} cannot run on {degree} GPUs: Ulysses attention splits its "
                                  f"{heads} attention heads, which do not divide by {degree}")  # fmt: skip


def _heads_in_files(spec: ModelSpec, models_dir: Path) -> int | None:
    from studio.engine.model_files import pipeline_folder

    folder = pipeline_folder(spec, models_dir)
    if folder is None:
        return None
    try:
        heads = json.loads((folder / "transformer" / "config.json").read_text()).get("num_attention_heads")
    except (OSError, ValueError):
        return None
    return int(heads) if isinstance(heads, int) else None
