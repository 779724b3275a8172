"""Secrets planted where an operator puts them, then looked for in everything Newswatch prints, logs and serves.

A password in the Elasticsearch or Kibana URL, a feed URL carrying `user:pass@` and `?apikey=`, a
secret variable: none of them may appear in `newswatch settings`, `kibana-setup`, the logs of a poll
(every level), the feed-health page and its JSON, an alert message or an error message.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from pipeline.errors import FeedError, FetchError, KibanaError
from pipeline.local.es_node import free_port
from pipeline.settings import PROJECT_ROOT, FetchSettings
from pipeline.store.documents import Story

ES_PASSWORD = "Es-pw-3141"
KIBANA_PASSWORD = "Kb-pw-2718"
FEED_PASSWORD = "Feed-pw-1618"
FEED_KEY = "feedkey-5772"
FEED_TOKEN = "feedtoken-4669"
ENV_SECRET = "Env-secret-1414"
API_KEY = "es-apikey-1732"
# a private feed's token under a name that says nothing (Feedly-style `?u=`): masked where every Airflow user looks
OPAQUE_TOKEN = "3f9ac07be41d2286a1c5"
SECRETS = (ES_PASSWORD, KIBANA_PASSWORD, FEED_PASSWORD, FEED_KEY, FEED_TOKEN, ENV_SECRET, API_KEY)
NEWSWATCH = str(Path(sys.executable).parent / "newswatch")


def assert_clean(text: str) -> None:
    found = [secret for secret in SECRETS if secret in text]
    assert not found, f"secrets {found} in:\n{text}"


def with_password(url: str, password: str, user: str = "elastic") -> str:
    return url.replace("://", f"://{user}:{password}@", 1)


def secret_feeds(tmp_path: Path, web_url: str) -> Path:
    """One feed that answers 404 and one that serves an HTML page, both with credentials in their URL."""
    base = with_password(web_url, FEED_PASSWORD, "reader")
    feeds = [{"id": "secret-missing", "url": f"{base}/feeds/missing.rss?apikey={FEED_KEY}&format=rss",
              "outlet": "Secret", "language": "en", "country": "CA"},
             {"id": "secret-html", "url": f"{base}/feeds/not-a-feed.html?lang=en&access_token={FEED_TOKEN}&u={OPAQUE_TOKEN}",
              "outlet": "Secret", "language": "en", "country": "CA"}]
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump({"feeds": feeds}))
    return path


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSWATCH, *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, **env}, timeout=600)


@pytest.fixture
def secret_env(es_url: str, prefix: str, tmp_path: Path, web) -> dict[str, str]:
    """The environment of an operator who put credentials in URLs."""
    return {"NEWSWATCH_ES_URL": with_password(es_url, ES_PASSWORD), "NEWSWATCH_INDEX_PREFIX": prefix,
            "NEWSWATCH_ES_PASSWORD": ENV_SECRET, "NEWSWATCH_ES_API_KEY": API_KEY,
            "NEWSWATCH_KIBANA_URL": with_password(f"http://127.0.0.1:{free_port()}", KIBANA_PASSWORD, "kibana"),
            "NEWSWATCH_SOURCE": "live", "NEWSWATCH_FEEDS_FILE": str(secret_feeds(tmp_path, web.url)),
            "NEWSWATCH_FETCH__ALLOW": "127.0.0.1", "NEWSWATCH_FETCH__RETRIES": "0"}


def test_settings_mask_passwords_inside_urls(secret_env):
    env = {**secret_env, "NEWSWATCH_ES_API_KEY": "", "NEWSWATCH_ES_PASSWORD": ""}
    done = cli("settings", env={**env, "NEWSWATCH_KIBANA_URL": f"https://kibana.example.org/?token={FEED_TOKEN}"})
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout + done.stderr)
    assert "127.0.0.1" in done.stdout and "kibana.example.org" in done.stdout  # which host is still shown
    done = cli("settings", env=secret_env)
    assert_clean(done.stdout + done.stderr)
    assert "(now: ***)" in done.stdout


def test_kibana_setup_never_prints_the_kibana_password(secret_env):
    done = cli("kibana-setup", env=secret_env)
    assert done.returncode == 6 and "Kibana is not reachable" in done.stderr
    assert_clean(done.stdout + done.stderr)
    url = with_password(f"http://127.0.0.1:{free_port()}/?apikey={FEED_KEY}", KIBANA_PASSWORD, "kibana")
    done = cli("kibana-setup", "--kibana-url", url, env=secret_env)
    assert done.returncode == 6 and "127.0.0.1" in done.stderr
    assert_clean(done.stdout + done.stderr)


def test_a_verbose_poll_prints_and_logs_no_secret(secret_env):
    done = cli("-v", "poll", "--force", "--no-enrich", env=secret_env)
    assert "secret-missing" in done.stdout and "secret-html" in done.stdout, done.stderr
    assert "secret-missing" in done.stderr and "WARNING" in done.stderr  # the warnings name the feed
    assert_clean(done.stdout + done.stderr)


def poll_secret_feeds(settings, tmp_path: Path, web_url: str, es_url: str):
    from pipeline.ingest.poll import poll_feeds
    from pipeline.store import Store

    settings = settings.replace(es_url=with_password(es_url, ES_PASSWORD), feeds_file=secret_feeds(tmp_path, web_url),
                                kibana_url=with_password("https://kibana.example.org", KIBANA_PASSWORD),
                                fetch=FetchSettings(allow=("127.0.0.1",), retries=0))
    with Store.open(settings) as store:
        for run in ("secret-1", "secret-2"):  # two failed polls: the feeds are `failing`, with their reasons
            poll_feeds(store, settings, ["secret-missing", "secret-html"], run_id=run)
    return settings


def test_logs_of_a_poll_at_every_level_carry_no_secret(settings, tmp_path, web, es_url, caplog):
    from pipeline.redact import install_log_redaction

    caplog.set_level(logging.DEBUG)
    install_log_redaction()  # what the CLI and the DAG tasks do once logging is set up
    poll_secret_feeds(settings, tmp_path, web.url, es_url)
    assert any(r.levelno == logging.WARNING and "secret-missing" in r.getMessage() for r in caplog.records)
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    assert_clean(caplog.text)
    assert_clean("\n".join(r.getMessage() for r in caplog.records))


def test_health_page_and_api_carry_no_secret(settings, tmp_path, web, es_url):
    from fastapi.testclient import TestClient

    from pipeline.ops.health_app import create_app

    settings = poll_secret_feeds(settings, tmp_path, web.url, es_url)
    client = TestClient(create_app(settings))
    api = client.get("/api/feeds")
    rows = {r["feed_id"]: r for r in api.json()}
    assert rows["secret-missing"]["status"] == "failing" and "127.0.0.1" in rows["secret-missing"]["url"]
    page = client.get("/").text
    assert "secret-html" in page and "kibana.example.org" in page
    assert_clean(api.text)
    assert_clean(page)
    assert OPAQUE_TOKEN not in api.text + page and "lang=en" in rows["secret-html"]["url"]
    down = TestClient(create_app(settings.replace(es_url=with_password(f"http://127.0.0.1:{free_port()}",
                                                                       ES_PASSWORD))))
    assert down.get("/").status_code == 503
    assert_clean(down.get("/").text + down.get("/api/feeds").text)


def test_log_records_are_redacted_whatever_the_handler(caplog):
    from pipeline.redact import install_log_redaction

    caplog.set_level(logging.DEBUG)
    install_log_redaction()
    log = logging.getLogger("pipeline.ingest.feeds")
    url = f"http://reader:{FEED_PASSWORD}@feeds.example.org/rss?apikey={FEED_KEY}"
    log.warning("feed %s (%s): HTTP %s", "secret", url, 404)
    log.debug("args as a mapping: %(url)s", {"url": url})
    try:
        raise ValueError(f"cannot open {url}")
    except ValueError:
        log.exception("fetching %s failed", "secret")
    assert "feeds.example.org" in caplog.text and "Traceback" in caplog.text
    assert_clean(caplog.text)


def test_error_messages_carry_no_secret():
    url = f"https://reader:{FEED_PASSWORD}@feeds.example.org/rss?key={FEED_KEY}&sig={FEED_TOKEN}"
    errors = [FetchError(url, "http_404", f"redirected to {url}"), FeedError("f", url, "timeout", "slow"),
              KibanaError(f"Kibana is not reachable at {url}")]
    for error in errors:
        assert "feeds.example.org" in str(error)
        assert_clean(str(error))
        assert_clean(getattr(error, "reason", ""))


def test_alert_messages_carry_no_secret():
    from pipeline.alerts.messages import digest, feed_report, story_alert

    now = datetime.now(UTC)
    link = f"https://reader:{FEED_PASSWORD}@news.example.org/story?id=7&apikey={FEED_KEY}"
    story = Story(story_id="s", title="Roxham Road", url=link, canonical_url=link, feed_id="f", outlet="Outlet",
                  language="en", country="CA", published=now, ingested=now, run_id="r", topics=["asylum-border"],
                  summary=f"Details at https://news.example.org/data?token={FEED_TOKEN} for subscribers.")
    for message in (story_alert(story, [], "desk"), digest([(story, [])], "desk", "today"),
                    feed_report(f"secret-missing failing: http://reader:{FEED_PASSWORD}@x.example/", 1)):
        assert "example" in message.html
        assert_clean(message.title + message.html)


def test_every_unusual_query_value_is_masked_on_pages_every_user_sees():
    from pipeline.redact import redact, redact_all_query_values

    url = "https://u:p@host/rss?format=rss&page=2&lang=en-gb&u=3f9ac07be41d&hash=Zm9vYmFy&year=2022&apikey=k"
    assert redact_all_query_values(url) == \
        "https://***@host/rss?format=rss&page=2&lang=en-gb&u=***&hash=***&year=2022&apikey=***"
    assert redact_all_query_values(f"timeout: redirected to {url}; retry") == \
        "timeout: redirected to https://***@host/rss?format=rss&page=2&lang=en-gb&u=***&hash=***&year=2022&apikey=***; retry"
    assert redact("https://host/story?id=3f9ac07be41d") == "https://host/story?id=3f9ac07be41d"  # links stay links
    assert redact_all_query_values("no address here, 3 = three") == "no address here, 3 = three"
    assert redact_all_query_values("https://h/rss?u=AbcdefGhijkLmnopQrstUvwx") == "https://h/rss?u=***"  # letters only


def test_the_redaction_itself():
    from pipeline.redact import redact

    assert redact("https://u:p@host:9200/x") == "https://***@host:9200/x"
    assert redact("https://host/feed?format=rss&page=2") == "https://host/feed?format=rss&page=2"
    assert redact("see https://host/f?API_KEY=abc&q=1#top and http://h/?Signature=xyz") == \
        "see https://host/f?API_KEY=***&q=1#top and http://h/?Signature=***"
    assert redact("mailto://me:pw@smtp.example.org?to=a@b.example") == "mailto://***@smtp.example.org?to=a@b.example"
    assert redact('{"url": "http://h/?client_secret=s3&x-amz-signature=abc"}') == \
        '{"url": "http://h/?client_secret=***&x-amz-signature=***"}'
    assert redact("reach me at desk@example.org") == "reach me at desk@example.org"
    assert redact("feed x (http://h/rss?apikey=k1): HTTP 404, [http://h/?token=t2]") == \
        "feed x (http://h/rss?apikey=***): HTTP 404, [http://h/?token=***]"
    assert redact("NEWSWATCH_ES_API_KEY=abc and token=xyz") == "NEWSWATCH_ES_API_KEY=*** and token=***"
    assert json.loads(json.dumps(redact("http://a:b@c/"))) == "http://***@c/"
