"""The FastAPI app: REST routes plus the mounted Gradio UI."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from studio import __version__
from studio.config import ASSETS_DIR
from studio.container import Container


def create_app(container: Container) -> FastAPI:
    """REST under /api/v1, the UI at /; the container is closed when the app shuts down."""
    import gradio as gr

    from studio.api.routes import install
    from studio.ui.app import CSS, build_ui

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        container.close()

    app = FastAPI(title="Video Studio", version=__version__, lifespan=lifespan)
    app.state.container = container
    install(app)
    blocks = build_ui(container)
    settings = container.settings
    # only the outputs and the example assets are served; uploads are capped
    return gr.mount_gradio_app(
        app, blocks, path="", allowed_paths=[str(settings.outputs_dir.resolve()), str(ASSETS_DIR)], ssr_mode=False,
        css=CSS, footer_links=["api", "settings"], max_file_size=int(settings.max_upload_mb * 1024 * 1024),
        mcp_server=settings.mcp,
    )  # fmt: skip


def serve(container: Container) -> None:
    import uvicorn

    app = create_app(container)
    uvicorn.run(app, host=container.settings.host, port=container.settings.port, log_level="info")
