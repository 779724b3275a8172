"""Newswatch in the Airflow UI: feed health, and links from runs to their stories in Kibana.

The feed-health page is a small FastAPI app mounted by Airflow's api-server and shown as a
"Newswatch" view in the navigation; it reads per-feed state from Elasticsearch through `pipeline`.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from pipeline.health_app import create_app
from pipeline.links import discover_stories_url
from pipeline.settings import Settings

settings = Settings.from_env()
app = create_app(settings)


class NewswatchPlugin(AirflowPlugin):
    name = "newswatch"
    fastapi_apps = [{"app": app, "url_prefix": "/newswatch", "name": "Newswatch feed health"}]
    external_views = [
        {"name": "Newswatch", "href": "/newswatch/", "url_route": "newswatch", "destination": "nav",
         "category": "browse"},
        {"name": "Kibana: asylum & border stories", "href": discover_stories_url(settings.kibana_url),
         "destination": "nav", "category": "browse"},
        {"name": "Stories of this run (Kibana)", "href": discover_stories_url(settings.kibana_url, "{RUN_ID}"),
         "destination": "dag_run"},
    ]
