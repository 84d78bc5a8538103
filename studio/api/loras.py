"""``GET /api/v1/loras``: the LoRAs a client may name in ``loras`` (registered ones and the LoRA folder's files).

Mounted by ``routes.install`` under the same prefix and bearer token as the other routes. A client
still may give a hub id; server paths are never listed (and accepted only where the operator allows).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from studio.container import Container
from studio.engine.lora_registry import LoraRecipe
from studio.jobs.options import lora_registry

router = APIRouter()


class LoraInfo(BaseModel):
    #: what to put in ``LoraSpec.source``.
    source: str
    label: str
    #: model keys / hub ids a registered LoRA is made for (empty: unknown, checked when loaded).
    base_models: list[str]
    weight: float = 1.0
    #: steps, guidance and scheduler a step-distilled LoRA needs (the scheduler is applied by the studio).
    recipe: LoraRecipe | None = None


@router.get("/loras")
def list_loras(request: Request) -> list[LoraInfo]:
    container: Container = request.app.state.container
    rules = lora_registry(container.settings)
    registered = [LoraInfo(source=lora.key, label=lora.label, base_models=list(lora.base_models), weight=lora.weight,
                           recipe=lora.recipe) for lora in rules.registered()]  # fmt: skip
    return registered + [LoraInfo(source=name, label=f"{name} (LoRA folder)", base_models=[]) for name in rules.folder_files()]
