"""REST routes: health, models, prompt; jobs, files and events come from their own modules.

HTTP errors are produced in the routes and in the handlers installed here, nowhere else.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from studio import __version__
from studio.api import estimate, events, files, jobs, loras, workers
from studio.api.audit import router as audit_router
from studio.api.auth import viewer_of
from studio.api.deps import ContainerDep, container_of  # noqa: F401  (container_of: re-exported for routers)
from studio.engine.registry import ModelDefaults
from studio.errors import StudioError
from studio.jobs.policy_gate import enforce_texts
from studio.prompting.compilers import compile_prompt
from studio.prompting.structure import CompiledPrompt, StructureResult


class ModelInfo(BaseModel):
    key: str
    family: str
    label: str
    demo: bool
    modes: list[str]
    source: str | None
    #: what a request starts from with this model (size, steps, guidance, the card's negative prompt).
    defaults: ModelDefaults


router = APIRouter(prefix="/api/v1")


@router.get("/health")
def health(c: ContainerDep) -> dict:
    return {"status": "ok", "version": __version__, "device": str(c.device.device)}  # type: ignore[attr-defined]


@router.get("/models")
def list_models(c: ContainerDep) -> list[ModelInfo]:
    return [ModelInfo(key=s.key, family=s.family, label=s.display_name, demo=s.demo, modes=list(s.modes), source=s.source,
                      defaults=s.defaults)
            for s in c.registry.specs()]  # fmt: skip


class StructureBody(BaseModel):
    text: str
    family: str = "wan"


class StructureAnswer(BaseModel):
    result: StructureResult
    compiled: CompiledPrompt


@router.post("/prompt/structure")
def structure_prompt(body: StructureBody, c: ContainerDep) -> StructureAnswer:
    result = c.structurer.structure(body.text)
    compiled = compile_prompt(result.structure, body.family)
    enforce_texts(c.settings, {"structured prompt": compiled.text, "structured negative prompt": compiled.negative})
    return StructureAnswer(result=result, compiled=compiled)


def describe_body_errors(exc: RequestValidationError) -> str:
    """One line naming each bad part of a request (malformed JSON, a missing file, a wrong type)."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            parts.append(f"the body is not valid JSON ({reason}) at position {error['loc'][-1]}")
        elif error.get("type") == "missing":
            parts.append(f"{where} is required")
        else:
            parts.append(f"{where}: {error.get('msg')}, got {error.get('input')!r}"[:300])
    return "; ".join(parts)


def install(app: FastAPI) -> None:
    """Add the routes (all behind the bearer token when one is set) and the one translation of errors to HTTP."""
    secured = [Depends(viewer_of)]
    for module_router in (router, jobs.router, files.router, events.router):
        app.include_router(module_router, dependencies=secured)
    app.include_router(estimate.router, prefix="/api/v1", dependencies=secured)
    app.include_router(loras.router, prefix="/api/v1", dependencies=secured)
    app.include_router(workers.router, prefix="/api/v1", dependencies=secured)
    app.include_router(audit_router)

    @app.exception_handler(StudioError)
    async def _studio_error(_request: Request, exc: StudioError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def _bad_body(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": describe_body_errors(exc), "error": "InvalidRequestError"}, status_code=422)
