"""What an operator sees, in a real browser: headless Chromium logs into `airflow standalone`,
opens the poll DAG and the Newswatch view, and checks the feed-health table.

The screenshot is kept in test-artifacts/airflow-newswatch-view.png."""

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

from pipeline.local.es_node import free_port
from pipeline.local.replay import REPLAY_DIR
from pipeline.poll import poll_feeds
from pipeline.settings import PROJECT_ROOT
from tests.support import replay_settings

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
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

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{standalone}/")
        page.fill("input[name=username]", "operator")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{standalone}/", timeout=30_000)

        page.goto(f"{standalone}/dags/newswatch_poll")
        page.get_by_text("newswatch_poll").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "airflow-dag.png"))

        page.goto(f"{standalone}/plugin/newswatch")
        frame = page.frame_locator("iframe")
        failing = frame.locator("tr[data-feed='replay-not-a-feed']")
        failing.wait_for(timeout=30_000)
        assert failing.locator("td.status").inner_text() == "failing"
        assert "an HTML page was served where a feed was expected" in failing.inner_text()
        ok = frame.locator("tr[data-feed='replay-canada'] td.status")
        assert ok.inner_text() == "ok"
        assert frame.locator("tr[data-feed='replay-quebec'] td.status").inner_text() == "new"
        page.screenshot(path=str(ARTIFACTS / "airflow-newswatch-view.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "airflow-newswatch-view.png").stat().st_size > 10_000
