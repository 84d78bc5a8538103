"""Jobs with a step cache or a LoRA through the job service: recorded in the job and metadata, failures clean."""

from __future__ import annotations

import json

import pytest

from studio.config import Settings
from studio.container import build_container
from studio.engine.demo import ensure_demo
from studio.engine.registry import ModelRegistry
from studio.media.export import probe_video
from studio.types import GenerationRequest, JobStatus, LoraSpec
from tests.engine.lora_helpers import make_demo_lora


def _request(**overrides) -> GenerationRequest:
    values = dict(prompt="a red fox in snow", model="wan-demo", width=64, height=48, num_frames=9, steps=8, fps=8, seed=4)
    values.update(overrides)
    return GenerationRequest(**values)


@pytest.fixture
def container(settings: Settings):
    folder = ensure_demo(settings.models_dir, ModelRegistry(offline=True).resolve("wan-demo"))
    make_demo_lora(folder, settings.loras_dir / "style.safetensors")
    c = build_container(settings, start=False)
    yield c
    c.close()


def test_step_cache_is_recorded_in_the_job_and_metadata(container) -> None:
    container.jobs.start()
    job = container.jobs.wait(container.jobs.submit(_request(step_cache="taylorseer", step_cache_threshold=2)).id, 120)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.outputs.step_cache.kind, job.outputs.step_cache.passes, job.outputs.step_cache.skipped_passes) == ("taylorseer", 16, 6)
    assert "step cache taylorseer (2) skipped 6 of 16 transformer passes" in job.message
    sidecar = json.loads((container.jobs.output_dir(job.id) / "metadata.json").read_text())
    assert sidecar["step_cache"]["skipped_passes"] == 6 and sidecar["request"]["step_cache"] == "taylorseer"
    assert container.jobs.get(job.id).outputs.step_cache == job.outputs.step_cache  # stored, survives a reload


def test_a_lora_file_gone_before_the_job_runs_fails_it_by_name_and_the_next_job_runs(container) -> None:
    lora = container.settings.loras_dir / "style.safetensors"
    first = container.jobs.submit(_request(loras=[LoraSpec(source="style.safetensors", weight=0.7)]))
    moved = lora.rename(lora.with_suffix(".bak"))
    second = container.jobs.submit(_request())
    container.jobs.start()
    failed = container.jobs.wait(first.id, 120)
    assert failed.status == JobStatus.FAILED
    assert failed.error.startswith("LoRA file 'style.safetensors' not found in the LoRA folder")
    assert not (container.jobs.output_dir(first.id) / "video.mp4").exists()
    done = container.jobs.wait(second.id, 120)
    assert done.status == JobStatus.SUCCEEDED and probe_video(container.jobs.output_dir(second.id) / "video.mp4") == (9, 64, 48)
    moved.rename(lora)
    with_lora = container.jobs.wait(container.jobs.submit(_request(loras=[LoraSpec(source="style.safetensors")])).id, 120)
    assert with_lora.status == JobStatus.SUCCEEDED, with_lora.error


def test_a_hub_lora_that_cannot_be_fetched_offline_fails_the_job_cleanly(container) -> None:
    container.jobs.start()
    job = container.jobs.wait(container.jobs.submit(_request(steps=2, loras=[LoraSpec(source="someone/no-such-lora")])).id, 120)
    assert job.status == JobStatus.FAILED and job.error.startswith("LoRA 'someone/no-such-lora' could not be applied to model 'wan-demo'")
    assert container.jobs.wait(container.jobs.submit(_request(steps=2)).id, 120).status == JobStatus.SUCCEEDED
