"""`scripts/cluster.sh up | down | test` among what is not theirs: another cluster on the same ports, an SMTP server
that never answers, a supervisor killed, the developer's own cluster beside the drill's. The processes are fakes
(`up` starts nothing) unless a test says otherwise."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from pipeline.errors import LocalNodeError
from pipeline.local import cluster, es_node
from pipeline.local.cluster_shape import Ports
from pipeline.local.supervisor import kill_group, start_process, start_ticks
from pipeline.settings import PROJECT_ROOT

SLEEPER = [sys.executable, "-c", "import time; time.sleep(300)"]


def free_ports() -> Ports:
    """A base whose hundred ports are all free (a developer's cluster may hold 27200's)."""
    for base in range(20000, 32000, 100):
        if all(es_node.port_is_free(port) for port in range(base, base + 100)):
            return Ports(base)
    pytest.skip("no hundred free ports in a row below 32000")


def once(what: str, check, timeout: float, state: Path | None = None) -> None:
    """`cluster.wait_for` without the waiting: its last look only."""
    try:
        if check():
            return
    except (httpx.HTTPError, OSError, ValueError, KeyError):
        pass
    raise LocalNodeError(f"{what} did not come up within {timeout:.0f}s")


@pytest.fixture
def started(monkeypatch) -> list[Path]:
    """`up` with its processes faked, each answering: the supervisors it would have started are listed."""
    supervisors: list[Path] = []
    monkeypatch.setattr(cluster, "base_plan", lambda ports, state: {})
    monkeypatch.setattr(cluster, "airflow_plan", lambda ports, state, overlay: {})
    monkeypatch.setattr(cluster, "airflow_init", lambda ports, state, overlay: None)
    monkeypatch.setattr(cluster, "start_supervisor", lambda state: supervisors.append(state) or 4242)
    for ready in ("pg_ready", "redis_ready", "api_ready"):
        monkeypatch.setattr(cluster, ready, lambda ports: True)
    monkeypatch.setattr(cluster, "es_health", lambda ports, timeout=5: {"status": "green", "number_of_nodes": 3})
    monkeypatch.setattr(cluster.httpx, "get", lambda url, timeout: httpx.Response(200))  # the scheduler's health
    monkeypatch.setattr(cluster, "wait_for", once)
    return supervisors


@contextmanager
def listening(port: int, greeting: bytes = b"") -> Iterator[None]:
    """Something on the port: another cluster's process, or (with a greeting) an SMTP server."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(greeting)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown(socket.SHUT_RDWR)
        server.close()
        thread.join(5)


def test_up_refuses_ports_another_cluster_holds(tmp_path, started):
    """Each readiness check asks only whether something answers on its port: a second checkout's or a CI job's
    cluster on the same ports passed them all, and `up` drove that cluster and printed "cluster up"."""
    ports = free_ports()
    with listening(ports.smtp, b"220 theirs ESMTP\r\n"), listening(ports.redis):
        with pytest.raises(LocalNodeError, match=rf"port {ports.smtp} \(SMTP\) is taken.*--port-base"):
            cluster.up(ports, tmp_path)
    assert started == []  # refused before anything of ours started


def test_up_beside_its_own_running_supervisor_finds_the_ports_its_own(tmp_path, started, monkeypatch):
    ports = free_ports()
    monkeypatch.setattr(cluster, "supervisor_alive", lambda state: 4242)  # ports held by this cluster's processes
    with listening(ports.smtp, b"220 ours ESMTP\r\n"), listening(ports.redis):
        cluster.up(ports, tmp_path)
    assert started == [tmp_path]


def test_a_port_whose_server_just_stopped_counts_as_free():
    """Connections a stopped server closed linger a minute (TIME_WAIT): `up` right after `down` found its own
    ports "taken"."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as every server of the shape binds
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    conn, _ = server.accept()
    conn.close()  # the server's end closes first, as a stopping server does: TIME_WAIT on its port
    time.sleep(0.1)
    client.close()
    server.close()
    time.sleep(0.1)
    assert es_node.port_is_free(port)


def test_up_waits_for_the_smtp_server_to_greet(tmp_path, started, monkeypatch):
    """Run with `python -m aiosmtpd` from a virtualenv without aiosmtpd, the server restarted for ever while `up`
    reported SMTP available."""
    ports = free_ports()
    with pytest.raises(LocalNodeError, match="SMTP"):
        cluster.up(ports, tmp_path)  # nothing answers on the SMTP port
    monkeypatch.setattr(cluster, "supervisor_alive", lambda state: 4242)  # the server below is its own
    with listening(ports.smtp, b"220 newswatch ESMTP\r\n"):
        cluster.up(ports, tmp_path)


def test_the_smtp_server_is_installed_without_the_test_requirements():
    """`scripts/cluster.sh` tells users to run `scripts/bootstrap.sh`, which installs requirements.txt only."""
    pins = [line.split("#")[0].strip() for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()]
    assert any(re.fullmatch(r"aiosmtpd==[\d.]+", pin) for pin in pins)


def test_cluster_sh_up_refuses_a_virtualenv_without_the_smtp_server(tmp_path):
    """A virtualenv made while aiosmtpd was a test-only requirement: `up` started an SMTP server that could not run."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(PROJECT_ROOT / "scripts" / "cluster.sh", tmp_path / "scripts" / "cluster.sh")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/bash\n[ "${{1:-}}" = -c ] && exit 1  # no module importable here\n'
                      f'echo "$*" >> {tmp_path}/ran.log\n')
    python.chmod(0o755)
    run = [str(tmp_path / "scripts" / "cluster.sh")]
    refused = subprocess.run([*run, "up"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "aiosmtpd" in refused.stderr and "scripts/bootstrap.sh" in refused.stderr
    assert not (tmp_path / "ran.log").exists()
    assert subprocess.run([*run, "down"], capture_output=True, timeout=60).returncode == 0  # stopping needs no SMTP
    assert (tmp_path / "ran.log").read_text() == "-m pipeline.local.cluster down\n"


def test_down_after_the_supervisor_was_killed_stops_what_it_left_running(tmp_path):
    """A supervisor killed (-9, the OOM killer): `down` said "not running" and left PostgreSQL, Redis, the nodes and
    Airflow running until some later `up`."""
    left = {name: subprocess.Popen(SLEEPER, start_new_session=True) for name in ("postgres", "redis")}
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # the killed supervisor's pid
    recorded = {name: {"pid": p.pid, "ticks": start_ticks(p.pid), "alive": True} for name, p in left.items()}
    (tmp_path / "state.json").write_text(json.dumps({**recorded, "supervisor": {"pid": gone.pid, "alive": True}}))
    try:
        said = cluster.down(tmp_path)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(p.poll() is None for p in left.values()):
            time.sleep(0.1)
        assert {name: p.poll() is not None for name, p in left.items()} == {"postgres": True, "redis": True}
        assert said == "no supervisor was running; stopped what it had left running: postgres, redis"
        assert cluster.down(tmp_path) == "not running"  # the pids recorded are no longer theirs to stop
    finally:
        for p in left.values():
            p.kill()
            p.wait()


def test_postgres_starts_in_a_checkout_whose_path_is_long(monkeypatch):
    """Its socket was in the checkout's state folder: a checkout some 70 characters deep took the socket's path past
    the 107 bytes allowed, and PostgreSQL refused to start. Every client here connects to 127.0.0.1."""
    monkeypatch.setattr(cluster, "ensure_redis", lambda: "/usr/bin/redis-server")
    monkeypatch.setattr(cluster, "es_spec", lambda n, ports, state: {})
    top = Path(tempfile.mkdtemp(prefix="newswatch-pg-test-"))
    top.chmod(0o755)  # open to the postgres user, as a checkout's folders are
    state = top / ("a-checkout-with-a-long-name-" * 3) / ".newswatch" / "cluster"
    (state / "logs").mkdir(parents=True)
    port = es_node.free_port()
    ports = Ports(port - Ports().postgres + Ports().base)
    process = None
    try:
        spec = cluster.base_plan(ports, state)["postgres"]
        assert len(f"{state / 'pg'}/.s.PGSQL.{port}".encode()) > 107  # where the socket was
        process = start_process(spec)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and not cluster.pg_ready(ports):
            time.sleep(0.3)
        assert cluster.pg_ready(ports), (state / "logs" / "postgres.log").read_text()[-1500:]
    finally:
        if process:
            kill_group(process.pid, signal.SIGINT)
            process.wait(60)
        shutil.rmtree(top, ignore_errors=True)


class Stop(Exception):
    pass


class FakeServer:
    def __init__(self, *args: object, host: str = "127.0.0.1", **kwargs: object) -> None:
        self.url = f"http://{host}:9"

    def start(self) -> FakeServer:
        return self

    def stop(self) -> None:
        pass


def test_the_drill_brings_up_and_down_a_cluster_of_its_own(tmp_path, monkeypatch):
    """The drill worked in the developer's `cluster.sh up` folder: its PostgreSQL (the DAGs the drill paused stayed
    paused on the next `up`), its Maildir (emptied), its plan; run beside it, it refused."""
    from pipeline.ops import drill

    developers, own = cluster.STATE, getattr(drill, "STATE", None)
    monkeypatch.setattr(cluster, "STATE", developers)  # put back afterwards: the drill points it at its own
    monkeypatch.setattr(drill, "STATE", tmp_path / "drill-cluster", raising=False)
    monkeypatch.setattr(cluster, "supervisor_alive", lambda state: 4242 if state == developers else None)
    monkeypatch.setattr(drill, "ReplayServer", FakeServer)
    monkeypatch.setattr(drill, "drill_config", lambda work, servers, n: ({}, [], work / "feeds-reference.yaml"))
    calls: list[tuple[str, Path, Ports | None]] = []

    def up(ports: Ports, state: Path | None = None, overlay: dict | None = None) -> None:
        calls.append(("up", state or cluster.STATE, ports))
        raise Stop

    monkeypatch.setattr(cluster, "up", up)
    monkeypatch.setattr(cluster, "down", lambda state=None, timeout=120: calls.append(("down", state or cluster.STATE,
                                                                                        None)) or "stopped")
    environ, sigterm = dict(os.environ), signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(Stop):
            drill.main([])
    finally:
        signal.signal(signal.SIGTERM, sigterm)
        os.environ.clear()
        os.environ.update(environ)  # the drill exports the cluster's NEWSWATCH_* for its reference pass
    assert [(what, state) for what, state, _ in calls] == [("up", tmp_path / "drill-cluster"),
                                                           ("down", tmp_path / "drill-cluster")]
    assert not set(calls[0][2].every().values()) & set(Ports().every().values())
    assert own is not None and own.parent == developers.parent and own != developers
