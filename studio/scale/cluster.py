"""Connecting to Ray and checking that the cluster can hold the workers the settings ask for.

A bad address must fail at start with a clear error, not hang: the head's port
is probed with a plain TCP connect (``ray_connect_timeout_s``) before
``ray.init`` is called. Capacity is checked against the live nodes, so a
worker that could never be placed (more GPUs or CPUs than any one node has, or
more workers than the cluster holds) is refused at start, naming the setting,
instead of waiting forever as a pending actor.
"""

from __future__ import annotations

import importlib
import socket
from dataclasses import dataclass
from types import ModuleType

from studio.config import Settings
from studio.errors import ClusterError

_DEFAULT_HEAD_PORT = 6379
#: Ray starts worker processes at nice 15 (so its own daemons stay responsive); the studio's workers
#: are the work, and at 15 they lose the CPU to every other process of the machine (measured: a tiny
#: job took 2x as long on a loaded machine). A local Ray is started with 0; on a cluster, start the
#: nodes with ``RAY_worker_niceness=0`` (docs/scaling.md).
SYSTEM_CONFIG = {"worker_niceness": 0}


@dataclass(frozen=True)
class NodeCapacity:
    """What one live node offers (Ray resource totals)."""

    address: str
    cpus: float
    gpus: float


def import_ray() -> ModuleType:
    """Raises ClusterError when the optional ``ray`` extra is missing."""
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise ClusterError("STUDIO_EXECUTOR=ray needs Ray: pip install 'studio[ray]' (or 'ray>=2.50')") from exc


def head_endpoint(address: str) -> tuple[str, int]:
    """``host:port`` (``ray://host:port`` too) -> (host, port); the port defaults to Ray's 6379.

    Raises:
        ClusterError: not of that form.
    """
    rest = address.removeprefix("ray://")
    host, sep, port = rest.rpartition(":")
    if not sep:
        host, port = rest, str(_DEFAULT_HEAD_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or "/" in host:
        raise ClusterError(f"STUDIO_RAY_ADDRESS must be 'host:port' of a Ray head, got {address!r}")
    return host, int(port)


def probe(address: str, timeout_s: float) -> None:
    """Raises ClusterError unless a TCP connection to the head opens within ``timeout_s``."""
    host, port = head_endpoint(address)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        raise ClusterError(f"the Ray cluster at STUDIO_RAY_ADDRESS={address!r} does not answer "
                           f"within {timeout_s:.0f} s ({exc}); start it with 'ray start --head' or fix the address") from exc  # fmt: skip


def connect(settings: Settings) -> tuple[ModuleType, bool]:
    """Join the cluster at ``ray_address`` or start a local one; returns (ray, whether this process started it).

    A Ray already initialised in this process (tests, notebooks) is used as it is.
    """
    ray = import_ray()
    if settings.ray_address:
        probe(settings.ray_address, settings.ray_connect_timeout_s)
    if ray.is_initialized():
        return ray, False
    if settings.ray_address:
        ray.init(address=settings.ray_address, include_dashboard=False, log_to_driver=False)
        return ray, True
    ray.init(include_dashboard=False, log_to_driver=False, _system_config=SYSTEM_CONFIG)
    return ray, True


def node_capacities(ray: ModuleType) -> list[NodeCapacity]:
    return [NodeCapacity(node.get("NodeManagerAddress", "?"), float(node["Resources"].get("CPU", 0)),
                         float(node["Resources"].get("GPU", 0)))
            for node in ray.nodes() if node.get("Alive")]  # fmt: skip


def check_capacity(settings: Settings, nodes: list[NodeCapacity]) -> None:
    """Refuse settings whose workers cannot all be placed on these nodes.

    Raises:
        ClusterError: naming the setting, what it asks and what the cluster has.
    """
    gpus, cpus, count = settings.ray_gpus_per_worker, settings.ray_cpus_per_worker, settings.ray_workers
    most_gpus = max((n.gpus for n in nodes), default=0.0)
    most_cpus = max((n.cpus for n in nodes), default=0.0)
    if gpus > most_gpus:
        have = "no GPU" if most_gpus == 0 else f"at most {most_gpus:g} GPUs on one node"
        raise ClusterError(f"STUDIO_RAY_GPUS_PER_WORKER={gpus} but the Ray cluster has {have}; "
                           "use 0 for CPU workers or add GPU nodes")  # fmt: skip
    if cpus > most_cpus:
        raise ClusterError(f"STUDIO_RAY_CPUS_PER_WORKER={cpus:g} but no node of the Ray cluster has more than {most_cpus:g} CPUs")
    fits = sum(_workers_on(node, gpus, cpus) for node in nodes)
    if fits < count:
        raise ClusterError(f"STUDIO_RAY_WORKERS={count} workers of {gpus} GPU(s) and {cpus:g} CPU(s) each, but the Ray "
                           f"cluster ({len(nodes)} node(s)) holds {fits}; lower it or add nodes")  # fmt: skip


def _workers_on(node: NodeCapacity, gpus: int, cpus: float) -> int:
    by_cpu = int(node.cpus // cpus + 1e-9)
    return by_cpu if gpus == 0 else min(by_cpu, int(node.gpus // gpus + 1e-9))
