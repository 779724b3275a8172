"""A small web page of per-feed health (status, last success, last error), served by Airflow's api-server.

It lives in `pipeline` because it only needs Elasticsearch; the Airflow plugin mounts it.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from pipeline.index import connect, load_feed_states
from pipeline.links import discover_stories_url
from pipeline.settings import Settings


def feed_status(settings: Settings) -> list[dict]:
    """One row per configured feed: `ok`, `failing` or `never polled`, with the reason."""
    from pipeline.poll import feeds_config
    from pipeline.replay import feed_source

    with feed_source(settings) as current:
        feeds = feeds_config(current)
    states = load_feed_states(connect(settings.es_url), settings.index_prefix, [f.id for f in feeds])
    rows = []
    for feed in feeds:
        state = states.get(feed.id)
        if state is None:
            status = "never polled"
        elif state.consecutive_failures:
            status = "failing"
        else:
            status = "ok"
        rows.append({
            "feed_id": feed.id, "outlet": feed.outlet, "url": feed.url, "status": status,
            "last_success": state.last_success.isoformat() if state and state.last_success else None,
            "last_polled": state.last_polled.isoformat() if state and state.last_polled else None,
            "consecutive_failures": state.consecutive_failures if state else 0,
            "last_error": f"{state.last_error_kind}: {state.last_error}" if state and state.consecutive_failures else None,
            "items_seen": state.items_seen if state else 0,
        })
    return rows


def render(rows: list[dict]) -> str:
    body = "".join(
        f"<tr class='{html.escape(r['status'].replace(' ', '-'))}'><td>{html.escape(r['feed_id'])}</td>"
        f"<td>{html.escape(r['outlet'])}</td><td>{html.escape(r['status'])}</td>"
        f"<td>{html.escape(r['last_success'] or '—')}</td><td>{r['consecutive_failures']}</td>"
        f"<td>{r['items_seen']}</td><td>{html.escape(r['last_error'] or '')}</td></tr>"
        for r in rows)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Newswatch feed health</title><style>"
            "body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;"
            "border-bottom:1px solid #ddd;text-align:left}.failing td{background:#fde2e2}.never-polled td{color:#888}"
            f"</style></head><body><h1>Feed health</h1><p>{len(rows)} feeds · "
            f"{sum(r['status'] == 'failing' for r in rows)} failing · generated {generated} · "
            f"<a href='{html.escape(discover_stories_url())}' target='_blank'>stories in Kibana</a></p>"
            "<table><thead><tr><th>Feed</th><th>Outlet</th><th>Status</th><th>Last success</th>"
            "<th>Failures in a row</th><th>Items seen</th><th>Last error</th></tr></thead>"
            f"<tbody>{body}</tbody></table></body></html>")


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="Newswatch feed health")

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return render(feed_status(settings or Settings.from_env()))

    @app.get("/api/feeds")
    def feeds() -> JSONResponse:
        return JSONResponse(feed_status(settings or Settings.from_env()))

    return app
