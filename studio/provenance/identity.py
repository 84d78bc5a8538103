"""Who signs content credentials: the operator's certificate and key, or a local studio CA.

C2PA signers need an end-entity certificate (digital-signature key usage, an
extended key usage such as e-mail protection, not a CA) whose chain goes to a
root. Operators bring theirs (``STUDIO_C2PA_CERT`` chain PEM, leaf first, and
``STUDIO_C2PA_KEY``). Otherwise the studio makes a local CA and a signer under
``<data_dir>/c2pa/`` on first run: a valid chain, which readers report as
*untrusted* because no trust list holds the local root.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from studio.errors import SigningConfigError

_LOCAL_CA_YEARS = 10
_LOCAL_SIGNER_DAYS = 365
_RENEW_BEFORE = datetime.timedelta(days=7)


@dataclass(frozen=True)
class SigningIdentity:
    """A PEM certificate chain (leaf first), its private key (PEM), the C2PA algorithm name and where it came from."""

    chain_pem: bytes
    key_pem: bytes
    algorithm: str
    source: str  # "operator certificate <path>" or "local studio CA (untrusted)"
    not_after: datetime.datetime


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _algorithm(key: object, path: Path) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        names = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name not in names:
            raise SigningConfigError(f"C2PA key {path}: elliptic curve {key.curve.name} is not allowed (P-256, P-384, P-521)")
        return names[key.curve.name]
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise SigningConfigError(f"C2PA key {path}: {type(key).__name__} keys cannot sign C2PA manifests (EC, RSA or Ed25519)")


def _public_bytes(public_key: object) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


def load_identity(cert_path: Path, key_path: Path) -> SigningIdentity:
    """Read and check an operator's certificate chain and key.

    Raises:
        SigningConfigError: a file is missing or not PEM, the key does not match the certificate, or the
            certificate is expired or not yet valid (the message names the file and the dates).
    """
    try:
        chain_pem, key_pem = cert_path.read_bytes(), key_path.read_bytes()
    except OSError as exc:
        raise SigningConfigError(f"C2PA certificate or key not readable: {exc.filename} ({exc.strerror})") from exc
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
    except ValueError as exc:
        raise SigningConfigError(f"C2PA certificate {cert_path} is not a PEM certificate chain: {exc}") from exc
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningConfigError(f"C2PA key {key_path} is not an unencrypted PEM private key: {exc}") from exc
    leaf = chain[0]
    if _public_bytes(leaf.public_key()) != _public_bytes(key.public_key()):
        raise SigningConfigError(f"C2PA key {key_path} does not match the certificate {cert_path} ({leaf.subject.rfc4514_string()})")
    now = _now()
    if leaf.not_valid_after_utc <= now:
        raise SigningConfigError(f"C2PA certificate {cert_path} expired on {leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    if leaf.not_valid_before_utc > now:
        raise SigningConfigError(f"C2PA certificate {cert_path} is not valid before {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")
    algorithm = _algorithm(key, key_path)
    return SigningIdentity(chain_pem, key_pem, algorithm, f"operator certificate {cert_path}", leaf.not_valid_after_utc)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Video Studio (local)")])


def _key_usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signer, content_commitment=False, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=not signer, crl_sign=not signer, encipher_only=False,
                         decipher_only=False)  # fmt: skip


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(data)


def _make_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder().subject_name(_name("Video Studio local CA")).issuer_name(_name("Video Studio local CA"))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=365 * _LOCAL_CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    _write_private(folder / "ca.key", _pem_key(key))
    (folder / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _make_signer(folder: Path, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder().subject_name(_name("Video Studio signer")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=_LOCAL_SIGNER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signer=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    _write_private(folder / "signer.key", _pem_key(key))
    (folder / "signer.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM) + (folder / "ca.pem").read_bytes())


def local_identity(folder: Path) -> SigningIdentity:
    """The local studio CA's signer, created under ``folder`` on first use and renewed a week before it expires.

    Raises:
        SigningConfigError: the folder holds files that are not a usable CA (the message says to remove them).
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not (folder / "ca.pem").exists():
            ca, ca_key = _make_ca(folder)
        else:
            ca = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
            loaded = serialization.load_pem_private_key((folder / "ca.key").read_bytes(), password=None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):
                raise ValueError("the CA key is not an EC key")
            ca_key = loaded
        signer = folder / "signer.pem"
        if not signer.exists() or x509.load_pem_x509_certificates(signer.read_bytes())[0].not_valid_after_utc - _RENEW_BEFORE <= _now():
            _make_signer(folder, ca, ca_key)
    except (OSError, ValueError) as exc:
        raise SigningConfigError(f"local C2PA CA in {folder} is unusable ({exc}); remove the folder to make a new one") from exc
    identity = load_identity(folder / "signer.pem", folder / "signer.key")
    return SigningIdentity(identity.chain_pem, identity.key_pem, identity.algorithm, "local studio CA (untrusted)", identity.not_after)
