"""A request that cannot fit under any policy is refused at submit, before anything loads or is stored."""

from __future__ import annotations

import pytest

from studio.config import Settings
from studio.container import build_container
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest


def test_a_request_too_big_for_the_budget_is_refused_with_reason_and_suggestion(settings: Settings) -> None:
    container = build_container(settings.model_copy(update={"ram_budget_gb": 16.0}), start=False)
    try:
        with pytest.raises(InvalidRequestError, match=r"wan2.1-t2v-1.3b needs ~\d+\.\d GB of RAM.*16.0 GB ram budget") as info:
            container.jobs.submit(GenerationRequest(prompt="a fox", model="wan2.1-t2v-1.3b"))
        assert "STUDIO_RAM_BUDGET_GB" in str(info.value)
        assert container.jobs.recent() == [] and container.manager.loaded() == []
        demo = container.jobs.submit(GenerationRequest(prompt="a fox", model="wan-demo", width=64, height=48, num_frames=9))
        assert demo.status == "queued"  # the tiny demo is not refused
    finally:
        container.close()


def test_an_estimate_checks_limits_but_not_the_prompt(settings: Settings) -> None:
    container = build_container(settings, start=False)
    try:
        estimate = container.jobs.estimate(GenerationRequest(prompt="", model="wan-demo", width=64, height=48, num_frames=9))
        assert estimate.fits and (estimate.width, estimate.height, estimate.num_frames) == (64, 48, 9)
        with pytest.raises(InvalidRequestError, match="steps must be at most 200, got 500"):
            container.jobs.estimate(GenerationRequest(prompt="", model="wan-demo", steps=500))
    finally:
        container.close()
