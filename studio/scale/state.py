"""What the front ends see of the Ray workers (no ray, no torch)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class CachedModel(BaseModel):
    """One pipeline loaded in a worker's model manager."""

    key: str
    modes: list[str]
    size_gb: float
    policy: str
    in_use: bool


class WorkerState(BaseModel):
    """One Ray worker actor: where it runs, whether it is free, what it has loaded."""

    name: str
    #: "ready" (free), "busy" (running ``job_id``), "restarting" (died; Ray is starting it again),
    #: "dead" (out of restarts).
    state: Literal["ready", "busy", "restarting", "dead"]
    node: str = ""
    device: str = ""
    gpus: list[str] = Field(default_factory=list)
    #: the actor's process on its node.
    pid: int | None = None
    job_id: str | None = None
    jobs_run: int = 0
    #: the worker's cache as it answered just now; None when it did not answer in time.
    cache: list[CachedModel] | None = None
