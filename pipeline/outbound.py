"""Which addresses Newswatch may fetch from: public ones only, checked after DNS and on every connect.

A feed or an article link could point at (or redirect to) the cloud metadata service, a database on
the private network or the machine itself. The guard checks every host after DNS resolution (and
IP literals before any connection), refuses loopback, private, link-local, multicast and reserved
addresses unless a host or network is explicitly allowed (`NEWSWATCH_FETCH__ALLOW`), and the
connection goes to the very address it checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import ThreadedResolver

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


def check_address(host: str, policy: OutboundPolicy) -> None:
    """An IP literal in a URL is checked here: it never goes through the resolver."""
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return
    reason = policy.refusal(host, address)
    if reason:
        raise OutboundRefused(reason.replace(f"{host} resolves to", f"{host} is"))


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing names that resolve to addresses the policy does not allow.

    aiohttp connects to exactly the addresses the resolver returns, so a DNS answer cannot change
    between the check and the connect.
    """

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self.inner = ThreadedResolver()
        self.failed: dict[str, OSError] = {}  # names that did not resolve in this pass: asked once, not per link

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        if host in self.failed:
            raise self.failed[host]
        try:
            answers = await self.inner.resolve(host, port, family)
        except OSError as exc:
            self.failed[host] = exc
            raise
        for answer in answers:
            reason = self.policy.refusal(host, ipaddress.ip_address(str(answer["host"]).split("%")[0]))
            if reason:
                raise OutboundRefused(reason)
        return answers

    async def close(self) -> None:
        await self.inner.close()
