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
  machine without one. The CPU check (``tests/engine/test_context_parallel.py``,
  gloo) stands in a device count of 1 for that line alone.
"""

from __future__ import annotations

from typing import Any

from studio.errors import InvalidRequestError


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
    for model in denoisers(pipe):
        model.set_attention_backend("native")
        model.enable_parallelism(config=ContextParallelConfig(ulysses_degree=degree))
