"""The feed-health app as Airflow mounts it: every route it serves is behind the login it is given."""

from urllib.parse import parse_qs, quote, unquote, urlsplit

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
    for path in ("/", "/api/feeds", "/api/cluster", "/feedback", "/feedback/report", "/api/feedback",
                 "/kibana/run_id/manual__1"):
        assert client.get(f"/newswatch{path}").status_code == 401
    # FastAPI's documentation routes are not guarded by the app's dependencies: they must not exist
    for path in ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"):
        answer = client.get(f"/newswatch{path}")
        assert answer.status_code == 404 and "/api/feeds" not in answer.text, path


def test_a_browser_logged_out_is_sent_to_the_login_and_back(settings):
    """An analyst logged out who opened a feedback link from a mail read Airflow's JSON 401."""
    airflow = FastAPI()
    airflow.mount("/newswatch", create_app(settings, dependencies=[Depends(refuse)],
                                           login_url=lambda back: "/auth/login?next=" + quote(back, safe="")))
    client = TestClient(airflow)
    link = "/newswatch/feedback?story=s1&verdict=irrelevant"
    page = client.get(link, headers={"Accept": "text/html,application/xhtml+xml"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/auth/login?next=" + quote(link, safe="")
    assert client.get(link, follow_redirects=False).status_code == 401  # an API client keeps its 401
    # Confirm pressed after the session ran out: back to the confirm page it was pressed on, once logged in
    posted = client.post("/newswatch/feedback", headers={"Accept": "text/html", "Referer": f"http://testserver{link}"},
                         data={"story": "s1"}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == "/auth/login?next=" + quote(link, safe="")
    proxied = client.post("/newswatch/feedback", headers={"Accept": "text/html", "Referer": f"https://news.example.org{link}"},
                          follow_redirects=False)  # a proxy rewrote the Host the app sees: only the path is used
    assert proxied.status_code == 303 and proxied.headers["location"] == "/auth/login?next=" + quote(link, safe="")
    for referer in ("", "//evil.example/x", "http://testserver/newswatch/", "http://evil.example/newswatch/other"):
        assert client.post("/newswatch/feedback", headers={"Accept": "text/html", "Referer": referer},
                           follow_redirects=False).status_code == 401  # no page of this route to go back to


def test_the_first_requests_together_open_one_store(settings, store):
    """Two first requests ran `current()` at once on the thread pool: each opened a client, one never closed."""
    import threading
    import time

    opened = []

    def slow_open(conf):
        opened.append(conf)
        time.sleep(0.5)  # as a real open, which waits on the cluster's health
        return store

    airflow = FastAPI()
    airflow.mount("/newswatch", create_app(settings, store_factory=slow_open))
    client = TestClient(airflow)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(client.get("/newswatch/api/cluster").status_code))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200, 200, 200] and len(opened) == 1


def test_a_runs_stories_link_carries_a_scheduled_run_id_to_kibana_intact(settings):
    """Airflow's UI fills `{RUN_ID}` into a view's link client-side, unencoded in earlier Airflow 3 releases: inside
    Kibana's own link the `+` of `scheduled__…+00:00` was read as a space, and the filter matched no story."""
    run_id = "scheduled__2026-11-28T00:00:00+00:00"
    settings = settings.replace(kibana_url="http://kibana.example:5601")
    airflow = FastAPI()
    airflow.mount("/newswatch", create_app(settings))
    client = TestClient(airflow)
    for filled in (run_id, quote(run_id, safe="")):  # as an earlier UI fills it in, and as 3.3.2's encodes it
        answer = client.get(f"/newswatch/kibana/run_id/{filled}", follow_redirects=False)
        assert answer.status_code == 303, filled
        link = urlsplit(answer.headers["location"])
        assert (link.scheme, link.netloc, link.path) == ("http", "kibana.example:5601", "/app/discover")
        assert "+" not in link.fragment  # Kibana's query-string parser reads a raw `+` as a space
        app_state = parse_qs(urlsplit(link.fragment).query)["_a"][0]  # decoded as Kibana decodes it
        assert f"query:'run_id:\"{run_id}\"'" in app_state, filled
        assert f"dataViewId:'{settings.index_prefix}-stories'" in unquote(app_state)
