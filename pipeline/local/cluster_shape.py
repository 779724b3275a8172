"""The production shape without Docker, as a table: which process here stands for which `docker-compose.yml`
service, and which value each of the compose file's variables takes here.

`docker-compose.yml` is what users run; this table is what `scripts/cluster.sh` runs and tests. Keeping both
side by side (tests/local/test_cluster_parity.py checks every service and every variable, both ways) is what
stops the shape we test from drifting away from the shape users deploy. Hosts become 127.0.0.1 and fixed
loopback ports counted from one base (`Ports`); everything else keeps its name and meaning.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

ADMIN_USER = "airflow"  # compose: ${AIRFLOW_ADMIN_USER:-airflow}
DB = "airflow"  # POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB of the compose file
ES_NODES = 3
WORKERS = 2
ES_HEAP = "512m"


class _Offset:
    """A port at a fixed distance from the base: one number per service, read as an attribute of `Ports`."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def __get__(self, ports: Ports, owner: type | None = None) -> int:
        return ports.base + self.offset


@dataclass(frozen=True)
class Ports:
    """Every loopback port of the shape, fixed from one base so the nodes can name each other's.

    The base sits below Linux's ephemeral range (32768-60999): a fixed port inside it can be taken at any
    moment as the local end of some outgoing connection (the shape's own make hundreds), and then a process
    of the shape cannot listen there (it happened to the scheduler's health port)."""

    base: int = 27200
    smtp = _Offset(25)
    postgres = _Offset(32)
    scheduler_health = _Offset(74)
    redis = _Offset(79)
    api = _Offset(80)
    triggerer_logs = _Offset(95)

    def es_http(self, n: int) -> int:
        return self.base + n  # nodes 1..3

    def es_transport(self, n: int) -> int:
        return self.base + 10 + n

    def worker_logs(self, n: int) -> int:
        return self.base + 90 + n

    def every(self) -> dict[str, int]:
        """Each port of the shape, named by what listens there."""
        return {"SMTP": self.smtp, "PostgreSQL": self.postgres, "the scheduler's health": self.scheduler_health,
                "Redis": self.redis, "the api-server": self.api, "the triggerer's logs": self.triggerer_logs,
                **{f"es-{n} (HTTP)": self.es_http(n) for n in range(1, ES_NODES + 1)},
                **{f"es-{n} (transport)": self.es_transport(n) for n in range(1, ES_NODES + 1)},
                **{f"airflow-worker-{n}'s logs": self.worker_logs(n) for n in range(1, WORKERS + 1)}}


@dataclass(frozen=True)
class Counterpart:
    """A compose service and what stands for it here: processes, a step of `up`, or nothing (with the reason)."""

    processes: tuple[str, ...] = ()
    step: str = ""  # done once by `up` rather than kept running
    environment: dict[str, str] = field(default_factory=dict)  # the service's own variables → their value here
    omitted: str = ""


def es_url(ports: Ports) -> str:
    """All three nodes: the client spreads requests and steps around a node that is down."""
    return ",".join(f"http://127.0.0.1:{ports.es_http(n)}" for n in range(1, ES_NODES + 1))


def airflow_environment(ports: Ports, state: Path, secrets: dict[str, str]) -> dict[str, str]:
    """The compose file's `x-airflow-common` environment, variable for variable, with this machine's values."""
    db = f"{DB}:{DB}@127.0.0.1:{ports.postgres}/{DB}"
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://:@127.0.0.1:{ports.redis}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{db}",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(state / "airflow" / "auth" / "passwords.json"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{db}",
        "AIRFLOW__CORE__FERNET_KEY": secrets["fernet_key"],
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{ports.api}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets["jwt_secret"],
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "true",
        "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "60",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "300",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "30",
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "3600",
        "AIRFLOW__CELERY__RESULT_BACKEND_SQLALCHEMY_ENGINE_OPTIONS": '{"pool_pre_ping": true}',
        "PYTHONPATH": str(PROJECT_ROOT),
        "NEWSWATCH_ES_URL": es_url(ports),
        "NEWSWATCH_KIBANA_URL": "http://localhost:5601",
        "NEWSWATCH_SOURCE": "live",
        "NEWSWATCH_INDEX_PREFIX": "newswatch",
        "NEWSWATCH_FETCH_PAGES": "always",
        "NEWSWATCH_CONFIG_DIR": str(PROJECT_ROOT / "config"),
        "NEWSWATCH_SMTP_HOST": "127.0.0.1",
        "NEWSWATCH_SMTP_PORT": str(ports.smtp),
        "NEWSWATCH_ALERT_TO": "asylum-desk@localhost",
        "NEWSWATCH_DIGEST_TO": "policy-team@localhost",
    }


# Variables only this shape sets, each with why: what the compose file gets from its images and mounts, and
# the few settings a shape of many processes on one machine needs.
LOCAL_ONLY = {
    "AIRFLOW_HOME": "compose: the image's /opt/airflow; here .newswatch/cluster/airflow",
    "AIRFLOW__CORE__DAGS_FOLDER": "compose mounts ./dags on the image's default folder",
    "AIRFLOW__CORE__PLUGINS_FOLDER": "compose mounts ./plugins on the image's default folder",
    "AIRFLOW__API__HOST": "compose publishes the port on 127.0.0.1; here the process itself listens there",
    "AIRFLOW__API__PORT": "compose maps 8080; here a fixed loopback port",
    "AIRFLOW__API__WORKERS": "one api-server worker: two cores are shared by every process of the shape",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": "8974 in each container; here one port per machine",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "8793 in each container; the two workers here need one each",
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "8794 in each container; here a fixed loopback port",
    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "task slots per worker, sized for two cores",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "a killed worker's task is failed and retried within "
                                                           "a minute, not after Airflow's default five",
    "NEWSWATCH_ES__REPLICAS": "one replica of every index: the three-node cluster survives losing a node",
    "PATH": "the virtualenv's bin first: Airflow starts its own commands",
    "HOME": "each process's home",
    "LANG": "UTF-8 everywhere",
}


def local_only_environment(ports: Ports, state: Path) -> dict[str, str]:
    """Values of LOCAL_ONLY common to every Airflow process (the per-worker port is set per worker)."""
    return {
        "AIRFLOW_HOME": str(state / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(ports.api),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(ports.scheduler_health),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ports.triggerer_logs),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "NEWSWATCH_ES__REPLICAS": "1",
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(state / "airflow"),
        "LANG": "C.UTF-8",
    }


def es_settings(n: int, ports: Ports) -> dict[str, str]:
    """One node of the cluster: the compose file's single node, made one of three on loopback."""
    return {
        "cluster.name": "newswatch-cluster",
        "node.name": f"es-{n}",
        "discovery.seed_hosts": ",".join(f"127.0.0.1:{ports.es_transport(i)}" for i in range(1, ES_NODES + 1)),
        "cluster.initial_master_nodes": ",".join(f"es-{i}" for i in range(1, ES_NODES + 1)),
        "xpack.security.enabled": "false",
        "network.host": "127.0.0.1",
        "http.port": str(ports.es_http(n)),
        "transport.port": str(ports.es_transport(n)),
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "action.destructive_requires_name": "false",
    }


ES_NAMES = tuple(f"es-{n}" for n in range(1, ES_NODES + 1))
WORKER_NAMES = tuple(f"airflow-worker-{n}" for n in range(1, WORKERS + 1))

# compose service → its counterpart here. The variables of the Airflow services are `airflow_environment`
# (x-airflow-common); `environment` below holds each service's own variables.
SHAPE: dict[str, Counterpart] = {
    "postgres": Counterpart(("postgres",), environment={
        "POSTGRES_USER": f"initdb -U {DB}", "POSTGRES_PASSWORD": f"initdb --pwfile ({DB})",
        "POSTGRES_DB": f"createdb {DB}"}),
    "elasticsearch": Counterpart(ES_NAMES, environment={
        "discovery.type": "discovery.seed_hosts + cluster.initial_master_nodes (three nodes, not single-node)",
        "xpack.security.enabled": "false",
        "ES_JAVA_OPTS": f"-Xms{ES_HEAP} -Xmx{ES_HEAP}"}),
    "kibana": Counterpart(omitted="dashboards are no part of what the shape proves; `newswatch kibana-setup` "
                                  "works against the cluster when a Kibana is at hand",
                          environment={"ELASTICSEARCH_HOSTS": "omitted with the service"}),
    "mailpit": Counterpart(("mailpit",)),  # aiosmtpd writing every message to .newswatch/cluster/mail (a Maildir)
    "redis": Counterpart(("redis",)),
    "airflow-init": Counterpart(step="up: airflow db migrate, newswatch init, replicas, the password file",
                                environment={"AIRFLOW_ADMIN_USER": ADMIN_USER,
                                             "AIRFLOW_ADMIN_PASSWORD": "generated once into .newswatch/cluster/secrets.json"}),
    "kibana-setup": Counterpart(omitted="no Kibana here (see kibana)"),
    "airflow-apiserver": Counterpart(("airflow-apiserver",)),
    "airflow-scheduler": Counterpart(("airflow-scheduler",)),
    "airflow-dag-processor": Counterpart(("airflow-dag-processor",)),
    "airflow-triggerer": Counterpart(("airflow-triggerer",)),
    "airflow-worker": Counterpart(WORKER_NAMES, environment={
        "DUMB_INIT_SETSID": "no dumb-init: the supervisor signals each worker's whole process group"}),
}

AIRFLOW_COMMANDS: dict[str, list[str]] = {
    "airflow-apiserver": ["api-server"],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
    **{name: ["celery", "worker", "--celery-hostname", f"{name}@%h", "--without-mingle", "--without-gossip"]
       for name in WORKER_NAMES},
}
