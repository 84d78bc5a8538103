"""Cluster checks without a cluster: settings, addresses, capacity (no Ray is started here)."""

from __future__ import annotations

import socket
import time

import pytest
from pydantic import ValidationError

from studio.config import Settings
from studio.errors import ClusterError
from studio.scale.cluster import NodeCapacity, check_capacity, connect, head_endpoint, probe


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"executor": "slurm"}, "executor"),
        ({"ray_workers": 0}, "ray_workers"),
        ({"ray_gpus_per_worker": -1}, "ray_gpus_per_worker"),
        ({"ray_cpus_per_worker": 0}, "ray_cpus_per_worker"),
        ({"ray_torch_threads": -2}, "ray_torch_threads"),
        ({"ray_connect_timeout_s": 0}, "ray_connect_timeout_s"),
    ],
)
def test_bad_scale_settings_are_refused_naming_the_setting(values: dict, named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(**values)


def test_the_executor_is_read_from_the_environment_and_defaults_to_local(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().executor == "local"
    monkeypatch.setenv("STUDIO_EXECUTOR", "ray")
    monkeypatch.setenv("STUDIO_RAY_ADDRESS", "head.example:6380")
    monkeypatch.setenv("STUDIO_RAY_WORKERS", "3")
    settings = Settings()
    assert (settings.executor, settings.ray_address, settings.ray_workers) == ("ray", "head.example:6380", 3)


@pytest.mark.parametrize("address", ["", ":6379", "host:port", "host:70000", "http://host/x:1"])
def test_malformed_addresses_are_named(address: str) -> None:
    with pytest.raises(ClusterError, match="STUDIO_RAY_ADDRESS"):
        head_endpoint(address)


def test_addresses_parse_with_and_without_port() -> None:
    assert head_endpoint("10.0.0.5:6380") == ("10.0.0.5", 6380)
    assert head_endpoint("ray://head") == ("head", 6379)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_address_fails_at_start_within_the_timeout() -> None:
    address = f"127.0.0.1:{_closed_port()}"
    settings = Settings(executor="ray", ray_address=address, ray_connect_timeout_s=2)
    started = time.monotonic()
    with pytest.raises(ClusterError, match=f"STUDIO_RAY_ADDRESS='{address}' does not answer within 2 s"):
        connect(settings)
    assert time.monotonic() - started < 5


def test_a_silent_address_times_out_instead_of_hanging() -> None:
    # a listening socket that never accepts still completes TCP handshakes; an unroutable
    # documentation address (RFC 5737) does not answer at all
    started = time.monotonic()
    with pytest.raises(ClusterError, match="does not answer within 1 s"):
        probe("192.0.2.123:6379", timeout_s=1.0)
    assert time.monotonic() - started < 4


def _settings(**values: object) -> Settings:
    return Settings(executor="ray", **values)  # type: ignore[arg-type]


def test_gpu_workers_on_a_cluster_without_gpus_are_refused() -> None:
    nodes = [NodeCapacity("10.0.0.1", cpus=16, gpus=0)]
    with pytest.raises(ClusterError, match="STUDIO_RAY_GPUS_PER_WORKER=1 but the Ray cluster has no GPU"):
        check_capacity(_settings(ray_gpus_per_worker=1), nodes)


def test_a_worker_needing_more_gpus_than_any_node_has_is_refused() -> None:
    nodes = [NodeCapacity("a", cpus=32, gpus=2), NodeCapacity("b", cpus=32, gpus=2)]
    with pytest.raises(ClusterError, match="STUDIO_RAY_GPUS_PER_WORKER=4 .* at most 2 GPUs on one node"):
        check_capacity(_settings(ray_gpus_per_worker=4), nodes)


def test_more_workers_than_the_cluster_holds_are_refused() -> None:
    nodes = [NodeCapacity("a", cpus=32, gpus=2), NodeCapacity("b", cpus=32, gpus=1)]
    check_capacity(_settings(ray_workers=3, ray_gpus_per_worker=1), nodes)  # 2 + 1 fit
    with pytest.raises(ClusterError, match="STUDIO_RAY_WORKERS=4 .* holds 3"):
        check_capacity(_settings(ray_workers=4, ray_gpus_per_worker=1), nodes)
    with pytest.raises(ClusterError, match="STUDIO_RAY_CPUS_PER_WORKER=64 but no node .* more than 32"):
        check_capacity(_settings(ray_cpus_per_worker=64), nodes)
    with pytest.raises(ClusterError, match="STUDIO_RAY_WORKERS=3 .* holds 2"):
        check_capacity(_settings(ray_workers=3, ray_cpus_per_worker=1), [NodeCapacity("c", cpus=2, gpus=0)])
