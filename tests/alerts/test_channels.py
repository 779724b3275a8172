"""Alert channels may expand only the variables meant for them, and reach only public addresses unless allowed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from pipeline.alerts.delivery import send, send_test
from pipeline.alerts.messages import Message
from pipeline.alerts.subscriptions import load_subscriptions, subscription_problems
from pipeline.errors import ConfigError, DeliveryError

MESSAGE = Message("[Newswatch] test", "<p>test</p>")
JWT = "jwt-s3cret-9876"


@contextmanager
def refusing_server() -> Iterator[int]:
    """A local receiver answering every post with 500, on the port it yields."""
    class Refusing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


def alerts_file(tmp_path: Path, channels: dict[str, str], name: str = "alerts.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"subscriptions": [{"name": name, "channels": [url], "rule": {}}
                                                      for name, url in channels.items()]}))
    return path


def test_a_channel_may_not_expand_the_process_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", JWT)
    monkeypatch.setenv("NEWSWATCH_CHANNEL_HOOK", "hooks.example.org/desk")
    path = alerts_file(tmp_path, {"leaky": "json://collector.example.org/?t=${AIRFLOW__API_AUTH__JWT_SECRET}",
                                  "defaulted": "json://collector.example.org/${NEWSWATCH_ES_PASSWORD:-none}",
                                  "fine": "json://${NEWSWATCH_CHANNEL_HOOK}"})
    with pytest.raises(ConfigError) as err:
        load_subscriptions(path)
    message = str(err.value)
    assert str(path) in message and "subscriptions[leaky].channels.0" in message
    assert "AIRFLOW__API_AUTH__JWT_SECRET" in message and "NEWSWATCH_ALERTS__CHANNEL_VARIABLES" in message
    assert JWT not in message
    [fine] = load_subscriptions(path, strict=False)  # as the DAGs load them: the others keep working
    assert fine.name == "fine" and fine.channel_urls() == ["json://hooks.example.org/desk"]
    problems = {p.key: str(p) for p in subscription_problems(path)}
    assert set(problems) == {"subscriptions[leaky].channels.0", "subscriptions[defaulted].channels.0"}
    assert "NEWSWATCH_ES_PASSWORD" in problems["subscriptions[defaulted].channels.0"]


def test_the_variables_channels_may_use_are_a_setting(tmp_path, monkeypatch):
    for name, value in {"ALERT_TOKEN": "a", "SLACK_TOKEN_A": "T0", "NEWSWATCH_CHANNEL_X": "x", "MY_HOOK_URL": "h"}.items():
        monkeypatch.setenv(name, value)
    defaults = alerts_file(tmp_path, {"a": "json://h.example.org/${ALERT_TOKEN}/${NEWSWATCH_CHANNEL_X}",
                                      "slack": "slack://${SLACK_TOKEN_A}/B000/XXXX/#desk"})
    assert [s.channel_urls() for s in load_subscriptions(defaults)] == [["json://h.example.org/a/x"],
                                                                        ["slack://T0/B000/XXXX/#desk"]]
    monkeypatch.setenv("NEWSWATCH_ALERTS__CHANNEL_VARIABLES", "MY_HOOK_*, SLACK_TOKEN_A")
    mine = alerts_file(tmp_path, {"mine": "json://${MY_HOOK_URL}.example.org/"}, "mine.yaml")
    assert load_subscriptions(mine)[0].channel_urls() == ["json://h.example.org/"]
    with pytest.raises(ConfigError, match="NEWSWATCH_CHANNEL_X"):  # the setting replaces the default list
        load_subscriptions(defaults)


def test_a_channel_to_an_internal_address_is_refused_before_any_connection(webhook, monkeypatch):
    monkeypatch.delenv("NEWSWATCH_FETCH__ALLOW", raising=False)
    port = webhook.url.split(":")[2].split("/")[0]
    cases = {"json://169.254.169.254/latest/meta-data/": "link-local",
             webhook.url: "loopback",
             f"json://localhost:{port}/hook": "loopback",
             "xml://10.1.2.3/hook": "private",
             f"form://[::1]:{port}/hook": "loopback"}
    for url, kind in cases.items():
        with pytest.raises(DeliveryError) as err:
            send(url, MESSAGE)
        assert kind in err.value.reason and "NEWSWATCH_FETCH__ALLOW" in err.value.reason, url
    assert webhook.received == []


def test_an_allowed_internal_channel_is_delivered(webhook, tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSWATCH_FETCH__ALLOW", raising=False)
    send(webhook.url, MESSAGE, allow=("127.0.0.1",))
    [sub] = load_subscriptions(alerts_file(tmp_path, {"hook": webhook.url}))
    assert "loopback" in (send_test(sub)[webhook.url] or "")
    monkeypatch.setenv("NEWSWATCH_FETCH__ALLOW", "127.0.0.0/8")
    assert send_test(sub) == {webhook.url: None}
    assert len(webhook.received) == 2


def test_a_service_whose_host_cannot_be_checked_is_refused(tmp_path, monkeypatch):
    """Zulip posts to "<organisation>.zulipchat.com", or to the organisation itself when it has a dot: a name that
    resolves to a private address. Only services with a checked host or a fixed public address may be channels."""
    from pipeline.alerts.channels import channel_refusal
    from pipeline.ingest.outbound import OutboundPolicy

    monkeypatch.delenv("NEWSWATCH_FETCH__ALLOW", raising=False)
    policy = OutboundPolicy.allowing(())
    zulip = "zulip://bot@org.169.254.169.254.nip.io/" + "a" * 32
    assert "zulip" in (channel_refusal(zulip, policy) or "")
    with pytest.raises(DeliveryError, match="zulip"):
        send(zulip, MESSAGE)
    fixed = ["slack://T1234ABCD/B1234ABCD/abcdefghijklmnopqrstuvwx", "discord://1234567890/abcdefghijklmnop",
             "tgram://123456789:abcdefghijklmnopqrstuvwxyz123456789/12345",
             "https://hooks.slack.com/services/T1234ABCD/B1234ABCD/abcdefghijklmnopqrstuvwx",  # the services' own
             "https://discord.com/api/webhooks/1234567890/abcdefghijklmnop"]  # addresses, which Apprise reads too
    assert [channel_refusal(url, policy) for url in fixed] == [None] * len(fixed)
    path = alerts_file(tmp_path, {"zulip": zulip})
    with pytest.raises(ConfigError, match=r"subscriptions\[zulip\]\.channels\.0.*zulip service"):
        load_subscriptions(path)


def test_a_failed_delivery_never_records_the_channels_secret_parts(monkeypatch):
    """Apprise's ntfy warning quotes the topic, on public ntfy.sh its only access control; the reason went into
    the alert record (Kibana) and the task log as written."""
    with refusing_server() as port:
        for url, secret in ((f"ntfy://127.0.0.1:{port}/topsecret-topic-7731", "topsecret-topic-7731"),
                            (f"ntfy://127.0.0.1:{port}/TopSecret-Topic-7731", "TopSecret-Topic-7731"),
                            (f"json://user:hunter22pass@127.0.0.1:{port}/hooks/tok3nvalue998", "hunter22pass")):
            with pytest.raises(DeliveryError) as err:
                send(url, MESSAGE, allow=("127.0.0.1",))
            assert err.value.reason and secret not in err.value.reason and "tok3nvalue998" not in err.value.reason


def test_a_public_ntfy_topic_is_scrubbed_in_the_case_apprise_quotes_it():
    """On ntfy.sh the topic is written where a host would be; Python lower-cases a host, Apprise does not."""
    from pipeline.alerts.delivery import scrubbed

    reason = scrubbed("Failed to send ntfy notification to topic 'MySecretTopic': error=500.", "ntfy://MySecretTopic")
    assert "MySecretTopic" not in reason and "error=500" in reason


def test_a_secret_that_would_move_the_channels_host_is_refused_naming_its_variable(tmp_path):
    """A password with a raw "@" in `mailtos://alice:${SMTP_PASSWORD}@smtp.example.com`: Apprise took its end for
    the host, sent the login there and named it in every delivery error. A value that would end its part of the
    URL is refused until percent-encoded, naming the variable, never the value."""
    from pipeline.alerts.channels import instantiate

    path = alerts_file(tmp_path, {"mail": "mailtos://alice:${SMTP_PASSWORD}@smtp.example.com?to=desk@example.org",
                                  "hook": "json://hooks.example.org/hook/${ALERT_HOOK_TOKEN}"})
    raw = {"SMTP_PASSWORD": "Winter@2026.example", "ALERT_HOOK_TOKEN": "t0ken#with-a-hash"}
    problems = {p.key: str(p) for p in subscription_problems(path, env=raw)}
    assert set(problems) == {"subscriptions[mail].channels.0", "subscriptions[hook].channels.0"}, problems
    assert "SMTP_PASSWORD" in problems["subscriptions[mail].channels.0"] and "%40" in problems["subscriptions[mail].channels.0"]
    assert "ALERT_HOOK_TOKEN" in problems["subscriptions[hook].channels.0"] and "%23" in problems["subscriptions[hook].channels.0"]
    assert all("percent-encode" in p and "2026" not in p and "with-a-hash" not in p for p in problems.values())
    mail, hook = load_subscriptions(path, env={"SMTP_PASSWORD": "Winter%402026.example",
                                               "ALERT_HOOK_TOKEN": "t0ken%23with-a-hash"})
    server = instantiate(mail.channel_urls()[0])
    assert (server.host, server.password) == ("smtp.example.com", "Winter@2026.example")


def test_a_failure_reason_never_holds_a_value_filled_into_the_channel(tmp_path, monkeypatch):
    """A private ntfy topic given as `?to=${ALERT_NTFY_TOPIC}` is in no part of the URL `scrubbed` masked (not its
    path, nor a parameter named like a secret): Apprise's warning quoted it into the alert record and the log."""
    from urllib.parse import quote, quote_plus

    from pipeline.alerts.delivery import scrubbed

    monkeypatch.setenv("ALERT_NTFY_TOPIC", "Desk-Topic_7731-private")
    with refusing_server() as port:
        [sub] = load_subscriptions(alerts_file(tmp_path, {"ntfy": f"ntfy://127.0.0.1:{port}/?to=${{ALERT_NTFY_TOPIC}}"}))
        [reason] = send_test(sub).values()
    assert reason and "error=500" in reason and "7731" not in reason, reason
    assert sub.channel_secrets() == [["Desk-Topic_7731-private"]]
    value = "p@ss/w0rd+7731"  # a value as written, and as Apprise may quote it: decoded, percent-encoded
    for form in (value, quote(value, safe=""), quote_plus(value)):
        shown = scrubbed(f"failed for {form} at hooks.example.org", "json://hooks.example.org/in", [quote(value, safe="")])
        assert "7731" not in shown and "hooks.example.org" in shown, shown
