"""`scripts/cluster.sh test`: the production shape broken on purpose, and what it lost.

Brings up a shape of its own (pipeline.local.cluster, in `.newswatch/drill-cluster/` on ports from 27300: not the
developer's) with its feeds served from loopback hosts 127.0.0.2… (real captured feeds from ../shared/data and the
bundled replay, some on topic with article pages, each feed answering after a delay so a pass is long enough to
be hit), one subscription mailing every on-topic story
to the shape's SMTP server, and the index prefix `drill`. A clean reference pass in this process says what
to expect. Then two scenarios, each on emptied indices, each a triggered `newswatch_poll` run followed by
the enrichment and alerts runs its Asset starts:

1. while a poll task runs, the Celery worker running it is SIGKILLed (and kept down) and so is one
   Elasticsearch node, which is brought back 10 s later: the task is retried on the other worker;
2. while a poll task runs, Redis and then PostgreSQL are stopped and started again.

After each: stories expected / indexed / duplicated, quotes, feed states, alerts delivered / duplicated (from
the Maildir), cluster status. The last line sums both up for scripts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx
import psutil  # type: ignore[import-untyped]
import yaml

from pipeline.errors import LocalNodeError
from pipeline.local import cluster
from pipeline.local.cluster_shape import ES_NAMES, WORKER_NAMES, Ports
from pipeline.local.replay import REPLAY_BASE, REPLAY_DIR, ReplayServer
from pipeline.local.supervisor import hold, kill_group, read_state, release
from pipeline.ops.drill_figures import Expected, Figures, measure, reference
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.store import Store

SHARED = Path(os.environ.get("NEWSWATCH_SHARED", PROJECT_ROOT.parent / "shared")) / "data"
# Not the developer's `scripts/cluster.sh up` (.newswatch/cluster, ports from 27200): sharing its folder, the drill
# rewrote its plan, paused its DAGs (digests, feed health and retraining stayed paused on the next `up`), emptied
# its Maildir and brought it down.
STATE = PROJECT_ROOT / ".newswatch" / "drill-cluster"
PORT_BASE = 27300
PREFIX = "drill"
HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
ON_TOPIC = ("replay-canada", "replay-quebec", "replay-world", "replay-cnn-2022", "replay-huffpost-canada")
DELAY = 4  # seconds each feed takes to answer
DAGS = ("newswatch_poll", "newswatch_enrich", "newswatch_alerts")
BEGAN = time.monotonic()
# Airflow settings for the drill only, so that what it waits for is the fault and not a production pause:
# a dead task is noticed in 15-20 s (heartbeat timeout, checked every 5 s) and retried 3-6 s later (the
# DAGs' retry delay, 30 s in production); a task whose message the killed worker had taken but not started
# (or a worker lost with its broker connection) is sent again after 45-55 s (queued timeout, checked every
# 10 s; 300 s and 30 s in production: it was the drill's stall of minutes, Airflow's defaults being 600 s
# checked every 120 s); tasks a restarted scheduler inherits are adopted within 15 s; DAGs
# the drill does not run stay paused and the poll runs only when triggered (a scheduled run, the first one on
# unpausing above all, would take the two workers' slots and poll the feeds a scenario counts).
FAST_RECOVERY = {
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "15",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "15",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "45",
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "10",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "15",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true",
    "NEWSWATCH_TASK_RETRY_DELAY": "3",
    "NEWSWATCH_POLL_SCHEDULE": "none",
}


def say(text: str) -> None:
    """One line of the drill's report, after the seconds since it began (the last line goes without)."""
    print(f"[{time.monotonic() - BEGAN:4.0f} s] {text}", flush=True)


def choose_feeds(servers: list[ReplayServer], n: int) -> tuple[list[dict], list[dict]]:
    """`n` feeds (the replay's on-topic ones first, then real feeds of ../shared that parse cleanly), spread over
    the hosts; returned twice: answering after DELAY (the drill) and at once (the reference)."""
    replay = {f["id"]: f for f in yaml.safe_load((REPLAY_DIR / "feeds.yaml").read_text())["feeds"]}
    rows = [{**replay[i], "url": replay[i]["url"].replace(REPLAY_BASE, "")} for i in ON_TOPIC]
    for path in sorted((SHARED / "feeds").glob("*")):
        if len(rows) >= n:
            break
        if path.suffix in (".xml", ".rss", ".atom", ".json") and path.stat().st_size < 2_000_000:
            parsed = feedparser.parse(path.read_bytes())
            if not parsed.bozo and parsed.entries:
                rows.append({"id": re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-")[:60], "url": f"/feeds/{path.name}",
                             "outlet": path.stem, "language": "en", "country": "US", "fetch_pages": "never"})
    slow, fast = [], []
    for k, row in enumerate(rows[:n]):
        server = servers[k % len(servers)]
        slow.append({**row, "url": f"{server.url}/slow/{DELAY}{row['url']}"})
        fast.append({**row, "url": f"{server.url}{row['url']}"})
    return slow, fast


def drill_config(work: Path, servers: list[ReplayServer], n: int) -> tuple[dict[str, str], list[str], Path]:
    """The drill's config directory and feeds files; returns the environment overlay, the feed ids and the
    reference's feeds file."""
    config = work / "config"
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT / "config", config)
    (config / "alerts.yaml").write_text(yaml.safe_dump({"subscriptions": [{
        "name": "drill-desk", "mode": "immediate", "since": "2000-01-01T00:00:00Z",
        "channels": ["mailto://${NEWSWATCH_SMTP_HOST}:${NEWSWATCH_SMTP_PORT}?mode=insecure&from=newswatch@localhost"
                     "&to=${NEWSWATCH_ALERT_TO}"],
        "rule": {"topics": ["asylum-border"]}}]}))
    slow, fast = choose_feeds(servers, n)
    (work / "feeds.yaml").write_text(yaml.safe_dump({"feeds": slow}))
    (work / "feeds-reference.yaml").write_text(yaml.safe_dump({"feeds": fast}))
    overlay = {"NEWSWATCH_FEEDS_FILE": str(work / "feeds.yaml"), "NEWSWATCH_CONFIG_DIR": str(config),
               "NEWSWATCH_INDEX_PREFIX": PREFIX, "NEWSWATCH_FETCH__ALLOW": "127.0.0.0/8",
               "NEWSWATCH_FETCH__REWRITE": json.dumps([[REPLAY_BASE, servers[0].url]]),
               "NEWSWATCH_ALERTS__MAX_AGE": "P36500D",  # the captured stories are years old
               "NEWSWATCH_ALERTS__RATE_PER_HOUR": "1000",  # every alert its own message, so each can be counted
               "NEWSWATCH_POLL__SHARD_SIZE": str(max(1, n // len(HOSTS))), **FAST_RECOVERY}
    return overlay, [row["id"] for row in slow], work / "feeds-reference.yaml"


class Api:
    """Airflow's REST API with the shape's admin login; every call retried while the shape is being broken."""

    def __init__(self, url: str, user: str, password: str) -> None:
        self.url, self.login = url, {"username": user, "password": password}
        self.headers: dict[str, str] = {}

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        for _ in range(120):
            try:
                if not self.headers:
                    got = httpx.post(f"{self.url}/auth/token", json=self.login, timeout=10)
                    got.raise_for_status()
                    self.headers = {"Authorization": f"Bearer {got.json()['access_token']}"}
                got = httpx.request(method, f"{self.url}/api/v2{path}", headers=self.headers, timeout=30, **kwargs)
                if got.status_code == 401:
                    self.headers = {}
                    continue
                if got.status_code < 500:
                    got.raise_for_status()
                    return got.json()
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError(f"Airflow's API did not answer {method} {path}")

    def runs(self, dag: str) -> list[dict]:
        return self.call("GET", f"/dags/{dag}/dagRuns", params={"order_by": "-run_after", "limit": 20})["dag_runs"]

    def tasks(self, dag: str, run_id: str) -> list[dict]:
        return self.call("GET", f"/dags/{dag}/dagRuns/{run_id}/taskInstances", params={"limit": 500})["task_instances"]


def kill_tree(pid: int) -> int:
    """SIGKILL a process, its group and every descendant (Airflow puts each task in a process group of its
    own): what losing the worker's machine or container does. Returns how many processes were killed."""
    try:
        tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        tree = []
    kill_group(pid, signal.SIGKILL)
    for process in tree:
        try:
            process.kill()
        except psutil.Error:
            pass
    return len(tree)


def pid_of(name: str) -> int:
    return int(read_state(cluster.STATE)[name]["pid"])


def wait_alive(name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if read_state(cluster.STATE).get(name, {}).get("alive"):
            return
        time.sleep(0.5)


def wait_task_running(api: Api, run_id: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(t["task_id"] == "poll_shard" and t["state"] == "running" for t in api.tasks("newswatch_poll", run_id)):
            return
        time.sleep(0.5)
    raise RuntimeError(f"no poll task of {run_id} started within {timeout:.0f}s")


def worker_running(task: dict) -> str | None:
    """Which worker is executing the task: its log names the task instance's id when it starts one."""
    marker = f"TaskInstanceDTO(id=UUID('{task.get('id')}')"
    for name in WORKER_NAMES:
        log = cluster.STATE / "logs" / f"{name}.log"
        if task.get("id") and marker in log.read_text(errors="replace"):
            return name
    return None


def kill_worker_and_node(api: Api, run_id: str, ports: Ports) -> list[str]:
    deadline = time.monotonic() + 300
    victim, task = None, {}
    while victim is None and time.monotonic() < deadline:
        wait_task_running(api, run_id)
        running = [t for t in api.tasks("newswatch_poll", run_id) if t["task_id"] == "poll_shard"
                   and t["state"] == "running"]
        task = running[0] if running else {}
        victim = worker_running(task) if task else None
    if victim is None:
        raise RuntimeError(f"no worker found running a poll task of {run_id}")
    node = ES_NAMES[-1]
    killed = {}
    for name in (victim, node):
        hold(cluster.STATE, name)
        killed[name] = kill_tree(pid_of(name))
    say(f"  SIGKILL {victim} ({killed[victim]} processes) while it ran poll_shard"
        f"[{task.get('rendered_map_index') or task['map_index']}]; kept down; SIGKILL {node}, back 10 s later")
    time.sleep(10)
    release(cluster.STATE, node)
    say(f"  {node} restarted ({cluster.es_health(ports).get('status')} while it rejoins)")
    return [victim]


def restart_redis_and_postgres(api: Api, run_id: str, ports: Ports) -> list[str]:
    wait_task_running(api, run_id)
    for name, sig in (("redis", signal.SIGTERM), ("postgres", signal.SIGINT)):
        hold(cluster.STATE, name)
        kill_group(pid_of(name), sig)
        time.sleep(5)
        release(cluster.STATE, name)
        wait_alive(name)
        say(f"  {name} stopped ({signal.Signals(sig).name}) and started again 5 s later")
    return []


def settled(api: Api, es: Any, run_id: str) -> str | None:
    """The poll run's final state once it, the enrichment and the alerts runs after it are all done."""
    poll = api.call("GET", f"/dags/newswatch_poll/dagRuns/{run_id}")["state"]
    if poll not in ("success", "failed"):
        return None
    runs = {dag: api.runs(dag) for dag in DAGS}
    if any(r["state"] in ("queued", "running") for dag_runs in runs.values() for r in dag_runs):
        return None
    es.indices.refresh(index=f"{PREFIX}-stories")
    if es.count(index=f"{PREFIX}-stories", query={"term": {"enriched": False}})["count"]:
        return None
    enrich, alerts = runs["newswatch_enrich"][:1], runs["newswatch_alerts"][:1]
    if poll == "success" and enrich:
        summary = [t for t in api.tasks("newswatch_enrich", enrich[0]["dag_run_id"]) if t["task_id"] == "summarize"]
        emitted = bool(summary) and summary[0]["state"] == "success"  # skipped when it had nothing to enrich
        if emitted and (not alerts or alerts[0]["start_date"] < enrich[0]["start_date"]):
            return None  # the alerts run this enrichment starts is still to come
    return poll


def quiet(api: Api, timeout: float = 600) -> None:
    """Wait until no run of the three DAGs is active (a scheduled poll may be under way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(r["state"] in ("queued", "running") for dag in DAGS for r in api.runs(dag)):
            return
        time.sleep(2)


def reset(settings: Settings, ports: Ports) -> None:
    """Empty indices (with their replica) and an empty Maildir, so each scenario counts only its own pass."""
    with Store.open(settings, ensure=False) as store:
        store.drop()
    with Store.open(settings) as store:
        store.client.indices.put_settings(index=f"{PREFIX}-*", settings={"index": {"number_of_replicas": 1}})
    for sub in ("new", "cur", "tmp"):  # the messages, not the Maildir the SMTP server writes to
        (cluster.STATE / "mail" / sub).mkdir(parents=True, exist_ok=True)
        for message in (cluster.STATE / "mail" / sub).glob("*"):
            message.unlink()
    cluster.wait_for("a green cluster", lambda: cluster.es_health(ports)["status"] == "green", 180)


def scenario(title: str, fault: Any, api: Api, settings: Settings, ports: Ports, expected: Expected,
             feed_ids: list[str]) -> tuple[str | None, Figures]:
    say(f"scenario: {title}")
    quiet(api)
    reset(settings, ports)
    since = datetime.now(UTC)
    started = time.monotonic()
    run_id = api.call("POST", "/dags/newswatch_poll/dagRuns", json={"logical_date": None,
                                                                          "conf": {"force": True}})["dag_run_id"]
    say(f"  triggered newswatch_poll {run_id}")
    held = fault(api, run_id, ports)
    deadline = time.monotonic() + 900
    state = None
    with Store.open(settings, ensure=False) as store:
        while state is None and time.monotonic() < deadline:
            time.sleep(2)
            state = settled(api, store.client, run_id)
        retried = [f"{t['task_id']}[{t.get('rendered_map_index') or t['map_index']}] try {t['try_number']}"
                   for t in api.tasks("newswatch_poll", run_id) if t["try_number"] > 1]
        say(f"  poll run {state} after {time.monotonic() - started:.0f} s; enrichment and alerts done; retried: "
            f"{', '.join(retried) or 'none'}" if state else f"  runs not settled after {time.monotonic() - started:.0f} s")
        for name in held:
            release(cluster.STATE, name)
            wait_alive(name)
            say(f"  {name} started again")
        cluster.wait_for("a green cluster", lambda: cluster.es_health(ports)["status"] == "green", 240)
        figures = measure(store.client, PREFIX, expected, feed_ids, since, cluster.STATE / "mail",
                          cluster.es_health(ports))
    for line in figures.lines():
        say(f"  {line}")
    return state, figures


def up_with_reference(ports: Ports, overlay: dict[str, str], reference_feeds: Path, feed_ids: list[str]) -> Expected:
    """Bring the shape up and, as soon as its Elasticsearch nodes answer, run the reference pass beside Airflow's
    start (most of which is waiting), into its own prefix, dropped afterwards."""
    cluster.STATE.mkdir(parents=True, exist_ok=True)
    cluster.secrets(cluster.STATE)
    env = cluster.environment(ports, cluster.STATE, overlay)
    os.environ.update({k: v for k, v in env.items() if k.startswith("NEWSWATCH_")})
    failed: list[BaseException] = []

    def bring_up() -> None:
        try:
            cluster.up(ports, overlay=overlay)
        except BaseException as exc:  # re-raised in the drill's thread below
            failed.append(exc)

    starting = threading.Thread(target=bring_up, name="cluster-up")
    starting.start()
    cluster.wait_for("Elasticsearch (3 nodes)", lambda: failed or cluster.es_health(ports)["number_of_nodes"]
                     == len(ES_NAMES) and cluster.es_health(ports)["status"] in ("green", "yellow"), 600)
    if failed:
        raise failed[0]
    say(f"Elasticsearch up: {len(feed_ids)} feeds on {len(HOSTS)} hosts, each answering after {DELAY} s")
    settings = Settings.from_env().replace(index_prefix=f"{PREFIX}ref")
    t0 = time.monotonic()
    expected = reference(settings.replace(feeds_file=reference_feeds), feed_ids)
    with Store.open(settings, ensure=False) as store:
        store.drop()  # one replica-less index on a killed node would turn the cluster red
    say(f"reference pass in {time.monotonic() - t0:.0f} s: {len(expected.stories)} stories, "
        f"{sum(expected.stories.values())} quotes, {len(expected.alerts)} alerts")
    starting.join()
    if failed:
        raise failed[0]
    say("shape up")
    return expected


def unpause_only(api: Api, dags: tuple[str, ...] = DAGS) -> None:
    """`dags` (by default the three a poll sets going) unpaused, every other one paused: their scheduled runs are
    no part of what is measured."""
    cluster.wait_for("the DAGs", lambda: all(api.call("GET", f"/dags/{d}") for d in dags), 300)
    for dag in api.call("GET", "/dags", params={"limit": 100})["dags"]:
        paused = dag["dag_id"] not in dags
        if dag["is_paused"] != paused:
            api.call("PATCH", f"/dags/{dag['dag_id']}", json={"is_paused": paused})


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="scripts/cluster.sh test")
    parser.add_argument("--feeds", type=int, default=24)
    parser.add_argument("--port-base", type=int, default=PORT_BASE)
    parser.add_argument("--keep", action="store_true", help="leave the shape up afterwards")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped (a CI timeout): the shape still comes down
    ports = Ports(args.port_base)
    cluster.STATE = STATE  # what every cluster call below works on, `cluster.down()` at the end included
    if pid := cluster.supervisor_alive(STATE):  # another drill's, or one left by --keep: taken over, then stopped
        print(f"error: the drill's cluster is up already (supervisor pid {pid}, {STATE}): another drill, or one run "
              f"with --keep? Stop it first with `scripts/cluster.sh down --state {STATE}`", file=sys.stderr)
        return 1
    servers = [ReplayServer(SHARED, REPLAY_DIR, host=host).start() for host in HOSTS]
    work = cluster.STATE / "drill"
    work.mkdir(parents=True, exist_ok=True)
    overlay, feed_ids, reference_feeds = drill_config(work, servers, args.feeds)
    stopped = True
    try:
        expected = up_with_reference(ports, overlay, reference_feeds, feed_ids)
        settings = Settings.from_env()
        api = Api(f"http://127.0.0.1:{ports.api}", "airflow", cluster.secrets(cluster.STATE)["admin_password"])
        unpause_only(api)
        results = [scenario("SIGKILL a Celery worker and an Elasticsearch node mid-run", kill_worker_and_node, api,
                            settings, ports, expected, feed_ids),
                   scenario("restart Redis and PostgreSQL mid-run", restart_redis_and_postgres, api, settings, ports,
                            expected, feed_ids)]
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            stopped = stop_cluster()
    figures = [f for _, f in results]
    say(f"drill done in {time.monotonic() - BEGAN:.0f} s")
    status = "green" if all(f.cluster.get("status") == "green" for f in figures) else "not green"
    print(f"cluster test: stories lost {sum(f.stories.lost for f in figures)} duplicated "
          f"{sum(f.stories.duplicated for f in figures)}; alerts lost {sum(f.alerts.lost for f in figures)} "
          f"duplicated {sum(f.alerts.duplicated for f in figures)}; cluster {status}")
    return 0 if stopped and all(state == "success" and f.clean for state, f in results) else 1


def stop_cluster() -> bool:
    """Bring the cluster down; a node still stopping after the wait is reported, not raised, so that the drill's
    figures (or the error that ended it) are what the operator reads, and the exit is 1."""
    try:
        cluster.down()
    except LocalNodeError as exc:
        print(f"error: the cluster did not stop: {exc}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
