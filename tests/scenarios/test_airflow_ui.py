"""What an operator sees, in a real browser: `airflow standalone` runs `newswatch_poll` (triggered
through the REST API, its shards named by their feeds), and headless Chromium logs in, opens the
run's grid and the Newswatch view, and checks the feed-health table.

Screenshots: test-artifacts/airflow-dag.png (the grid with the run), airflow-shards.png and
airflow-newswatch-view.png."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.ingest.poll import poll_feeds
from pipeline.local.es_node import free_port
from pipeline.local.replay import REPLAY_DIR
from pipeline.settings import PROJECT_ROOT
from tests.scenarios.browser import ARTIFACTS, logged_in
from tests.support import replay_settings

pytestmark = pytest.mark.slow  # see pyproject's markers: `scripts/test.sh --fast` leaves these out

PASSWORD = "newswatch-ui-test"


@pytest.fixture
def standalone(tmp_path, es_url, prefix):
    port = free_port()
    home = tmp_path / "airflow"
    home.mkdir()
    (home / "passwords.json").write_text(json.dumps({"operator": PASSWORD}))
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
           "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"), "AIRFLOW__API__PORT": str(port),
           "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
           "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "operator:admin",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
           "NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay",
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    log = open(tmp_path / "standalone.log", "wb")
    process = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                if httpx.get(f"{url}/api/v2/version", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"airflow standalone did not come up: {(tmp_path / 'standalone.log').read_text()[-3000:]}")
            time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_operator_sees_the_dag_and_feed_health(standalone, store, settings, web, tmp_path):
    from playwright.sync_api import sync_playwright

    feeds = tmp_path / "feeds.yaml"
    feeds.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    polled = replay_settings(settings, web.url, feeds)
    poll_feeds(store, polled, ["replay-canada", "replay-not-a-feed"], run_id="ui-1")
    poll_feeds(store, polled, ["replay-not-a-feed"], run_id="ui-2")

    # the plugin's routes are Airflow's to guard: nobody gets the feed list without logging in
    for path in ("/newswatch/", "/newswatch/api/feeds"):
        anonymous = httpx.get(f"{standalone}{path}", timeout=30)
        assert anonymous.status_code in (401, 403) and "replay-not-a-feed" not in anonymous.text
    forged = httpx.get(f"{standalone}/newswatch/api/feeds", headers={"Authorization": "Bearer forged"}, timeout=30)
    assert forged.status_code in (401, 403)
    for path in ("/newswatch/docs", "/newswatch/redoc", "/newswatch/openapi.json"):  # no unguarded API docs
        docs = httpx.get(f"{standalone}{path}", timeout=30)
        assert docs.status_code in (401, 403, 404) and "/api/feeds" not in docs.text, (path, docs.status_code)

    # a real run through the REST API: the scheduler runs the mapped shards, named by their feeds
    token = httpx.post(f"{standalone}/auth/token", json={"username": "operator", "password": PASSWORD},
                       timeout=30).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 120
    while httpx.get(f"{standalone}/api/v2/dags/newswatch_poll", headers=auth, timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "newswatch_poll was not parsed"
        time.sleep(1)
    httpx.patch(f"{standalone}/api/v2/dags/newswatch_poll", headers=auth, json={"is_paused": False}, timeout=30)
    # poll_now off: the feeds that are due, not every feed (a run from the UI form polls all: test_airflow_command)
    run = httpx.post(f"{standalone}/api/v2/dags/newswatch_poll/dagRuns", headers=auth,
                     json={"logical_date": None, "conf": {"poll_now": False}}, timeout=30).json()
    run_id, state = run["dag_run_id"], run["state"]
    deadline = time.monotonic() + 300
    while state not in ("success", "failed"):
        assert time.monotonic() < deadline, f"the run is still {state}"
        time.sleep(2)
        state = httpx.get(f"{standalone}/api/v2/dags/newswatch_poll/dagRuns/{run_id}", headers=auth,
                          timeout=30).json()["state"]
    assert state == "success"
    tis = httpx.get(f"{standalone}/api/v2/dags/newswatch_poll/dagRuns/{run_id}/taskInstances", headers=auth,
                    timeout=30).json()["task_instances"]
    [shard] = [t for t in tis if t["task_id"] == "poll_shard"]
    name = shard["rendered_map_index"]  # the shard named by its feeds (the five not polled above), not "0"
    assert name == "replay-quebec +4"

    with sync_playwright() as p:
        browser, page = logged_in(p, standalone, "operator", PASSWORD, timeout_ms=30_000)

        page.goto(f"{standalone}/dags/newswatch_poll/runs/{run_id}/tasks/poll_shard/mapped")
        page.get_by_text(name).first.wait_for(timeout=60_000)  # the shard, by name
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / "airflow-shards.png"), full_page=True)
        page.goto(f"{standalone}/dags/newswatch_poll/runs/{run_id}")
        page.get_by_text("summarize").first.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / "airflow-dag.png"), full_page=True)

        page.goto(f"{standalone}/plugin/newswatch")
        frame = page.frame_locator("iframe")
        failing = frame.locator("tr[data-feed='replay-not-a-feed']")
        failing.wait_for(timeout=30_000)
        assert failing.locator("td.status").inner_text() == "failing"
        assert "an HTML page was served where a feed was expected" in failing.inner_text()
        ok = frame.locator("tr[data-feed='replay-canada'] td.status")
        assert ok.inner_text() == "ok"
        assert frame.locator("tr[data-feed='replay-quebec'] td.status").inner_text() == "ok"  # polled by the run
        page.screenshot(path=str(ARTIFACTS / "airflow-newswatch-view.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "airflow-newswatch-view.png").stat().st_size > 10_000
