"""docker-compose.yml checked statically: the Compose schema, and agreement with the code."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
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
    assert COMPOSE["services"]["mailpit"]["ports"][0].endswith(":8025:8025")
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


def test_the_labelled_files_the_model_was_trained_on_are_mounted_for_the_weekly_retrain():
    """The retrain refits on the model's `trained_on` (relative to /opt/newswatch in the image): unmounted,
    it failed every week in the Docker stack."""
    import posixpath

    model = json.loads((PROJECT_ROOT / "config" / "models" / "asylum-border.json").read_text())
    targets = [next(part for part in v.split(":")[1:] if part.startswith("/")) for v in COMPOSE["x-airflow-common"]["volumes"]]
    for path in model["trained_on"]:
        inside = posixpath.normpath(posixpath.join("/opt/newswatch", path))
        assert any(inside == t or inside.startswith(t + "/") for t in targets), (path, inside)


def test_env_example_documents_every_variable_the_compose_file_uses():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)(?::?[-?][^}]*)?\}", text))  # $${X} is for the container shell
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


class MissingVariable(ValueError):
    """What `docker compose` refuses to start with: a `${VAR:?message}` that is unset (or empty)."""


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error},
    and $$ for a literal $."""
    def value(match: re.Match) -> str:
        name, op, default = match.group(1), match.group(2), match.group(3) or ""
        if op == ":-":
            return env.get(name) or default
        if op == "-":
            return env.get(name, default)
        if op in (":?", "?") and (name not in env or op == ":?" and not env[name]):
            raise MissingVariable(f"required variable {name} is missing a value: {default}")
        return env.get(name, "")
    text = text.replace("$$", "\0")
    text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-|-|:\?|\?)?([^}]*)?\}", value, text)
    return text.replace("\0", "$")


def interpolated(node: object, env: dict[str, str]) -> object:
    """The parsed file with variables substituted in every string, as Compose does (after parsing, so a
    value with quotes in it stays one value)."""
    if isinstance(node, dict):
        return {key: interpolated(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolated(value, env) for value in node]
    return interpolate(node, env) if isinstance(node, str) else node


def rendered_services(env_file: dict[str, str]) -> dict[str, dict]:
    """Each service as `docker compose --env-file .env config` would give it: variables in, env_file merged."""
    compose: dict = interpolated(COMPOSE, env_file)  # type: ignore[assignment]
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
              "AIRFLOW_JWT_SECRET": "5f1c0e7a9b2d4c6e8f0a1b3c5d7e9f1a",
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
    assert f"> {path}" in init  # written where every container reads it
    assert "python -m pipeline.cli init" in init
    header = "\n".join((PROJECT_ROOT / "docker-compose.yml").read_text().splitlines()[:5])
    assert "set AIRFLOW_ADMIN_PASSWORD and AIRFLOW_JWT_SECRET" in header  # no default login: the user sets one


SECRETS = ("AIRFLOW_JWT_SECRET", "AIRFLOW_ADMIN_PASSWORD")


def env_example() -> dict[str, str]:
    lines = (PROJECT_ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))


def published_host_ips(services: dict[str, dict]) -> dict[str, str | None]:
    """Each published port (service and port) with the host address it listens on; None: every interface."""
    out: dict[str, str | None] = {}
    for name, service in services.items():
        for port in service.get("ports", []):
            if isinstance(port, dict):  # the long syntax
                out[f"{name} {port.get('published')}"] = port.get("host_ip")
                continue
            spec = str(port).split("/")[0]
            if spec.startswith("["):
                out[f"{name} {spec}"] = spec[1:spec.index("]")]
            else:
                parts = spec.split(":")
                out[f"{name} {spec}"] = parts[0] if len(parts) == 3 else None
    return out


def test_no_published_port_listens_on_every_interface():
    """Elasticsearch (security off), Kibana and Mailpit have no login: by default only this machine reaches them."""
    for env in (SAMPLE_ENV, {**env_example(), **{s: SAMPLE_ENV[s] for s in SECRETS}}):
        ports = published_host_ips(rendered_services(env))
        assert {"elasticsearch 127.0.0.1:9200:9200", "kibana 127.0.0.1:5601:5601", "mailpit 127.0.0.1:8025:8025",
                "mailpit 127.0.0.1:1025:1025", "airflow-apiserver 127.0.0.1:8080:8080"} <= set(ports)
        wide = {port: ip for port, ip in ports.items() if ip not in ("127.0.0.1", "::1")}
        assert not wide, wide
    # widened only on purpose, and the check sees it
    opened = published_host_ips(rendered_services({**SAMPLE_ENV, "NEWSWATCH_BIND": "0.0.0.0"}))
    assert opened["elasticsearch 0.0.0.0:9200:9200"] == "0.0.0.0" and opened["airflow-apiserver 127.0.0.1:8080:8080"]
    assert published_host_ips({"x": {"ports": ["9200:9200", "9300"]}}) == {"x 9200:9200": None, "x 9300": None}


def test_no_secret_has_a_default():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for secret in SECRETS:
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses and all(use.startswith(":?") for use in uses), (secret, uses)  # required, never defaulted
        assert env_example()[secret] == "", secret  # a copied .env.example carries no known secret either
    assert "change-me" not in text and "change-me" not in (PROJECT_ROOT / ".env.example").read_text()
    services = rendered_services(SAMPLE_ENV)
    for name in AIRFLOW:
        assert services[name]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] == SAMPLE_ENV["AIRFLOW_JWT_SECRET"]


@pytest.mark.parametrize("secret", SECRETS)
def test_compose_refuses_to_render_without_the_secrets(secret):
    unset = {k: v for k, v in SAMPLE_ENV.items() if k != secret}
    for env in (unset, {**SAMPLE_ENV, secret: ""}, {**env_example(), **{s: SAMPLE_ENV[s] for s in SECRETS if s != secret}}):
        with pytest.raises(MissingVariable, match=f"{secret} is missing a value: set {secret} in .env"):
            rendered_services(env)


def run_init(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, Path]:
    """airflow-init's script as the container runs it, with /opt/airflow in `tmp_path` and the database
    migration, the Newswatch init and chown stubbed out; returns the run and the password file."""
    service = rendered_services(env)["airflow-init"]
    assert service["entrypoint"] == "/bin/bash" and service["command"][0] == "-c"
    root, stubs = tmp_path / "opt-airflow", tmp_path / "bin"
    stubs.mkdir()
    for name in ("airflow", "chown"):
        (stubs / name).write_text("#!/bin/sh\nexit 0\n")
    (stubs / "python").write_text(f'#!/bin/sh\n[ "$1" = -m ] && exit 0\nexec {sys.executable} "$@"\n')
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    script = service["command"][-1].replace("/opt/airflow", str(root))
    environment = {**service["environment"], "PATH": f"{stubs}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    done = subprocess.run(["bash", "-c", script], env=environment, cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    return done, root / "auth" / "passwords.json"


def test_password_file_is_private_and_holds_any_password_verbatim(tmp_path):
    password = """it's "quoted" \\ $(touch pwned-1) `touch pwned-2` ${HOME} %s; touch pwned-3 #"""
    env = {**SAMPLE_ENV, "AIRFLOW_ADMIN_PASSWORD": password}
    script = rendered_services(env)["airflow-init"]["command"][-1]
    assert password not in script and "it's" not in script  # the value reaches the script as data, never as code
    done, path = run_init(tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert json.loads(path.read_text()) == {"desk": password}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("pwned-*"))


def test_init_refuses_a_short_jwt_secret(tmp_path):
    done, path = run_init(tmp_path, {**SAMPLE_ENV, "AIRFLOW_JWT_SECRET": "change-me-newswatch"})
    assert done.returncode == 1 and "AIRFLOW_JWT_SECRET" in done.stderr and "openssl rand -hex 32" in done.stderr
    assert not path.exists()
