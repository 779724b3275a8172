"""Scale-out on the production shape: the same `newswatch_poll` run (every feed forced) with one Celery worker,
then with two, over feeds served locally with real latency; prints both run times and their ratio.

Feeds are those of scripts/bench_poll.py (30 items each, on loopback hosts 127.0.0.2…, each answer after
`--latency`). The shape is `scripts/cluster.sh up` with this benchmark's feeds file and index prefix; for the
one-worker run the second worker is held down (pipeline.local.supervisor). Poll tasks run at most four at a
time (`max_active_tis_per_dag`), and each worker has two task slots, so one worker polls two shards at once
and two workers four.

    .venv/bin/python scripts/bench_scaleout.py --feeds 2000 --hosts 40 --latency 0.5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_poll import FeedServer, write_feeds  # noqa: E402

from pipeline.local import cluster  # noqa: E402
from pipeline.local.cluster_shape import WORKER_NAMES, Ports  # noqa: E402
from pipeline.local.supervisor import hold, release  # noqa: E402
from pipeline.ops.drill import Api, kill_tree, pid_of, quiet, wait_alive  # noqa: E402


def timed_run(api: Api, timeout: float) -> tuple[str, float, int]:
    started = time.monotonic()
    run_id = api.call("POST", "/dags/newswatch_poll/dagRuns", json={"logical_date": None,
                                                                     "conf": {"force": True}})["dag_run_id"]
    state = "queued"
    while state not in ("success", "failed") and time.monotonic() - started < timeout:
        time.sleep(1)
        state = api.call("GET", f"/dags/newswatch_poll/dagRuns/{run_id}")["state"]
    shards = [t for t in api.tasks("newswatch_poll", run_id) if t["task_id"] == "poll_shard"]
    return state, time.monotonic() - started, len(shards)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--port-base", type=int, default=Ports().base)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    ports = Ports(args.port_base)
    server = FeedServer(args.hosts, args.latency)
    server.start()
    work = cluster.STATE / "bench"
    work.mkdir(parents=True, exist_ok=True)
    write_feeds(server, args.feeds, args.hosts, work / "feeds.yaml")
    overlay = {"NEWSWATCH_FEEDS_FILE": str(work / "feeds.yaml"), "NEWSWATCH_INDEX_PREFIX": "bench",
               "NEWSWATCH_FETCH__ALLOW": "127.0.0.0/8", "NEWSWATCH_FETCH__RETRIES": "0",
               "NEWSWATCH_POLL__SHARD_SIZE": str(max(1, args.feeds // args.shards))}
    times = {}
    try:
        cluster.up(ports, overlay=overlay)
        api = Api(f"http://127.0.0.1:{ports.api}", "airflow", cluster.secrets(cluster.STATE)["admin_password"])
        cluster.wait_for("the poll DAG", lambda: api.call("GET", "/dags/newswatch_poll"), 300)
        print(f"{args.feeds} feeds on {args.hosts} hosts, {args.latency * 1000:.0f} ms per answer, "
              f"shards of {overlay['NEWSWATCH_POLL__SHARD_SIZE']} feeds", flush=True)
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
            state, elapsed, shards = timed_run(api, args.timeout)
            times[workers] = elapsed
            print(f"{workers} worker{'s' if workers > 1 else ''}: run {state} in {elapsed:.1f} s ({shards} poll tasks, "
                  f"{args.feeds / elapsed:.1f} feeds/s)", flush=True)
    finally:
        release(cluster.STATE, WORKER_NAMES[1])
        if not args.keep:
            cluster.down()
    if len(times) == 2:
        print(f"two workers / one worker: {times[2] / times[1]:.2f} of the time (speed-up {times[1] / times[2]:.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
