from studio.jobs.events import EventBus
from studio.types import JobEvent, JobStatus, Phase


def _event(job_id: str, step: int) -> JobEvent:
    return JobEvent(job_id=job_id, kind="progress", status=JobStatus.RUNNING, phase=Phase.DENOISING, step=step)


def test_late_subscribers_get_the_past_first_then_the_rest() -> None:
    bus = EventBus()
    bus.publish(_event("a", 1))
    bus.publish(_event("b", 1))
    with bus.subscribe("a") as sub:
        bus.publish(_event("a", 2))
        assert [sub.get(0.1).step, sub.get(0.1).step] == [1, 2]
        assert sub.get(0.05) is None  # b's events are not delivered to a's subscribers


def test_subscribers_to_all_jobs_and_unsubscribe() -> None:
    bus = EventBus()
    sub = bus.subscribe(None)
    bus.publish(_event("a", 1))
    bus.publish(_event("b", 1))
    assert {sub.get(0.1).job_id, sub.get(0.1).job_id} == {"a", "b"}
    sub.close()
    bus.publish(_event("a", 2))
    assert sub.get(0.05) is None


def test_history_is_bounded() -> None:
    bus = EventBus(history_jobs=2, history_events_per_job=3)
    for job in "abc":
        for step in range(5):
            bus.publish(_event(job, step))
    with bus.subscribe("a") as old:
        assert old.get(0.01) is None  # forgotten
    with bus.subscribe("c") as recent:
        assert [recent.get(0.01).step for _ in range(3)] == [0, 1, 2]
