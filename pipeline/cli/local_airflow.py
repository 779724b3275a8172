"""`newswatch airflow [--port N]`: the local Airflow (`airflow standalone`) on this checkout's DAGs and node.

Everything the README once asked a user to export by hand is set here, consistently: the venv's
`bin` on PATH (standalone spawns `airflow` for each component), one port for the API server and
the execution API the tasks call back, this checkout's `dags/` and `plugins/`, the running local
Elasticsearch (started when it is not), and every Newswatch DAG unpaused, so the `newswatch://stories`
Asset really runs enrichment and alerts (unpaused once the API server answers, so that no task
starts before the execution API it reports to is up). It prints where to log in and with which password, then
stays in the foreground until Ctrl-C, which stops Airflow.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_fixed

from pipeline.errors import ConfigError, NewswatchError
from pipeline.local.es_node import ensure_persistent_node, free_port, port_is_free
from pipeline.settings import PROJECT_ROOT, Settings

ADMIN = "admin"
PASSWORDS = "simple_auth_manager_passwords.json.generated"  # written by standalone on its first start


def airflow_environment(home: Path, port: int, es_url: str, source: str) -> dict[str, str]:
    """The environment `airflow standalone` and its task processes need for this checkout."""
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ}
    env.update({
        "PATH": f"{venv_bin}:{env.get('PATH', '/usr/local/bin:/usr/bin:/bin')}",
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__API__PORT": str(port),
        # tasks report back to the execution API: without this they call 8080 whatever the port
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # the scheduler's and triggerer's log servers default to 8793 and 8794: free ports, so --port may be any
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port_besides(port)),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port_besides(port)),
        "NEWSWATCH_ES_URL": es_url,
        "NEWSWATCH_SOURCE": source,
    })
    return env


def newswatch_dags() -> list[str]:
    """The DAG ids of this checkout (each DAG file is named for its DAG)."""
    return sorted(p.stem for p in (PROJECT_ROOT / "dags").glob("newswatch_*.py"))


def _free_port_besides(port: int) -> int:
    while (found := free_port()) == port:
        pass
    return found


def _wait(what: str, ready: Callable[[], bool], process: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise NewswatchError(f"airflow standalone exited with {process.returncode} before {what}; see {log}")
        if time.monotonic() > deadline:
            raise NewswatchError(f"airflow standalone: no {what} after {timeout:.0f} s; see {log}")
        time.sleep(1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/v2/version", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def unpause(url: str, password: str, dag_ids: list[str], process: subprocess.Popen, log: Path) -> None:
    """Unpause each DAG through the REST API once the DAG processor has parsed it."""
    token = httpx.post(f"{url}/auth/token", json={"username": ADMIN, "password": password}, timeout=120)
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    for dag_id in dag_ids:
        _wait(f"DAG {dag_id}", lambda d=dag_id: httpx.get(f"{url}/api/v2/dags/{d}", headers=auth,  # type: ignore[misc]
                                                           timeout=120).status_code == 200, process, log)
        _patch_retried(f"{url}/api/v2/dags/{dag_id}", auth, {"is_paused": False})


@retry(retry=retry_if_exception(lambda e: isinstance(e, httpx.TransportError) or (
       isinstance(e, httpx.HTTPStatusError) and e.response.status_code >= 500)),
       stop=stop_after_attempt(6), wait=wait_fixed(2), reraise=True)
def _patch_retried(url: str, auth: dict[str, str], body: dict[str, object]) -> None:
    """One PATCH, tried again on a server error: standalone Airflow's SQLite database refuses a write with
    "database is locked" (a 500) while the scheduler writes, which passes within seconds."""
    httpx.patch(url, headers=auth, json=body, timeout=120).raise_for_status()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a SIGTERM stops Airflow too, as Ctrl-C does


def cmd_airflow(args: argparse.Namespace) -> int:
    from pipeline.ingest.sources import resolved_source

    settings = Settings.from_env(source=args.source)
    if not port_is_free(args.port):
        raise ConfigError("--port", str(args.port), "the port is taken: choose another with --port")
    state_dir = settings.state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    es_url = settings.es_url if settings.es_url_origin == "given" else ensure_persistent_node(state_dir)
    source = resolved_source(settings)
    home = state_dir / "airflow"
    home.mkdir(exist_ok=True)
    log = home / "standalone.log"
    url = f"http://127.0.0.1:{args.port}"  # where the API server listens (0.0.0.0: IPv4 only)
    print(f"starting Airflow on {url} (log: {log}) ...", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    with open(log, "ab") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"],
                                   env=airflow_environment(home, args.port, es_url, source), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True, cwd=home)
    try:
        passwords = home / PASSWORDS
        _wait("API server", lambda: _answers(url), process, log)
        _wait("password file", passwords.exists, process, log)
        password = json.loads(passwords.read_text())[ADMIN]
        dags = newswatch_dags()
        unpause(url, password, dags, process, log)
        print(f"""Airflow:        {url}   user {ADMIN}, password {password}
                (kept in {passwords})
Elasticsearch:  {es_url} (feeds: {source})
unpaused:       {', '.join(dags)}
Trigger newswatch_poll (a manual run polls every feed now); its stories start newswatch_enrich, then
newswatch_alerts. Ctrl-C stops Airflow.""", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("airflow", "start the local Airflow (standalone) on this checkout's DAGs and local Elasticsearch")
    p.add_argument("--port", type=int, default=8080, help="the Airflow UI and API port (default 8080)")
    p.add_argument("--source", choices=["auto", "live", "replay"], help="feeds: default NEWSWATCH_SOURCE, else auto")
    p.set_defaults(func=cmd_airflow)
