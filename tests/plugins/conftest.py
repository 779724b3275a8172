"""The plugin is imported as Airflow imports it: in the throw-away AIRFLOW_HOME the DAG tests use."""

from tests.dags.conftest import airflow_home  # noqa: F401  (the fixture, shared)
