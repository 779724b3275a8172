"""A real scheduler run: `airflow standalone` started here, `newswatch_poll` triggered through the REST
API over many feeds served locally (none on topic), timed from trigger to success.

Prints the run's time from start to success, the mapped poll tasks and their names, and how many
feeds were polled. The feeds are those of scripts/bench_poll.py (30 items each on loopback hosts
127.0.0.2…, answering after a latency). Scheduled runs are turned off
(AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=False) so the triggered run is the only one.

    .venv/bin/python scripts/bench_airflow.py --feeds 1000 --hosts 100
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_poll import FeedServer, write_feeds  # noqa: E402

PASSWORD = "bench-password"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    from pipeline.local.es_node import free_port, start_node

    server = FeedServer(args.hosts, args.latency)
    server.start()
    work = Path(tempfile.mkdtemp(prefix="bench-airflow-"))
    write_feeds(server, args.feeds, args.hosts, work / "feeds.yaml")
    home = work / "airflow"
    home.mkdir()
    (home / "passwords.json").write_text(json.dumps({"bench": PASSWORD}))

    node = None
    es_url = os.environ.get("NEWSWATCH_ES_URL")
    if not es_url:
        node = start_node()
        es_url = node.url
    port = free_port()
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"), "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
           "AIRFLOW__API__PORT": str(port), "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "bench:admin",
           "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
           "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
           "NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": f"benchaf{os.getpid()}", "NEWSWATCH_SOURCE": "live",
           "NEWSWATCH_FEEDS_FILE": str(work / "feeds.yaml"), "NEWSWATCH_FETCH__ALLOW": "127.0.0.0/8",
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    log = open(work / "standalone.log", "wb")
    airflow = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        token = None
        while time.monotonic() < deadline:
            try:
                got = httpx.post(f"{url}/auth/token", json={"username": "bench", "password": PASSWORD}, timeout=5)
                if got.status_code in (200, 201):
                    token = got.json()["access_token"]
                    auth = {"Authorization": f"Bearer {token}"}
                    if httpx.get(f"{url}/api/v2/dags/newswatch_poll", headers=auth, timeout=5).status_code == 200:
                        break
            except httpx.HTTPError:
                pass
            if airflow.poll() is not None:
                raise RuntimeError((work / "standalone.log").read_text()[-3000:])
            time.sleep(1)
        else:
            raise RuntimeError("airflow standalone did not come up: " + (work / "standalone.log").read_text()[-3000:])
        httpx.patch(f"{url}/api/v2/dags/newswatch_poll", headers=auth, json={"is_paused": False}, timeout=30)
        triggered = time.monotonic()
        run = httpx.post(f"{url}/api/v2/dags/newswatch_poll/dagRuns", headers=auth, json={"logical_date": None},
                         timeout=30).json()
        run_id = run["dag_run_id"]
        state = run.get("state")
        while state not in ("success", "failed") and time.monotonic() - triggered < args.timeout:
            time.sleep(0.5)
            state = httpx.get(f"{url}/api/v2/dags/newswatch_poll/dagRuns/{run_id}", headers=auth, timeout=30).json()["state"]
        elapsed = time.monotonic() - triggered
        info = httpx.get(f"{url}/api/v2/dags/newswatch_poll/dagRuns/{run_id}", headers=auth, timeout=30).json()
        tis = httpx.get(f"{url}/api/v2/dags/newswatch_poll/dagRuns/{run_id}/taskInstances", headers=auth,
                        params={"limit": 1000}, timeout=30).json()["task_instances"]
        shards = [t for t in tis if t["task_id"] == "poll_shard"]
        print(f"{args.feeds} feeds on {args.hosts} hosts, {args.latency * 1000:.0f} ms per answer")
        print(f"run {run_id}: {state} in {elapsed:.1f} s from trigger (run start to end "
              f"{info.get('start_date')} → {info.get('end_date')})")
        print(f"mapped poll tasks: {len(shards)}: "
              + ", ".join(t.get("rendered_map_index") or str(t["map_index"]) for t in shards))
        print(f"requests served: {server.requests}; max in flight per host {max(server.peak.values(), default=0)}")
        return 0 if state == "success" else 1
    finally:
        os.killpg(airflow.pid, signal.SIGTERM)
        try:
            airflow.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(airflow.pid, signal.SIGKILL)
        if node:
            node.stop()


if __name__ == "__main__":
    sys.exit(main())
