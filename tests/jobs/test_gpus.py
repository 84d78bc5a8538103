"""The submit-time checks of ``gpus`` that need no cluster: the executor and the step cache."""

from __future__ import annotations

import pytest

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError
from studio.jobs.validation import build_request, validate_request


def _validate(executor: str, **values: object) -> None:
    settings = Settings(executor=executor)  # type: ignore[arg-type]
    request = build_request(prompt="a lighthouse", width=64, height=64, num_frames=5, **values)
    validate_request(request, settings, ModelRegistry(offline=True))


@pytest.mark.parametrize(("value", "message"), [(0, "gpus must be greater than or equal to 1, got 0"),
                                                (17, "gpus must be less than or equal to 16, got 17"),
                                                ("two", "gpus must be a valid integer.*'two'")])  # fmt: skip
def test_a_gpu_count_out_of_range_is_named(value: object, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        build_request(prompt="x", gpus=value)


def test_the_local_executor_refuses_several_gpus_naming_the_ray_executor() -> None:
    _validate("local", gpus=1)
    with pytest.raises(InvalidRequestError, match=r"gpus=2: .* runs on the Ray executor \(STUDIO_EXECUTOR=ray\)"):
        _validate("local", gpus=2)


def test_several_gpus_refuse_a_step_cache_and_pass_without_one() -> None:
    _validate("ray", gpus=2)  # the cluster and the model are the Ray executor's checks
    with pytest.raises(InvalidRequestError, match="gpus=2 cannot use the step cache 'first_block'"):
        _validate("ray", gpus=2, step_cache="first_block")
