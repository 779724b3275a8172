"""Measure `newswatch reindex` on the shared test node: N stories, a writer adding and updating stories
throughout, then the figures (passes, copies, seconds, how long writes were held) and the check that every
document is in the new index once.

    NEWSWATCH_TEST_ES_URL=http://127.0.0.1:9200 .venv/bin/python scripts/bench_reindex.py 20000
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.store.documents import Story
from pipeline.store.reindex import reindex

AT = datetime(2026, 11, 20, tzinfo=UTC)


def story(story_id: str, n: int) -> Story:
    return Story(story_id=story_id, url=f"http://example.org/{story_id}", canonical_url=f"http://example.org/{story_id}",
                 feed_id="bench", outlet="Bench", language="en", country="CA", title=f"Story {story_id}",
                 summary="Asylum seekers at the border. " * 20, text="Refugee claimants crossed. " * 200,
                 published=AT + timedelta(seconds=n), ingested=AT + timedelta(seconds=n), run_id="bench")


def main(count: int) -> int:
    settings = Settings(es_url=os.environ.get("NEWSWATCH_TEST_ES_URL", "http://127.0.0.1:9200"),
                        index_prefix=f"bench{uuid.uuid4().hex[:8]}")
    store = Store.open(settings)
    writer_store = Store.open(settings)
    try:
        started = time.monotonic()
        store.write_stories((story(f"seed-{i:06d}", i) for i in range(count)), chunk=500).require("seed")
        print(f"seeded {count} stories in {time.monotonic() - started:.1f} s")
        stop, written, latencies = threading.Event(), [], []

        def write() -> None:
            n = 0
            while not stop.is_set():
                ids = [f"new-{n + i:06d}" for i in range(20)]
                began = time.monotonic()
                writer_store.write_stories([story(i, n) for i in ids], chunk=20).require("new")
                writer_store.update_docs("stories", [(f"seed-{(n * 13 + k) % count:06d}", {"enriched": True})
                                                     for k in range(20)], refresh=False).require("updates")
                latencies.append(time.monotonic() - began)
                written.extend(ids)
                n += 20

        thread = threading.Thread(target=write, daemon=True)
        thread.start()
        time.sleep(1)
        done = reindex(store, "stories")
        time.sleep(1)
        stop.set()
        thread.join()
        store.refresh("stories")
        expected = count + len(written)
        have = store.count("stories")
        print(f"reindex: {done.documents} documents at the swap, {done.copied} copies in {done.passes} passes, "
              f"{done.seconds:.1f} s; writes held {done.blocked_seconds:.2f} s")
        print(f"writer: {len(written)} new stories and as many updates during the move; slowest batch "
              f"{max(latencies):.2f} s, median {sorted(latencies)[len(latencies) // 2]:.3f} s")
        print(f"after: {have} documents, expected {expected}: lost {max(0, expected - have)}, "
              f"duplicated {max(0, have - expected)}")
        return 0 if have == expected else 1
    finally:
        store.drop()
        store.close()
        writer_store.close()


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000))
