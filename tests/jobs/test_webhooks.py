"""Webhooks: signed deliveries to a loopback receiver, retries across a restart, private targets refused.

No traffic ever goes to a non-loopback address: names are resolved through a
patched ``socket.getaddrinfo``, and private targets are refused before connecting.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from studio.config import Settings
from studio.errors import InvalidRequestError
from studio.jobs import addresses
from studio.jobs.store import JobStore
from studio.jobs.webhooks import WebhookNotifier, retry_delay_s, webhook_secret
from studio.types import GenerationRequest, Job, JobEvent, JobStatus, Phase


class Receiver:
    """A loopback webhook receiver that checks every signature; ``redirect_to`` makes it answer 302."""

    def __init__(self, port: int, secret: str, redirect_to: str | None = None) -> None:
        self.received: list[tuple[str, str]] = []  # (webhook-id, type)
        self.bad_signatures = 0
        verifier = Webhook(secret)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                try:
                    payload = verifier.verify(body, dict(self.headers))
                    outer.received.append((self.headers["webhook-id"], payload["type"]))
                except Exception:
                    outer.bad_signatures += 1
                self.send_response(302 if redirect_to else 200)
                if redirect_to:
                    self.send_header("Location", redirect_to)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _job_events(store: JobStore, notifier: WebhookNotifier, url: str, job_id: str = "job1") -> None:
    store.insert(Job(id=job_id, request=GenerationRequest(prompt="x", webhook_url=url)))
    for status in (JobStatus.RUNNING, JobStatus.SUCCEEDED):
        notifier.on_event(JobEvent(job_id=job_id, kind="status", status=status, phase=Phase.DONE))


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True, "webhook_backoff_s": 0.05, "webhook_max_attempts": 50,
                                       "public_url": "https://studio.example"})  # fmt: skip


def test_receiver_down_then_up_across_a_restart_gets_each_event_once(hook_settings: Settings) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    store = JobStore(hook_settings.db_path)
    notifier = WebhookNotifier(hook_settings, store)
    notifier.start()
    _job_events(store, notifier, url)
    _wait(lambda: all(d.attempts >= 2 for d in notifier.deliveries.for_job("job1")))  # refused while down
    notifier.stop()
    store.close()
    receiver = Receiver(port, webhook_secret(hook_settings))  # the receiver comes up while the studio is down
    store = JobStore(hook_settings.db_path)  # the studio restarts: pending deliveries resume from the store
    notifier = WebhookNotifier(hook_settings, store)
    notifier.start()
    try:
        _wait(lambda: all(d.status == "delivered" for d in notifier.deliveries.for_job("job1")))
    finally:
        notifier.stop()
        receiver.close()
    deliveries = notifier.deliveries.for_job("job1")
    assert [d.event for d in deliveries] == ["job.started", "job.succeeded"]
    assert sorted(receiver.received) == sorted((d.id, d.event) for d in deliveries) and receiver.bad_signatures == 0
    for delivery in deliveries:
        assert [a.attempt for a in delivery.log] == list(range(1, delivery.attempts + 1))
        assert [a.status_code for a in delivery.log][-1] == 200 and all(a.error for a in delivery.log[:-1])
        # exactly one request reached the receiver per logged attempt that got an answer
        assert sum(a.status_code is not None for a in delivery.log) == receiver.received.count((delivery.id, delivery.event))
    payload = json.loads(deliveries[1].payload)
    assert payload["data"]["links"]["video"] == "https://studio.example/api/v1/jobs/job1/video"
    store.close()


def test_backoff_grows_with_jitter() -> None:
    delays = [retry_delay_s(n, 2.0) for n in (1, 2, 3, 4)]
    assert all(0.75 * 2.0 * 2 ** i <= d <= 1.25 * 2.0 * 2 ** i for i, d in enumerate(delays))
    assert len({retry_delay_s(3, 2.0) for _ in range(5)}) > 1


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Names -> addresses for the webhook transport (unknown names fail to resolve)."""
    table: dict[str, str] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        address = table.get(host, host)
        try:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            socket.inet_pton(family, address)
        except OSError:
            raise socket.gaierror(f"unknown name {host}") from None
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)
    yield table


def _refused_delivery(settings: Settings, url: str) -> str:
    store = JobStore(settings.db_path)
    notifier = WebhookNotifier(settings, store)
    store.insert(Job(id="j", request=GenerationRequest(prompt="x")))  # the URL is added as stored rows are, past submit's check
    notifier.deliveries.add("j", "job.started", url, '{"type": "job.started"}')
    notifier.start()
    try:
        _wait(lambda: notifier.deliveries.for_job("j")[0].status != "pending")
        delivery = notifier.deliveries.for_job("j")[0]
    finally:
        notifier.stop()
        store.close()
    assert delivery.status == "failed" and delivery.attempts == 1
    return delivery.last_error or ""


@pytest.mark.parametrize("url", ["http://10.1.2.3/hook", "http://127.0.0.1:9/hook", "http://[::1]:9/hook",
                                 "http://internal.test/hook"])  # fmt: skip
def test_private_targets_are_refused_without_connecting(settings: Settings, fake_dns: dict, url: str) -> None:
    fake_dns["internal.test"] = "10.0.0.5"
    error = _refused_delivery(settings.model_copy(update={"webhook_backoff_s": 0.05}), url)
    assert error.startswith("refused:") and "private or loopback" in error


def test_a_redirect_to_a_private_address_is_refused(settings: Settings, fake_dns: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    # "public.test" stands for a public receiver: it resolves to the loopback receiver, which only this test calls public.
    real = addresses.is_public_address
    monkeypatch.setattr(addresses, "is_public_address", lambda a: a == "127.0.0.1" or real(a))
    port = _free_port()
    fake_dns.update({"public.test": "127.0.0.1", "internal.test": "10.0.0.5"})
    receiver = Receiver(port, webhook_secret(settings), redirect_to="http://internal.test/steal")
    try:
        error = _refused_delivery(settings, f"http://public.test:{port}/hook")
    finally:
        receiver.close()
    assert len(receiver.received) == 1 and receiver.bad_signatures == 0  # the first hop was sent and signed; the redirect was not followed
    assert "'internal.test' resolves to a private or loopback address (10.0.0.5)" in error


def test_the_signing_secret_is_made_once_and_kept_private(settings: Settings) -> None:
    secret = webhook_secret(settings)
    assert secret.startswith("whsec_") and webhook_secret(settings) == secret
    assert (Path(settings.data_dir) / "webhook_secret").stat().st_mode & 0o077 == 0


def test_a_bad_global_webhook_url_stops_the_start(settings: Settings) -> None:
    with pytest.raises(InvalidRequestError, match="webhook_url must be an http or https URL, got 'ftp://x'"):
        WebhookNotifier(settings.model_copy(update={"webhook_url": "ftp://x"}), JobStore(":memory:"))
