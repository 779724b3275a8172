"""A hostile HTTP server on 127.0.0.1: slow, huge, malformed, lying and dangerous answers, one per path.

Raw asyncio sockets rather than an HTTP framework, so it can do what real servers do wrong:
trickle a body, go silent after the headers, reset the connection, answer with TLS bytes. Each
case is a path; `CASES` in test_hostile.py says what Newswatch must make of it.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import socket
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable

ON_TOPIC = "Asylum seekers cross at Roxham Road as Ottawa weighs the Safe Third Country Agreement"
Writer = asyncio.StreamWriter


def rss(items: list[str], extra_channel: str = "", prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (f'{prolog}<rss version="2.0"><channel><title>Hostile</title><link>http://h.example/</link>'
            f"<description>d</description>{extra_channel}{''.join(items)}</channel></rss>").encode()


def item(title: str, link: str, guid: str | None = None, description: str = "Refugee claimants and the border.",
         date: str = "Sat, 28 Nov 2026 09:00:00 GMT") -> str:
    return (f"<item><title>{title}</title><link>{link}</link><guid>{guid or link}</guid>"
            f"<description>{description}</description><pubDate>{date}</pubDate></item>")


@functools.cache
def _bomb(size: int, wbits: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    chunk = b"\0" * 1_000_000
    out = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(out) + compressor.flush()


class HostileServer:
    def __init__(self) -> None:
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.requests: dict[str, int] = {}
        self.connections = 0  # every connection accepted, whatever it asked for
        self.gzip_bomb = _bomb(500_000_000, 16 + zlib.MAX_WBITS)  # 500 MB of zeros in half a megabyte
        self.deflate_bomb = _bomb(500_000_000, zlib.MAX_WBITS)
        self.routes: dict[str, Callable[[Writer, dict[str, str]], Awaitable[None]]] = {}
        self._define()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- plumbing ------------------------------------------------------------------------------------

    async def send(self, writer: Writer, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                   length: bool = True) -> None:
        head = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
        if length:
            head.append(f"Content-Length: {len(body)}")
        head.append("Connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()

    def feed(self, body: bytes, content_type: str = "application/rss+xml") -> Callable[[Writer, dict[str, str]],
                                                                                     Awaitable[None]]:
        async def handler(writer: Writer, headers: dict[str, str]) -> None:
            await self.send(writer, 200, body, {"Content-Type": content_type})
        return handler

    def status(self, code: int, headers: dict[str, str] | None = None) -> Callable[[Writer, dict[str, str]],
                                                                                   Awaitable[None]]:
        async def handler(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, code, b"", headers)
        return handler

    def redirect(self, location: str | None, code: int = 302) -> Callable[[Writer, dict[str, str]], Awaitable[None]]:
        async def handler(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, code, b"", {"Location": location.replace("{base}", self.url)} if location else {})
        return handler

    async def handle(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        self.connections += 1
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1].split("?")[0]
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            self.requests[path] = self.requests.get(path, 0) + 1
            route = self.routes.get(path)
            if route is None:
                await self.send(writer, 404)
            else:
                await route(writer, headers)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError, IndexError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    def start(self) -> HostileServer:
        ready = threading.Event()

        async def serve() -> None:
            server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            async with server:
                await server.serve_forever()

        threading.Thread(target=lambda: self.loop.run_until_complete(serve()), daemon=True).start()
        ready.wait(10)
        return self

    # -- the cases -------------------------------------------------------------------------------------

    def _define(self) -> None:
        r = self.routes
        good_items = [item(f"{ON_TOPIC} ({n})", f"{{base}}/page/good-{n}") for n in range(3)]

        async def good(writer: Writer, _: dict[str, str]) -> None:
            body = rss([i.replace("{base}", self.url) for i in good_items])
            await self.send(writer, 200, body, {"Content-Type": "application/rss+xml"})

        async def good_two(writer: Writer, _: dict[str, str]) -> None:
            body = rss([item(f"{ON_TOPIC} — second outlet ({n})", f"{self.url}/page/good-b{n}") for n in range(2)])
            await self.send(writer, 200, body, {"Content-Type": "application/rss+xml"})

        async def page(writer: Writer, _: dict[str, str]) -> None:
            text = " ".join(["Asylum seekers crossed the border at Roxham Road on Tuesday, officials said."] * 20)
            await self.send(writer, 200, f"<html><body><article><h1>{ON_TOPIC}</h1><p>{text}</p><p>{text}</p>"
                            "</article></body></html>".encode(), {"Content-Type": "text/html; charset=utf-8"})

        r["/feed/good"], r["/feed/good-two"] = good, good_two

        async def slow_pages(writer: Writer, _: dict[str, str]) -> None:
            body = rss([item(f"{ON_TOPIC} (slow {n})", f"{self.url}/page/slow-{n}") for n in range(8)])
            await self.send(writer, 200, body, {"Content-Type": "application/rss+xml"})

        async def slow_page(writer: Writer, headers: dict[str, str]) -> None:
            await asyncio.sleep(1.5)
            await page(writer, headers)

        r["/feed/slow-pages"] = slow_pages
        for n in range(8):
            r[f"/page/slow-{n}"] = slow_page
        for n in range(3):
            r[f"/page/good-{n}"] = page
        for n in range(2):
            r[f"/page/good-b{n}"] = page

        async def trickle(writer: Writer, _: dict[str, str]) -> None:
            body = rss([item(ON_TOPIC, "http://h.example/t")])
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n\r\n"
                         .encode())
            for byte in body:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(1.0)

        async def stall_headers(writer: Writer, _: dict[str, str]) -> None:
            await asyncio.sleep(600)

        async def stall_after_headers(writer: Writer, _: dict[str, str]) -> None:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n<rss")
            await writer.drain()
            await asyncio.sleep(600)

        async def endless_chunked(writer: Writer, _: dict[str, str]) -> None:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"<rss>" + b"A" * 65531
            while True:
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()

        async def huge_no_length(writer: Writer, _: dict[str, str]) -> None:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n")
            for _ in range(2000):
                writer.write(b"<x>" * 20000)
                await writer.drain()

        async def huge_with_length(writer: Writer, _: dict[str, str]) -> None:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 50000000\r\n\r\n")
            for _ in range(800):
                writer.write(b"<x>" * 20000)
                await writer.drain()

        def bomb(data: bytes, encoding: str) -> Callable[[Writer, dict[str, str]], Awaitable[None]]:
            async def handler(writer: Writer, _: dict[str, str]) -> None:
                await self.send(writer, 200, data, {"Content-Type": "application/rss+xml", "Content-Encoding": encoding})
            return handler

        async def reset(writer: Writer, _: dict[str, str]) -> None:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()

        async def tls_garbage(writer: Writer, _: dict[str, str]) -> None:
            writer.write(bytes.fromhex("160303007a020000760303") + b"\x00" * 200)
            await writer.drain()

        async def loop_a(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, 302, b"", {"Location": "/redirect/loop-b"})

        async def loop_b(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, 302, b"", {"Location": "/redirect/loop-a"})

        def chain(n: int) -> Callable[[Writer, dict[str, str]], Awaitable[None]]:
            async def handler(writer: Writer, _: dict[str, str]) -> None:
                target = f"/redirect/long-{n + 1}" if n < 12 else "/feed/good"
                await self.send(writer, 301, b"", {"Location": target})
            return handler

        for n in range(13):
            r[f"/redirect/long-{n}"] = chain(n)
        r["/redirect/ok-chain"] = self.redirect("/redirect/ok-chain-2", 301)
        r["/redirect/ok-chain-2"] = self.redirect("{base}/feed/good-two", 307)

        xxe_file = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                    '<rss version="2.0"><channel><title>x</title>' + item("Asylum &xxe;", "http://h.example/x") +
                    "</channel></rss>").encode()
        xxe_url = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>'
                   '<rss version="2.0"><channel><title>x</title>' + item("Asylum &xxe;", "http://h.example/y") +
                   "</channel></rss>").encode()
        laughs = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                            for i in range(1, 10)]
        billion = (f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(laughs)}]><rss version="2.0"><channel>'
                   f'<title>&lol9;</title>{item("Asylum", "http://h.example/l")}</channel></rss>').encode()
        # the same declaration past the first 64 KiB (after a long comment), and in UTF-16
        r["/feed/xxe-late"] = self.feed(xxe_file.replace(b"<!DOCTYPE", b"<!-- " + b"padding " * 10_000 + b"-->"
                                                         b"<!DOCTYPE").replace(b"h.example/x", b"h.example/late"))
        r["/feed/xxe-utf16"] = self.feed(xxe_file.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" '
                                                                   'encoding="utf-16"?>')
                                         .replace("h.example/x", "h.example/utf16").encode("utf-16"))
        deep = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b"<a>" * 200_000 + b"</a>" * 200_000 + \
            b"</channel></rss>"
        many = rss([item(f"Local council item {n}", f"http://h.example/many/{n}") for n in range(10_000)])
        latin_declared = rss([item("Réfugiés à la frontière — asylum", "http://h.example/l1")],
                             prolog='<?xml version="1.0" encoding="iso-8859-1"?>')
        broken_utf8 = rss([item(f"{ON_TOPIC} café", "http://h.example/b1")]).replace("café".encode(), b"caf\xe9 \xc3\xa9t\xc3\xa9")
        hostile_links = rss([
            item(f"{ON_TOPIC} (trickling page)", "{base}/page/trickle"),
            item(f"{ON_TOPIC} (gzip bomb page)", "{base}/page/gzip-bomb"),
            item(f"{ON_TOPIC} (metadata)", "http://169.254.169.254/latest/meta-data/"),
            item(f"{ON_TOPIC} (private)", "http://10.1.2.3/story"),
            item(f"{ON_TOPIC} (javascript)", "javascript:alert(1)"),
            item(f"{ON_TOPIC} (data)", "data:text/html,<script>alert(1)</script>"),
            item(f"{ON_TOPIC} (file)", "file:///etc/passwd"),
        ]).decode()
        titles = rss([item("Asylum &lt;script&gt;alert('x')&lt;/script&gt; <![CDATA[<img src=x onerror=alert(1)>]]>",
                           "http://h.example/js-title", description="<b>bold</b> refugee <script>evil()</script>")])
        duplicate = rss([item("Asylum story A", "http://h.example/d1", guid="same"),
                         item("Asylum story B", "http://h.example/d2", guid="same")])
        future = rss([item("Asylum story from the future", "http://h.example/future",
                           date="Fri, 31 Dec 9999 23:59:59 GMT")])
        huge_title = rss([item("Asylum " + "border " * 300_000, "http://h.example/huge-title")])
        json_feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
            {"id": "j1", "url": "http://h.example/json-1", "title": ON_TOPIC, "content_text": "Refugees.",
             "date_published": "2026-11-28T09:00:00Z"}]}).encode()

        async def hostile_links_feed(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, 200, hostile_links.replace("{base}", self.url).encode(),
                            {"Content-Type": "application/rss+xml"})

        r.update({
            "/feed/trickle": trickle, "/feed/stall-headers": stall_headers, "/feed/stall-body": stall_after_headers,
            "/feed/endless-chunked": endless_chunked, "/feed/huge-no-length": huge_no_length,
            "/feed/huge-with-length": huge_with_length,
            "/feed/gzip-bomb": bomb(self.gzip_bomb, "gzip"), "/feed/deflate-bomb": bomb(self.deflate_bomb, "deflate"),
            "/feed/bad-gzip": bomb(b"\x1f\x8bthis is not gzip", "gzip"), "/feed/brotli": bomb(b"xxxx", "br"),
            "/feed/xxe-file": self.feed(xxe_file), "/feed/xxe-url": self.feed(xxe_url),
            "/feed/billion-laughs": self.feed(billion), "/feed/deep-nesting": self.feed(deep),
            "/feed/latin1-declared-utf8-sent": self.feed(latin_declared.decode("utf-8").encode("utf-8")),
            "/feed/charset-header-lies": self.feed(rss([item(ON_TOPIC, "http://h.example/lie")]),
                                                   "application/rss+xml; charset=utf-16"),
            "/feed/bom-utf8": self.feed(b"\xef\xbb\xbf" + rss([item(ON_TOPIC, "http://h.example/bom8")])),
            "/feed/bom-utf16": self.feed(rss([item(ON_TOPIC, "http://h.example/bom16")],
                                             prolog='<?xml version="1.0" encoding="utf-16"?>')
                                         .decode().encode("utf-16")),
            "/feed/broken-utf8": self.feed(broken_utf8),
            "/feed/binary": self.feed(bytes(range(256)) * 40, "application/octet-stream"),
            "/feed/empty": self.feed(b""), "/feed/whitespace": self.feed(b"   \n\t  "),
            "/feed/html": self.feed(b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body>hi</body></html>",
                                    "text/html"),
            "/feed/json": self.feed(json_feed, "application/feed+json"),
            "/feed/etc-passwd": self.feed(b"/etc/passwd", "text/plain"),
            "/feed/dev-zero": self.feed(b"/dev/zero", "text/plain"),
            "/redirect/loop-a": loop_a, "/redirect/loop-b": loop_b,
            "/redirect/file": self.redirect("file:///etc/passwd"),
            "/redirect/loopback": self.redirect("http://127.0.0.2:9/feed"),
            "/redirect/private": self.redirect("http://10.0.0.1/feed"),
            "/redirect/link-local": self.redirect("http://169.254.169.254/latest/meta-data/"),
            "/redirect/ipv6-loopback": self.redirect("http://[::1]:9/feed"),
            "/redirect/no-location": self.redirect(None),
            "/status/401": self.status(401), "/status/403": self.status(403), "/status/404": self.status(404),
            "/status/410": self.status(410), "/status/500": self.status(500),
            "/status/429": self.status(429, {"Retry-After": "120"}),
            "/status/503": self.status(503, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}),
            "/feed/reset": reset, "/feed/tls-garbage": tls_garbage,
            "/feed/many-items": self.feed(many), "/feed/hostile-links": hostile_links_feed,
            "/page/trickle": trickle, "/page/gzip-bomb": bomb(self.gzip_bomb, "gzip"),
            "/feed/html-titles": self.feed(titles), "/feed/duplicate-guids": self.feed(duplicate),
            "/feed/future-date": self.feed(future), "/feed/huge-title": self.feed(huge_title),
        })
        gz = gzip.compress(rss([item(ON_TOPIC + " (gzipped)", "http://h.example/gz")]))
        r["/feed/gzip-ok"] = bomb(gz, "gzip")
        self._define_round_two()

    def _define_round_two(self) -> None:
        """Hardening, round two: numbers out of range, host spellings that normalise to refused addresses,
        text that costs quadratic matching."""
        r = self.routes
        r["/feed/bad-port-links"] = self.feed(rss([
            item(f"{ON_TOPIC} (port 99999)", "http://h.example:99999/story"),
            item(f"{ON_TOPIC} (broken IPv6)", "http://[::1/story"),
            item(f"{ON_TOPIC} (port ok)", "http://h.example/port-ok")]))
        r["/redirect/broken-ipv6"] = self.redirect("http://[::1/feed")
        r["/redirect/bad-port"] = self.redirect("http://127.0.0.1:70000/feed")
        r["/status/429-huge"] = self.status(429, {"Retry-After": "99999999999999999999"})
        r["/feed/huge-ttl"] = self.feed(rss([item(ON_TOPIC + " (ttl)", "http://h.example/ttl")],
                                            extra_channel=f"<ttl>{'9' * 400}</ttl>"))

        async def huge_max_age(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, 200, rss([item(ON_TOPIC + " (max-age)", "http://h.example/max-age")]),
                            {"Content-Type": "application/rss+xml", "Cache-Control": "max-age=999999999999999"})

        r["/feed/huge-max-age"] = huge_max_age
        r["/redirect/fullwidth-metadata"] = self.redirect("http://\uff11\uff16\uff19.254.169.254/latest/")
        spelt = [("full-width loopback", "http://\uff11\uff12\uff17.\uff10.\uff10.\uff12:{port}/page/good-0"),
                 ("ideographic dots", "http://127\u30020\u30020\u30022:{port}/page/good-0"),
                 ("full-width metadata", "http://\uff11\uff16\uff19.\uff12\uff15\uff14.169.254/latest/meta-data/"),
                 ("mapped IPv6", "http://[::ffff:169.254.169.254]/latest/meta-data/"),
                 ("trailing dot", "http://10.0.0.1./story")]

        async def spelt_links(writer: Writer, _: dict[str, str]) -> None:
            items = [item(f"{ON_TOPIC} (spelt: {what})", url.format(port=self.port)) for what, url in spelt]
            await self.send(writer, 200, rss(items), {"Content-Type": "application/rss+xml; charset=utf-8"})

        r["/feed/spelt-links"] = spelt_links
        bomb_page = ("<html><head><title>Border</title></head><body><article><p>"
                     + "border cross " * 16_000 + "</p></article></body></html>").encode()

        async def proximity_feed(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, 200, rss([item(f"{ON_TOPIC} (proximity bomb)", f"{self.url}/page/proximity-bomb")]),
                            {"Content-Type": "application/rss+xml"})

        r["/feed/proximity-bomb"] = proximity_feed

        async def stuck_feed(writer: Writer, _: dict[str, str]) -> None:
            await self.send(writer, 200, rss([item(f"{ON_TOPIC} (stuck page)", f"{self.url}/page/stuck")]),
                            {"Content-Type": "application/rss+xml"})

        r["/feed/stuck-page"] = stuck_feed
        r["/page/stuck"] = r["/page/good-0"]  # a good page: the test makes its extraction hang
        r["/page/stuck-2"] = r["/page/good-1"]

        async def stuck_then_slow(writer: Writer, _: dict[str, str]) -> None:  # both workers stuck, then pages
            items = [item(f"{ON_TOPIC} (stuck page {n})", f"{self.url}/page/stuck{n}") for n in ("", "-2")]
            items += [item(f"{ON_TOPIC} (after the stuck pages {n})", f"{self.url}/page/slow-{n}") for n in range(3)]
            await self.send(writer, 200, rss(items), {"Content-Type": "application/rss+xml"})

        r["/feed/stuck-then-slow"] = stuck_then_slow
        r["/page/proximity-bomb"] = self.feed(bomb_page, "text/html; charset=utf-8")
