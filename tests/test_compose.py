"""docker-compose.yml checked statically: the Compose schema, and agreement with the code."""

import json
import re
from pathlib import Path

import jsonschema
import yaml

from pipeline.local.es_node import ES_VERSION
from pipeline.settings import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def compose_schema() -> dict:
    import check_jsonschema  # ships the Compose specification's schema among its vendored schemas

    path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    return json.loads(path.read_text())


def test_valid_against_compose_specification():
    jsonschema.validate(COMPOSE, compose_schema())


def test_schema_check_can_fail():
    broken = {**COMPOSE, "services": {"x": {"image": "y", "ports": "not-a-list"}}}
    try:
        jsonschema.validate(broken, compose_schema())
    except jsonschema.ValidationError:
        return
    raise AssertionError("an invalid compose file passed the schema")


def test_stack_has_the_services_users_expect():
    services = set(COMPOSE["services"])
    assert COMPOSE["services"]["mailpit"]["ports"][0].startswith("8025")
    assert {"elasticsearch", "kibana", "postgres", "mailpit", "airflow-init", "airflow-apiserver",
            "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"} <= services


def test_elastic_versions_match_the_tested_node_and_client():
    from importlib.metadata import version

    es_image = COMPOSE["services"]["elasticsearch"]["image"]
    kibana_image = COMPOSE["services"]["kibana"]["image"]
    assert es_image.endswith(f":{ES_VERSION}") and kibana_image.endswith(f":{ES_VERSION}")
    assert version("elasticsearch").split(".")[:2] == ES_VERSION.split(".")[:2]


def test_mounted_paths_exist_and_env_vars_are_read_by_the_code():
    common = COMPOSE["x-airflow-common"]
    for volume in common["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (PROJECT_ROOT / source).exists(), source
    assert (PROJECT_ROOT / common["build"]["dockerfile"]).exists()
    from pipeline.settings import Settings

    read_by_code = set(Settings.variables())
    config = "\n".join(p.read_text() for p in (PROJECT_ROOT / "config").glob("*.yaml"))
    read_by_code |= set(re.findall(r"\$\{(NEWSWATCH_[A-Z_]+)", config))  # channel URLs in alerts.yaml
    in_compose = {k for k in common["environment"] if k.startswith("NEWSWATCH_")}
    assert in_compose <= read_by_code, in_compose - read_by_code
    host = common["environment"]["NEWSWATCH_ES_URL"].split("//")[1].split(":")[0]
    assert host in COMPOSE["services"]


def test_env_example_documents_every_variable_the_compose_file_uses():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)(?::-[^}]*)?\}", text))  # $${X} is for the container shell
    documented = set(re.findall(r"^([A-Z_]+)=", (PROJECT_ROOT / ".env.example").read_text(), re.M))
    assert used <= documented, used - documented


def test_celery_profile_adds_workers_and_a_broker():
    services = COMPOSE["services"]
    assert services["airflow-worker"]["profiles"] == ["celery"] and services["redis"]["profiles"] == ["celery"]
    assert services["airflow-worker"]["command"] == "celery worker"
    assert "redis" in services["airflow-worker"]["depends_on"]
    assert "CeleryExecutor" in (PROJECT_ROOT / ".env.example").read_text()


def test_start_order_and_kibana_setup():
    services = COMPOSE["services"]
    assert services["kibana"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert services["kibana-setup"]["depends_on"]["kibana"]["condition"] == "service_healthy"
    assert "kibana-setup" in services["kibana-setup"]["command"][-1]
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"):
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert "healthcheck" in services[name]
