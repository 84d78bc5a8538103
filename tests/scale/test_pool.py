"""Worker choice without Ray: affinity, least loaded, lost and dead workers."""

from __future__ import annotations

import threading

import pytest

from studio.errors import ClusterError
from studio.scale.pool import Slot, WorkerPool


def _pool(count: int) -> WorkerPool:
    return WorkerPool([Slot(name=f"ray-{i}", handle=None) for i in range(count)])


def test_a_job_goes_to_a_free_worker_with_its_model_warm() -> None:
    pool = _pool(3)
    a, b, c = pool.slots
    a.warm, b.warm, c.warm = ("x",), ("y", "z"), ()
    assert pool.acquire("y") is b
    pool.release(b, ("y", "z"))
    assert pool.acquire("x") is a


def test_without_a_warm_worker_the_least_loaded_free_one_is_taken() -> None:
    pool = _pool(3)
    a, b, c = pool.slots
    a.warm, b.warm, c.warm = ("x", "y"), ("y",), ()
    assert pool.acquire("new") is c  # no model loaded: a load evicts nothing there
    assert pool.acquire("new") is b
    assert pool.acquire("new") is a


def test_a_busy_warm_worker_does_not_hold_the_job_back() -> None:
    pool = _pool(2)
    a, b = pool.slots
    a.warm = ("x",)
    assert pool.acquire("x") is a
    assert pool.acquire("x") is b  # a is busy: the free one runs it


def test_ties_spread_over_the_workers_by_jobs_run() -> None:
    pool = _pool(2)
    first = pool.acquire("x")
    pool.release(first, ())
    assert pool.acquire("x") is not first


def test_acquire_waits_for_a_release_and_release_records_the_cache() -> None:
    pool = _pool(1)
    slot = pool.acquire("x", "job1")
    assert (slot.state, slot.job_id) == ("busy", "job1")
    got: list[Slot] = []
    waiter = threading.Thread(target=lambda: got.append(pool.acquire("x")))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive()  # nothing free yet
    pool.release(slot, ("x",))
    waiter.join(5)
    assert got == [slot] and slot.warm == ("x",) and slot.jobs_run == 1


def test_a_lost_worker_is_skipped_until_it_is_back_and_forgets_its_cache() -> None:
    pool = _pool(2)
    a, b = pool.slots
    a.warm = ("x",)
    assert pool.acquire("x") is a
    pool.lost(a)
    pool.release(a, None)  # the failed run's release does not make it ready
    assert a.state == "restarting" and a.warm == ()
    assert pool.acquire("x") is b
    pool.back(a, {"node": "n2"})
    assert a.state == "ready" and a.info == {"node": "n2"}


def test_when_every_worker_is_dead_acquire_raises_instead_of_waiting() -> None:
    pool = _pool(2)
    for slot in pool.slots:
        pool.lost(slot)
    waiter_error: list[Exception] = []

    def wait() -> None:
        try:
            pool.acquire("x")
        except ClusterError as exc:
            waiter_error.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    for slot in pool.slots:
        pool.back(slot, None)  # Ray gave up on both
    waiter.join(5)
    assert waiter_error and "every Ray worker has died" in str(waiter_error[0])
    with pytest.raises(ClusterError, match="every Ray worker has died"):
        pool.acquire("x")


def test_a_closed_pool_refuses() -> None:
    pool = _pool(1)
    pool.close()
    with pytest.raises(ClusterError, match="shutting down"):
        pool.acquire("x")
