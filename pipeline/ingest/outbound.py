"""Which addresses Newswatch may connect to: public ones only, decided on the address the socket uses.

A feed, an article link or an alert channel could point at (or redirect to) the cloud metadata
service, a database on the private network or the machine itself, and hosts can be spelt many ways
that URL libraries normalise to those addresses (full-width digits, ideographic dots, a trailing
dot, IPv4 inside IPv6). So the guard does not trust the host as written: names are checked after
DNS resolution, and every socket is checked again on the very address it is about to connect to
(`socket_factory`), whatever path led there. Loopback, private, link-local, multicast and reserved
addresses (and IPv6 addresses that embed one) are refused unless a host or network is explicitly
allowed (`NEWSWATCH_FETCH__ALLOW`).
"""

from __future__ import annotations

import ipaddress
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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


# Special-purpose blocks (IANA) that some Python versions' `is_global` lets through (CVE-2024-4032: Python
# before 3.11.10 calls 192.0.0.192, a cloud metadata address, global), and shared address space (carrier NAT).
_SPECIAL = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "100.64.0.0/10", "198.18.0.0/15", "0.0.0.0/8",
                                                   "240.0.0.0/4", "2001::/23", "2001:db8::/32", "fc00::/7"))
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 IPv4-translated
_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible (::a.b.c.d)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, translated, NAT64, 6to4, compatible), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _TRANSLATED or any(address in net for net in _NAT64):
        return low
    if address in _COMPATIBLE and int(address) > 1:  # not :: or ::1, which are their own kinds
        return low
    return None


def _kind(address: IPAddress) -> str | None:
    inner = embedded_ipv4(address)
    if inner is not None:
        kind = _kind(inner)
        return f"{kind} (inside {address})" if kind else None
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private or address.version == 6 and address.is_site_local:  # fec0::/10, deprecated, still routed
        return "private"  # inside some networks, and not private to Python 3.11
    if (address.is_reserved or address.is_unspecified or not address.is_global
            or any(address.version == net.version and address in net for net in _SPECIAL)):
        return "reserved"
    return None


def check_scheme(url: str) -> None:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise OutboundRefused(f"scheme {scheme or '(none)'!r} is not fetched (only http and https)")


def check_address(host: str, policy: OutboundPolicy) -> None:
    """An IP literal in a URL is checked here: it never goes through the resolver."""
    address = parse_address(host)
    if address is None:
        return
    reason = policy.refusal(host, address)
    if reason:
        raise OutboundRefused(reason.replace(f"{host} resolves to", f"{host} is"))


def parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return None


RETRY_LOOKUP = 30.0  # seconds before a name whose lookup failed for now is asked again
# the answers that say a name does not exist, as opposed to a resolver that could not answer now
_NO_SUCH_NAME = {getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)}


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing names that resolve to addresses the policy does not allow.

    aiohttp connects to exactly the addresses the resolver returns, so a DNS answer cannot change
    between the check and the connect. Addresses of names the policy allows by name are remembered
    in `approved`, so the socket check (`guarded_socket_factory`) lets them through too.
    """

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy
        self.inner = ThreadedResolver()
        # names that did not resolve: asked once, not per link; one that does not exist for the pass, one that
        # failed for now (EAI_AGAIN, a resolver down) for `RETRY_LOOKUP` seconds: remembered for the pass, it
        # blocked the host's feeds and pages, retries included; not remembered, hundreds of 10-second lookups
        # held the thread pool every store call of the pass waits on
        self.failed: dict[str, tuple[OSError, float]] = {}
        self.approved: set[IPAddress] = set()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        if host in self.failed and time.monotonic() < self.failed[host][1]:
            raise self.failed[host][0]
        try:
            answers = await self.inner.resolve(host, port, family)
        except OSError as exc:
            gone = isinstance(exc, socket.gaierror) and exc.errno in _NO_SUCH_NAME
            self.failed[host] = (exc, math.inf if gone else time.monotonic() + RETRY_LOOKUP)
            raise
        for answer in answers:
            address = ipaddress.ip_address(str(answer["host"]).split("%")[0])
            reason = self.policy.refusal(host, address)
            if reason:
                raise OutboundRefused(reason)
            if _kind(address):  # not public, yet allowed: by name or network
                self.approved.add(address)
        return answers

    async def close(self) -> None:
        await self.inner.close()


def guarded_socket_factory(policy: OutboundPolicy, resolver: GuardedResolver | None = None) -> Callable[[Any], socket.socket]:
    """A socket factory for aiohttp that refuses to open a socket towards an address the policy refuses.

    This is the check that cannot be walked around: it sees the address the connection will use,
    after every URL normalisation and DNS answer, including IP literals that skip the resolver.
    """

    def factory(addr_info: Any) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        address = parse_address(str(sockaddr[0]))
        if address is None:
            raise OutboundRefused(f"cannot tell which address {sockaddr[0]!r} is")
        if resolver is None or address not in resolver.approved:
            reason = policy.refusal(str(address), address)
            if reason:
                raise OutboundRefused(reason.replace(" resolves to", " is"))
        return socket.socket(family=family, type=type_, proto=proto)

    return factory



_checked: dict[str, list[tuple[OutboundPolicy, list[str]]]] = {}  # host → the open `checked_connections` blocks
_checked_lock = threading.Lock()


@contextmanager
def checked_connections(host: str, policy: OutboundPolicy) -> Iterator[list[str]]:
    """Within the block, every urllib3 connection to `host` (Apprise's HTTP channels go through requests; its
    worker threads included) resolves the name once, is refused when an address is one the policy refuses,
    and connects to the very addresses checked. A name checked earlier may resolve elsewhere by the time the
    request is made (DNS rebinding: a public address first, the metadata service next); that way round is
    closed. Connections to other hosts are not checked here (the Elasticsearch client's, to its node): the
    caller keeps redirects off (Apprise's `redirects`), and an HTTP proxy, when one is set, is trusted to reach
    the host. Yields the refusals, for the caller's message (urllib3 reports them as connection errors)."""
    _install_connection_check()
    refusals: list[str] = []
    key, entry = _host_key(host), (policy, refusals)
    with _checked_lock:
        _checked.setdefault(key, []).append(entry)
    try:
        yield refusals
    finally:
        with _checked_lock:
            _checked[key].remove(entry)
            if not _checked[key]:
                del _checked[key]


def _host_key(host: str) -> str:
    """One spelling of a host name for both sides: requests connects to "xn--bcher-kva.example" where the
    channel's URL said "bücher.example" (a check filed under the one would miss the other), and to no
    trailing dot."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not a name IDNA can spell (an address, an odd label): compared as written
        return host


def _install_connection_check() -> None:
    import urllib3.util.connection as connection

    original = connection.create_connection
    if getattr(original, "newswatch_check", False):
        return

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address[0].strip("[]"), address[1]
        with _checked_lock:
            blocks = list(_checked.get(_host_key(host), ()))
        if not blocks:
            return original(address, *args, **kwargs)
        addresses = [parse_address(str(info[4][0])) for info in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)]
        for resolved in addresses:
            for policy, refusals in blocks:
                reason = policy.refusal(host, resolved) if resolved is not None else f"cannot tell which address {host} is"
                if reason:
                    refusals.append(reason)
                    raise ConnectionRefusedError(f"refused by the outbound guard: {reason}")
        error: OSError | None = None
        for resolved in dict.fromkeys(addresses):  # the checked addresses, never the name again
            try:
                return original((str(resolved), port), *args, **kwargs)
            except OSError as exc:
                error = exc
        raise error or OSError(f"{host} resolves to no address")

    create_connection.newswatch_check = True  # type: ignore[attr-defined]
    connection.create_connection = create_connection
