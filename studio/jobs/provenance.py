"""What the worker does for provenance around an export: watermark, hashes, content credentials, audit record.

Two calls in ``JobWorker._export``: ``prepare`` before the frames are written
(marks them, hashes the inputs and the model) and ``finish`` after (signs each
file, hashes the outputs, writes the audit record). Built once per service: a
certificate that does not match its key, or has expired, stops the start.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from studio import __version__
from studio.config import Settings
from studio.errors import SigningConfigError, StudioError
from studio.jobs.audit import AuditLog, AuditRecord, FileHash
from studio.jobs.policy_gate import policy_for
from studio.provenance.credentials import ContentSigner, GenerationFacts, Ingredient
from studio.provenance.identity import load_identity, local_identity
from studio.provenance.watermark import embed
from studio.types import GenerationRequest, GenerationResult, Job

logger = logging.getLogger(__name__)


def file_hash(path: Path, name: str | None = None) -> FileHash:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return FileHash(name=name or path.name, sha256=digest.hexdigest(), size_bytes=path.stat().st_size)


@functools.lru_cache(maxsize=16)  # a memo keyed by the folder's file stats: hashing gigabytes once per change, not per job
def _folder_hashes(_folder: str, stats: tuple[tuple[str, int, int], ...]) -> tuple[FileHash, ...]:
    return tuple(file_hash(Path(_folder) / rel, rel) for rel, _size, _mtime in stats)


def model_file_hashes(source: str) -> list[FileHash]:
    """SHA-256 of every file of a model loaded from a local folder (none for a hub id: its revision says it)."""
    folder = Path(source)
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    stats = tuple((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return list(_folder_hashes(str(folder), stats))


def request_sha256(request: GenerationRequest) -> str:
    """Hash of the request as submitted (canonical JSON: sorted keys, no spaces)."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def watermark_id(job_id: str) -> int:
    """The 32-bit watermark payload of a job: its id's first 8 hex digits (or a hash of a non-hex id)."""
    head = job_id[:8]
    try:
        return int(head, 16) if len(head) == 8 else int(hashlib.sha256(job_id.encode()).hexdigest()[:8], 16)
    except ValueError:
        return int(hashlib.sha256(job_id.encode()).hexdigest()[:8], 16)


def _input_paths(job: Job) -> list[str]:
    """The files a job started from (stored uploads): the source image, the depth map, the source clip."""
    return [p for p in (job.request.image, job.request.depth_map, job.request.video) if p]


@dataclass
class Provenance:
    """Facts gathered for one job between ``prepare`` and ``finish``; ``as_metadata`` goes into metadata.json."""

    request_sha256: str
    policy: str
    watermark_id: str | None
    inputs: list[FileHash]
    model_files: list[FileHash]
    credentials: str
    outputs: list[FileHash] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)

    def as_metadata(self) -> dict:
        return {"request_sha256": self.request_sha256, "policy": self.policy, "watermark_id": self.watermark_id,
                "credentials": self.credentials, "inputs": [h.model_dump() for h in self.inputs],
                "model_files": [h.model_dump() for h in self.model_files], "outputs": [h.model_dump() for h in self.outputs],
                "timings_s": self.timings_s}  # fmt: skip


class JobProvenance:
    """Marks, signs, hashes and audits each exported job, as the settings say."""

    def __init__(self, settings: Settings, audit: AuditLog) -> None:
        self._settings = settings
        self._audit = audit
        self.signer: ContentSigner | None = None
        if settings.c2pa_signing:
            if (settings.c2pa_cert is None) != (settings.c2pa_key is None):
                raise SigningConfigError("set both STUDIO_C2PA_CERT and STUDIO_C2PA_KEY, or neither (to sign with the local studio CA)")
            if settings.c2pa_cert is not None and settings.c2pa_key is not None:
                identity = load_identity(settings.c2pa_cert, settings.c2pa_key)
            else:
                identity = local_identity(settings.data_dir / "c2pa")
            self.signer = ContentSigner(identity)

    @property
    def credentials_status(self) -> str:
        return f"signed by {self.signer.identity.source}" if self.signer else "off (STUDIO_C2PA_SIGNING=false)"

    def _policy(self) -> str:
        try:
            policy = policy_for(self._settings)
        except StudioError:
            return "allowed at submit (policy file unreadable now)"
        if self._settings.policy_file is None and policy.classifier is None:
            return "no policy"
        parts = ["rules"] * (self._settings.policy_file is not None) + ["classifier"] * (policy.classifier is not None)
        return f"allowed (policy sha256 {policy.digest[:12]}, {' + '.join(parts)})"

    def prepare(self, job: Job, result: GenerationResult) -> tuple[GenerationResult, Provenance]:
        """Watermark the frames (when on) and gather what is known before export."""
        started = time.perf_counter()
        mark = watermark_id(job.id) if self._settings.watermark else None
        if mark is not None:
            result = result.model_copy(update={"frames": embed(result.frames, mark, self._settings.watermark_psnr_db)})  # type: ignore[arg-type]
        inputs = [file_hash(Path(p)) for p in _input_paths(job)]
        facts = Provenance(request_sha256(job.request), self._policy(), None if mark is None else f"{mark:08x}", inputs,
                           model_file_hashes(result.model_source), self.credentials_status)  # fmt: skip
        facts.timings_s["watermark"] = time.perf_counter() - started
        return result, facts

    def finish(self, job: Job, result: GenerationResult, output_dir: Path, files: list[str], facts: Provenance) -> None:
        """Sign each output C2PA can carry, hash the outputs, write the audit record.

        Raises:
            SigningConfigError: the SDK refused to sign (the job fails with the reason).
        """
        started = time.perf_counter()
        if self.signer is not None:
            generation = GenerationFacts(
                title="", studio_version=__version__, model_key=result.model_key, model_source=result.model_source,
                model_revision=result.model_revision, job_id=job.id, watermark_id=facts.watermark_id,
                request_sha256=facts.request_sha256,
                ingredients=tuple(Ingredient(Path(p), h.sha256) for p, h in zip(_input_paths(job), facts.inputs, strict=True)),
            )  # fmt: skip
            for name in files:
                self.signer.sign(output_dir / name, GenerationFacts(**{**generation.__dict__, "title": Path(name).name}))
        facts.outputs = [file_hash(output_dir / name, name) for name in files]
        facts.timings_s["sign_and_hash"] = time.perf_counter() - started
        self._audit.record(AuditRecord(
            job_id=job.id, owner=job.owner,
            created_at=job.created_at, recorded_at=time.time(), request_sha256=facts.request_sha256, policy=facts.policy,
            model_key=result.model_key, model_source=result.model_source, model_revision=result.model_revision,
            model_files=facts.model_files, watermark_id=facts.watermark_id, credentials=facts.credentials,
            inputs=facts.inputs, outputs=facts.outputs,
        ))  # fmt: skip


def provenance_note(settings: Settings) -> str:
    """One line for the UI: how exported files are signed and marked, and loudly when they are not."""
    if not settings.c2pa_signing:
        credentials = "⚠ **Content credentials are off**: exported files carry no C2PA manifest (`STUDIO_C2PA_SIGNING=false`)."
    elif settings.c2pa_cert is not None:
        credentials = f"Exported files are signed with the operator's certificate (`{settings.c2pa_cert.name}`)."
    else:
        credentials = "Exported files are signed by the local studio CA: valid, but readers report the signer as untrusted."
    mark = "an invisible watermark carries the job id" if settings.watermark else "⚠ **the invisible watermark is off**"
    return f"{credentials} Frames: {mark}."
