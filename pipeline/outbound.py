"""Which addresses Newswatch may fetch from: public ones only, checked after DNS and on every connect.

A feed or an article link could point at (or redirect to) the cloud metadata service, a database on
the private network or the machine itself. The guard resolves each host itself, refuses loopback,
private, link-local, multicast and reserved addresses unless a host or network is explicitly
allowed (`NEWSWATCH_FETCH__ALLOW`), and connects to the very address it checked, so a DNS answer
that changes between check and connect cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anyio
import httpcore
from httpcore._backends.auto import AutoBackend

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class OutboundRefused(Exception):
    """A request the guard will not make; `reason` says why in words an operator understands."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class OutboundPolicy:
    """Public addresses always; these hosts and networks besides (the replay, the tests, a private feed host)."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def allowing(cls, entries: Iterable[str]) -> OutboundPolicy:
        """Entries are host names (`feeds.intranet`) or networks (`10.1.0.0/16`, `127.0.0.1`)."""
        hosts, networks = set(), []
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry)
        return cls(frozenset(hosts), tuple(networks))

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why `address` (which `host` resolved to) may not be reached, or None when it may."""
        if host.lower() in self.hosts or any(address in net for net in self.networks):
            return None
        kind = _kind(address)
        return f"{host} resolves to {kind} address {address}" if kind else None


def _kind(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved or address.is_unspecified or not address.is_global:
        return "reserved"
    return None


def check_scheme(url: str) -> None:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise OutboundRefused(f"scheme {scheme or '(none)'!r} is not fetched (only http and https)")


async def resolve(host: str, port: int, policy: OutboundPolicy) -> list[str]:
    """The addresses of `host` that may be reached; OutboundRefused when any of them may not."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        answers = [str(literal)]
    except ValueError:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        answers = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for answer in answers:
        reason = policy.refusal(host, ipaddress.ip_address(answer.split("%")[0]))
        if reason:
            raise OutboundRefused(reason)
    return answers


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy allows."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self.inner = AutoBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port, self.policy)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise OutboundRefused("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
