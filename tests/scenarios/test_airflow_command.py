"""`newswatch airflow --port N` exactly as the README prints it, in a real browser: log in with the password it
prints, trigger `newswatch_poll` from the UI after a local run has already polled every feed, and see the
manual run poll the replay feeds, the stories Asset run enrichment, and enrichment run the alerts DAG.

Screenshots: test-artifacts/airflow-command-trigger.png (the trigger form with "Poll every feed now"),
airflow-command-poll.png (the manual run's grid), airflow-command-enrich.png and airflow-command-alerts.png
(the Asset-triggered runs)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.local.es_node import free_port
from pipeline.settings import PROJECT_ROOT
from tests.scenarios.browser import ARTIFACTS, logged_in

pytestmark = pytest.mark.slow

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")


def readme_command() -> list[str]:
    """The command line the README prints for the local Airflow."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    line = re.search(r"^(\.venv/bin/newswatch airflow --port \d+)", readme, re.M)
    assert line, "the README prints no `.venv/bin/newswatch airflow --port N` line"
    return line.group(1).split()


@pytest.fixture
def started(tmp_path, es_url, prefix):
    """The README's command on a free port; its own state directory names the node (the shared test node)."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "es.json").write_text(json.dumps({"url": es_url, "pid": None}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSWATCH_", "AIRFLOW"))}
    # the test's own state and index prefix; PYTHONPATH: this checkout, whichever tree the venv's editable points to
    env.update(NEWSWATCH_STATE_DIR=str(state), NEWSWATCH_INDEX_PREFIX=prefix, PYTHONPATH=str(PROJECT_ROOT))
    first = subprocess.run([NEWSWATCH, "poll", "--force", "--no-enrich", "--source", "replay"], env=env,
                           capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600)  # what run.sh did before
    assert first.returncode == 0, first.stderr
    port = free_port()
    command = readme_command()
    command[command.index("--port") + 1] = str(port)  # the README's line, on a port of the test's own
    process = subprocess.Popen([str(PROJECT_ROOT / command[0]), *command[1:]], env=env, cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    printed = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 600
        for line in process.stdout:
            printed.append(line)
            if "Ctrl-C stops Airflow" in line or time.monotonic() > deadline:
                break
        text = "".join(printed)
        match = re.search(r"Airflow: +(\S+) +user (\S+), password (\S+)\s+\(kept in (\S+)\)", text)
        assert match, text
        url, user, password, kept = match.groups()
        assert url == f"http://127.0.0.1:{port}" and json.loads(Path(kept).read_text())[user] == password
        assert f"Elasticsearch:  {es_url}" in text and "newswatch_enrich" in text.split("unpaused:")[1]
        yield url, user, password
    finally:
        os.kill(process.pid, signal.SIGTERM)  # the command stops its Airflow
        try:
            process.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def runs(url: str, auth: dict, dag_id: str) -> list[dict]:
    return httpx.get(f"{url}/api/v2/dags/{dag_id}/dagRuns", headers=auth, timeout=120).json()["dag_runs"]


def wait_for(what: str, check, timeout: float = 600):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"no {what} after {timeout:.0f} s"
        time.sleep(3)
    return found


def test_the_readme_command_polls_enriches_and_alerts_from_the_ui(started):
    from playwright.sync_api import sync_playwright

    url, user, password = started
    token = httpx.post(f"{url}/auth/token", json={"username": user, "password": password}, timeout=120)
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    for dag in ("newswatch_poll", "newswatch_enrich", "newswatch_alerts"):
        assert httpx.get(f"{url}/api/v2/dags/{dag}", headers=auth, timeout=120).json()["is_paused"] is False
    with sync_playwright() as p:
        browser, page = logged_in(p, url, user, password, timeout_ms=60_000)  # the password the command printed

        page.goto(f"{url}/dags/newswatch_poll")
        page.get_by_role("button", name="Trigger").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Poll every feed now").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "airflow-command-trigger.png"))
        dialog.get_by_role("button", name="Trigger").click()

        manual = wait_for("manual run", lambda: [r for r in runs(url, auth, "newswatch_poll")
                                                 if r["run_type"] == "manual"], 120)[0]
        run_id = manual["dag_run_id"]
        done = wait_for("finished poll run", lambda: next(
            (r for r in runs(url, auth, "newswatch_poll") if r["dag_run_id"] == run_id
             and r["state"] in ("success", "failed")), None))
        assert done["state"] == "success"
        tis = httpx.get(f"{url}/api/v2/dags/newswatch_poll/dagRuns/{run_id}/taskInstances", headers=auth,
                        timeout=120).json()["task_instances"]
        states = {(t["task_id"], t["rendered_map_index"]): t["state"] for t in tis}
        # every replay feed polled by the manual run, though the earlier poll left none of them due
        assert states[("poll_shard", "replay-canada +6")] == "success" and states[("summarize", None)] == "success"

        enriched = wait_for("enrich run", lambda: [r for r in runs(url, auth, "newswatch_enrich")
                                                   if r["state"] == "success"])
        alerted = wait_for("alerts run", lambda: [r for r in runs(url, auth, "newswatch_alerts")
                                                  if r["state"] == "success"])
        assert enriched[0]["run_type"] == alerted[0]["run_type"] == "asset_triggered"
        waiting = httpx.get(f"{url}/api/v2/dags/newswatch_enrich/dagRuns/{enriched[0]['dag_run_id']}/taskInstances",
                            headers=auth, timeout=120).json()["task_instances"]
        assert any(t["task_id"] == "enrich_batch" and t["state"] == "success" for t in waiting)  # stories enriched

        for dag, run, last, shot in (("newswatch_poll", run_id, "summarize", "poll"),
                                     ("newswatch_enrich", enriched[0]["dag_run_id"], "summarize", "enrich"),
                                     ("newswatch_alerts", alerted[0]["dag_run_id"], "deliver_alerts", "alerts")):
            page.goto(f"{url}/dags/{dag}/runs/{run}")
            page.get_by_text(last).first.wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / f"airflow-command-{shot}.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "airflow-command-poll.png").stat().st_size > 10_000
