"""The feedback routes of the Airflow plugin's app: where a signed link from an alert lands, and the
feedback precision per rule term and per outlet.

The app is mounted behind Airflow's login (`plugins/newswatch_plugin.py`), so a link only counts when an
Airflow user opens it, and the verdict is that user's (a desk's shared alert is judged by each analyst who
opens it, once each); the link itself says which story, verdict, topic and subscriber, and is refused
when forged, altered, expired or already used by that user (`pipeline.alerts.signing`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from pipeline.alerts.feedback import UnknownStory, all_feedback, latest_verdicts, precision_by, record_link_feedback
from pipeline.alerts.rendering import render
from pipeline.alerts.signing import FeedbackLinkError, verify_link
from pipeline.errors import StoreError
from pipeline.redact import redact
from pipeline.settings import Settings
from pipeline.store import Store


def _page(store: Store, message: str = "", kind: str = "ok", status: int = 200) -> HTMLResponse:
    feedback = all_feedback(store)
    tables = [(by, precision_by(feedback, by)) for by in ("rule", "outlet")]
    return HTMLResponse(render("feedback.html", message=message, kind=kind, tables=tables,
                               verdicts=len(latest_verdicts(feedback))), status_code=status)


def _message(message: str, status: int, kind: str = "error") -> HTMLResponse:
    """A page with a message and no report: a refused link costs no read of every verdict."""
    return HTMLResponse(render("feedback.html", message=message, kind=kind, tables=[], verdicts=None),
                        status_code=status)


def _cross_site(request: Request) -> str | None:
    """Why a confirmation is refused as coming from another site, as the browser says (`Sec-Fetch-Site`; the
    `Origin` is not compared: behind a proxy the public host is not the one the app sees), or None. Besides,
    Airflow's login cookie is SameSite=Lax: a cross-site POST does not carry it."""
    if request.headers.get("sec-fetch-site", "") in ("cross-site", "same-site"):
        return "refused: a verdict is confirmed on this page, not sent from another site"
    return None


def add_feedback_routes(app: FastAPI, current: Callable[[], tuple[Settings, Store]]) -> None:
    """`/feedback` (a signed link lands here), `/feedback/report` and `/api/feedback`."""

    @app.exception_handler(StoreError)
    def store_down(request: Request, exc: StoreError) -> Response:
        """Elasticsearch unreachable: say so (503), never a bare 500; a link's verdict was not stored, and the
        link stays good until it expires, so the analyst can open it again."""
        message = redact(str(exc))
        if request.url.path.removeprefix(request.scope.get("root_path", "")).startswith("/api/"):  # mounted: /newswatch/api/…
            return JSONResponse({"error": message}, status_code=503)
        return HTMLResponse(render("health_error.html", message=message), status_code=503)

    @app.get("/feedback", response_class=HTMLResponse)
    def feedback_link(request: Request) -> HTMLResponse:
        """Where a signed link lands: the verdict it carries, to confirm. A GET records nothing: Airflow's login
        cookie rides along on a top-level GET from any site, so a page elsewhere could make an analyst's
        browser open a link it got hold of and vote in their name (a cross-site POST carries no such cookie)."""
        conf, store = current()
        secret = conf.feedback.secret
        if secret is None:
            return HTMLResponse("feedback links are not configured (NEWSWATCH_FEEDBACK__SECRET)", status_code=503)
        params = dict(request.query_params)
        try:
            claim = verify_link(params, secret.get_secret_value(), store.now())
        except FeedbackLinkError as exc:
            return _message(str(exc), 403)
        # no frame of another origin: a page on a sibling host (same site, so the login cookie rides along)
        # could frame the button and have the analyst click it; Airflow frames its plugins from its own origin
        return HTMLResponse(render("feedback_confirm.html", claim=claim, params=sorted(params.items())),
                            headers={"Content-Security-Policy": "frame-ancestors 'self'", "X-Content-Type-Options": "nosniff"})

    @app.post("/feedback", response_class=HTMLResponse)
    async def feedback_confirmed(request: Request) -> HTMLResponse:
        params = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        return await run_in_threadpool(record_confirmed, request, params)  # the store's calls block: not on the loop

    def record_confirmed(request: Request, params: dict[str, str]) -> HTMLResponse:
        conf, store = current()
        secret = conf.feedback.secret
        if secret is None:
            return HTMLResponse("feedback links are not configured (NEWSWATCH_FEEDBACK__SECRET)", status_code=503)
        if refused := _cross_site(request):
            return _message(refused, 403)
        try:
            claim = verify_link(params, secret.get_secret_value(), store.now())
            doc = record_link_feedback(store, claim, getattr(request.state, "newswatch_user", None))
        except FeedbackLinkError as exc:
            return _message(str(exc), 403)
        except UnknownStory as exc:
            return _message(str(exc), 404)
        thanks = f"Thank you: story {doc.story_id} marked {doc.verdict} for {doc.topic}."
        try:
            return _page(store, thanks)
        except StoreError as exc:  # stored: the link is used; only the report cannot be shown now
            return _message(f"{thanks} (The report cannot be shown now: {redact(str(exc))})", 200, "ok")

    @app.get("/feedback/report", response_class=HTMLResponse)
    def feedback_report() -> HTMLResponse:
        return _page(current()[1])

    @app.get("/api/feedback")
    def feedback_api() -> JSONResponse:
        feedback = all_feedback(current()[1])
        out: dict[str, Any] = {by: [{"key": p.key, "precision": p.precision, "relevant": p.relevant,
                                     "irrelevant": p.irrelevant} for p in precision_by(feedback, by)]
                               for by in ("rule", "outlet")}
        return JSONResponse(out)
