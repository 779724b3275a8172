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


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, and $$ for a literal $."""
    def value(match: re.Match) -> str:
        name, op, default = match.group(1), match.group(2), match.group(3) or ""
        if op == ":-":
            return env.get(name) or default
        if op == "-":
            return env.get(name, default)
        return env.get(name, "")
    text = text.replace("$$", "\0")
    text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-|-)?([^}]*)?\}", value, text)
    return text.replace("\0", "$")


def rendered_services(env_file: dict[str, str]) -> dict[str, dict]:
    """Each service as `docker compose --env-file .env config` would give it: variables in, env_file merged."""
    compose = yaml.safe_load(interpolate((PROJECT_ROOT / "docker-compose.yml").read_text(), env_file))
    services = {}
    for name, service in compose["services"].items():
        environment = {}
        for entry in service.get("env_file", []):
            path = entry["path"] if isinstance(entry, dict) else entry
            if path == ".env":
                environment.update(env_file)
        environment.update({k: str(v) for k, v in (service.get("environment") or {}).items()})
        services[name] = {**service, "environment": environment}
    return services


SAMPLE_ENV = {"AIRFLOW_ADMIN_USER": "desk", "AIRFLOW_ADMIN_PASSWORD": "s3cret", "AIRFLOW_UID": "1000",
              "NEWSWATCH_OPERATOR_SUBSCRIPTION": "asylum-desk", "NEWSWATCH_ALERT_TO": "desk@example.org",
              "NEWSWATCH_FETCH__ALLOW": "10.1.0.0/16", "NEWSWATCH_ALERTS__RATE_PER_HOUR": "20",
              "SLACK_TOKEN_A": "T000/B000/XXXX", "NEWSWATCH_KIBANA_URL": "https://kibana.example.org"}
AIRFLOW = ["airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
           "airflow-worker", "kibana-setup"]


def test_every_variable_of_the_env_file_reaches_the_services_that_read_it():
    from pipeline.settings import Settings

    services = rendered_services(SAMPLE_ENV)
    read_by_code = set(Settings.variables())
    config = "\n".join(p.read_text() for p in (PROJECT_ROOT / "config").glob("*.yaml"))
    read_by_code |= set(re.findall(r"\$\{([A-Z_]+)", config))
    for name in AIRFLOW:
        environment = services[name]["environment"]
        for variable, value in SAMPLE_ENV.items():
            if variable in read_by_code or variable.startswith("SLACK_"):  # what Newswatch or alerts.yaml reads
                assert environment.get(variable) == value, (name, variable)
        assert environment["NEWSWATCH_ES_URL"] == "http://elasticsearch:9200"
        assert environment["NEWSWATCH_SOURCE"] == "live"  # production never guesses the replay
    # the check can fail: without env_file a secret would not arrive
    bare = yaml.safe_load(interpolate((PROJECT_ROOT / "docker-compose.yml").read_text(), SAMPLE_ENV))
    assert "SLACK_TOKEN_A" not in (bare["services"]["airflow-scheduler"].get("environment") or {})


def test_the_login_works_as_documented():
    services = rendered_services(SAMPLE_ENV)
    path = services["airflow-apiserver"]["environment"]["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    assert services["airflow-apiserver"]["environment"]["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "desk:admin"
    for name in AIRFLOW:
        assert services[name]["environment"]["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == path
        mounts = [v.split(":")[1] for v in services[name].get("volumes", []) if isinstance(v, str)]
        if name != "kibana-setup":
            assert any(path.startswith(m.rstrip("/") + "/") for m in mounts), (name, mounts)  # the shared volume
    init = services["airflow-init"]["command"][-1]
    assert f"""echo '{{"desk": "s3cret"}}' > {path}""" in init  # written where every container reads it
    assert "python -m pipeline.cli init" in init
    assert "airflow/airflow" in (PROJECT_ROOT / "docker-compose.yml").read_text().splitlines()[3]  # the default
