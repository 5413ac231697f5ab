"""Every HTTP call the server makes on a store's behalf leaves through here.

Two guards, one rule: a URL is accepted when its scheme is https (http only while
RETORNO_ALLOW_PRIVATE_URLS is on, for the local carrier simulator) and every address its host
resolves to is a public one (no private, loopback, link-local, multicast, reserved or otherwise
non-global address).

- `check_outbound_url` runs when a URL is saved (a carrier's base URL), so a store admin gets a
  422 naming the field instead of a booking that fails later.
- The transport of `outbound_client` (and the `requests` session of `requests_session`, for SDKs
  built on requests) resolves the host again when it connects, checks every address, and
  connects to the address it checked. DNS that answers differently at save time and at connect
  time (rebinding) cannot reach an internal address, and neither can a URL a carrier hands back
  (a label link) that was never saved anywhere.
"""

from __future__ import annotations

import ipaddress
import socket
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx
import requests
from django.conf import settings
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

DEFAULT_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 3.0
USER_AGENT = "Retorno (+https://github.com/retorno)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 ranges that carry an IPv4 address: the IPv4 address is what is finally reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class OutboundURLRefused(ValueError):
    """A URL the server must not call. `code` is stable (docs/api.md)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class OutboundAddressRefused(httpcore.ConnectError):
    """Raised at connect time; httpx reports it as a ConnectError carrying this message."""


def private_urls_allowed() -> bool:
    return bool(settings.RETORNO_ALLOW_PRIVATE_URLS)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: IPAddress) -> bool:
    """True for an address on the public internet: not private, loopback, link-local,
    multicast, reserved, shared (CGNAT), documentation or unspecified, and not an IPv6 address
    that wraps such an IPv4 address."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and not address_is_public(embedded):
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_link_local
    )


# The resolver, replaceable in tests: (host, port) -> the addresses the host resolves to.
Resolver = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_resolver: Resolver = system_resolve


def set_resolver(resolver: Resolver | None) -> Resolver:
    """Replace the resolver (tests); None restores the system's. Returns the previous one."""
    global _resolver
    previous, _resolver = _resolver, resolver or system_resolve
    return previous


def checked_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, when all of them may be called; otherwise
    OutboundURLRefused (`url_host_unresolvable` or `url_address_not_allowed`).

    All addresses are checked, not only the first: a host with one public and one internal
    address could otherwise be steered to the internal one."""
    try:
        resolved = _resolver(host.strip("[]"), port)
    except (OSError, UnicodeError, ValueError):
        resolved = []
    if not resolved:
        raise OutboundURLRefused("url_host_unresolvable", f"The host {host!r} does not resolve.")
    if private_urls_allowed():
        return resolved
    for text in resolved:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not address_is_public(address):
            raise OutboundURLRefused(
                "url_address_not_allowed",
                f"The host {host!r} resolves to {address}, which is not a public address.",
            )
    return resolved


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise OutboundURLRefused("url_malformed", "The URL is not valid.") from None
    scheme = parts.scheme.lower()
    if scheme == "http" and not private_urls_allowed():
        raise OutboundURLRefused(
            "url_scheme_not_allowed", "Only https URLs are allowed (http is for development)."
        )
    if scheme not in ("http", "https"):
        raise OutboundURLRefused("url_scheme_not_allowed", "Only https URLs are allowed.")
    if parts.username is not None or parts.password is not None:
        raise OutboundURLRefused(
            "url_has_credentials", "Credentials go in the credentials, not in the URL."
        )
    if not parts.hostname:
        raise OutboundURLRefused("url_malformed", "The URL has no host.")
    return _Target(scheme, parts.hostname, port or (443 if scheme == "https" else 80))


def check_outbound_url(url: str) -> None:
    """Raise OutboundURLRefused unless the server may call `url` (see the module's rule).

    With RETORNO_ALLOW_PRIVATE_URLS on, every address is allowed, so a host that does not
    resolve yet (a development name) is not refused either."""
    target = _target(url)
    if not private_urls_allowed():
        checked_addresses(target.host, target.port)


# --- the guarded transport -----------------------------------------------------------------------


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves, checks and connects in one step: the address connected to is one checked."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(host, port)
        except OutboundURLRefused as refused:
            raise OutboundAddressRefused(refused.message) from None
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failed:
                error = failed
        assert error is not None
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the URL rule applied to every request and every connection."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # httpx builds its pool without a way to pass a network backend: rebuild it with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            _target(str(request.url))
        except OutboundURLRefused as refused:
            raise httpx.ConnectError(refused.message, request=request) from None
        return super().handle_request(request)


def timeout_of(seconds: float | None) -> httpx.Timeout:
    """`seconds` (default DEFAULT_TIMEOUT_SECONDS) to read, write and wait for the pool;
    connecting never waits more than CONNECT_TIMEOUT_SECONDS."""
    total = DEFAULT_TIMEOUT_SECONDS if seconds is None else float(seconds)
    return httpx.Timeout(total, connect=min(total, CONNECT_TIMEOUT_SECONDS))


def outbound_client(
    *,
    base_url: str = "",
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | tuple[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """The one httpx client for calls on a store's behalf: guarded transport, timeouts, no
    redirects (a redirect could lead anywhere), no proxy or certificate settings from the
    environment. `transport` replaces the guarded one in tests (httpx.MockTransport)."""
    return httpx.Client(
        base_url=base_url,
        timeout=timeout_of(timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        auth=auth,
        transport=transport or GuardedTransport(),
        follow_redirects=False,
        trust_env=False,
    )


# --- the same client for SDKs built on requests ------------------------------------------------


class _ThroughOutboundClient(BaseAdapter):
    """A requests transport adapter that sends through `outbound_client`'s guarded transport."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__()
        self.client = client

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
        verify: bool | str = True,
        cert: typing.Any = None,
        proxies: typing.Any = None,
    ) -> requests.Response:
        if isinstance(timeout, tuple):
            connect, read = timeout
            limits = httpx.Timeout(read, connect=connect)
        else:
            limits = timeout_of(timeout)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        if body is not None and not isinstance(body, bytes):
            raise requests.ConnectionError("Streamed request bodies are not supported.")
        headers = {
            name: value if isinstance(value, str) else value.decode("latin-1")
            for name, value in request.headers.items()
        }
        try:
            answer = self.client.request(
                str(request.method), str(request.url), headers=headers, content=body, timeout=limits
            )
        except httpx.TimeoutException as error:
            raise requests.Timeout(str(error), request=request) from None
        except httpx.HTTPError as error:
            raise requests.ConnectionError(str(error), request=request) from None
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.encoding = answer.encoding
        response.reason = answer.reason_phrase
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        self.client.close()


def requests_session(*, timeout: float | None = None) -> requests.Session:
    """A requests.Session whose every request goes through the guarded transport."""
    session = requests.Session()
    session.trust_env = False
    adapter = _ThroughOutboundClient(outbound_client(timeout=timeout))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
