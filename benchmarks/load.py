"""Load: concurrent REST clients submitting demo jobs and watching them by polling or by SSE.

Starts a real studio (``python app.py serve``, temporary data folder, CPU), then
waits for one warm-up job (model build and load, not measured), then
runs ``--clients`` clients for ``--seconds``: each submits a tiny wan-demo job
and watches it to the end, half of them by polling ``GET /jobs/{id}`` every
``--poll-ms``, half through ``GET /jobs/{id}/events``; then submits the next.
After the time is up, running watches finish (up to ``--drain-s``) and every
submitted job is checked on the server.

- lost: jobs accepted (202) that the server does not know, or that failed
  without a reason; unfinished: jobs still queued or running when the drain
  time is up (the single worker had not reached them: not lost, counted apart).
- poll latency: wall time of each ``GET /jobs/{id}``.
- SSE lag: receive time minus the event's own timestamp (same machine clock).

Usage: python benchmarks/load.py [--clients 50] [--seconds 60]
Last line: {"lost": ..., "poll_p99_ms": ..., "sse_lag_p99_ms": ...}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
JOB = {"prompt": "load test", "model": "wan-demo", "width": 32, "height": 32, "num_frames": 5, "steps": 2}
TERMINAL = ("succeeded", "failed", "canceled")


@dataclass
class Tally:
    submitted: list[str] = field(default_factory=list)
    refused: int = 0
    #: every accepted job's status on the server at the end
    final: dict[str, str] = field(default_factory=dict)
    poll_ms: list[float] = field(default_factory=list)
    sse_lag_ms: list[float] = field(default_factory=list)


async def watch_by_polling(client: httpx.AsyncClient, job_id: str, tally: Tally, poll_s: float) -> str:
    while True:
        started = time.perf_counter()
        response = await client.get(f"/api/v1/jobs/{job_id}")
        tally.poll_ms.append((time.perf_counter() - started) * 1000)
        status = response.json()["status"]
        if status in TERMINAL:
            return status
        await asyncio.sleep(poll_s)


async def watch_by_sse(client: httpx.AsyncClient, job_id: str, tally: Tally) -> str:
    status = "unknown"
    async with client.stream("GET", f"/api/v1/jobs/{job_id}/events", timeout=None) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                data = json.loads(line[6:])
                tally.sse_lag_ms.append((time.time() - data["timestamp"]) * 1000)
                status = data["status"]
    return status


async def client_loop(client: httpx.AsyncClient, index: int, deadline: float, tally: Tally, poll_s: float) -> None:
    while time.monotonic() < deadline:
        response = await client.post("/api/v1/jobs", json={**JOB, "seed": index})
        if response.status_code != 202:
            tally.refused += 1
            await asyncio.sleep(0.5)
            continue
        job_id = response.json()["id"]
        tally.submitted.append(job_id)
        watch = watch_by_sse(client, job_id, tally) if index % 2 else watch_by_polling(client, job_id, tally, poll_s)
        await watch


def start_server(data_dir: Path) -> tuple[str, subprocess.Popen]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "STUDIO_DEVICE": "cpu", "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "STUDIO_MAX_QUEUE_LENGTH": "1000"}  # fmt: skip
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py", "--data-dir", str(data_dir), "serve", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return url, process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the studio did not start")


async def run(url: str, clients: int, seconds: float, drain_s: float, poll_s: float) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        # warm-up: the first job builds and loads the demo model (and imports the pipeline libraries);
        # the clock starts once it is done, so the figures are the steady state, not the model load
        warm_up = await client.post("/api/v1/jobs", json=JOB)
        await watch_by_polling(client, warm_up.json()["id"], Tally(), poll_s)
        deadline = time.monotonic() + seconds
        tasks = [asyncio.create_task(client_loop(client, i, deadline, tally, poll_s)) for i in range(clients)]
        await asyncio.wait(tasks, timeout=seconds + drain_s)
        for task in tasks:
            task.cancel()
        for job_id in tally.submitted:  # the server's word on every accepted job
            response = await client.get(f"/api/v1/jobs/{job_id}")
            job = response.json() if response.status_code == 200 else {"status": "missing"}
            tally.final[job_id] = job["status"]
            if job["status"] == "failed" and not job.get("error"):
                tally.final[job_id] = "failed without a reason"
    return tally


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--drain-s", type=float, default=240.0, help="time for watches running at the end to finish")
    parser.add_argument("--poll-ms", type=float, default=200.0)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        url, process = start_server(Path(tmp))
        try:
            tally = asyncio.run(run(url, args.clients, args.seconds, args.drain_s, args.poll_ms / 1000))
        finally:
            process.terminate()
            process.wait(30)
    finals = list(tally.final.values())
    lost = sum(s in ("missing", "failed without a reason") for s in finals)
    finished = sum(s in TERMINAL for s in finals)
    unfinished = sum(s in ("queued", "running", "interrupted") for s in finals)
    statuses = {s: finals.count(s) for s in sorted(set(finals))}
    load_after = os.getloadavg()[0]
    print(f"{args.clients} clients for {args.seconds:.0f} s (half polling every {args.poll_ms:.0f} ms, half SSE); "
          f"{os.cpu_count()} CPUs, 1-min load average {load_before:.1f} before, {load_after:.1f} after")
    print(f"{'submitted':>12} {'finished':>9} {'unfinished':>11} {'lost':>5} {'refused':>8}   statuses")
    print(f"{len(tally.submitted):>12} {finished:>9} {unfinished:>11} {lost:>5} {tally.refused:>8}   {statuses}")
    print(f"{'':>12} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'count':>7}")
    for name, values in (("poll", tally.poll_ms), ("sse lag", tally.sse_lag_ms)):
        print(f"{name:>12} {percentile(values, 50):>9.1f} {percentile(values, 95):>9.1f} {percentile(values, 99):>9.1f} {len(values):>7}")
    print(json.dumps({"lost": lost, "submitted": len(tally.submitted), "finished": finished, "unfinished": unfinished,
                      "poll_p50_ms": round(percentile(tally.poll_ms, 50), 1), "poll_p99_ms": round(percentile(tally.poll_ms, 99), 1),
                      "sse_lag_p50_ms": round(percentile(tally.sse_lag_ms, 50), 1),
                      "sse_lag_p99_ms": round(percentile(tally.sse_lag_ms, 99), 1), "cpus": os.cpu_count(),
                      "load_average": round(load_after, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
