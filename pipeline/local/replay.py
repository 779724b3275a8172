"""Serve captured feeds and pages from 127.0.0.1, for the offline demo run and for the tests.

The bundled feeds and their links use the host `replay.newswatch.invalid`, which never resolves;
the HTTP client rewrites it to the running server, so story ids stay the same from run to run
whatever port the server gets.
Paths under /status/NNN answer with that HTTP status and /slow/ waits, so tests can exercise
failures against a real server.
"""

from __future__ import annotations

import mimetypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pipeline.settings import PROJECT_ROOT, REPLAY_FEEDS, Settings

REPLAY_DIR = PROJECT_ROOT / "replay"
REPLAY_BASE = "http://replay.newswatch.invalid"
TYPES = {".xml": "application/rss+xml", ".rss": "application/rss+xml", ".atom": "application/atom+xml",
         ".html": "text/html; charset=utf-8", ".json": "application/json"}


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, *args: Any, roots: list[Path], **kwargs: Any) -> None:
        self.roots = roots
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path.startswith("/status/"):
            code = int(path.split("/")[2])
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.startswith("/slow/"):
            time.sleep(float(path.split("/")[2]))
            path = "/" + "/".join(path.split("/")[3:])
        file = self._find(path.lstrip("/"))
        if file is None:
            self.send_error(404)
            return
        body = file.read_bytes()
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or
                         "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def _find(self, rel: str) -> Path | None:
        for root in self.roots:
            candidate = (root / rel).resolve()
            if candidate.is_file() and root.resolve() in candidate.parents:
                return candidate
        return None


class ReplayServer:
    """A real HTTP server on a free loopback port; `url` is its base. `host` may be any 127.x address, so
    one machine can play several feed hosts."""

    def __init__(self, *roots: Path, host: str = "127.0.0.1") -> None:
        handler = partial(_Handler, roots=list(roots) or [REPLAY_DIR])
        self._server = ThreadingHTTPServer((host, 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def replay_settings(settings: Settings) -> Iterator[Settings]:
    """Settings pointed at the bundled replay, served from a server started here for as long as they are used."""
    with ReplayServer(REPLAY_DIR) as server:
        fetch = settings.fetch.model_copy(update={"rewrite": ((REPLAY_BASE, server.url), *settings.fetch.rewrite),
                                                  "allow": (*settings.fetch.allow, "127.0.0.1")})
        yield settings.replace(feeds_file=REPLAY_FEEDS, fetch=fetch, source="replay")
