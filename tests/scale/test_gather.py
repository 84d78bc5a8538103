"""A worker's reports gathered into batches for the stream (no Ray needed): none lost, in order, ends end a batch."""

from __future__ import annotations

import queue
import threading
import time

from studio.scale.actor import Report, gather


def _feed(reports: queue.Queue[Report], items: list[tuple[float, Report]]) -> threading.Thread:
    """Put each item after its delay (seconds), from another thread, as a run's sink does."""

    def put_all() -> None:
        for delay, item in items:
            time.sleep(delay)
            reports.put(item)

    thread = threading.Thread(target=put_all, daemon=True)
    thread.start()
    return thread


def test_reports_within_the_window_share_a_batch_and_later_ones_start_the_next() -> None:
    reports: queue.Queue[Report] = queue.Queue()
    for step in (1, 2, 3):
        reports.put(("progress", (step, 5)))
    feeder = _feed(reports, [(0.5, ("progress", (4, 5)))])  # long after the window
    assert gather(reports, 0.05) == [("progress", (step, 5)) for step in (1, 2, 3)]
    assert gather(reports, 0.05) == [("progress", (4, 5))]  # waits for the next report
    feeder.join()


def test_a_result_ends_the_batch_at_once_and_nothing_after_it_is_taken() -> None:
    reports: queue.Queue[Report] = queue.Queue()
    reports.put(("progress", (5, 5)))
    reports.put(("result", "frames"))
    reports.put(("progress", (9, 9)))  # not part of this run
    started = time.monotonic()
    assert gather(reports, 10.0) == [("progress", (5, 5)), ("result", "frames")]
    assert time.monotonic() - started < 5.0  # did not wait out the window
    assert reports.get_nowait() == ("progress", (9, 9))


def test_every_report_of_a_run_arrives_once_in_order_over_the_batches() -> None:
    reports: queue.Queue[Report] = queue.Queue()
    sent: list[Report] = [("phase", ("denoising", ""))] + [("progress", (s, 30)) for s in range(1, 31)]
    sent.append(("error", ValueError("stopped")))
    feeder = _feed(reports, [(0.004, item) for item in sent])
    received: list[Report] = []
    batches = 0
    while not received or received[-1][0] != "error":
        received.extend(gather(reports, 0.03))
        batches += 1
    feeder.join()
    assert received[:-1] == sent[:-1] and isinstance(received[-1][1], ValueError)
    assert batches < len(sent)  # gathered, not one item per report
