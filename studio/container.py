"""Composition root: builds every service once, from one ``Settings``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.config import Settings
from studio.engine import build_engine
from studio.engine.registry import ModelRegistry
from studio.hosting.retention import CleanupReport, RetentionTask, clean_outputs
from studio.hosting.zerogpu import wrap_for_zerogpu
from studio.jobs.audit import AuditLog
from studio.jobs.events import EventBus
from studio.jobs.files import FileStore
from studio.jobs.lock import DataDirLock
from studio.jobs.policy_gate import policy_for
from studio.jobs.service import JobService
from studio.jobs.store import JobStore
from studio.jobs.webhooks import WebhookNotifier
from studio.presets.library import PresetLibrary
from studio.prompting.structurer import OfflineStructurer, Structurer
from studio.types import JobStatus

if TYPE_CHECKING:
    from studio.engine.device import DeviceInfo
    from studio.engine.manager import ModelManager
    from studio.scale.executor import RayExecutor

logger = logging.getLogger(__name__)


@dataclass
class Container:
    """The studio's services. Front ends receive this and nothing global."""

    settings: Settings
    registry: ModelRegistry
    store: JobStore
    bus: EventBus
    jobs: JobService
    manager: ModelManager
    device: DeviceInfo
    structurer: Structurer
    # -- jobs API --
    files: FileStore
    webhooks: WebhookNotifier
    lock: DataDirLock
    # -- sharing and hosting --
    presets: PresetLibrary
    retention: RetentionTask | None = None
    # -- scale out (Ray) --
    #: the Ray executor when ``STUDIO_EXECUTOR=ray`` (its workers and their caches); None in process.
    ray: RayExecutor | None = None

    def close(self) -> None:
        """Stop the retention task and the worker (a running job is left interrupted), then the webhooks, then close the store."""
        if self.retention is not None:
            self.retention.stop()
        self.jobs.stop()
        if self.ray is not None:
            self.ray.close()
        self.webhooks.stop()
        self.store.close()
        self.lock.release()


def build_container(settings: Settings, *, start: bool = True, serving: bool = False) -> Container:
    """Build (and by default start) the services. Imports torch through the engine.

    ``serving``: the process also serves the web studio (the CPU worker leaves it a core).

    Raises:
        DataDirBusyError: another studio process holds the data folder.
    """
    lock = DataDirLock(settings.data_dir)
    lock.acquire()
    try:
        return _build(settings, lock, start, serving)
    except BaseException:
        lock.release()
        raise


def _build(settings: Settings, lock: DataDirLock, start: bool, serving: bool) -> Container:
    settings.outputs_dir.mkdir(parents=True, exist_ok=True)
    registry = ModelRegistry(offline=settings.offline)
    policy_for(settings)  # a policy file that does not parse stops the start, naming the problem
    device, manager, runner = build_engine(settings, registry, serving=serving)
    logger.info("engine on %s (%s)", device.device, device.dtype)
    store = JobStore(settings.db_path)
    bus = EventBus()
    ray = _ray_executor(settings)
    if ray is not None:  # jobs run on Ray workers, one JobWorker thread each; estimates come from a worker
        jobs = JobService(settings, store, bus, registry, ray, estimator=ray, workers=ray.worker_count)
    else:  # on a ZeroGPU Space the GPU work runs inside spaces.GPU; elsewhere the runner as is
        jobs = JobService(settings, store, bus, registry, wrap_for_zerogpu(runner), estimator=manager)
    webhooks = WebhookNotifier(settings, store)
    bus.add_listener(webhooks.on_event)
    retention = _retention(settings, store)
    if start:
        jobs.start()
        webhooks.start()
        if retention is not None:
            retention.start()
    return Container(settings, registry, store, bus, jobs, manager, device, build_structurer(settings),
                     FileStore(settings, store), webhooks, lock, PresetLibrary(settings.user_presets_dir), retention,
                     ray)  # fmt: skip


def _ray_executor(settings: Settings) -> RayExecutor | None:
    """The Ray executor when ``STUDIO_EXECUTOR=ray`` (imports ray); None for the in-process default."""
    if settings.executor != "ray":
        return None
    from studio.scale import start_ray_executor

    return start_ray_executor(settings)


def _retention(settings: Settings, store: JobStore) -> RetentionTask | None:
    """Output cleanup when the operator set a limit (a hosted Space does: see app.py)."""
    if not (settings.output_retention_days or settings.output_retention_gb):
        return None

    def live() -> list[str]:
        unfinished = [s for s in JobStatus if not s.is_terminal]
        return [job.id for job in store.recent(limit=100_000, statuses=tuple(unfinished))]

    def clean() -> CleanupReport:
        report = clean_outputs(settings.outputs_dir, max_age_days=settings.output_retention_days,
                               max_total_gb=settings.output_retention_gb, live_job_ids=live)  # fmt: skip
        AuditLog(store).forget(report.removed)  # the audit trail follows the outputs' retention
        return report

    return RetentionTask(clean)


def build_structurer(settings: Settings) -> Structurer:
    """The offline structurer, or a language model behind it when ``prompt_llm`` is set and loads."""
    offline = OfflineStructurer(max_chars=settings.max_prompt_chars)
    if not settings.prompt_llm:
        return offline
    from studio.engine.prompt_llm import LLMStructurer

    try:
        return LLMStructurer.from_pretrained(settings.prompt_llm, offline=settings.offline, fallback=offline)
    except (OSError, ValueError) as exc:
        logger.warning("prompt language model %s could not be loaded (%s); using the offline structurer", settings.prompt_llm, exc)
        return offline
