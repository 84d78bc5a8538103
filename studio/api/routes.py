"""REST routes: jobs, models, health. HTTP errors are produced here and only here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from studio import __version__
from studio.api import estimate, loras
from studio.container import Container
from studio.engine.registry import ModelDefaults
from studio.errors import StudioError
from studio.prompting.compilers import compile_prompt
from studio.prompting.structure import CompiledPrompt, StructureResult
from studio.types import GenerationRequest, Job

_bearer = HTTPBearer(auto_error=False)


class ModelInfo(BaseModel):
    key: str
    family: str
    label: str
    demo: bool
    modes: list[str]
    source: str | None
    #: what a request starts from with this model (size, steps, guidance, the card's negative prompt).
    defaults: ModelDefaults


def container_of(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(container_of)]


def check_token(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    token = container_of(request).settings.api_token
    if token and (credentials is None or credentials.credentials != token):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})


router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_token)])


@router.get("/health")
def health(c: ContainerDep) -> dict:
    return {"status": "ok", "version": __version__, "device": str(c.device.device)}  # type: ignore[attr-defined]


@router.get("/models")
def list_models(c: ContainerDep) -> list[ModelInfo]:
    return [ModelInfo(key=s.key, family=s.family, label=s.display_name, demo=s.demo, modes=list(s.modes), source=s.source,
                      defaults=s.defaults)
            for s in c.registry.specs()]  # fmt: skip


@router.post("/jobs", status_code=status.HTTP_202_ACCEPTED)
def create_job(body: GenerationRequest, c: ContainerDep) -> Job:
    return c.jobs.submit(body)


@router.get("/jobs")
def list_jobs(c: ContainerDep, limit: int = 50) -> list[Job]:
    return c.jobs.recent(limit=max(1, min(limit, 500)))


@router.get("/jobs/{job_id}")
def get_job(job_id: str, c: ContainerDep) -> Job:
    return c.jobs.get(job_id)


@router.delete("/jobs/{job_id}")
def cancel_job(job_id: str, c: ContainerDep) -> Job:
    return c.jobs.cancel(job_id)


class StructureBody(BaseModel):
    text: str
    family: str = "wan"


class StructureAnswer(BaseModel):
    result: StructureResult
    compiled: CompiledPrompt


@router.post("/prompt/structure")
def structure_prompt(body: StructureBody, c: ContainerDep) -> StructureAnswer:
    result = c.structurer.structure(body.text)
    return StructureAnswer(result=result, compiled=compile_prompt(result.structure, body.family))


def install(app: FastAPI) -> None:
    """Add the routes and the one translation of ``StudioError`` to HTTP."""
    app.include_router(router)
    app.include_router(estimate.router, prefix="/api/v1", dependencies=[Depends(check_token)])
    app.include_router(loras.router, prefix="/api/v1", dependencies=[Depends(check_token)])

    @app.exception_handler(StudioError)
    async def _studio_error(_request: Request, exc: StudioError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=exc.http_status)
