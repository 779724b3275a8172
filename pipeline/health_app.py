"""A small web page of per-feed health (status, last success, last error), served by Airflow's api-server.

It lives in `pipeline` because it only needs Elasticsearch; the Airflow plugin mounts it.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from pipeline.index import connect, ensure_indices
from pipeline.links import discover_stories_url
from pipeline.settings import Settings


def feed_status(settings: Settings) -> list[dict]:
    """One row per configured feed: status (ok, failing, silent, slow, new), why, and new items per day."""
    from pipeline.config import load_feeds
    from pipeline.feed_health import feed_health
    from pipeline.replay import feeds_file

    feeds = load_feeds(feeds_file(settings))
    es = connect(settings.es_url)
    ensure_indices(es, settings.index_prefix)
    health = {h.feed_id: h for h in feed_health(es, settings.index_prefix, [f.id for f in feeds])}
    rows = []
    for feed in feeds:
        h = health[feed.id]
        rows.append({"feed_id": feed.id, "outlet": feed.outlet, "url": feed.url, "status": h.status,
                     "reason": h.reason, "last_success": h.last_success, "last_new_item": h.last_new_item,
                     "consecutive_failures": h.consecutive_failures, "usual_gap_hours": h.usual_gap_hours,
                     "median_latency": h.median_latency, "new_per_day": h.new_per_day})
    order = {"failing": 0, "silent": 1, "slow": 2, "new": 3, "ok": 4}
    return sorted(rows, key=lambda r: (order.get(r["status"], 9), r["feed_id"]))


def _sparkline(counts: list[tuple[str, int]]) -> str:
    if not counts:
        return ""
    top = max(n for _, n in counts) or 1
    bars = "".join(f"<span title='{d}: {n}' style='display:inline-block;width:6px;margin-right:1px;"
                   f"height:{2 + 18 * n // top}px;background:#4a7'></span>" for d, n in counts)
    return f"<span style='display:inline-flex;align-items:flex-end;height:20px'>{bars}</span> {sum(n for _, n in counts)}"


def render(rows: list[dict]) -> str:
    e = html.escape
    body = "".join(
        f"<tr class='{e(r['status'])}' data-feed='{e(r['feed_id'])}'><td>{e(r['feed_id'])}</td>"
        f"<td>{e(r['outlet'])}</td><td class='status'>{e(r['status'])}</td>"
        f"<td>{e((r['last_success'] or '—')[:16])}</td><td>{e((r['last_new_item'] or '—')[:16])}</td>"
        f"<td>{_sparkline(r['new_per_day'])}</td><td>{e(r['reason'])}</td></tr>"
        for r in rows)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Newswatch feed health</title><style>"
            "body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;"
            "border-bottom:1px solid #ddd;text-align:left}.failing td{background:#fde2e2}.never-polled td{color:#888}"
            f"</style></head><body><h1>Feed health</h1><p>{len(rows)} feeds · "
            f"{sum(r['status'] == 'failing' for r in rows)} failing · {sum(r['status'] == 'silent' for r in rows)} silent · "
            f"generated {generated} · "
            f"<a href='{html.escape(discover_stories_url())}' target='_blank'>stories in Kibana</a></p>"
            "<table><thead><tr><th>Feed</th><th>Outlet</th><th>Status</th><th>Last success</th>"
            "<th>Last new item</th><th>New items, last 7 days</th><th>Why</th></tr></thead>"
            f"<tbody>{body}</tbody></table></body></html>")


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="Newswatch feed health")

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        current = settings or Settings.from_env()
        try:
            return HTMLResponse(render(feed_status(current)))
        except (ApiError, TransportError) as exc:  # say what is wrong instead of a bare 500
            message = f"Elasticsearch at {current.es_url} did not answer: {type(exc).__name__}: {exc}"
            return HTMLResponse(f"<h1>Feed health</h1><p class='error'>{html.escape(message)}</p>", status_code=503)

    @app.get("/api/feeds")
    def feeds() -> JSONResponse:
        return JSONResponse(feed_status(settings or Settings.from_env()))

    return app
