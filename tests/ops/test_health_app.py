"""The feed-health app as Airflow mounts it: every route it serves is behind the login it is given."""

from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient

from pipeline.ops.health_app import create_app


def refuse() -> None:
    """Stands in for Airflow's login check: nobody here is logged in."""
    raise HTTPException(status_code=401, detail="not logged in")


def test_no_route_answers_without_the_login(settings):
    airflow = FastAPI()  # the api-server mounts the plugin's app under its prefix
    airflow.mount("/newswatch", create_app(settings, dependencies=[Depends(refuse)]))
    client = TestClient(airflow)
    for path in ("/", "/api/feeds", "/api/cluster", "/feedback", "/feedback/report", "/api/feedback"):
        assert client.get(f"/newswatch{path}").status_code == 401
    # FastAPI's documentation routes are not guarded by the app's dependencies: they must not exist
    for path in ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"):
        answer = client.get(f"/newswatch{path}")
        assert answer.status_code == 404 and "/api/feeds" not in answer.text, path
