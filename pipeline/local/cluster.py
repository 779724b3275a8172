"""`scripts/cluster.sh up | status | down`: the production shape on one machine, without Docker.

PostgreSQL 15 (Airflow's metadata), Redis (the Celery broker), three Elasticsearch nodes forming one cluster,
an SMTP server standing in for Mailpit, and Airflow 3 with the CeleryExecutor: api-server, scheduler,
dag-processor, triggerer and two Celery workers, each its own process. Everything lives under
`.newswatch/cluster/` of the checkout (`--state`: another folder; the fault drill's is `.newswatch/drill-cluster/`)
and listens on 127.0.0.1 (ports: `cluster_shape.Ports`). Which process
stands for which compose service, and each variable's value, is the table in `cluster_shape`.

`up` is idempotent: it starts a supervisor (pipeline.local.supervisor) that keeps every process running
as Compose's `restart: always` does, runs airflow-init's steps (database migration, `newswatch init`, one
replica for every index, the password file), and waits until everything answers. Run as root, PostgreSQL
runs as the `postgres` user and Elasticsearch as `newswatch-es`.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets as random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from pipeline.errors import LocalNodeError
from pipeline.local import es_node
from pipeline.local.cluster_shape import (
    AIRFLOW_COMMANDS,
    DB,
    ES_HEAP,
    ES_NAMES,
    WORKER_NAMES,
    Ports,
    airflow_environment,
    es_settings,
    local_only_environment,
)
from pipeline.local.supervisor import Supervisor, read_state, reap_leftovers, supervisor_alive, write_plan
from pipeline.settings import PROJECT_ROOT

STATE = PROJECT_ROOT / ".newswatch" / "cluster"
DEFAULT_PORTS = Ports()
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
VENV_BIN = Path(sys.executable).parent


def secrets(state: Path) -> dict[str, str]:
    """The JWT secret, Fernet key and admin password, made once and kept private (compose reads them from .env)."""
    path = state / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.fernet import Fernet

    made = {"jwt_secret": random.token_hex(32), "fernet_key": Fernet.generate_key().decode(),
            "admin_password": random.token_urlsafe(18)}
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        json.dump(made, out)
    return made


def ensure_redis() -> str:
    """redis-server, installed from Debian's packages when missing (root only)."""
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0:
        raise LocalNodeError("redis-server is not installed: `apt-get install -y redis-server`")
    install = ["apt-get", "install", "-y", "-q", "redis-server"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True)
        done = subprocess.run(install, capture_output=True, text=True)
        if done.returncode != 0:
            raise LocalNodeError(f"apt-get install redis-server failed: {done.stderr[-1000:]}")
    return shutil.which("redis-server") or "/usr/bin/redis-server"


def _owner(name: str) -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def _chown_tree(path: Path, owner: tuple[int, int] | None) -> None:
    if owner:
        for part in [path, *path.rglob("*")]:
            os.chown(part, *owner, follow_symlinks=False)


def init_postgres(state: Path) -> tuple[Path, tuple[int, int] | None]:
    """A data directory made by initdb once: superuser `airflow`, password `airflow` (the compose values)."""
    owner = _owner(PG_USER)
    workdir = es_node.place_workdir(state / "pg", owner, state)
    data = workdir / "data"
    if not (data / "PG_VERSION").exists():
        staging = workdir / "data.initdb"  # moved into place whole: initdb cut short (Ctrl-C) writes PG_VERSION
        shutil.rmtree(data, ignore_errors=True)  # early, and a later `up` would trust a half-made cluster
        shutil.rmtree(staging, ignore_errors=True)
        (workdir / "pwfile").unlink(missing_ok=True)  # never written through a link the postgres user made
        with open(os.open(workdir / "pwfile", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "w") as out:
            out.write(DB + "\n")
        _chown_tree(workdir, owner)
        kwargs: dict[str, Any] = {"user": owner[0], "group": owner[1], "extra_groups": []} if owner else {}
        if not (PG_BIN / "initdb").exists():
            raise LocalNodeError(f"PostgreSQL 15 is not installed ({PG_BIN} is missing): "
                                 "`apt-get install -y postgresql-15`")
        done = subprocess.run([str(PG_BIN / "initdb"), "-D", str(staging), "-U", DB, f"--pwfile={workdir / 'pwfile'}",
                               "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                              capture_output=True, text=True, **kwargs)
        if done.returncode != 0:
            raise LocalNodeError(f"initdb failed: {(done.stdout + done.stderr)[-2000:]}")
        os.replace(staging, data)
    return workdir, owner


def es_spec(n: int, ports: Ports, state: Path) -> dict[str, Any]:
    home, java, owner = es_node.node_runtime()  # as the test node's: a JDK the node's user can run
    workdir = es_node.place_workdir(state / f"es-{n}", owner, state)
    workdir.chmod(0o700)
    if not (workdir / "config").exists():
        shutil.copytree(home / "config", workdir / "config")
    for sub in ("data", "logs", "tmp"):
        (workdir / sub).mkdir(exist_ok=True)
    _chown_tree(workdir, owner)
    settings = {**es_settings(n, ports), "path.data": str(workdir / "data"), "path.logs": str(workdir / "logs")}
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "ES_JAVA_HOME": str(java), "ES_PATH_CONF": str(workdir / "config"),
           "ES_TMPDIR": str(workdir / "tmp"), "ES_JAVA_OPTS": f"-Xms{ES_HEAP} -Xmx{ES_HEAP}", "HOME": str(workdir)}
    return {"cmd": [str(home / "bin" / "elasticsearch"), *(f"-E{k}={v}" for k, v in settings.items())], "env": env,
            "user": list(owner) if owner else None, "log": str(state / "logs" / f"es-{n}.log"),  # root's folder: a
            "stop_signal": signal.SIGTERM}  # log in the node user's folder could be a link root follows


def environment(ports: Ports, state: Path, overlay: dict[str, str] | None = None) -> dict[str, str]:
    """What every Airflow process (and airflow-init's steps) gets: the compose variables, the local-only ones."""
    return {**local_only_environment(ports, state), **airflow_environment(ports, state, secrets(state)),
            **(overlay or {})}


def base_plan(ports: Ports, state: Path) -> dict[str, dict[str, Any]]:
    """What Airflow needs before it starts: PostgreSQL, Redis, the three nodes, the SMTP server."""
    pg_dir, pg_owner = init_postgres(state)
    logs = state / "logs"
    plain = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(state), "LANG": "C.UTF-8"}
    (state / "redis").mkdir(exist_ok=True)
    for sub in ("new", "cur", "tmp"):  # a Maildir
        (state / "mail" / sub).mkdir(parents=True, exist_ok=True)
    plan: dict[str, dict[str, Any]] = {  # TCP only (every client here says -h 127.0.0.1): a socket in a checkout
        # whose path is past some 70 characters was past the 107 bytes a socket path may have: PostgreSQL refused to start
        "postgres": {"cmd": [str(PG_BIN / "postgres"), "-D", str(pg_dir / "data"), "-p", str(ports.postgres),
                             "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                             "-c", "max_connections=300"],
                     "env": plain, "user": list(pg_owner) if pg_owner else None, "log": str(logs / "postgres.log"),
                     "stop_signal": signal.SIGINT},  # SIGINT: fast shutdown (SIGTERM waits for every client)
        "redis": {"cmd": [ensure_redis(), "--port", str(ports.redis), "--bind", "127.0.0.1", "--dir",
                          str(state / "redis"), "--appendonly", "yes", "--save", "", "--daemonize", "no"],
                  "env": plain, "log": str(logs / "redis.log"), "stop_signal": signal.SIGTERM},
        "mailpit": {"cmd": [str(VENV_BIN / "python"), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{ports.smtp}",
                            "-c", "aiosmtpd.handlers.Mailbox", str(state / "mail")],
                    "env": plain, "log": str(logs / "mailpit.log"), "stop_signal": signal.SIGTERM},
    }
    for n, name in enumerate(ES_NAMES, start=1):
        plan[name] = es_spec(n, ports, state)
    for order, spec in enumerate(plan.values()):
        spec["order"] = order
    return plan


def airflow_plan(ports: Ports, state: Path, overlay: dict[str, str] | None) -> dict[str, dict[str, Any]]:
    env = environment(ports, state, overlay)
    plan = {}
    for order, (name, args) in enumerate(AIRFLOW_COMMANDS.items(), start=100):
        own = dict(env)
        if name in WORKER_NAMES:
            own["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(ports.worker_logs(WORKER_NAMES.index(name) + 1))
        plan[name] = {"cmd": [str(VENV_BIN / "airflow"), *args], "env": own, "cwd": str(state / "airflow"),
                      "log": str(state / "logs" / f"{name}.log"), "stop_signal": signal.SIGTERM, "order": order}
    return plan


def start_supervisor(state: Path) -> int:
    pid = supervisor_alive(state)
    if pid:
        return pid
    with open(state / "logs" / "supervisor.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "pipeline.local.cluster", "supervise", "--state", str(state)],
                                   env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, cwd=PROJECT_ROOT,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not supervisor_alive(state):
        time.sleep(0.2)
    return process.pid


def wait_for(what: str, check: Any, timeout: float, state: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError, ValueError, KeyError):
            pass
        time.sleep(1)
    raise LocalNodeError(f"{what} did not come up within {timeout:.0f}s (logs: {state or STATE}/logs; is another "
                         "process holding its port? `ss -ltnp`, or choose others with --port-base)")


def es_health(ports: Ports, timeout: float = 5) -> dict[str, Any]:
    """Cluster health from the first node that answers."""
    for n in range(1, len(ES_NAMES) + 1):
        try:
            got = httpx.get(f"http://127.0.0.1:{ports.es_http(n)}/_cluster/health", timeout=timeout)
            if got.status_code == 200:
                return got.json()
        except httpx.HTTPError:
            continue
    return {"status": "unreachable", "number_of_nodes": 0}


def pg_ready(ports: Ports) -> bool:
    return subprocess.run([str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(ports.postgres)],
                          capture_output=True).returncode == 0


def smtp_ready(ports: Ports) -> bool:
    """The SMTP server's greeting: its process may be restarting for ever (aiosmtpd missing from the virtualenv)
    while `up` said SMTP was there."""
    with socket.create_connection(("127.0.0.1", ports.smtp), timeout=5) as conn:
        return conn.recv(3) == b"220"


def refuse_taken_ports(ports: Ports, state: Path) -> None:
    """Every port of the shape free, for a cluster whose supervisor is not running: each readiness check asks only
    whether something answers on its port, so another checkout's or CI job's cluster on the same ports passed them
    all, and `up` ran airflow-init against that cluster and printed "cluster up"."""
    for what, port in ports.every().items():
        if not es_node.port_is_free(port):
            raise LocalNodeError(f"port {port} ({what}) is taken, and not by this cluster (no supervisor runs on "
                                 f"{state}): another checkout's or CI job's cluster? `ss -ltnp 'sport = :{port}'` "
                                 "names the process: stop it, or choose other ports with --port-base")


def redis_ready(ports: Ports) -> bool:
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(ports.redis), "ping"], capture_output=True,
                          text=True)
    return done.stdout.strip() == "PONG"


def set_replicas(es_url: str, prefix: str, replicas: int = 1) -> None:
    """Every index of the prefix gets `replicas` copies on other nodes (the template's default is 0)."""
    got = httpx.put(f"{es_url}/{prefix}-*/_settings", json={"index": {"number_of_replicas": replicas}}, timeout=60)
    got.raise_for_status()


def airflow_init(ports: Ports, state: Path, overlay: dict[str, str] | None) -> None:
    """airflow-init's steps: the database, `airflow db migrate`, `newswatch init`, replicas, the password file."""
    env = environment(ports, state, overlay)
    pg = {**env, "PGPASSWORD": DB}
    exists = subprocess.run([str(PG_BIN.parent / "bin" / "psql"), "-h", "127.0.0.1", "-p", str(ports.postgres), "-U",
                             DB, "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"],
                            env=pg, capture_output=True, text=True)
    if exists.stdout.strip() != "1":
        made = subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(ports.postgres), "-U", DB, DB],
                              env=pg, capture_output=True, text=True)
        if made.returncode != 0:
            raise LocalNodeError(f"createdb {DB} failed: {(made.stdout + made.stderr).strip()[-1000:]}")
    for step in ([str(VENV_BIN / "airflow"), "db", "migrate"], [sys.executable, "-m", "pipeline.cli", "init"]):
        done = subprocess.run(step, env=env, cwd=state / "airflow", capture_output=True, text=True)
        if done.returncode != 0:
            raise LocalNodeError(f"{' '.join(step[-2:])} failed: {(done.stdout + done.stderr)[-2000:]}")
    set_replicas(env["NEWSWATCH_ES_URL"].split(",")[0], env["NEWSWATCH_INDEX_PREFIX"])
    auth = state / "airflow" / "auth"
    auth.mkdir(parents=True, exist_ok=True)
    passwords = auth / "passwords.json"
    with open(os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump({env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(":")[0]: secrets(state)["admin_password"]},
                  out)


def api_ready(ports: Ports) -> bool:
    return httpx.get(f"http://127.0.0.1:{ports.api}/api/v2/version", timeout=5).status_code == 200


def up(ports: Ports = DEFAULT_PORTS, state: Path | None = None, overlay: dict[str, str] | None = None) -> None:
    """Bring the whole shape up (or leave it up), in the compose file's start order. `state`: STATE when the call
    is made (the drill points STATE at its own folder)."""
    state = state or STATE
    for sub in ("logs", "airflow", "hold"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    if not supervisor_alive(state):
        reap_leftovers(read_state(state))  # a killed supervisor's PostgreSQL or node would hold our own ports
        refuse_taken_ports(ports, state)
    for held in (state / "hold").iterdir():  # a drill that died may have left a process held down
        held.unlink()
    secrets(state)
    base = base_plan(ports, state)
    current = json.loads((state / "plan.json").read_text()) if (state / "plan.json").exists() else {}
    write_plan(state, {**current, **base})  # Airflow, if up, keeps running while the stores are checked
    start_supervisor(state)
    wait_for("PostgreSQL", lambda: pg_ready(ports), 60, state)
    wait_for("Redis", lambda: redis_ready(ports), 30, state)
    wait_for("the SMTP server", lambda: smtp_ready(ports), 60, state)
    wait_for("Elasticsearch (3 nodes)", lambda: es_health(ports)["number_of_nodes"] == len(ES_NAMES)
             and es_health(ports)["status"] in ("green", "yellow"), 240, state)
    airflow_init(ports, state, overlay)
    write_plan(state, {**base, **airflow_plan(ports, state, overlay)})
    wait_for("Elasticsearch replicas (green)", lambda: es_health(ports)["status"] == "green", 180, state)
    wait_for("the Airflow api-server", lambda: api_ready(ports), 240, state)
    wait_for("the Airflow scheduler", lambda: httpx.get(
        f"http://127.0.0.1:{ports.scheduler_health}/health", timeout=5).status_code == 200, 180, state)


def status(ports: Ports = DEFAULT_PORTS, state: Path | None = None) -> dict[str, Any]:
    """Each process (alive, pid, restarts) and what each service answers."""
    state = state or STATE
    procs = read_state(state)
    health = es_health(ports)
    try:
        api = api_ready(ports)
    except httpx.HTTPError:
        api = False
    return {"supervisor": supervisor_alive(state), "processes": {k: v for k, v in procs.items() if k != "supervisor"},
            "postgres": pg_ready(ports), "redis": redis_ready(ports), "api": api,
            "elasticsearch": {k: health.get(k) for k in ("status", "number_of_nodes", "active_shards",
                                                         "unassigned_shards")}}


def down(state: Path | None = None, timeout: float = 120) -> str:
    """Stop the supervisor, which stops every process (Airflow first, the stores last). Data stays. Returns what
    was done, for the command line."""
    state = state or STATE
    pid = supervisor_alive(state)
    if not pid:  # killed (-9, the OOM killer): `down` said "not running" and left PostgreSQL, Redis, the nodes and
        # Airflow running on their ports and data until some later `up` started a supervisor that stopped them
        reaped = reap_leftovers(read_state(state))
        return f"no supervisor was running; stopped what it had left running: {', '.join(reaped)}" if reaped \
            else "not running"
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and supervisor_alive(state):
        time.sleep(0.5)
    if supervisor_alive(state):  # busy workers finishing their tasks: `up` now would find it alive and fail
        raise LocalNodeError(f"still stopping after {timeout:.0f} s (supervisor pid {pid}, processes stop last started "
                           f"first): wait for it, or see {state / 'state.json'}")
    return "stopped"


SHAPE_OWNED = ("NEWSWATCH_ES_URL", "NEWSWATCH_SMTP_HOST", "NEWSWATCH_SMTP_PORT", "NEWSWATCH_TEST_ES_URL")


def caller_overlay() -> dict[str, str]:
    """The caller's NEWSWATCH_* variables, as compose's `env_file: .env` hands every variable to every Airflow
    container (NEWSWATCH_SOURCE=replay for a demo, a feeds file, a tunable); the shape's own addresses stay."""
    return {k: v for k, v in os.environ.items() if k.startswith("NEWSWATCH_") and k not in SHAPE_OWNED}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="scripts/cluster.sh")
    parser.add_argument("action", choices=["up", "status", "down", "supervise"])
    parser.add_argument("--port-base", type=int, default=Ports().base)
    parser.add_argument("--state", type=Path, default=STATE, help=f"the cluster's folder (default {STATE})")
    args = parser.parse_args(argv)
    ports, state = Ports(args.port_base), args.state.absolute()

    def act() -> None:
        if args.action == "supervise":
            Supervisor(state).run()
        elif args.action == "up":
            started = time.monotonic()
            up(ports, state, overlay=caller_overlay())
            print(f"cluster up in {time.monotonic() - started:.0f}s: Airflow http://127.0.0.1:{ports.api} "
                  f"(user airflow, password in {state / 'secrets.json'}), Elasticsearch "
                  f"http://127.0.0.1:{ports.es_http(1)}, SMTP 127.0.0.1:{ports.smtp} (mail in {state / 'mail'})")
        elif args.action == "status":
            print(json.dumps(status(ports, state), indent=1))
        else:
            print(down(state))

    return es_node.exit_status(act)


if __name__ == "__main__":
    sys.exit(main())
