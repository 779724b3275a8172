"""The analysts' loop end to end: alerts go out with signed links, an analyst logged in to Airflow marks three
stories irrelevant through them (real HTTP to the plugin in a real `airflow api-server`), the weekly DAG
retrains under dag.test() and ships the model only because it is better on held-out items, and the same
three stories no longer match; a forged or replayed link is refused."""

import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
import yaml

from pipeline.alerts.feedback import all_feedback
from pipeline.local.es_node import free_port
from pipeline.settings import PROJECT_ROOT
from tests.ops.test_retrain import REJECTED, feedback_config, matching, rejected_stories

pytestmark = pytest.mark.slow  # see pyproject's markers: `scripts/test.sh --fast` leaves these out

PASSWORD = "newswatch-feedback-test"
SECRET = "feedback-secret-for-the-loop-test"


def start_api_server(tmp_path: Path, port: int, env: dict[str, str]) -> subprocess.Popen:
    (tmp_path / "passwords.json").write_text(json.dumps({"analyst": PASSWORD}))
    env = {**env, "AIRFLOW__API__PORT": str(port), "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "analyst:viewer",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "passwords.json"),
           "PYTHONPATH": str(PROJECT_ROOT), "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    log = open(tmp_path / "api-server.log", "wb")
    process = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "api-server", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 240
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/version", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise RuntimeError(f"api-server did not come up: {(tmp_path / 'api-server.log').read_text()[-3000:]}")
        time.sleep(1)


def test_analysts_teach_the_relevance_model(dagbag, airflow_home, es_url, prefix, tmp_path, webhook):
    config = feedback_config(tmp_path)
    (config / "alerts.yaml").write_text(yaml.safe_dump({"subscriptions": [{
        "name": "desk", "channels": [webhook.url], "since": "2000-01-01T00:00:00Z",
        "rule": {"topics": ["asylum-border"]}}]}))
    port = free_port()
    saved = dict(os.environ)
    os.environ.update({"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_CONFIG_DIR": str(config),
                       "NEWSWATCH_FETCH__ALLOW": "127.0.0.1", "NEWSWATCH_FEEDBACK__SECRET": SECRET,
                       "NEWSWATCH_FEEDBACK__BASE_URL": f"http://127.0.0.1:{port}/newswatch/feedback"})
    server = None
    try:
        from pipeline.alerts.delivery import deliver_immediate
        from pipeline.alerts.records import find_new_alerts
        from pipeline.alerts.subscriptions import configured_subscriptions
        from pipeline.settings import Settings
        from pipeline.store import Store

        settings = Settings.from_env()
        with Store.open(settings) as store:
            store.write_stories(rejected_stories())
            store.refresh("stories")
            subs = configured_subscriptions(settings)
            find_new_alerts(store, subs, settings.alerts)
            report = deliver_immediate(store, subs, settings.alerts, feedback=settings.feedback)
        assert report.sent == 3 and len(webhook.received) == 3, report
        links = [html.unescape(re.search(r'href="([^"]+)">Not relevant', m["message"]).group(1))
                 for m in webhook.received]
        assert all(link.startswith(f"http://127.0.0.1:{port}/newswatch/feedback?") for link in links)

        server = start_api_server(tmp_path, port, dict(os.environ))
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(links[0], timeout=30).status_code == 401  # not logged in: nothing recorded
        browser = httpx.get(links[0], headers={"Accept": "text/html"}, timeout=30)  # a mail's link, logged out:
        login = urljoin(base, browser.headers.get("location", ""))  # Airflow's login, which comes back to the link
        assert browser.status_code == 303 and parse_qs(urlsplit(login).query).get("next") == [
            links[0].removeprefix(base)], browser.headers
        assert httpx.get(login, timeout=30, follow_redirects=True).status_code == 200
        token = httpx.post(f"{base}/auth/token", json={"username": "analyst", "password": PASSWORD},
                           timeout=30).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        def confirm(link: str) -> httpx.Response:  # the landing page's Confirm button: its form, posted
            landing = httpx.get(link, headers=auth, timeout=60)
            assert landing.status_code == 200 and "<form method='post'>" in landing.text, landing.text[-500:]
            fields = dict(re.findall(r"name='([^']+)' value='([^']*)'", landing.text))
            return httpx.post(link.partition("?")[0], data={k: html.unescape(v) for k, v in fields.items()},
                              headers=auth, timeout=60)

        for link in links:
            answer = confirm(link)
            assert answer.status_code == 200 and "marked irrelevant" in answer.text, answer.text[-500:]
        replayed = confirm(links[0])
        assert replayed.status_code == 403 and "already used" in replayed.text
        forged = httpx.get(links[1].replace("verdict=irrelevant", "verdict=relevant"), headers=auth, timeout=30)
        assert forged.status_code == 403 and "signature" in forged.text
        with Store.open(settings) as store:
            assert {f.by for f in all_feedback(store)} == {"analyst"}  # the logged-in Airflow user's verdicts
        shown = httpx.get(f"{base}/newswatch/api/feedback", headers=auth, timeout=30).json()
        assert shown["outlet"] == [{"key": "Example News", "precision": 0.0, "relevant": 0, "irrelevant": 3}]

        assert all(matching(config, t, s) for t, s in REJECTED)
        before = (config / "models" / "asylum-border.json").read_text()
        run = dagbag.dags["newswatch_retrain"].test()
        assert str(run.state).endswith("success")
        model = json.loads((config / "models" / "asylum-border.json").read_text())
        assert model != json.loads(before)
        retrained = model["cross_validation"]["retrained"]
        assert retrained["feedback_items"] == 3
        assert retrained["held_out_errors_after"] < retrained["held_out_errors_before"]
        assert not any(matching(config, t, s) for t, s in REJECTED)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        os.environ.clear()
        os.environ.update(saved)
