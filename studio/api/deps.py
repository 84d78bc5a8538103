"""Dependencies every router uses: the container (from the app's state)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from studio.container import Container


def container_of(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(container_of)]
