"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from pipeline.settings import Settings
from pipeline.store import Store


def replay_settings(settings: Settings, web_url: str, feeds_file: Path | None = None, **fetch: object) -> Settings:
    """Settings that reach the bundled replay feeds through the test's local server."""
    from pipeline.local.replay import REPLAY_BASE, REPLAY_DIR
    from pipeline.settings import FetchSettings

    return settings.replace(feeds_file=feeds_file or REPLAY_DIR / "feeds.yaml",
                            fetch=FetchSettings(**{"retries": 0, "rewrite": ((REPLAY_BASE, web_url),),
                                                   "allow": ("127.0.0.1",), **fetch}))


def write_feeds(tmp_path: Path, feeds: dict[str, str]) -> Path:
    """A feeds.yaml of `id → url` (outlet named after the id, English, Canada), as a test's pass reads it."""
    rows = [{"id": fid, "url": url, "outlet": fid, "language": "en", "country": "CA"} for fid, url in feeds.items()]
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump({"feeds": rows}))
    return path


@contextmanager
def replay_index(es_url: str, web_url: str, prefix: str, feeds: list[str] | None = None) -> Iterator[Store]:
    """A store under `prefix` holding the replay feeds' stories (all, or `feeds`), polled and enriched once as
    production does; made anew on entry (a failed run may have left it) and dropped on exit."""
    from pipeline.ingest.poll import due_feeds, poll_feeds
    from pipeline.nlp.enrich import enrich_stories

    settings = replay_settings(Settings(es_url=es_url, index_prefix=prefix, source="live"), web_url)
    with Store.open(settings, ensure=False) as store:
        store.drop()
        store.ensure()
        poll_feeds(store, settings, feeds or due_feeds(store, settings, force=True), run_id=prefix)
        enrich_stories(store, settings)
        yield store
        store.drop()


@contextmanager
def answers_lost(client: object, method: str, path_part: str, lost: int = 1) -> Iterator[list[str]]:
    """The node applies a request but its answer never comes (a timeout): the client, with `retry_on_timeout`,
    sends it again, as `StoreClient.connect` sets it. The first `lost` answers of requests whose method and
    path match are lost; yields the paths that were."""
    from elastic_transport import ConnectionTimeout

    seen: list[str] = []
    nodes = client.transport.node_pool.all()  # type: ignore[attr-defined]
    real = {id(node): node.perform_request for node in nodes}

    def lose(node: object) -> object:
        def perform(method_: str, target: str, *args: object, **kwargs: object) -> object:
            answer = real[id(node)](method_, target, *args, **kwargs)  # applied by the node
            if method_ == method and path_part in target and len(seen) < lost:
                seen.append(target)
                raise ConnectionTimeout("the answer was lost")
            return answer
        return perform

    for node in nodes:
        node.perform_request = lose(node)  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        for node in nodes:
            del node.perform_request  # the class's own again
