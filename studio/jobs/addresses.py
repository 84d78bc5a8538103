"""Where a webhook may go: http(s) URLs on public addresses only (unless the operator allows private ones).

The check follows the ``safehttpx`` approach: resolve the name ourselves,
refuse private, loopback, link-local, multicast and reserved addresses, then
connect to the very address that was checked (no second lookup an attacker's
DNS could answer differently). It runs on every connection, so every redirect
hop is checked too.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx
from safehttpx import is_public_ip

from studio.errors import InvalidRequestError

_LOCAL_NAMES = ("localhost", "localhost.localdomain")


class UnsafeTargetError(Exception):
    """A webhook target resolves to an address the studio must not call."""


def is_public_address(address: str) -> bool:
    """True for a globally routable address (IPv4-mapped IPv6 judged by its IPv4 part)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_unspecified and is_public_ip(str(ip))


def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """Refuse at submit what can be refused without a lookup: not http(s), no host, a private literal address.

    Raises:
        InvalidRequestError: naming the URL and the rule.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InvalidRequestError(f"webhook_url is not a valid URL, got {url!r}") from exc
    if parsed.scheme not in ("http", "https"):
        raise InvalidRequestError(f"webhook_url must be an http or https URL, got {url!r}")
    if not parsed.host:
        raise InvalidRequestError(f"webhook_url has no host, got {url!r}")
    if not allow_private and _is_private_literal(parsed.host):
        raise InvalidRequestError(
            f"webhook_url {url!r} points to a private or loopback address; "
            "the operator can allow those with STUDIO_WEBHOOK_ALLOW_PRIVATE=1"
        )


def _is_private_literal(host: str) -> bool:
    if host.lower().rstrip(".") in _LOCAL_NAMES:
        return True
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False  # a name: judged when it is resolved
    return not is_public_address(host.strip("[]"))


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (tests replace ``socket.getaddrinfo``)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeTargetError(f"cannot resolve {host!r}: {exc}") from exc
    return [str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]


def public_address_of(host: str, port: int) -> str:
    """The address to connect to; every address of the name must be public.

    Raises:
        UnsafeTargetError: the name does not resolve or resolves to a non-public address.
    """
    addresses = resolve_host(host.strip("[]"), port)
    if not addresses:
        raise UnsafeTargetError(f"{host!r} resolves to no address")
    private = [a for a in addresses if not is_public_address(a)]
    if private:
        raise UnsafeTargetError(f"{host!r} resolves to a private or loopback address ({private[0]}); refused")
    return addresses[0]


class PublicOnlyTransport(httpx.HTTPTransport):
    """Resolves and checks the host of every request, then connects to the checked address."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        address = public_address_of(host, port)
        request.headers["Host"] = request.url.netloc.decode("ascii")
        request.extensions = {**request.extensions, "sni_hostname": host}
        request.url = request.url.copy_with(host=address)
        return super().handle_request(request)
