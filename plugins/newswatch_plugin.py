"""Newswatch in the Airflow UI: feed health under the Elasticsearch cluster's health, and links from runs to their
stories in Kibana.

The feed-health page is a small FastAPI app mounted by Airflow's api-server and shown as a
"Newswatch" view in the navigation; it reads per-feed state from Elasticsearch through `pipeline`.
Airflow does not authenticate the apps plugins mount, so every route requires a logged-in Airflow
user here (the same JWT cookie or bearer token the rest of the UI and API use).
"""

from __future__ import annotations

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
from airflow.api_fastapi.core_api.security import GetUserDep, requires_access_view
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, Request

from pipeline.ops.health_app import create_app
from pipeline.ops.kibana import EVENTS_DASHBOARD
from pipeline.ops.links import dashboard_url, discover_stories_url
from pipeline.settings import Settings

settings = Settings.from_env()


def remember_user(request: Request, user: GetUserDep) -> None:
    """Who opened the page: a verdict is that analyst's, not the subscription's the link was sent to."""
    request.state.newswatch_user = user.get_name()


def login_url(next_url: str) -> str:
    """Airflow's login page, which comes back to `next_url` once the analyst is in."""
    return get_auth_manager().get_url_login(next_url=next_url)


app = create_app(settings, dependencies=[Depends(requires_access_view(AccessView.WEBSITE)), Depends(remember_user)],
                 login_url=login_url)


class NewswatchPlugin(AirflowPlugin):
    name = "newswatch"
    fastapi_apps = [{"app": app, "url_prefix": "/newswatch", "name": "Newswatch feed health"}]
    external_views = [
        {"name": "Newswatch", "href": "/newswatch/", "url_route": "newswatch", "destination": "nav",
         "category": "browse"},
        {"name": "Kibana: asylum & border stories", "href": discover_stories_url(settings.kibana_url, prefix=settings.index_prefix),
         "destination": "nav", "category": "browse"},
        {"name": "Kibana: events and surges", "href": dashboard_url(settings.kibana_url, EVENTS_DASHBOARD, settings.index_prefix),
         "destination": "nav", "category": "browse"},
        # through the app: earlier Airflow 3 UIs fill `{RUN_ID}` in unencoded (3.3.2's encodes it), and inside Kibana's
        # own link the `+` of a scheduled run's id read as a space (the app's route builds the link from the id itself)
        {"name": "Stories of this run (Kibana)", "href": "/newswatch/kibana/run_id/{RUN_ID}", "destination": "dag_run"},
    ]
