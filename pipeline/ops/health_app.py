"""A web page of per-feed health (status, last success, why) under the Elasticsearch cluster's health (status,
nodes, unassigned shards, and in plain words whether writes are at risk), mounted in Airflow's UI by the plugin.

It lives in `pipeline` because it needs only the store; `plugins/newswatch_plugin.py` mounts it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from pipeline.alerts.rendering import render
from pipeline.config import load_feeds
from pipeline.errors import StoreError
from pipeline.ops.feed_health import feed_health, production_feeds_file
from pipeline.ops.feedback_app import add_feedback_routes
from pipeline.ops.kibana import EVENTS_DASHBOARD
from pipeline.ops.links import dashboard_url, discover_stories_url
from pipeline.redact import redact, redact_all_query_values
from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.store.cluster_health import ClusterHealth, cluster_health
from pipeline.store.documents import HealthStatus

ORDER: dict[HealthStatus, int] = {"failing": 0, "silent": 1, "slow": 2, "new": 3, "ok": 4}


def feed_status(store: Store, settings: Settings) -> list[dict[str, Any]]:
    """One row per configured feed: status (ok, failing, silent, slow, new), why, when, and where to look.

    The feed's URL is redacted: the page and its API are open to every Airflow user, the feed's
    credentials are not.
    """
    feeds = load_feeds(production_feeds_file(settings))  # what the poll DAG polls, whatever DNS says here
    ids = [f.id for f in feeds]
    health = {h.feed_id: h for h in feed_health(store, ids, config=settings.health)}
    freshness = store.freshness(ids, store.now() - timedelta(days=7))
    rows = []
    for feed in feeds:
        h = health[feed.id]
        fresh = freshness.get(feed.id, {})
        rows.append({**_shown_to_all(asdict(h)), "outlet": feed.outlet, "url": redact_all_query_values(feed.url),
                     "searchable_p50": fresh.get("searchable_delay_p50"),
                     "searchable_p95": fresh.get("searchable_delay_p95"),
                     "kibana": discover_stories_url(settings.kibana_url, feed_id=feed.id, prefix=settings.index_prefix),
                     "run_link": f"/dags/newswatch_poll/runs/{quote(h.last_run_id, safe='')}"
                     if h.last_run_id and AIRFLOW_RUN.match(h.last_run_id) else None})
    return sorted(rows, key=lambda r: (ORDER.get(r["status"], 9), r["feed_id"]))


def _shown_to_all(row: dict[str, Any]) -> dict[str, Any]:
    """The row's texts (a reason or warning can quote a redirect's address) with every unusual query value masked."""
    return {key: redact_all_query_values(value) if isinstance(value, str) and key in ("reason", "warning") else value
            for key, value in row.items()}


# the run ids Airflow gives its DAG runs: only these have a log page; a CLI pass ("manual", "local-…") has none
AIRFLOW_RUN = re.compile(r"^(?:scheduled|manual|asset_triggered|backfill|dataset_triggered)__")


def _when(value: str | None) -> str:
    """An ISO time as `28 Nov 11:20 UTC`: operators compare times across zones, so the zone is shown;
    short, so that three of them and the reason fit one screen (the full time is the cell's tooltip)."""
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%d %b %H:%M UTC")


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    if value < 10:
        return f"{value:.1f} s"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.0f} min"


def render_page(rows: list[dict[str, Any]], kibana_url: str, cluster: ClusterHealth | None = None,
                prefix: str = "newswatch") -> str:
    shown = [{**r, "last_success_shown": _when(r["last_success"]), "last_new_item_shown": _when(r["last_new_item"]),
              "next_due_shown": _when(r["next_due"]),
              "freshness": f"p50 {_seconds(r['searchable_p50'])}, p95 {_seconds(r['searchable_p95'])}"
              if r["searchable_p50"] is not None else "—"} for r in rows]
    return render("health.html", rows=shown, kibana=discover_stories_url(kibana_url, prefix=prefix), cluster=cluster,
                  happening=dashboard_url(kibana_url, EVENTS_DASHBOARD, prefix),
                  generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  count=lambda status: sum(r["status"] == status for r in rows),
                  top=lambda counts: max([n for _, n in counts] + [1]))


def _same_page(request: Request) -> str | None:
    """The page a browser's form was posted from (its Referer, path and query), if it is this very route's. Only
    its path and query are used, so its host need not match (a proxy may rewrite the Host the app sees): the
    redirect never leaves this route."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path != request.url.path:
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def create_app(settings: Settings | None = None, store_factory: Callable[[Settings], Store] | None = None,
               dependencies: Sequence[Any] = (), login_url: Callable[[str], str] | None = None) -> FastAPI:
    """The app; Elasticsearch is reached on the first request, so importing the plugin never needs it.

    `dependencies` guard every route: the Airflow plugin passes Airflow's own login check, since
    Airflow does not authenticate the apps plugins mount. FastAPI's documentation routes (/docs,
    /redoc, /openapi.json) would bypass them, so there are none. `login_url` (the page's own URL → the
    login page that comes back to it): a browser they refuse goes there instead of reading a JSON 401 —
    an analyst logged out who opens a feedback link from a mail.
    """
    app = FastAPI(title="Newswatch feed health", dependencies=list(dependencies), docs_url=None, redoc_url=None,
                  openapi_url=None)
    if login_url is not None:
        to_login = login_url

        @app.exception_handler(HTTPException)
        async def logged_out(request: Request, exc: HTTPException) -> Response:
            if exc.status_code == 401 and "text/html" in request.headers.get("accept", ""):
                # the mount's prefix included; relative: behind a TLS proxy the server sees http://, not the browser's
                back: str | None = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.method == "POST":  # Confirm pressed after the session ran out: back to the page it
                    back = _same_page(request)  # was pressed on, which the form posts to (none: the 401)
                if back:
                    return RedirectResponse(to_login(back), status_code=303)
            return await http_exception_handler(request, exc)  # an API client keeps its 401
    opened: dict[str, Any] = {}
    opening = threading.Lock()  # the first requests arrive together on the thread pool: one client, not one each

    def current() -> tuple[Settings, Store]:
        with opening:
            if "store" not in opened:
                conf = settings or Settings.from_env()
                opened["store"] = (store_factory or Store.open)(conf)
                opened["settings"] = conf
        return opened["settings"], opened["store"]

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        try:
            conf, store = current()
            cluster = cluster_health(store)  # first: when the feeds cannot be read, it says why
            return HTMLResponse(render_page(feed_status(store, conf), conf.kibana_url, cluster, conf.index_prefix))
        except StoreError as exc:  # say what is wrong instead of a bare 500; the message never holds a password
            return HTMLResponse(render("health_error.html", message=redact(str(exc))), status_code=503)

    @app.get("/api/cluster")
    def cluster() -> JSONResponse:
        try:
            _, store = current()
        except StoreError as exc:
            return JSONResponse({"status": "unreachable", "problems": [redact(str(exc))]}, status_code=503)
        health = cluster_health(store)
        return JSONResponse({**asdict(health), "writes_at_risk": health.writes_at_risk},
                            status_code=503 if health.status == "unreachable" else 200)

    @app.get("/api/feeds")
    def feeds() -> JSONResponse:
        try:
            conf, store = current()
            return JSONResponse(feed_status(store, conf))
        except StoreError as exc:
            return JSONResponse({"error": redact(str(exc))}, status_code=503)

    @app.get("/kibana/run_id/{run_id:path}")
    def run_stories(run_id: str) -> RedirectResponse:
        """The plugin's "Stories of this run" link. With `{RUN_ID}` inside Kibana's own URL, the UI filled the id
        in unencoded (earlier Airflow 3 UIs; 3.3.2's percent-encodes it) and the `+` of a scheduled run's id
        (`…T00:00:00+00:00`) reached Kibana's query parser as a space: the filter matched nothing. Here the id
        arrives as a path, raw or encoded (a `+` stays a `+`), and the link is escaped and encoded server-side."""
        conf = settings or Settings.from_env()  # no store: the link must open while Elasticsearch is down
        return RedirectResponse(discover_stories_url(conf.kibana_url, run_id, prefix=conf.index_prefix),
                                status_code=303)

    add_feedback_routes(app, current)
    return app
