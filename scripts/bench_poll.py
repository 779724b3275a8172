"""Time `newswatch poll --force` over many feeds on many hosts, cold and when nothing changed.

Serves N feeds of 30 items each from loopback addresses 127.0.0.2, 127.0.0.3, … (one address per
host), every answer after a fixed latency, with ETags so an unchanged feed answers 304. The server
counts requests in flight per host; the script prints the most it saw, the command's wall time from
process start to exit, and the peak RSS of the command's process tree. It starts its own
Elasticsearch node unless NEWSWATCH_ES_URL is set.

    .venv/bin/python scripts/bench_poll.py --feeds 1000 --hosts 100 --latency 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ["council", "budget", "hockey", "weather", "market", "festival", "transit", "library", "election",
         "hospital", "school", "bridge", "garden", "museum", "concert", "harbour", "storm", "farm"]


def feed_xml(number: int, items: int = 30) -> bytes:
    rows = []
    for i in range(items):
        a, b = WORDS[(number + i) % len(WORDS)], WORDS[(number * 7 + i) % len(WORDS)]
        rows.append(f"<item><title>Local {a} news: the {b} story number {i} of feed {number}</title>"
                    f"<link>http://feeds.example/{number}/story-{i}</link><guid>feed{number}-item{i}</guid>"
                    f"<description>Residents talked about the {a} and the {b} on Tuesday, officials said.</description>"
                    f"<pubDate>Sat, 28 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {number}</title>'
            f"<link>http://feeds.example/{number}</link><description>bench</description>{''.join(rows)}"
            "</channel></rss>").encode()


class FeedServer:
    """Plain HTTP/1.1 on asyncio, one listening socket per loopback address, counting concurrency per host."""

    def __init__(self, hosts: int, latency: float) -> None:
        self.hosts, self.latency = hosts, latency
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.requests = 0
        self.bodies: dict[str, tuple[bytes, str]] = {}
        self.loop = asyncio.new_event_loop()
        self.port = 0

    def body(self, path: str) -> tuple[bytes, str] | None:
        if path not in self.bodies:
            try:
                number = int(path.rsplit("/", 1)[-1].split(".")[0])
            except ValueError:
                return None
            body = feed_xml(number)
            self.bodies[path] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        return self.bodies[path]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                self.requests += 1
                self.in_flight[host] += 1
                self.peak[host] = max(self.peak[host], self.in_flight[host])
                try:
                    await asyncio.sleep(self.latency)
                finally:
                    self.in_flight[host] -= 1
                found = self.body(path)
                if found is None:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif headers.get("if-none-match") == found[1]:
                    writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {found[1]}\r\nContent-Length: 0\r\n\r\n".encode())
                else:
                    kind = "text/html; charset=utf-8" if path.endswith(".html") else "application/rss+xml"
                    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nETag: {found[1]}\r\n"
                                 f"Content-Length: {len(found[0])}\r\n\r\n".encode() + found[0])
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    def start(self) -> None:
        ready = threading.Event()

        async def serve() -> None:
            first = await asyncio.start_server(self.handle, "127.0.0.2", 0, backlog=1024)
            self.port = first.sockets[0].getsockname()[1]
            for n in range(1, self.hosts):
                await asyncio.start_server(self.handle, f"127.0.0.{2 + n}" if n < 254 else f"127.0.{1 + n // 254}.{n % 254 + 1}",
                                           self.port, backlog=1024)
            ready.set()
            await asyncio.Event().wait()

        threading.Thread(target=lambda: self.loop.run_until_complete(serve()), daemon=True).start()
        ready.wait(30)

    def host(self, n: int) -> str:
        return f"127.0.0.{2 + n}" if n < 254 else f"127.0.{1 + n // 254}.{n % 254 + 1}"


def run_timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time, peak RSS of the process tree (bytes) and output of one command."""
    started = time.monotonic()
    log = tempfile.TemporaryFile(mode="w+")  # not a pipe: a long summary must not block the command
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    peak = 0
    parent = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    log.seek(0)
    return elapsed, peak, log.read()


def write_feeds(server: FeedServer, count: int, hosts: int, path: Path) -> None:
    """A feeds.yaml of `count` feeds spread over the server's `hosts` loopback names."""
    feeds = [{"id": f"bench-{n:05d}", "url": f"http://{server.host(n % hosts)}:{server.port}/feed/{n}.xml",
              "outlet": f"Bench outlet {n % hosts}", "language": "en", "country": "CA"} for n in range(count)]
    path.write_text(yaml.safe_dump({"feeds": feeds}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()

    server = FeedServer(args.hosts, args.latency)
    server.start()
    work = Path(tempfile.mkdtemp(prefix="bench-poll-"))
    write_feeds(server, args.feeds, args.hosts, work / "feeds.yaml")

    node = None
    es_url = os.environ.get("NEWSWATCH_ES_URL")
    if not es_url:
        from pipeline.local.es_node import start_node

        node = start_node()
        es_url = node.url
    env = {**os.environ, "NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": f"bench{os.getpid()}",
           "NEWSWATCH_FEEDS_FILE": str(work / "feeds.yaml"), "NEWSWATCH_SOURCE": "live",
           "NEWSWATCH_FETCH__ALLOW": "127.0.0.0/8"}
    newswatch = str(Path(sys.executable).parent / "newswatch")
    try:
        print(f"{args.feeds} feeds of 30 items on {args.hosts} hosts, {args.latency * 1000:.0f} ms per answer")
        print(f"politeness floor: {args.feeds / args.hosts:.0f} feeds per host at 2 at a time × latency = "
              f"{args.feeds / args.hosts / 2 * args.latency:.1f} s")
        for label in ("cold", "all unchanged (304)"):
            server.peak.clear()
            before = server.requests
            elapsed, rss, output = run_timed([newswatch, "poll", "--force"], env)
            lines = output.splitlines()  # the run's summary, not a progress line
            summary = next((line for line in lines if line.startswith("feeds polled:")), output[-500:])
            print(f"{label:<22} {elapsed:6.2f} s  requests {server.requests - before:>5}  "
                  f"max in flight per host {max(server.peak.values(), default=0)}  peak RSS {rss / 2**20:.0f} MiB"
                  f"  | {summary}")
    finally:
        if node:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
