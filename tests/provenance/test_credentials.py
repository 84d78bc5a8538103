"""C2PA: local CA, operator certificates (mismatched, expired), sign/read round trips, tampering, non-media files."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from studio.errors import InvalidMediaError, SigningConfigError
from studio.media.export import export_video
from studio.provenance.credentials import (
    TRAINED_ALGORITHMIC_MEDIA,
    ContentSigner,
    GenerationFacts,
    Ingredient,
    read_manifest,
)
from studio.provenance.identity import load_identity, local_identity
from studio.provenance.verify import verify_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> ContentSigner:
    return ContentSigner(local_identity(tmp_path_factory.mktemp("ca")))


def _facts(title: str, ingredients: tuple[Ingredient, ...] = ()) -> GenerationFacts:
    return GenerationFacts(title, "0.1.0", "wan-demo", "/models/wan-demo", "rev-7", "0123abcd99", "0123abcd", "ab" * 32, ingredients)


def _frames() -> np.ndarray:
    return (np.random.default_rng(0).random((5, 48, 64, 3)) * 255).astype(np.uint8)


@pytest.mark.parametrize("suffix", ["mp4", "gif", "png"])
def test_sign_and_read_round_trip(tmp_path: Path, signer: ContentSigner, suffix: str) -> None:
    path = tmp_path / f"out.{suffix}"
    if suffix == "png":
        Image.fromarray(_frames()[0]).save(path)
    else:
        export_video(_frames(), path, 8, {}, fmt=suffix)  # type: ignore[arg-type]
    assert read_manifest(path).state == "none"
    source = tmp_path / "source.png"
    Image.fromarray(_frames()[1]).save(source)
    assert signer.sign(path, _facts(path.name, (Ingredient(source, "cd" * 32),)))
    report = read_manifest(path)
    assert report.state == "Valid" and not report.tampered and not report.trusted and report.failures == []
    assert report.actions[0]["action"] == "c2pa.created" and report.actions[0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert report.actions[0]["parameters"] == {"model": "wan-demo", "model_revision": "rev-7"}
    assert report.generation is not None and report.generation["model"]["revision"] == "rev-7"
    assert report.generation["studio_version"] == "0.1.0" and report.generation["watermark_id"] == "0123abcd"
    assert report.generation["ingredients"] == [{"title": "source.png", "sha256": "cd" * 32, "relationship": "inputTo"}]
    assert [i["title"] for i in report.ingredients] == ["source.png"]
    assert report.signer is not None and "Video Studio signer" in report.signer


def test_a_changed_byte_in_the_media_data_is_tampering(tmp_path: Path, signer: ContentSigner) -> None:
    path = export_video(_frames(), tmp_path / "v.mp4", 8, {})
    signer.sign(path, _facts("v.mp4"))
    data = bytearray(path.read_bytes())
    data[data.find(b"mdat") + 64] ^= 0x01
    path.write_bytes(bytes(data))
    report = read_manifest(path)
    assert report.state == "Invalid" and report.tampered and any("mismatch" in f for f in report.failures)


def test_webm_cannot_carry_a_manifest(tmp_path: Path, signer: ContentSigner) -> None:
    path = export_video(_frames(), tmp_path / "v.webm", 8, {}, fmt="webm")
    assert signer.sign(path, _facts("v.webm")) is False
    assert read_manifest(path).state == "none"


def test_non_media_files_are_refused_by_name(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    with pytest.raises(InvalidMediaError, match="notes.txt is not a media file"):
        verify_file(text)
    with pytest.raises(InvalidMediaError, match="no such file to verify"):
        verify_file(tmp_path / "missing.mp4")
    cli = subprocess.run([sys.executable, "-m", "studio.cli", "verify", str(text)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert cli.returncode == 2 and "notes.txt is not a media file" in cli.stderr


def _cert(path: Path, key: ec.EllipticCurvePrivateKey, days: tuple[int, int]) -> Path:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "operator")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now + datetime.timedelta(days=days[0]))
            .not_valid_after(now + datetime.timedelta(days=days[1])).sign(key, hashes.SHA256()))  # fmt: skip
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _key(path: Path) -> tuple[Path, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path, key


def test_operator_certificate_errors_name_the_problem(tmp_path: Path) -> None:
    key_path, key = _key(tmp_path / "key.pem")
    other_path, _ = _key(tmp_path / "other.pem")
    cert = _cert(tmp_path / "cert.pem", key, (-10, 100))
    assert load_identity(cert, key_path).algorithm == "es256"
    with pytest.raises(SigningConfigError, match="other.pem does not match the certificate .*cert.pem"):
        load_identity(cert, other_path)
    expired = _cert(tmp_path / "expired.pem", key, (-100, -1))
    with pytest.raises(SigningConfigError, match="expired.pem expired on 20"):
        load_identity(expired, key_path)
    future = _cert(tmp_path / "future.pem", key, (5, 100))
    with pytest.raises(SigningConfigError, match="is not valid before"):
        load_identity(future, key_path)
    (tmp_path / "junk.pem").write_text("hello")
    with pytest.raises(SigningConfigError, match="junk.pem is not a PEM certificate chain"):
        load_identity(tmp_path / "junk.pem", key_path)
    with pytest.raises(SigningConfigError, match="junk.pem is not an unencrypted PEM private key"):
        load_identity(cert, tmp_path / "junk.pem")
    with pytest.raises(SigningConfigError, match="not readable: .*missing.pem"):
        load_identity(tmp_path / "missing.pem", key_path)


def test_local_ca_is_made_once_and_reused(tmp_path: Path) -> None:
    first = local_identity(tmp_path / "ca")
    second = local_identity(tmp_path / "ca")
    assert first.chain_pem == second.chain_pem and first.source == "local studio CA (untrusted)"
    chain = x509.load_pem_x509_certificates(first.chain_pem)
    assert len(chain) == 2 and chain[0].issuer == chain[1].subject
    assert chain[1].extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (tmp_path / "ca" / "ca.key").stat().st_mode & 0o077 == 0
    (tmp_path / "ca" / "ca.key").write_text("broken")
    (tmp_path / "ca" / "signer.pem").unlink()
    with pytest.raises(SigningConfigError, match="local C2PA CA in .* is unusable"):
        local_identity(tmp_path / "ca")


def test_cli_verify_exit_codes(tmp_path: Path, signer: ContentSigner) -> None:
    path = export_video(_frames(), tmp_path / "v.mp4", 8, {})
    unsigned = subprocess.run([sys.executable, "-m", "studio.cli", "verify", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert unsigned.returncode == 1 and "content credentials: none" in unsigned.stdout
    signer.sign(path, _facts("v.mp4"))
    valid = subprocess.run([sys.executable, "-m", "studio.cli", "verify", str(path), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert valid.returncode == 0 and '"state": "Valid"' in valid.stdout
    data = bytearray(path.read_bytes())
    data[data.find(b"mdat") + 64] ^= 0x01
    path.write_bytes(bytes(data))
    tampered = subprocess.run([sys.executable, "-m", "studio.cli", "verify", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert tampered.returncode == 1 and "TAMPERED" in tampered.stdout
