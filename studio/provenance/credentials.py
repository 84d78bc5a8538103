"""C2PA content credentials: sign an exported file, read any file's manifest back.

The manifest says the file was *created* by a trained model
(``c2pa.created`` with the IPTC digital source type
``trainedAlgorithmicMedia``), which model and revision, which studio version,
and, for image to video, the source image as an ingredient (its SHA-256 is
also recorded in the studio's own assertion, ``org.videostudio.generation``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from studio.errors import InvalidMediaError, SigningConfigError
from studio.provenance.identity import SigningIdentity

logger = logging.getLogger(__name__)

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
STUDIO_ASSERTION = "org.videostudio.generation"
#: formats the studio writes that C2PA can carry a manifest in (webm cannot: the SDK has no Matroska support).
SIGNABLE = {".mp4": "video/mp4", ".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".webp": "image/webp", ".mov": "video/quicktime"}  # fmt: skip
# Magic numbers of the media formats ``read_manifest`` accepts: a file that matches none is not media.
_MAGIC = ((4, b"ftyp", "video/mp4"), (0, b"\x89PNG", "image/png"), (0, b"GIF8", "image/gif"), (0, b"\xff\xd8\xff", "image/jpeg"),
          (0, b"\x1a\x45\xdf\xa3", "video/webm"), (8, b"WEBP", "image/webp"))  # fmt: skip
_TAMPER_CODES = ("mismatch", "hash", "dataHash", "bmffHash")


@dataclass(frozen=True)
class Ingredient:
    """A file the generation started from (e.g. the source image of image to video)."""

    path: Path
    sha256: str
    relationship: str = "inputTo"


@dataclass(frozen=True)
class GenerationFacts:
    """What the manifest states about one generated file."""

    title: str
    studio_version: str
    model_key: str
    model_source: str
    model_revision: str | None
    job_id: str
    watermark_id: str | None
    request_sha256: str
    ingredients: tuple[Ingredient, ...] = ()


def _manifest(facts: GenerationFacts) -> dict:
    agent = {"name": "Video Studio", "version": facts.studio_version}
    created = {"action": "c2pa.created", "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA, "softwareAgent": agent,
               "parameters": {"model": facts.model_key, "model_revision": facts.model_revision or "unversioned"}}  # fmt: skip
    studio = {"job_id": facts.job_id, "model": {"key": facts.model_key, "source": facts.model_source, "revision": facts.model_revision},
              "studio_version": facts.studio_version, "watermark_id": facts.watermark_id, "request_sha256": facts.request_sha256,
              "ingredients": [{"title": i.path.name, "sha256": i.sha256, "relationship": i.relationship} for i in facts.ingredients]}  # fmt: skip
    return {"claim_generator_info": [agent], "title": facts.title, "format": SIGNABLE.get(Path(facts.title).suffix.lower(), ""),
            "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [created]}},
                           {"label": STUDIO_ASSERTION, "data": studio}]}  # fmt: skip


class ContentSigner:
    """Signs files in place with one identity. Built once at start: a broken identity fails there, not per job."""

    def __init__(self, identity: SigningIdentity) -> None:
        import c2pa

        self.identity = identity
        info = c2pa.C2paSignerInfo(identity.algorithm, identity.chain_pem, identity.key_pem, None)
        try:
            self._signer = c2pa.Signer.from_info(info)
        except c2pa.C2paError as exc:
            raise SigningConfigError(f"C2PA signer from {identity.source} refused: {exc}") from exc

    def sign(self, path: Path, facts: GenerationFacts) -> bool:
        """Embed a signed manifest into ``path`` (atomically). Returns False for a format C2PA cannot carry.

        Raises:
            SigningConfigError: the SDK refused to sign (e.g. the certificate profile is not accepted).
        """
        import c2pa

        mime = SIGNABLE.get(path.suffix.lower())
        if mime is None:
            return False
        tmp = path.with_name(path.stem + ".signing" + path.suffix)
        try:
            with c2pa.Builder(_manifest(facts)) as builder:
                for ingredient in facts.ingredients:
                    with ingredient.path.open("rb") as stream:
                        builder.add_ingredient({"title": ingredient.path.name, "relationship": ingredient.relationship},
                                               _sniff(ingredient.path) or "application/octet-stream", stream)  # fmt: skip
                with path.open("rb") as source, tmp.open("w+b") as dest:
                    builder.sign(self._signer, mime, source, dest)
        except c2pa.C2paError as exc:
            tmp.unlink(missing_ok=True)
            raise SigningConfigError(f"C2PA signing of {path.name} failed: {exc}") from exc
        tmp.replace(path)
        return True


@dataclass
class ManifestReport:
    """What a reader found: ``state`` is 'none', 'Valid', 'Trusted' or 'Invalid'; ``tampered`` when a hash broke."""

    media_type: str
    state: str
    tampered: bool = False
    trusted: bool = False
    signer: str | None = None
    actions: list[dict] = field(default_factory=list)
    generation: dict | None = None
    ingredients: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _sniff(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(16)
    return next((mime for offset, magic, mime in _MAGIC if head[offset : offset + len(magic)] == magic), None)


def media_type(path: Path) -> str:
    """The media type of a file from its first bytes.

    Raises:
        InvalidMediaError: no such file, or not one of the media formats the studio reads.
    """
    if not path.is_file():
        raise InvalidMediaError(f"no such file to verify: {path}")
    mime = _sniff(path)
    if mime is None:
        raise InvalidMediaError(f"{path.name} is not a media file the studio can verify (mp4, webm, gif, png, jpeg, webp)")
    return mime


def read_manifest(path: Path) -> ManifestReport:
    """Read and validate the C2PA manifest of ``path`` (state 'none' when it has none).

    Raises:
        InvalidMediaError: the file is not media (see ``media_type``).
    """
    import c2pa

    mime = media_type(path)
    try:
        with path.open("rb") as stream, c2pa.Reader(mime, stream) as reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state() or "Invalid"
    except c2pa.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or "JumbfNotFound" in str(exc) or "no JUMBF" in str(exc):
            return ManifestReport(mime, "none")
        if "NotSupported" in type(exc).__name__:
            return ManifestReport(mime, "none", failures=[f"C2PA cannot carry a manifest in {mime}"])
        return ManifestReport(mime, "Invalid", failures=[f"manifest unreadable: {exc}"])
    active = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    codes = store.get("validation_results", {}).get("activeManifest", {}).get("failure", [])
    failures = [f"{c.get('code')}: {c.get('explanation', '')}" for c in codes]
    tampered = any(any(t in str(c.get("code", "")) for t in _TAMPER_CODES) for c in codes)
    assertions = {a.get("label"): a.get("data") for a in active.get("assertions", [])}
    actions = (assertions.get("c2pa.actions.v2") or assertions.get("c2pa.actions") or {}).get("actions", [])
    info = active.get("signature_info", {})
    return ManifestReport(
        media_type=mime, state=state, tampered=tampered, trusted=state == "Trusted",
        signer=f"{info.get('common_name', '?')} ({info.get('issuer', '?')})" if info else None, actions=actions,
        generation=assertions.get(STUDIO_ASSERTION), ingredients=active.get("ingredients", []),
        failures=[f for f in failures if "untrusted" not in f],
    )  # fmt: skip

