"""Who calls the REST API: bearer tokens mapped to owners.

- ``STUDIO_API_TOKEN`` and ``STUDIO_API_TOKENS`` both unset: single-user local
  mode; every caller is the local operator and sees every job.
- ``STUDIO_API_TOKEN`` set: the operator's token, which sees every job.
- ``STUDIO_API_TOKENS="alice=tok1,bob=tok2"``: one token per client; each
  client's jobs and uploads are owned by ``api:<name>`` and only it sees them.
With either set, every call needs a valid token (401 without).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from studio.config import Settings
from studio.errors import InvalidRequestError
from studio.jobs.owners import LOCAL_OPERATOR, Viewer

OPERATOR_OWNER = "operator"
_bearer = HTTPBearer(auto_error=False)


def client_tokens(settings: Settings) -> dict[str, str]:
    """``name -> token`` from ``STUDIO_API_TOKENS``.

    Raises:
        InvalidRequestError: an entry is not ``name=token``.
    """
    tokens: dict[str, str] = {}
    for entry in (settings.api_tokens or "").split(","):
        if not entry.strip():
            continue
        name, sep, token = entry.strip().partition("=")
        if not sep or not name.strip() or not token.strip():
            raise InvalidRequestError(f"STUDIO_API_TOKENS entries must be 'name=token', got {entry.strip()[:20]!r}")
        tokens[name.strip()] = token.strip()
    return tokens


def viewer_for_token(settings: Settings, token: str | None) -> Viewer | None:
    """The viewer a token stands for; ``LOCAL_OPERATOR`` when no token is configured; None for a bad token."""
    clients = client_tokens(settings)
    if not settings.api_token and not clients:
        return LOCAL_OPERATOR
    if not token:
        return None
    if settings.api_token and hmac.compare_digest(token.encode(), settings.api_token.encode()):
        return Viewer(OPERATOR_OWNER, operator=True)
    for name, expected in clients.items():
        if hmac.compare_digest(token.encode(), expected.encode()):
            return Viewer(f"api:{name}")
    return None


def viewer_of(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Viewer:
    viewer = viewer_for_token(request.app.state.container.settings, credentials.credentials if credentials else None)
    if viewer is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
    return viewer


ViewerDep = Annotated[Viewer, Depends(viewer_of)]
