"""The outbound guard, attacked: every spelling of a refused address is refused before any connection.

URL libraries normalise hosts (full-width and other Unicode digits, ideographic dots, IPv4 inside
IPv6, inet_aton's short and hexadecimal forms), so a guard that checks the host as written can be
walked around. Hypothesis writes the spellings; a real server on 127.0.0.1 counts the connections
it accepts, and every other connection attempt is recorded (and stopped before a packet leaves) by
a recorder under the event loop's `sock_connect`, so a failing guard shows as a count, not as traffic.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from asyncio import selector_events

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import FetchError
from pipeline.ingest.fetch import Fetcher
from pipeline.ingest.outbound import OutboundPolicy, embedded_ipv4, guarded_socket_factory
from pipeline.settings import FetchSettings
from tests.hostile_server import HostileServer

DIGITS = {  # ways to write each digit that some URL library reads as the ASCII digit
    "ascii": "0123456789",
    "full-width": "".join(chr(0xFF10 + d) for d in range(10)),
    "math-bold": "".join(chr(0x1D7CE + d) for d in range(10)),
    "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹",
}
DOTS = [".", "\u3002", "\uff0e", "\uff61"]  # full stop, ideographic, full-width, half-width ideographic

refused_v4 = st.one_of(
    st.builds(lambda b, c, d: f"127.{b}.{c}.{d}", st.integers(0, 255), st.integers(0, 255), st.integers(1, 254)),
    st.builds(lambda b, c, d: f"10.{b}.{c}.{d}", st.integers(0, 255), st.integers(0, 255), st.integers(1, 254)),
    st.builds(lambda b, c, d: f"172.{b}.{c}.{d}", st.integers(16, 31), st.integers(0, 255), st.integers(1, 254)),
    st.builds(lambda c, d: f"192.168.{c}.{d}", st.integers(0, 255), st.integers(1, 254)),
    st.builds(lambda c, d: f"169.254.{c}.{d}", st.integers(0, 255), st.integers(1, 254)),
    st.just("169.254.169.254"), st.just("127.0.0.1"),
)


@st.composite
def spellings(draw: st.DrawFn) -> str:
    """One host spelling of a loopback, private or link-local address."""
    address = draw(refused_v4)
    octets = [int(o) for o in address.split(".")]
    form = draw(st.sampled_from(["unicode", "integer", "hex", "short", "mapped", "nat64", "translated", "6to4",
                                 "percent"]))
    if form == "unicode":
        digits = DIGITS[draw(st.sampled_from(sorted(DIGITS)))]
        dot = draw(st.sampled_from(DOTS))
        host = dot.join("".join(digits[int(ch)] for ch in str(o)) for o in octets)
        return host + (dot if draw(st.booleans()) else "")
    if form == "integer":
        return str(int(ipaddress.IPv4Address(address)))
    if form == "hex":
        return ".".join(hex(o) for o in octets)
    if form == "short":  # inet_aton: a.b.c as a.b.0.c when c fits
        return f"{octets[0]}.{octets[1]}.{octets[2] * 256 + octets[3]}"
    if form == "percent":
        return "".join(f"%{ord(ch):02X}" if ch.isdigit() and draw(st.booleans()) else ch for ch in address)
    v6 = {"mapped": f"::ffff:{address}", "nat64": f"64:ff9b::{address}", "translated": f"::ffff:0:{address}",
          "6to4": f"2002:{octets[0]:02x}{octets[1]:02x}:{octets[2]:02x}{octets[3]:02x}::1"}[form]
    return f"[{v6}]"


@pytest.fixture(scope="module")
def target():
    return HostileServer().start()


@pytest.fixture
def attempts(monkeypatch):
    """Every address a socket tried to connect to; only the test server's own address is really dialled."""
    tried: list[object] = []
    real = selector_events.BaseSelectorEventLoop.sock_connect

    async def recording(self, sock, address):
        tried.append(address)
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"the test stops connections to {address[0]}")
        return await real(self, sock, address)

    monkeypatch.setattr(selector_events.BaseSelectorEventLoop, "sock_connect", recording)
    real_getaddrinfo = socket.getaddrinfo

    def numeric_only(host, port, family=0, type=0, proto=0, flags=0):  # no DNS query leaves the machine
        return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)
    return tried


async def _fetch_all(urls: list[str]) -> list[str]:
    kinds = []
    async with Fetcher(FetchSettings(retries=0, allow=(), total_timeout=5)) as fetcher:
        for url in urls:
            try:
                await fetcher.get(url)
                kinds.append("fetched")
            except FetchError as exc:
                kinds.append(exc.kind)
    return kinds


@given(hosts=st.lists(spellings(), min_size=1, max_size=6))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_spelling_of_a_refused_address_is_ever_connected_to(target, attempts, hosts):
    before = target.connections
    urls = [f"http://{host}:{target.port}/feed/good" for host in hosts]
    kinds = asyncio.run(_fetch_all(urls))
    assert target.connections == before, (hosts, kinds)
    assert attempts == [], (hosts, attempts)
    assert "fetched" not in kinds, (hosts, kinds)


def test_the_guard_sees_the_address_the_socket_uses():
    """IP literals skip the resolver in aiohttp: the socket factory is what catches them."""
    factory = guarded_socket_factory(OutboundPolicy.allowing([]))
    for address in ("127.0.0.1", "169.254.169.254", "::1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe",
                    "192.0.0.192", "100.100.100.200",  # Oracle Cloud's and Alibaba Cloud's metadata services
                    "fec0::1"):  # IPv6 site-local, deprecated yet routed inside some networks
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with pytest.raises(Exception, match="address"):
            factory((family, socket.SOCK_STREAM, 6, "", (address, 80)))
    allowed = guarded_socket_factory(OutboundPolicy.allowing(["127.0.0.1"]))
    allowed((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))).close()
    public = guarded_socket_factory(OutboundPolicy.allowing([]))
    public((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))).close()  # opened, never connected


def test_ipv4_inside_ipv6_is_unwrapped():
    cases = {"::ffff:127.0.0.1": "127.0.0.1", "64:ff9b::7f00:1": "127.0.0.1", "::ffff:0:a00:1": "10.0.0.1",
             "2002:a9fe:a9fe::1": "169.254.169.254", "2001:db8::1": None, "::1": None}
    for v6, v4 in cases.items():
        inner = embedded_ipv4(ipaddress.ip_address(v6))
        assert (str(inner) if inner else None) == v4, v6


def test_a_name_that_failed_to_resolve_for_now_is_asked_again_one_that_does_not_exist_is_not(monkeypatch):
    """A lookup that timed out once (EAI_AGAIN, common with hundreds of lookups at once) blocked its host for the
    whole pass: every feed and page of it failed at once, retries included. A name that does not exist is not
    asked again for each of its links. The system resolver stands in here: this machine has no DNS to fail."""
    import time

    from pipeline.ingest import outbound
    from pipeline.ingest.outbound import GuardedResolver

    real_clock = time.monotonic

    class Flaky:
        def __init__(self, errors: list[int]) -> None:
            self.errors, self.calls = errors, 0

        async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list:
            self.calls += 1
            if self.errors:
                code = self.errors.pop(0)
                raise socket.gaierror(code, "lookup failed")
            return [{"hostname": host, "host": "93.184.216.34", "port": port, "family": family, "proto": 0,
                     "flags": 0}]

    async def twice(errors: list[int], wait: float = 0.0) -> tuple[list[str], int]:
        resolver = GuardedResolver(OutboundPolicy())
        resolver.inner = Flaky(errors)  # type: ignore[assignment]
        outcomes = []
        for attempt in range(2):
            if attempt:
                monkeypatch.setattr(outbound.time, "monotonic", lambda: real_clock() + wait)
            try:
                outcomes.append((await resolver.resolve("news.example"))[0]["host"])
            except OSError as exc:
                outcomes.append(f"error {exc.errno}")
        return outcomes, resolver.inner.calls

    # failed for now: asked again once `RETRY_LOOKUP` has passed, not at once by every link of the host
    again = outbound.RETRY_LOOKUP + 1
    assert asyncio.run(twice([socket.EAI_AGAIN], wait=again)) == (([f"error {socket.EAI_AGAIN}", "93.184.216.34"]), 2)
    assert asyncio.run(twice([socket.EAI_AGAIN, socket.EAI_AGAIN])) == (
        [f"error {socket.EAI_AGAIN}", f"error {socket.EAI_AGAIN}"], 1)
    assert asyncio.run(twice([socket.EAI_NONAME, socket.EAI_NONAME], wait=again)) == (
        [f"error {socket.EAI_NONAME}", f"error {socket.EAI_NONAME}"], 1)  # no such name: for the pass
