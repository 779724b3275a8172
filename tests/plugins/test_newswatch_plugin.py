"""The plugin's links as the Airflow UI opens them."""

import sys
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient

from pipeline.settings import PROJECT_ROOT


def test_a_scheduled_runs_stories_link_reaches_kibana_with_its_run_id(airflow_home):
    """Earlier Airflow 3 UIs fill `{RUN_ID}` into the view's link unencoded: with the placeholder inside Kibana's
    own link, the `+` of `scheduled__…+00:00` reached Kibana's query parser as a space and no story matched."""
    sys.path.insert(0, str(PROJECT_ROOT / "plugins"))
    import newswatch_plugin

    plugin = newswatch_plugin.NewswatchPlugin
    view = next(v for v in plugin.external_views if v["destination"] == "dag_run")
    run_id = "scheduled__2026-11-28T00:00:00+00:00"
    link = view["href"].replace("{RUN_ID}", run_id)  # as such a UI fills it in
    mounted = plugin.fastapi_apps[0]
    if link.startswith(f"{mounted['url_prefix']}/"):  # the plugin's own app: followed as a logged-in user
        app = mounted["app"]
        for guard in app.router.dependencies:  # Airflow's login check, which needs the api-server's auth manager
            app.dependency_overrides[guard.dependency] = lambda: None
        airflow = FastAPI()
        airflow.mount(mounted["url_prefix"], app)
        try:
            answer = TestClient(airflow).get(link, follow_redirects=False)
        finally:
            app.dependency_overrides.clear()
        assert answer.status_code == 303
        link = answer.headers["location"]
    fragment = urlsplit(link).fragment
    assert "+" not in fragment  # Kibana's query-string parser reads a raw `+` as a space
    assert f"run_id:\"{run_id}\"" in parse_qs(urlsplit(fragment).query)["_a"][0]
