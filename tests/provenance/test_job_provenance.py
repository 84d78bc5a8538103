"""Provenance of real jobs: watermark, credentials with the source image as ingredient, metadata, audit, start errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image

from studio.config import Settings
from studio.container import build_container
from studio.errors import SigningConfigError
from studio.jobs.audit import AuditLog
from studio.jobs.provenance import request_sha256, watermark_id
from studio.provenance.robustness import scene_clip
from studio.provenance.verify import verify_file
from studio.types import GenerationRequest, JobStatus


@pytest.fixture(scope="module")
def i2v_job(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path):
    """One motion-warp image-to-video job at 832x480 (large enough for the watermark), run through the studio."""
    folder = tmp_path_factory.mktemp("i2v")
    image = folder / "upload.png"
    Image.fromarray(scene_clip(480, 832, 1, 5)[0]).save(image)
    settings = Settings(data_dir=folder / "data", model_dir=shared_model_dir, device="cpu", offline=True)
    container = build_container(settings)
    request = GenerationRequest(mode="i2v", prompt="a slow pan", model="motion-warp", image=str(image), width=832, height=480,
                                num_frames=5, fps=8, seed=1, motion={"camera": {"presets": ["pan_right"]}})  # fmt: skip
    job = container.jobs.wait(container.jobs.submit(request).id, timeout_s=300)
    yield container, job, image
    container.close()


def test_video_carries_credentials_watermark_and_ingredient(i2v_job) -> None:
    container, job, image = i2v_job
    assert job.status == JobStatus.SUCCEEDED, job.error
    report = verify_file(container.jobs.output_dir(job.id) / job.outputs.video)
    assert report.manifest.state == "Valid" and not report.manifest.tampered
    assert report.watermark.payload_id == f"{watermark_id(job.id):08x}" == job.id[:8]
    assert report.watermark.frames_marked >= report.watermark.frames_checked - 1
    ingredient = report.manifest.generation["ingredients"][0]  # type: ignore[index]
    assert ingredient["sha256"] == hashlib.sha256(image.read_bytes()).hexdigest()
    assert report.manifest.generation["job_id"] == job.id  # type: ignore[index]


def test_metadata_and_audit_record_carry_the_same_provenance(i2v_job) -> None:
    container, job, image = i2v_job
    folder = container.jobs.output_dir(job.id)
    provenance = json.loads((folder / "metadata.json").read_text())["provenance"]
    assert provenance["request_sha256"] == request_sha256(job.request)
    assert provenance["inputs"][0]["sha256"] == hashlib.sha256(image.read_bytes()).hexdigest()
    assert provenance["credentials"] == "signed by local studio CA (untrusted)" and provenance["policy"] == "no policy"
    outputs = {o["name"]: o["sha256"] for o in provenance["outputs"]}
    assert outputs["video.mp4"] == hashlib.sha256((folder / "video.mp4").read_bytes()).hexdigest()  # hashed after signing
    assert set(outputs) == {"video.mp4", *job.outputs.keyframes}
    record = AuditLog(container.store).page().records[0]
    assert record.job_id == job.id and record.owner == job.owner == "local" and record.watermark_id == job.id[:8]
    assert record.model_key == "motion-warp" and [o.sha256 for o in record.outputs] == list(outputs.values())


def test_signing_and_watermark_can_be_turned_off(settings: Settings) -> None:
    container = build_container(settings.model_copy(update={"c2pa_signing": False, "watermark": False}))
    try:
        request = GenerationRequest(prompt="a fox", model="wan-demo", width=64, height=48, num_frames=5, steps=1)
        job = container.jobs.wait(container.jobs.submit(request).id, timeout_s=300)
        report = verify_file(container.jobs.output_dir(job.id) / "video.mp4")
        assert report.manifest.state == "none" and not report.watermark.found
        provenance = json.loads((container.jobs.output_dir(job.id) / "metadata.json").read_text())["provenance"]
        assert provenance["credentials"].startswith("off") and provenance["watermark_id"] is None
        assert not (settings.data_dir / "c2pa").exists()
    finally:
        container.close()


def test_bad_certificate_stops_the_start(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    (tmp_path / "key.pem").write_text("nope")
    with pytest.raises(SigningConfigError, match="cert.pem is not a PEM certificate chain"):
        build_container(settings.model_copy(update={"c2pa_cert": tmp_path / "cert.pem", "c2pa_key": tmp_path / "key.pem"}), start=False)
    with pytest.raises(SigningConfigError, match="set both STUDIO_C2PA_CERT and STUDIO_C2PA_KEY"):
        build_container(settings.model_copy(update={"c2pa_cert": tmp_path / "cert.pem"}), start=False)


def test_the_ui_note_says_when_signing_or_the_watermark_is_off(settings: Settings, tmp_path: Path) -> None:
    from studio.jobs.provenance import provenance_note

    assert "local studio CA" in provenance_note(settings) and "watermark carries the job id" in provenance_note(settings)
    off = provenance_note(settings.model_copy(update={"c2pa_signing": False, "watermark": False}))
    assert "Content credentials are off" in off and "watermark is off" in off
    operator = provenance_note(settings.model_copy(update={"c2pa_cert": tmp_path / "studio.pem"}))
    assert "operator's certificate (`studio.pem`)" in operator


@pytest.mark.parametrize(("fmt", "state"), [("gif", "Valid"), ("webm", "none")])
def test_other_export_formats_are_signed_where_c2pa_can_carry_it(settings: Settings, fmt: str, state: str) -> None:
    container = build_container(settings)
    try:
        request = GenerationRequest(prompt="a fox", model="wan-demo", width=64, height=48, num_frames=5, steps=1,
                                    export={"format": fmt})  # fmt: skip
        job = container.jobs.wait(container.jobs.submit(request).id, timeout_s=300)
        assert job.status == JobStatus.SUCCEEDED, job.error
        report = verify_file(container.jobs.output_dir(job.id) / job.outputs.video)
        assert job.outputs.video.endswith(fmt) and report.manifest.state == state
    finally:
        container.close()
