"""A burst injected into a replayed stream: how soon the surge alert reaches a real SMTP server, and that a re-run
sends nothing twice.

The real BBC/CNN/Guardian stream of 2022 (../shared/data/stream-2022-jan-apr.jsonl) is replayed as RSS feeds on
127.0.0.1, re-timed so that its last day ends now: four weeks of history first (one pass a week, as the index
would have seen them), then the burst: the day of the UK–Rwanda asylum plan (14 April 2022, reported by every
outlet) appears in the feeds at once. Each pass runs the live path in order, as the DAGs do: poll → enrich →
events and surges → alerts (find, deliver). A subscription asks for surges of the topic; the alert goes to an
aiosmtpd server. Printed: when the burst appeared, when the surge was raised, when the alert arrived, the delay
against the budget (one poll interval, 5 minutes, plus 60 s), and the alerts sent by a re-run of the burst pass.

    .venv/bin/python scripts/bench_surge_alert.py [--es-url URL] [--save-mail DIR]

`--save-mail DIR` writes every email received as DIR/NN.eml (open it in a mail client to see what a subscriber
reads, chart included).
"""

from __future__ import annotations

import argparse
import email
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("NEWSWATCH_SHARED", ROOT.parent / "shared"))
BURST_DAY = "2022-04-14"
HISTORY_DAYS = 28
POLL_INTERVAL = timedelta(minutes=5)  # the poll DAG's schedule


class Site:
    """Feeds and article pages on 127.0.0.1; `publish` replaces what the feeds list."""

    def __init__(self) -> None:
        self.feeds: dict[str, bytes] = {}
        self.pages: dict[str, bytes] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = site.feeds.get(self.path) or site.pages.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/rss+xml" if self.path.startswith("/feeds/") else "text/html")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def publish(self, items: list[dict]) -> None:
        by_outlet: dict[str, list[dict]] = {}
        for item in items:
            by_outlet.setdefault(slug(item["outlet"]), []).append(item)
            self.pages[f"/a/{item['id']}"] = (f"<html><head><title>{escape(item['title'])}</title></head><body><article>"
                                              f"<h1>{escape(item['title'])}</h1><p>{escape(item['summary'])}</p>"
                                              "</article></body></html>").encode()
        self.feeds = {f"/feeds/{outlet}.xml": rss(outlet, rows, self.url) for outlet, rows in by_outlet.items()}


def slug(outlet: str) -> str:
    return outlet.lower().split()[0]


def rss(outlet: str, items: list[dict], base: str) -> bytes:
    entries = "".join(f"<item><title>{escape(i['title'])}</title><link>{base}/a/{i['id']}</link>"
                      f"<guid>{i['id']}</guid><description>{escape(i['summary'])}</description>"
                      f"<pubDate>{format_datetime(i['when'])}</pubDate></item>" for i in items[-500:])
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{outlet}</title>"
            f"<link>{base}</link><description>{outlet}</description>{entries}</channel></rss>").encode()


class Inbox:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from pipeline.local.es_node import free_port

        self.port = free_port()
        self.received: list[tuple[float, email.message.Message]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd)
        self.received.append((time.time(), email.message_from_bytes(envelope.content)))  # type: ignore[attr-defined]
        return "250 OK"


def stream(now: datetime) -> tuple[list[list[dict]], list[dict]]:
    """Weekly history passes and the burst day, re-timed so that the burst day ends now."""
    rows = [json.loads(line) for line in (SHARED / "data" / "stream-2022-jan-apr.jsonl").read_text().splitlines()]
    burst_end = datetime.fromisoformat(f"{BURST_DAY} 23:59:59+00:00")
    shift = now - burst_end
    start = burst_end - timedelta(days=HISTORY_DAYS + 1)
    chosen = []
    for row in rows:
        published = datetime.fromisoformat(row["published"])
        if start <= published <= burst_end:
            chosen.append({**row, "when": published + shift, "day": row["published"][:10]})
    history = [r for r in chosen if r["day"] < BURST_DAY]
    weeks = [[r for r in history if (r["when"] - history[0]["when"]).days // 7 == w] for w in range(5)]
    return [w for w in weeks if w], [r for r in chosen if r["day"] == BURST_DAY]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--es-url", help="an Elasticsearch to use (default: start a local node)")
    parser.add_argument("--save-mail", type=Path, help="write each email received here as NN.eml")
    args = parser.parse_args()
    os.environ["NEWSWATCH_FETCH__ALLOW"] = "127.0.0.1"
    from pipeline.alerts.delivery import deliver_immediate
    from pipeline.alerts.finding import find_alerts
    from pipeline.alerts.subscriptions import load_subscriptions
    from pipeline.events.live import track_events
    from pipeline.ingest.poll import poll_feeds
    from pipeline.local.es_node import start_node
    from pipeline.nlp.enrich import enrich_stories
    from pipeline.settings import FetchSettings, Settings
    from pipeline.store import Store

    node = None if args.es_url else start_node()
    url = args.es_url or node.url  # type: ignore[union-attr]
    site, inbox = Site(), Inbox()
    work = Path(tempfile.mkdtemp(prefix="bench-surge-"))
    try:
        history, burst = stream(datetime.now(UTC).replace(microsecond=0))
        feeds = [{"id": slug(o), "url": f"{site.url}/feeds/{slug(o)}.xml", "outlet": o, "language": "en",
                  "country": "GB"} for o in sorted({r["outlet"] for r in burst})]
        (work / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}))
        config = work / "config"
        config.mkdir()
        (config / "topics.yaml").write_text((ROOT / "config" / "topics.yaml").read_text())
        (config / "alerts.yaml").write_text(yaml.safe_dump({"subscriptions": [{
            "name": "surge-desk", "stories": False, "surges": {"topics": ["asylum-border"]},
            "since": "2000-01-01T00:00:00+00:00",
            "channels": [f"mailto://127.0.0.1:{inbox.port}?mode=insecure&from=newswatch@localhost&to=desk@localhost"]}]}))
        settings = Settings(es_url=url, index_prefix=f"benchsurge{int(time.time())}", source="live",
                            feeds_file=work / "feeds.yaml", config_dir=config,
                            fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
        subs = load_subscriptions(config / "alerts.yaml")
        ids = [f["id"] for f in feeds]

        def one_pass(run_id: str) -> dict[str, float | int]:
            with Store.open(settings) as store:
                polled = poll_feeds(store, settings, ids, run_id=run_id)
                enrich_stories(store, settings)
                placed = track_events(store, settings)
                raised_at = time.time()
                found = find_alerts(store, subs, settings.alerts)
                sent = deliver_immediate(store, subs, settings.alerts)
            return {"indexed": polled.indexed, "placed": placed.placed, "raised": len(placed.raised),
                    "raised_at": raised_at, "alerts": found.created, "sent": sent.sent}

        for number, week in enumerate(history, 1):
            site.publish(week)
            done = one_pass(f"history-{number}")
            print(f"history week {number}: {len(week)} items, {done['indexed']} on-topic stories indexed, "
                  f"{done['placed']} placed, {done['raised']} surges raised, {done['sent']} alerts sent")
        before = len(inbox.received)
        site.publish(burst)
        appeared = time.time()
        done = one_pass("burst")
        deadline = time.time() + 30
        while len(inbox.received) == before and time.time() < deadline:
            time.sleep(0.2)
        arrived = [(t, m) for t, m in inbox.received[before:]]
        print(f"burst day: {len(burst)} items, {done['indexed']} on-topic stories indexed, {done['raised']} surges "
              f"raised {done['raised_at'] - appeared:.1f} s after the burst appeared in the feeds, "
              f"{done['alerts']} alert records, {done['sent']} sent")
        if not arrived:
            print("NO surge alert arrived")
            return 1
        delay = arrived[0][0] - appeared
        budget = POLL_INTERVAL.total_seconds() + 60
        from email.header import decode_header, make_header

        print(f"first surge alert: {str(make_header(decode_header(arrived[0][1]['Subject'])))!r}")
        print(f"delivered {delay:.1f} s after the burst appeared in the feeds; with the wait for the next poll "
              f"(at most {POLL_INTERVAL.total_seconds():.0f} s) at most {delay + POLL_INTERVAL.total_seconds():.1f} s "
              f"(budget: one poll interval + 60 s = {budget:.0f} s): {'OK' if delay <= 60 else 'OVER'}")
        again = one_pass("burst-rerun")
        time.sleep(2)
        print(f"re-run of the burst pass: {again['alerts']} new alert records, {again['sent']} sent, "
              f"{len(inbox.received) - before - len(arrived)} more emails (duplicates: "
              f"{len(inbox.received) - before - len(arrived)})")
        if args.save_mail:
            args.save_mail.mkdir(parents=True, exist_ok=True)
            for number, (_, message) in enumerate(inbox.received, 1):
                (args.save_mail / f"{number:02d}.eml").write_bytes(message.as_bytes())
            print(f"{len(inbox.received)} emails saved in {args.save_mail}")
    finally:
        inbox.controller.stop()
        site.server.shutdown()
        if node:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
