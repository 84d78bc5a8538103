"""Scale out: the executor backend on Ray (worker actors, scheduling, loss and cancel).

Nothing here is imported unless ``STUDIO_EXECUTOR=ray``: ``import studio.scale``
loads no ray and no torch; ``start_ray_executor`` imports ray (an optional
extra: ``pip install 'studio[ray]'``). See ``docs/scaling.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.config import Settings
    from studio.scale.executor import RayExecutor


def start_ray_executor(settings: Settings) -> RayExecutor:
    """Connect to (or start) Ray, check the cluster fits the settings, start the workers.

    Raises:
        ClusterError: Ray is not installed, the address does not answer, or the cluster
            cannot hold the workers asked for (each names the setting and the values).
    """
    from studio.scale.executor import RayExecutor

    return RayExecutor.start(settings)
