"""A real studio server on a free port, started as a user would (python app.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, model_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[Server, subprocess.Popen]:
    """``python app.py serve`` on a free port, waited for until healthy."""
    port = _free_port()
    log = data_dir / f"server-{port}.log"
    env = {**os.environ, "STUDIO_MODEL_DIR": str(model_dir), "STUDIO_DEVICE": "cpu", "HF_HUB_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", "STUDIO_MCP": "1", **(extra_env or {})}  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port), "--data-dir", str(data_dir)],  # no command: serve
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"studio exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"studio did not start within 180 s:\n{log.read_text()[-3000:]}")
    return Server(url=url, data_dir=data_dir, log=log), process


@pytest.fixture(scope="session")
def studio_server(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> Iterator[Server]:
    server, process = start_server(tmp_path_factory.mktemp("server-data"), shared_model_dir)
    yield server
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
