"""Device and dtype resolution (the only place that decides them)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from studio.engine.memory import FP32_COMPONENTS
from studio.errors import InvalidRequestError

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass(frozen=True)
class DeviceInfo:
    device: torch.device
    dtype: torch.dtype

    @property
    def is_accelerator(self) -> bool:
        return self.device.type in ("cuda", "mps", "xpu")

    def component_dtypes(self, float32: frozenset[str] | None = None) -> torch.dtype | dict[str, torch.dtype]:
        """The per-component ``dtype`` to load pipelines with (see ``component_dtypes``)."""
        return component_dtypes(self.dtype, float32)

    def free_memory_gb(self) -> float | None:
        """Free accelerator memory in GB; None on the CPU."""
        if self.device.type == "cuda":
            free_bytes, _ = torch.cuda.mem_get_info(self.device)
            return free_bytes / 1e9
        return None

    def total_memory_gb(self) -> float | None:
        """Total accelerator memory in GB (what the manager budgets against without ``vram_budget_gb``); None on the CPU."""
        if self.device.type == "cuda":
            _, total_bytes = torch.cuda.mem_get_info(self.device)
            return total_bytes / 1e9
        return None


def resolve_device(device: str, dtype: str) -> DeviceInfo:
    """Turn the ``device``/``dtype`` settings into torch objects.

    Raises:
        InvalidRequestError: an unknown dtype, or a device that is not available.
    """
    if device == "auto":
        if torch.cuda.is_available():
            device = "cuda"
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            device = "mps"
        else:
            device = "cpu"
    try:
        dev = torch.device(device)
    except RuntimeError as exc:
        raise InvalidRequestError(f"unknown device {device!r}") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InvalidRequestError(f"device {device!r} requested but CUDA is not available")
    if dtype == "auto":
        torch_dtype = torch.bfloat16 if dev.type == "cuda" else torch.float32
    elif dtype in _DTYPES:
        torch_dtype = _DTYPES[dtype]
    else:
        raise InvalidRequestError(f"unknown dtype {dtype!r}; use one of auto, {', '.join(_DTYPES)}")
    return DeviceInfo(device=dev, dtype=torch_dtype)


#: Components the model cards keep in float32 when the rest runs in reduced precision:
#: the VAE (bf16 decodes band and shift colours) and the CLIP image encoder. One list, which the
#: memory estimate (torch-free) counts by as well.
FLOAT32_COMPONENTS = tuple(sorted(FP32_COMPONENTS))


def component_dtypes(dtype: torch.dtype, float32: frozenset[str] | None = None) -> torch.dtype | dict[str, torch.dtype]:
    """The ``dtype`` argument of ``DiffusionPipeline.from_pretrained`` for a compute dtype.

    float32 loads everything in float32. A reduced dtype (bf16 on CUDA by
    default) applies to the transformer(s) and text encoder, while the
    components in ``float32`` (default ``FLOAT32_COMPONENTS``; a family whose
    pipeline does not cast between components declares none) stay float32
    (diffusers takes a dict per component name, ``"default"`` for the others).
    """
    if dtype == torch.float32:
        return dtype
    kept = FLOAT32_COMPONENTS if float32 is None else sorted(float32)
    return {"default": dtype, **dict.fromkeys(kept, torch.float32)}
