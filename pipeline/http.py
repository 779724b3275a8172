"""One polite HTTP client for feeds and pages: timeouts, a size cap, gzip, retries, per-host limits."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from pipeline.settings import FetchSettings


class TooLarge(Exception):
    pass


class ServerError(Exception):
    """A 5xx answer: worth one more try, unlike a 4xx."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"HTTP {status}")


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    elapsed: float


def make_client(settings: FetchSettings) -> httpx.Client:
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    headers = {"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"}
    return httpx.Client(timeout=timeout, headers=headers, follow_redirects=True, max_redirects=5)


class HostLimiter:
    """At most `per_host` requests in flight to one host, however many threads poll."""

    def __init__(self, per_host: int) -> None:
        self._sems: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(per_host))
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            sem = self._sems[host]
        with sem:
            yield


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, (ServerError, httpx.TransportError)) and not isinstance(exc, httpx.UnsupportedProtocol)


def get(client: httpx.Client, url: str, settings: FetchSettings, limiter: HostLimiter,
        headers: dict[str, str] | None = None) -> Fetched:
    """GET with a body cap; 5xx and network errors are retried with backoff, then raised."""
    for prefix, replacement in settings.rewrite:
        if url.startswith(prefix):
            url = replacement + url[len(prefix):]

    @retry(retry=retry_if_exception(_retryable), stop=stop_after_attempt(settings.retries + 1),
           wait=wait_exponential(multiplier=0.5, max=8), reraise=True)
    def attempt() -> Fetched:
        started = time.monotonic()
        with limiter.slot(url), client.stream("GET", url, headers=headers or {}) as resp:
            length = resp.headers.get("content-length")
            if length and length.isdigit() and int(length) > settings.max_body_bytes:
                raise TooLarge(f"Content-Length {length} exceeds {settings.max_body_bytes} bytes")
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > settings.max_body_bytes:
                    raise TooLarge(f"body exceeds {settings.max_body_bytes} bytes")
                chunks.append(chunk)
            if resp.status_code >= 500:
                raise ServerError(resp.status_code)
            return Fetched(str(resp.url), resp.status_code, resp.headers, b"".join(chunks),
                           time.monotonic() - started)

    return attempt()
