"""Shared fixtures: the real Elasticsearch node and the real local HTTP server.

This is the one place that knows how to start them. The node is started once per session
(or reused from NEWSWATCH_TEST_ES_URL when `.ci/run` or a developer already started one);
each test gets its own index prefix so tests never see each other's documents (a store test may get
a prefix an earlier test used, emptied and exactly as it was made: `tests/index_pool.py`).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT, Settings

SHARED = Path(os.environ.get("NEWSWATCH_SHARED", PROJECT_ROOT.parent / "shared"))
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not DATA.is_dir():
        raise RuntimeError(f"shared test data not found at {DATA}: set NEWSWATCH_SHARED")
    return DATA


@pytest.fixture(scope="session")
def es_url() -> str:
    """A real Elasticsearch 9 node: the one named by NEWSWATCH_TEST_ES_URL, or one started here."""
    url = os.environ.get("NEWSWATCH_TEST_ES_URL")
    if url:
        yield url
        return
    from pipeline.local.es_node import start_node

    node = start_node()
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture
def es(es_url: str):
    """The raw client, for tests that check what the store wrote."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=30)
    yield client
    client.close()


@pytest.fixture(scope="session")
def index_pool(es_url: str):
    """Emptied index sets handed from one store test to the next (`tests/index_pool.py` says when)."""
    from tests.index_pool import IndexPool

    pool = IndexPool(es_url)
    yield pool
    pool.drop_all()


@pytest.fixture
def prefix(request: pytest.FixtureRequest, es_url: str, index_pool) -> str:
    name = (index_pool.take() if "store" in request.fixturenames else None) or f"t{uuid.uuid4().hex[:10]}"
    yield name
    index_pool.give_back(name)  # emptied for the next store test when left as it was made, else dropped


@pytest.fixture
def settings(es_url: str, prefix: str, tmp_path: Path) -> Settings:
    return Settings(es_url=es_url, index_prefix=prefix, source="live")


@pytest.fixture
def store(settings: Settings, index_pool):
    with index_pool.open(settings) as opened:
        yield opened


@pytest.fixture(scope="session")
def web(shared_data: Path):
    """A real HTTP server on 127.0.0.1 serving ../shared/data and the bundled replay."""
    from pipeline.local.replay import REPLAY_DIR, ReplayServer

    with ReplayServer(shared_data, REPLAY_DIR) as server:
        yield server


@pytest.fixture(scope="session")
def english():
    from pipeline.nlp.analyze import load_model

    return load_model("en")


class Webhook:
    """A real HTTP receiver on 127.0.0.1 collecting the JSON bodies posted to it (Apprise json://)."""

    def __init__(self, host: str = "127.0.0.1", redirect_to: str | None = None) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(307 if redirect_to else 200)  # a hop that sends the alert on elsewhere
                if redirect_to:
                    self.send_header("Location", redirect_to)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.http_url = f"http://{host}:{self.server.server_address[1]}/hook"
        self.url = f"json://{host}:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.server.shutdown()
