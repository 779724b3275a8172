"""The shape `scripts/cluster.sh` runs and the compose file users run cannot drift apart: every service and every
variable of docker-compose.yml has its counterpart in pipeline/local/cluster_shape.py, and the reverse."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from pipeline.local.cluster_shape import (
    AIRFLOW_COMMANDS,
    LOCAL_ONLY,
    SHAPE,
    Ports,
    airflow_environment,
    es_settings,
    local_only_environment,
)
from pipeline.settings import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SECRETS = {"jwt_secret": "j" * 64, "fernet_key": "f" * 44, "admin_password": "p"}


def own_environment(service: dict, common: dict) -> set[str]:
    """A service's variables beyond x-airflow-common's (which every Airflow service gets)."""
    names = set(service.get("environment") or {})
    return names - set(common) if names >= set(common) else names


def parity_problems(compose: dict) -> list[str]:
    problems = []
    common = compose["x-airflow-common"]["environment"]
    services = compose["services"]
    for name in sorted(set(services) - set(SHAPE)):
        problems.append(f"compose service {name} has no counterpart in cluster_shape.SHAPE")
    for name in sorted(set(SHAPE) - set(services)):
        problems.append(f"cluster_shape.SHAPE has {name}, which docker-compose.yml does not")
    for name in sorted(set(services) & set(SHAPE)):
        counterpart = SHAPE[name]
        if not (counterpart.processes or counterpart.step or counterpart.omitted):
            problems.append(f"{name}: neither a process, a step nor a reason it is left out")
        own = own_environment(services[name], common)
        for variable in sorted(own - set(counterpart.environment)):
            problems.append(f"{name}: variable {variable} has no counterpart")
        for variable in sorted(set(counterpart.environment) - own):
            problems.append(f"{name}: cluster_shape names {variable}, which compose does not set")
    local = airflow_environment(Ports(), Path("/state"), SECRETS)
    for variable in sorted(set(common) - set(local)):
        problems.append(f"x-airflow-common: {variable} is not set by cluster_shape.airflow_environment")
    extra = set(local) - set(common)
    extra |= set(local_only_environment(Ports(), Path("/state"))) - set(LOCAL_ONLY)
    for variable in sorted(extra):
        problems.append(f"{variable}: set here, neither in compose nor in LOCAL_ONLY with a reason")
    for variable in sorted(set(LOCAL_ONLY) & set(common)):
        problems.append(f"{variable}: in compose, so not local-only")
    airflow_services = {n for n, s in services.items() if n.startswith("airflow-") and isinstance(s.get("command"), str)}
    for name in sorted(airflow_services):
        processes = SHAPE.get(name, SHAPE["postgres"]).processes
        command = services[name]["command"].split()
        if not processes or any(AIRFLOW_COMMANDS.get(p, [])[:len(command)] != command for p in processes):
            problems.append(f"{name}: its processes here do not run `airflow {services[name]['command']}`")
    return problems


def test_every_service_and_variable_has_its_counterpart_both_ways():
    assert parity_problems(COMPOSE) == []


def test_the_check_fails_on_drift():
    added = copy.deepcopy(COMPOSE)
    added["services"]["flower"] = {"image": "x", "command": "celery flower"}
    added["x-airflow-common"]["environment"]["NEWSWATCH_NEW_THING"] = "1"
    added["services"]["postgres"]["environment"]["PGDATA"] = "/x"
    problems = parity_problems(added)
    assert "compose service flower has no counterpart in cluster_shape.SHAPE" in problems
    assert "x-airflow-common: NEWSWATCH_NEW_THING is not set by cluster_shape.airflow_environment" in problems
    assert "postgres: variable PGDATA has no counterpart" in problems
    removed = copy.deepcopy(COMPOSE)
    del removed["services"]["redis"]
    del removed["x-airflow-common"]["environment"]["NEWSWATCH_SMTP_PORT"]
    del removed["services"]["airflow-worker"]["environment"]["DUMB_INIT_SETSID"]
    problems = parity_problems(removed)
    assert "cluster_shape.SHAPE has redis, which docker-compose.yml does not" in problems
    assert "NEWSWATCH_SMTP_PORT: set here, neither in compose nor in LOCAL_ONLY with a reason" in problems
    assert "airflow-worker: cluster_shape names DUMB_INIT_SETSID, which compose does not set" in problems
    renamed = copy.deepcopy(COMPOSE)
    renamed["services"]["airflow-worker"]["command"] = "celery flower"
    assert "airflow-worker: its processes here do not run `airflow celery flower`" in parity_problems(renamed)


def test_the_shape_is_the_production_one():
    local = airflow_environment(Ports(), Path("/state"), SECRETS)
    assert local["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert local["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert local["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert len(SHAPE["airflow-worker"].processes) == 2 and len(SHAPE["elasticsearch"].processes) == 3
    assert len(local["NEWSWATCH_ES_URL"].split(",")) == 3
    nodes = [es_settings(n, Ports()) for n in (1, 2, 3)]
    assert len({node["cluster.name"] for node in nodes}) == 1
    assert len({node["http.port"] for node in nodes} | {node["transport.port"] for node in nodes}) == 6
    assert all(node["network.host"] == "127.0.0.1" and "discovery.type" not in node for node in nodes)
    seeds = set(nodes[0]["discovery.seed_hosts"].split(","))
    assert seeds == {f"127.0.0.1:{node['transport.port']}" for node in nodes}
    assert local_only_environment(Ports(), Path("/state"))["NEWSWATCH_ES__REPLICAS"] == "1"
