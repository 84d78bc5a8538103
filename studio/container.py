"""Composition root: builds every service once, from one ``Settings``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.config import Settings
from studio.engine import build_engine
from studio.engine.registry import ModelRegistry
from studio.jobs.events import EventBus
from studio.jobs.policy_gate import policy_for
from studio.jobs.service import JobService
from studio.jobs.store import JobStore
from studio.prompting.structurer import OfflineStructurer, Structurer

if TYPE_CHECKING:
    from studio.engine.device import DeviceInfo
    from studio.engine.manager import ModelManager

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

    def close(self) -> None:
        self.jobs.stop()
        self.store.close()


def build_container(settings: Settings, *, start: bool = True) -> Container:
    """Build (and by default start) the services. Imports torch through the engine."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.outputs_dir.mkdir(parents=True, exist_ok=True)
    registry = ModelRegistry(offline=settings.offline)
    policy_for(settings)  # a policy file that does not parse stops the start, naming the problem
    device, manager, runner = build_engine(settings, registry)
    logger.info("engine on %s (%s)", device.device, device.dtype)
    store = JobStore(settings.db_path)
    bus = EventBus()
    jobs = JobService(settings, store, bus, registry, runner)
    if start:
        jobs.start()
    return Container(settings, registry, store, bus, jobs, manager, device, build_structurer(settings))


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
