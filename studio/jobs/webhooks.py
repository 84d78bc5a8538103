"""Signed webhooks: job.started / succeeded / failed / canceled, delivered with retries that survive restarts.

Messages follow Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
``webhook-signature`` headers, signed with the ``standardwebhooks`` package);
the id is the same on every retry so receivers can drop duplicates. The
payload is thin: the job's id, status and links to fetch the rest.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import secrets
import threading
import time
from datetime import datetime, timezone

import httpx
from standardwebhooks import Webhook

from studio.config import Settings
from studio.jobs.addresses import PublicOnlyTransport, UnsafeTargetError, check_webhook_url
from studio.jobs.deliveries import Delivery, DeliveryAttempt, DeliveryStore
from studio.jobs.store import JobStore
from studio.types import JobEvent, JobStatus

logger = logging.getLogger(__name__)

_EVENT_OF_STATUS = {JobStatus.RUNNING: "job.started", JobStatus.SUCCEEDED: "job.succeeded",
                    JobStatus.FAILED: "job.failed", JobStatus.CANCELED: "job.canceled"}  # fmt: skip
_MAX_REDIRECTS = 3
_MAX_DELAY_S = 3600.0


def webhook_secret(settings: Settings) -> str:
    """The signing secret: the setting, else one made once and kept (mode 0600) in ``<data_dir>/webhook_secret``."""
    if settings.webhook_secret:
        return settings.webhook_secret
    path = settings.data_dir / "webhook_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write("whsec_" + base64.b64encode(secrets.token_bytes(24)).decode())
    return path.read_text().strip()


def retry_delay_s(attempt: int, base_s: float) -> float:
    """Exponential backoff with jitter: about ``base * 2**(attempt-1)``, +-25%, at most an hour."""
    return min(_MAX_DELAY_S, base_s * 2 ** (attempt - 1)) * random.uniform(0.75, 1.25)


class WebhookNotifier:
    """Records a delivery per target when a job starts or ends (a bus listener) and sends them in a thread."""

    def __init__(self, settings: Settings, store: JobStore) -> None:
        """Raises InvalidRequestError when ``STUDIO_WEBHOOK_URL`` is not an allowed http(s) URL."""
        if settings.webhook_url:
            check_webhook_url(settings.webhook_url, allow_private=settings.webhook_allow_private)
        self._settings = settings
        self._jobs = store
        self.deliveries = DeliveryStore(store)
        self._webhook = Webhook(webhook_secret(settings))
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="studio-webhooks", daemon=True)

    # -- recording ----------------------------------------------------------------------
    def on_event(self, event: JobEvent) -> None:
        """Bus listener: a status event of a start or an end becomes one pending delivery per URL."""
        name = _EVENT_OF_STATUS.get(event.status)
        if event.kind != "status" or name is None:
            return
        job = self._jobs.get(event.job_id)
        urls = [u for u in (job.request.webhook_url, self._settings.webhook_url) if u]
        if not urls:
            return
        base = self._public_base()
        links = {"job": f"{base}/api/v1/jobs/{job.id}", "events": f"{base}/api/v1/jobs/{job.id}/events"}
        if event.status == JobStatus.SUCCEEDED:
            links["video"] = f"{base}/api/v1/jobs/{job.id}/video"
        payload = json.dumps({
            "type": name, "timestamp": datetime.now(timezone.utc).isoformat(),
            "data": {"job_id": job.id, "status": event.status.value, "attempt": job.attempts,
                     "error": job.error if event.status == JobStatus.FAILED else None, "links": links},
        }, separators=(",", ":"))  # fmt: skip
        for url in dict.fromkeys(urls):
            self.deliveries.add(job.id, name, url, payload)
        with self._wake:
            self._wake.notify()

    def _public_base(self) -> str:
        if self._settings.public_url:
            return self._settings.public_url.rstrip("/")
        return f"http://{self._settings.host}:{self._settings.port}"

    # -- sending ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 15.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        transport = httpx.HTTPTransport() if self._settings.webhook_allow_private else PublicOnlyTransport()
        with httpx.Client(transport=transport, timeout=self._settings.webhook_timeout_s, follow_redirects=False) as client:
            while True:
                with self._wake:
                    if self._stopping:
                        return
                    next_at = self.deliveries.next_due_at()
                    wait_s = 60.0 if next_at is None else max(0.0, next_at - time.time())
                    if wait_s > 0:
                        self._wake.wait(min(wait_s, 60.0))
                    if self._stopping:
                        return
                for delivery in self.deliveries.due(time.time()):
                    self._attempt(client, delivery)

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> None:
        number = delivery.attempts + 1
        started = time.perf_counter()
        code, error, final = None, None, False
        try:
            code = self._send(client, delivery)
            error = None if 200 <= code < 300 else f"HTTP {code}"
        except UnsafeTargetError as exc:
            error, final = f"refused: {exc}", True  # a policy refusal does not get better by retrying
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempt = DeliveryAttempt(attempt=number, at=time.time(), status_code=code, error=error,
                                  duration_ms=(time.perf_counter() - started) * 1000)  # fmt: skip
        if error is None:
            self.deliveries.record(delivery, attempt, "delivered", None)
        elif final or number >= self._settings.webhook_max_attempts:
            self.deliveries.record(delivery, attempt, "failed", None)
            logger.warning("webhook %s for job %s to %s given up after %d attempts: %s",
                           delivery.event, delivery.job_id, delivery.url, number, error)  # fmt: skip
        else:
            next_at = time.time() + retry_delay_s(number, self._settings.webhook_backoff_s)
            self.deliveries.record(delivery, attempt, "pending", next_at)

    def _send(self, client: httpx.Client, delivery: Delivery) -> int:
        """POST the signed message, following up to 3 redirects (each hop checked by the transport)."""
        now = datetime.now(timezone.utc)
        headers = {
            "content-type": "application/json", "webhook-id": delivery.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._webhook.sign(delivery.id, now, delivery.payload),
        }  # fmt: skip
        url = delivery.url
        for _ in range(_MAX_REDIRECTS + 1):
            response = client.post(url, content=delivery.payload.encode(), headers=headers)
            location = response.headers.get("location")
            if not (response.is_redirect and location):
                return response.status_code
            url = str(httpx.URL(url).join(location))
            if httpx.URL(url).scheme not in ("http", "https"):
                raise UnsafeTargetError(f"redirect to a non-http(s) URL {url!r}")
        raise httpx.TooManyRedirects(f"more than {_MAX_REDIRECTS} redirects from {delivery.url}", request=response.request)
