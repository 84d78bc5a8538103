"""The worker's torch thread count: the default left to the web server, the setting, bad values."""

from __future__ import annotations

import threading

import pytest
import torch
from pydantic import ValidationError

from studio.config import Settings
from studio.container import build_container
from studio.engine import build_engine
from studio.engine.device import DeviceInfo
from studio.engine.registry import ModelRegistry
from studio.engine.threads import available_cores, use_threads, worker_thread_count
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest
from tests.engine.recording_sink import RecordingSink

CPU = DeviceInfo(torch.device("cpu"), torch.float32)
CUDA = DeviceInfo(torch.device("cuda"), torch.bfloat16)


def test_serving_on_a_multicore_cpu_leaves_one_core_to_the_server() -> None:
    assert worker_thread_count(None, CPU, serving=True, cores=2) == 1
    assert worker_thread_count(None, CPU, serving=True, cores=16) == 15


def test_one_core_headless_runs_and_accelerators_keep_torchs_default() -> None:
    assert worker_thread_count(None, CPU, serving=True, cores=1) is None
    assert worker_thread_count(None, CPU, serving=False, cores=8) is None
    assert worker_thread_count(None, CUDA, serving=True, cores=8) is None


def test_the_setting_wins_within_the_cores() -> None:
    assert worker_thread_count(2, CPU, serving=True, cores=2) == 2
    assert worker_thread_count(1, CUDA, serving=False, cores=4) == 1


def test_more_threads_than_cores_is_refused_naming_both() -> None:
    with pytest.raises(InvalidRequestError, match=r"STUDIO_WORKER_THREADS must be at most the 4 CPU cores.*got 9"):
        worker_thread_count(9, CPU, serving=True, cores=4)


def test_zero_negative_and_non_integer_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in (0, -2):
        with pytest.raises(ValidationError, match="worker_threads"):
            Settings(worker_threads=bad)
    monkeypatch.setenv("STUDIO_WORKER_THREADS", "many")
    with pytest.raises(ValidationError, match="worker_threads"):
        Settings()
    monkeypatch.setenv("STUDIO_WORKER_THREADS", "3")
    assert Settings().worker_threads == 3


def test_use_threads_bounds_the_calling_thread_only() -> None:
    before = torch.get_num_threads()
    seen: list[int] = []

    def worker() -> None:
        use_threads(1)
        seen.append(torch.get_num_threads())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [1]
    assert torch.get_num_threads() == before


class _ThreadCountSink(RecordingSink):
    """Records torch's thread count each time the runner reports a step (in the thread that runs)."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[int] = []

    def progress(self, step: int, total_steps: int) -> None:
        self.threads.append(torch.get_num_threads())
        super().progress(step, total_steps)


def test_the_runner_denoises_with_the_bound_in_its_own_thread(settings: Settings) -> None:
    _device, _manager, runner = build_engine(settings.model_copy(update={"worker_threads": 1}), ModelRegistry(offline=True))
    assert runner.threads == 1
    sink = _ThreadCountSink()
    request = GenerationRequest(prompt="a fox", model="wan-demo", width=32, height=32, num_frames=5, steps=2, fps=8)
    thread = threading.Thread(target=runner.run, args=(request, 0, sink))
    thread.start()
    thread.join(120)
    assert sink.threads == [1, 1]


def test_a_serving_engine_on_the_cpu_gets_the_default_bound(settings: Settings) -> None:
    _device, _manager, runner = build_engine(settings, ModelRegistry(offline=True), serving=True)
    cores = available_cores()
    assert runner.threads == (cores - 1 if cores > 1 else None)
    _device, _manager, headless = build_engine(settings, ModelRegistry(offline=True))
    assert headless.threads is None


def test_a_studio_asked_for_too_many_threads_does_not_start(settings: Settings) -> None:
    too_many = settings.model_copy(update={"worker_threads": available_cores() + 1})
    with pytest.raises(InvalidRequestError, match="STUDIO_WORKER_THREADS must be at most"):
        build_container(too_many, start=False, serving=True)
    build_container(settings, start=False).close()  # the data folder's lock was let go
