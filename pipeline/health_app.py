"""A web page of per-feed health (status, last success, why), mounted in Airflow's UI by the plugin.

It lives in `pipeline` because it needs only the store; `plugins/newswatch_plugin.py` mounts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from pipeline.config import load_feeds
from pipeline.errors import StoreError
from pipeline.feed_health import feed_health
from pipeline.links import discover_stories_url
from pipeline.rendering import render
from pipeline.settings import Settings
from pipeline.sources import feeds_file
from pipeline.store import Store

ORDER = {"failing": 0, "silent": 1, "slow": 2, "new": 3, "ok": 4}


def feed_status(store: Store, settings: Settings) -> list[dict[str, Any]]:
    """One row per configured feed: status (ok, failing, silent, slow, new), why, and new items per day."""
    feeds = load_feeds(feeds_file(settings))
    health = {h.feed_id: h for h in feed_health(store, [f.id for f in feeds], config=settings.health)}
    rows = []
    for feed in feeds:
        h = health[feed.id]
        rows.append({"feed_id": feed.id, "outlet": feed.outlet, "url": feed.url, "status": h.status,
                     "reason": h.reason, "last_success": h.last_success, "last_new_item": h.last_new_item,
                     "consecutive_failures": h.consecutive_failures, "usual_gap_hours": h.usual_gap_hours,
                     "median_latency": h.median_latency, "new_per_day": h.new_per_day})
    return sorted(rows, key=lambda r: (ORDER.get(r["status"], 9), r["feed_id"]))


def render_page(rows: list[dict[str, Any]], kibana_url: str) -> str:
    return render("health.html", rows=rows, kibana=discover_stories_url(kibana_url),
                  generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  count=lambda status: sum(r["status"] == status for r in rows),
                  top=lambda counts: max([n for _, n in counts] + [1]))


def create_app(settings: Settings | None = None, store_factory: Callable[[Settings], Store] | None = None,
               dependencies: Sequence[Any] = ()) -> FastAPI:
    """The app; Elasticsearch is reached on the first request, so importing the plugin never needs it.

    `dependencies` guard every route: the Airflow plugin passes Airflow's own login check, since
    Airflow does not authenticate the apps plugins mount.
    """
    app = FastAPI(title="Newswatch feed health", dependencies=list(dependencies))
    opened: dict[str, Any] = {}

    def current() -> tuple[Settings, Store]:
        if "store" not in opened:
            opened["settings"] = settings or Settings.from_env()
            opened["store"] = (store_factory or Store.open)(opened["settings"])
        return opened["settings"], opened["store"]

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        try:
            conf, store = current()
            return HTMLResponse(render_page(feed_status(store, conf), conf.kibana_url))
        except StoreError as exc:  # say what is wrong instead of a bare 500; the message never holds a password
            return HTMLResponse(render("health_error.html", message=str(exc)), status_code=503)

    @app.get("/api/feeds")
    def feeds() -> JSONResponse:
        try:
            conf, store = current()
            return JSONResponse(feed_status(store, conf))
        except StoreError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)

    return app
