"""Who is using the UI: the browser session's owner id (a cookie the server sets), or the local operator.

With no API token configured the studio is single-user and every session is
the local operator (sees every job). With a token configured (a hosted
studio), each browser sees only the jobs it made; callers without the cookie
(gradio_client) are told apart by their gradio session.
"""

from __future__ import annotations

import gradio as gr

from studio.config import Settings
from studio.jobs.owners import LOCAL_OPERATOR, Viewer

SESSION_COOKIE = "studio_session"


def hosted(settings: Settings) -> bool:
    """True when tokens are configured: owners are kept apart."""
    return bool(settings.api_token or settings.api_tokens)


def session_viewer(settings: Settings, request: gr.Request | None) -> Viewer:
    if not hosted(settings):
        return LOCAL_OPERATOR
    cookie = None
    if request is not None:
        cookies = getattr(request, "cookies", None) or {}
        cookie = cookies.get(SESSION_COOKIE)
    if cookie:
        return Viewer(f"session:{cookie}")
    session = getattr(request, "session_hash", None) if request is not None else None
    return Viewer(f"session:gradio-{session or 'anonymous'}")
