"""The FastAPI app: REST routes plus the mounted Gradio UI."""

from __future__ import annotations

import gc
import logging
import os
import secrets
import sys
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie

from fastapi import FastAPI

from studio import __version__
from studio.config import ASSETS_DIR
from studio.container import Container
from studio.ui.session import SESSION_COOKIE, hosted

logger = logging.getLogger(__name__)


class SessionCookie:
    """ASGI middleware: a browser without the session cookie gets one (the owner of the jobs it makes in the UI)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/v1") or _has_cookie(scope):
            return await self.app(scope, receive, send)
        cookie = f"{SESSION_COOKIE}={secrets.token_urlsafe(24)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000"

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
            await send(message)

        return await self.app(scope, receive, send_with_cookie)


def _has_cookie(scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"cookie" and SESSION_COOKIE in SimpleCookie(value.decode("latin-1")):
            return True
    return False


def create_app(container: Container) -> FastAPI:
    """REST under /api/v1, the UI at /; the container is closed when the app shuts down."""
    import gradio as gr

    from studio.api.routes import install
    from studio.ui.app import CSS, build_ui

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        container.close()

    if os.environ.get("SPACE_ID") and not hosted(container.settings):
        logger.warning("running on a Space with no STUDIO_API_TOKEN: every visitor is the operator and sees every job")
    app = FastAPI(title="Video Studio", version=__version__, lifespan=lifespan)
    app.state.container = container
    install(app)
    app.add_middleware(SessionCookie)
    blocks = build_ui(container)
    settings = container.settings
    # only the outputs and the example assets are served; uploads are capped (source clips have their own cap)
    return gr.mount_gradio_app(
        app, blocks, path="", allowed_paths=[str(settings.outputs_dir.resolve()), str(ASSETS_DIR)], ssr_mode=False,
        css=CSS, footer_links=["api", "settings"], max_file_size=int(max(settings.max_upload_mb, settings.max_video_upload_mb) * 1024 * 1024),
        mcp_server=settings.mcp,
    )  # fmt: skip


def serve(container: Container) -> None:
    """Build the app, import the default model's pipeline code, settle the heap, then serve until stopped."""
    import uvicorn

    from studio.engine.warmup import import_pipeline_code

    app = create_app(container)
    import_pipeline_code(container.registry, container.settings.default_model)
    settle_heap()
    share_the_interpreter(container.settings.switch_interval_ms)
    uvicorn.run(app, host=container.settings.host, port=container.settings.port, log_level="info")


def share_the_interpreter(switch_interval_ms: float) -> None:
    """Let the web server's thread take the interpreter lock sooner from the generation worker.

    The worker holds the lock through the Python parts of each step (hooks, previews, events); with
    Python's default 5 ms switch interval a status poll can wait behind several such slices. 1 ms
    took the load benchmark's poll p99 from 48-67 ms to 38-48 ms on a quiet 2-core machine.
    """
    sys.setswitchinterval(switch_interval_ms / 1000.0)


def settle_heap() -> int:
    """Move every object made so far (modules, the UI, the services) out of the garbage collector's reach.

    They live as long as the process. Left in the oldest generation, each full
    collection would walk them all (about 0.25 s for 500,000 objects, with the
    interpreter lock held: every request waits); frozen, a full collection walks
    only what was made since. Models are loaded after this, so an evicted model
    is still collected. Returns the number of objects frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
