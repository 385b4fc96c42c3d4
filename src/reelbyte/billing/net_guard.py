"""Where outgoing webhooks may go: public addresses only (SSRF), checked twice.

A user chooses the URL, and the server then POSTs to it from inside the network: a URL naming
a loopback, private, link-local or metadata address (169.254.169.254, fd00:ec2::254) would let
them reach what only the server can. The host is resolved and every address it has is checked
when the endpoint is registered, and again each time a delivery connects: a name may resolve
to a public address when registered and to an internal one later (DNS rebinding), so the
connection is made to the very address that was just checked (`GuardedTransport`), never to
a second lookup of the name. TLS still names the host (SNI and certificate checks).

WEBHOOK_ALLOWED_HOSTS lets chosen names, addresses or networks through (an internal
integration; the tests' local receiver on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from reelbyte.core.config import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

RESOLVE_TIMEOUT_SECONDS = 5.0
# Cloud metadata services: link-local or private already, named for clarity.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class UnsafeTarget(Exception):
    """The host does not resolve, or resolves to an address webhooks may not reach."""


@dataclass(frozen=True)
class AllowList:
    names: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def allow_list() -> AllowList:
    return AllowList.parse(get_settings().webhook_allowed_hosts)


def _embedded_ipv4(address: IPAddress) -> IPAddress | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo), which is what it reaches."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public(address: IPAddress) -> bool:
    """Reachable on the internet and no special-purpose address (loopback, private,
    link-local, multicast, reserved, unspecified, shared, documentation, metadata)."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and not is_public(embedded):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_link_local
        or address.is_loopback
        or address.is_private
        or address in METADATA_ADDRESSES
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of `host` (an IP literal is its own), in the resolver's order.

    The one lookup webhooks make: tests replace it to make a name resolve where they want."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError) as error:
        raise UnsafeTarget(f"the host name {host} does not resolve") from error
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # no IPv6 zone
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeTarget(f"the host name {host} does not resolve")
    return addresses


async def checked_addresses(host: str, port: int, allowed: AllowList | None = None) -> list[IPAddress]:
    """The addresses of `host`, each one allowed; UnsafeTarget when any is not (a name that
    also resolves to an internal address is refused whole, whichever address would be used)."""
    allowed = allowed if allowed is not None else allow_list()
    addresses = await resolve(host, port)
    if allowed.allows_name(host):
        return addresses
    refused = [a for a in addresses if not (is_public(a) or allowed.allows_address(a))]
    if refused:
        raise UnsafeTarget(f"{host} resolves to {refused[0]}, which webhooks may not reach")
    return addresses


async def check_url(url: str) -> None:
    """Refuse (UnsafeTarget) a URL whose host is not allowed now."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")  # IDNA-encoded, as the connection will use it
    except (httpx.InvalidURL, UnicodeError) as error:
        raise UnsafeTarget("the URL is not valid") from error
    await checked_addresses(host, parsed.port or (443 if parsed.scheme == "https" else 80))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to checked addresses: it resolves the host itself, checks
    every address, then connects to one of those addresses (not to the name again)."""

    def __init__(self, allowed: AllowList) -> None:
        self._allowed = allowed
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(host, port, self._allowed)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeTarget("webhooks do not connect to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over `GuardedBackend`, with no proxy from the environment (a proxy
    would make the connection in our place, to an address we never checked)."""

    def __init__(self, allowed: AllowList | None = None) -> None:
        super().__init__(trust_env=False)
        # httpx takes no network backend; its pool does (httpcore's documented extension point).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=GuardedBackend(allowed if allowed is not None else allow_list()),
        )
