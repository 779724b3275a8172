"""Scale-out on the production shape: the same `newswatch_poll` run (every feed forced) with one Celery worker,
then with two, over feeds served locally with real latency; prints both run times and their ratio, and the
enrichment run each poll sets going (stories per second with one worker, then two).

Feeds are those of scripts/bench_poll.py (30 items each, on loopback hosts 127.0.0.2…, each answer after
`--latency`); every `--on-topic-every`-th feed also carries three items on asylum and the border whose links
are article pages on the same host (answering after the same latency), so a pass fetches pages and indexes
stories as a real one does. The shape is `scripts/cluster.sh up` with this benchmark's feeds file and index
prefix; for the one-worker runs the second worker is held down (pipeline.local.supervisor). Each poll run
starts from emptied indices (no feed state, so no conditional GET turns the second run into 304s). Poll tasks
run at most four at a time (`max_active_tis_per_dag`), each worker has two task slots, so one worker polls two
shards at once and two workers four; enrichment batches run two at a time either way.

    .venv/bin/python scripts/bench_scaleout.py --feeds 10000 --hosts 200 --latency 0.5
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_poll import FeedServer, feed_xml, write_feeds  # noqa: E402

from pipeline.local import cluster  # noqa: E402
from pipeline.local.cluster_shape import WORKER_NAMES, Ports  # noqa: E402
from pipeline.local.supervisor import hold, release  # noqa: E402
from pipeline.ops.drill import Api, kill_tree, pid_of, quiet, unpause_only, wait_alive  # noqa: E402

PREFIX = "bench"
PLACES = ["Roxham Road", "the Lacolle crossing", "Dover", "the Rio Grande", "Lampedusa", "Calais"]


def on_topic_item(feed: int, i: int, base: str) -> str:
    place = PLACES[(feed + i) % len(PLACES)]
    return (f"<item><title>Asylum seekers at {place}: claims rise again, feed {feed} report {i}</title>"
            f"<link>{base}/article/{feed}-{i}.html</link><guid>topic{feed}-{i}</guid>"
            f"<description>Refugee claimants crossed near {place}, border officials said.</description>"
            f"<pubDate>Sat, 28 Nov 2026 {i:02d}:30:00 GMT</pubDate></item>")


def article_html(feed: int, i: int) -> bytes:
    place = PLACES[(feed + i) % len(PLACES)]
    paragraphs = [
        f"More than {40 + feed % 60} asylum seekers crossed near {place} on Friday, report {i} of feed {feed}, "
        "according to figures released by the border agency.",
        f"\"We are seeing families arrive every night,\" said Marie Tremblay, a volunteer with a refugee aid "
        f"group near {place}. \"Most of them have waited months for a hearing.\"",
        "The Immigration and Refugee Board said its backlog of claims had grown to its highest level this year, "
        "while the minister promised more officers to process claims at the border.",
        f"Officials said {feed % 9 + 2} people had been deported under the safe third country agreement since "
        "the start of the month, and that the government would review its policy on irregular crossings.",
        "\"The system is overwhelmed and people are sleeping in shelters while they wait,\" said Ahmed Karimi, a "
        "lawyer who represents refugee claimants, adding that detention had become routine.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><title>Asylum claims at {place}</title></head><body><article>"
            f"<h1>Asylum seekers at {place}: claims rise again</h1>{body}</article></body></html>").encode()


class TopicFeedServer(FeedServer):
    """bench_poll's feeds, every `every`-th one with three on-topic items linking to article pages."""

    def __init__(self, hosts: int, latency: float, every: int) -> None:
        super().__init__(hosts, latency)
        self.every = every

    def body(self, path: str) -> tuple[bytes, str] | None:
        if path.startswith("/article/") and path not in self.bodies:
            feed, _, item = path.rsplit("/", 1)[-1].removesuffix(".html").partition("-")
            self.bodies[path] = (article_html(int(feed), int(item)), f'"{feed}-{item}"')
        elif path.startswith("/feed/") and path not in self.bodies:
            number = int(path.rsplit("/", 1)[-1].split(".")[0])
            if self.every and number % self.every == 0:
                base = f"http://{self.host(number % self.hosts)}:{self.port}"
                xml = feed_xml(number, items=27).decode()
                extra = "".join(on_topic_item(number, i, base) for i in range(3))
                self.bodies[path] = (xml.replace("</channel>", extra + "</channel>").encode(), f'"t{number}"')
        return super().body(path)


def run_and_wait(api: Api, dag: str, timeout: float, conf: dict | None = None) -> tuple[str, float, str]:
    started = time.monotonic()
    run_id = api.call("POST", f"/dags/{dag}/dagRuns", json={"logical_date": None, "conf": conf or {}})["dag_run_id"]
    return wait_run(api, dag, run_id, timeout, started)


def wait_run(api: Api, dag: str, run_id: str, timeout: float, started: float) -> tuple[str, float, str]:
    state = "queued"
    while state not in ("success", "failed") and time.monotonic() - started < timeout:
        time.sleep(1)
        state = api.call("GET", f"/dags/{dag}/dagRuns/{run_id}")["state"]
    return state, time.monotonic() - started, run_id


def run_seconds(run: dict) -> float:
    start, end = (datetime.fromisoformat(run[k].replace("Z", "+00:00")) for k in ("start_date", "end_date"))
    return (end - start).total_seconds()


def empty_indices() -> None:
    from pipeline.settings import Settings
    from pipeline.store import Store

    settings = Settings.from_env()
    with Store.open(settings, ensure=False) as store:
        store.drop()
    with Store.open(settings) as store:
        store.client.indices.put_settings(index=f"{PREFIX}-*", settings={"index": {"number_of_replicas": 1}})


def stories(enriched: bool | None = None) -> int:
    from pipeline.settings import Settings
    from pipeline.store import Store

    with Store.open(Settings.from_env(), ensure=False) as store:
        store.client.indices.refresh(index=f"{PREFIX}-stories")
        query = {"match_all": {}} if enriched is None else {"term": {"enriched": enriched}}
        return int(store.client.count(index=f"{PREFIX}-stories", query=query)["count"])


def enrichment_after(api: Api, poll_ended: float, timeout: float) -> tuple[str, float]:
    """The enrichment run the poll's Asset started: its state and its own duration (start to end)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = api.runs("newswatch_enrich")
        if runs and runs[0]["state"] in ("success", "failed") and runs[0].get("end_date"):
            if stories(enriched=False) == 0 or runs[0]["state"] == "failed":
                return runs[0]["state"], run_seconds(runs[0])
        time.sleep(2)
    return "timeout", time.monotonic() - poll_ended


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--on-topic-every", type=int, default=50, help="every Nth feed has on-topic items (0: none)")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--port-base", type=int, default=Ports().base)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    ports = Ports(args.port_base)
    server = TopicFeedServer(args.hosts, args.latency, args.on_topic_every)
    server.start()
    work = cluster.STATE / "bench"
    work.mkdir(parents=True, exist_ok=True)
    write_feeds(server, args.feeds, args.hosts, work / "feeds.yaml")
    overlay = {"NEWSWATCH_FEEDS_FILE": str(work / "feeds.yaml"), "NEWSWATCH_INDEX_PREFIX": PREFIX,
               "NEWSWATCH_FETCH__ALLOW": "127.0.0.0/8", "NEWSWATCH_FETCH__RETRIES": "0",
               "NEWSWATCH_POLL__SHARD_SIZE": str(max(1, args.feeds // args.shards)),
               "NEWSWATCH_POLL_SCHEDULE": "none", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true"}
    times: dict[int, float] = {}
    try:
        cluster.up(ports, overlay=overlay)
        env = cluster.environment(ports, cluster.STATE, overlay)
        os.environ.update({k: v for k, v in env.items() if k.startswith("NEWSWATCH_")})
        api = Api(f"http://127.0.0.1:{ports.api}", "airflow", cluster.secrets(cluster.STATE)["admin_password"])
        unpause_only(api, ("newswatch_poll", "newswatch_enrich"))
        topical = (args.feeds + args.on_topic_every - 1) // args.on_topic_every if args.on_topic_every else 0
        print(f"{args.feeds} feeds on {args.hosts} hosts, {args.latency * 1000:.0f} ms per answer, {topical} with "
              f"3 on-topic items and article pages, shards of {overlay['NEWSWATCH_POLL__SHARD_SIZE']} feeds",
              flush=True)
        second = WORKER_NAMES[1]
        for workers in (1, 2):
            quiet(api)
            if workers == 1:
                hold(cluster.STATE, second)
                kill_tree(pid_of(second))
            else:
                release(cluster.STATE, second)
                wait_alive(second)
                time.sleep(30)  # the worker connects to the broker
            empty_indices()
            state, elapsed, run_id = run_and_wait(api, "newswatch_poll", args.timeout, {"force": True})
            shards = [t for t in api.tasks("newswatch_poll", run_id) if t["task_id"] == "poll_shard"]
            times[workers] = elapsed
            indexed = stories()
            label = f"{workers} worker{'s' if workers > 1 else ''}"
            print(f"{label}: poll run {state} in {elapsed:.1f} s ({len(shards)} poll tasks, "
                  f"{args.feeds / elapsed:.1f} feeds/s, {indexed} stories indexed)", flush=True)
            enriched_state, enrich_seconds = enrichment_after(api, time.monotonic(), args.timeout)
            done = stories(enriched=True)
            print(f"{label}: enrichment run {enriched_state} in {enrich_seconds:.1f} s ({done} stories enriched, "
                  f"{done / enrich_seconds:.2f} stories/s)", flush=True)
    finally:
        release(cluster.STATE, WORKER_NAMES[1])
        if not args.keep:
            cluster.down()
    if len(times) == 2:
        print(f"two workers / one worker: {times[2] / times[1]:.2f} of the time (speed-up {times[1] / times[2]:.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
