"""Browser sessions own their jobs when the studio is hosted (tokens set); locally everyone is the operator."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from studio.config import Settings
from studio.container import build_container
from studio.server import SessionCookie
from studio.types import GenerationRequest
from studio.ui.jobs_tab import JobsTab
from studio.ui.session import SESSION_COOKIE, session_viewer


def _browser(cookie: str | None, session_hash: str = "h1") -> SimpleNamespace:
    return SimpleNamespace(cookies={SESSION_COOKIE: cookie} if cookie else {}, session_hash=session_hash)


def test_each_browser_sees_only_its_jobs_in_the_jobs_tab(settings: Settings) -> None:
    container = build_container(settings.model_copy(update={"api_token": "op"}), start=False)
    try:
        request = GenerationRequest(prompt="mine", width=32, height=32, num_frames=5, steps=1)
        mine = container.jobs.submit(request, owner=session_viewer(container.settings, _browser("aaa")).owner)
        theirs = container.jobs.submit(request.model_copy(update={"prompt": "theirs"}),
                                       owner=session_viewer(container.settings, _browser("bbb")).owner)  # fmt: skip
        tab = JobsTab(container)
        assert [row[0] for row in tab.list_jobs(_browser("aaa"))] == [mine.id]
        container.webhooks.deliveries.add(mine.id, "job.started", "https://hooks.example.com/x", "{}")
        details, _video, deliveries = tab.show(mine.id, _browser("aaa"))
        assert details["id"] == mine.id and details["owner"] == "session:aaa"
        assert [row[:4] for row in deliveries] == [["job.started", "https://hooks.example.com/x", "pending", 0]]
        with pytest.raises(Exception, match=f"no job with id '{theirs.id}'"):
            tab.show(theirs.id, _browser("aaa"))
        with pytest.raises(Exception, match="no job with id"):
            tab.cancel(theirs.id, _browser("aaa"))
        assert session_viewer(container.settings, _browser(None, "g7")).owner == "session:gradio-g7"
    finally:
        container.close()


def test_local_mode_sessions_are_the_operator(settings: Settings) -> None:
    viewer = session_viewer(settings, _browser("aaa"))
    assert viewer.operator and viewer.owner == "local"


def test_browsers_get_a_session_cookie_and_keep_it() -> None:
    app = FastAPI()
    app.get("/page")(lambda: {"ok": True})
    app.get("/api/v1/thing")(lambda: {"ok": True})
    app.add_middleware(SessionCookie)
    client = TestClient(app)
    first = client.get("/page")
    assert SESSION_COOKIE in first.cookies and "HttpOnly" in first.headers["set-cookie"]
    assert "set-cookie" not in client.get("/page").headers  # the browser sends it back: kept
    assert "set-cookie" not in TestClient(app).get("/api/v1/thing").headers  # REST clients own by token
