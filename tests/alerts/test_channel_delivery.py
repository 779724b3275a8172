"""Channels as their services limit them, against real local receivers: a channel's targets (rooms, channels,
phones) each tracked on its own, and a message longer than a service takes sent in several posts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.alerts.delivery import deliver_immediate, run_digests
from pipeline.alerts.records import find_new_alerts
from pipeline.timing import utcnow as now
from tests.alerts.test_alerts import DEFAULT, indexed_stories, stories, subscriptions

__all__ = ["indexed_stories", "stories"]  # the fixtures, shared with test_alerts


@contextmanager
def receiver(status: Callable[[str, dict], int]) -> Iterator[tuple[int, list[tuple[str, dict]]]]:
    """A real HTTP server on 127.0.0.1 answering each JSON post (path, body) with `status(path, body)`; its port
    and every post it received."""
    posted: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            posted.append((self.path, body))
            self.send_response(status(self.path, body))
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"success": true}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], posted
    finally:
        server.shutdown()


def test_a_digest_longer_than_the_channel_takes_goes_in_several_posts(store, stories, tmp_path, monkeypatch):
    """Discord takes 2,000 characters a post: a digest longer went as one post (Apprise's default), was refused
    five times and handed back, and the next digest, longer still, too: the subscriber never got one."""
    from apprise.plugins.custom_json import NotifyJSON

    limit = 1500
    monkeypatch.setattr(NotifyJSON, "body_maxlen", limit)  # a webhook with a limit of its own, as Discord's
    with receiver(lambda path, body: 400 if len(body.get("message", "")) > limit else 200) as (port, posted):
        subs = subscriptions(tmp_path, [{"name": "morning", "mode": "digest", "channels": [f"json://127.0.0.1:{port}/hook"],
                                         "digest": {"every": "hourly"}, "rule": {"topics": ["asylum-border"]}}])
        found = find_new_alerts(store, subs, DEFAULT)
        digests = run_digests(store, subs, DEFAULT, at=now() + timedelta(hours=1))
    messages = [body["message"] for _, body in posted]
    assert found.created >= 3 and (digests.sent, digests.retrying) == (1, 0), messages
    assert len(messages) >= 2 and all(len(m) <= limit for m in messages)
    whole = "".join("".join(m.split()) for m in messages)  # each post as it was cut (only its edges' spaces go)
    assert whole.count("<li>") == found.created  # every story, once


def test_a_channel_and_a_room_of_one_channel_are_tracked_each_on_its_own(store, stories, tmp_path):
    """A Rocket.Chat channel with a channel and a room (or a Matrix one with two rooms, SNS with two phones): its
    targets are not in a list named targets, channels or topics, so it was tracked whole, and every retry for the
    room that refused posted to the channel again."""
    def refuse_the_room(path: str, body: dict) -> int:
        return 400 if body.get("channel") == "room123" else 200

    with receiver(refuse_the_room) as (port, posted):
        channel = f"rocket://Wh00kT0ken%2Fabc123XYZ@127.0.0.1:{port}/#desk/room123?mode=webhook"
        subs = subscriptions(tmp_path, [{"name": "desk", "channels": [channel],
                                         "rule": {"keywords": {"any": ["inches closer"]}}}])
        config = DEFAULT.model_copy(update={"backoff": timedelta(minutes=1), "max_attempts": 3})
        assert find_new_alerts(store, subs, config).created == 1
        passes = []  # the targets each pass posted to (an alert longer than Rocket.Chat takes is several posts)
        for hours in (0, 1, 2, 3):
            deliver_immediate(store, subs, config, at=now() + timedelta(hours=hours))
            passes.append(sorted({body.get("channel") for _, body in posted}))
            posted.clear()
    assert passes == [["#desk", "room123"], ["room123"], ["room123"], []], passes  # retried until given up


def test_every_list_of_targets_is_split_whatever_the_service_calls_it():
    from pipeline.alerts.channels import instantiate
    from pipeline.alerts.delivery import channel_parts

    for url, targets in (("matrix://bot:pw@matrix.example.org/#newsroom/#desk", ["#desk", "#newsroom"]),
                         ("matrix://bot:pw@matrix.example.org/#newsroom/@alice:example.org?retry=2",
                          ["#newsroom", "@alice:example.org"]),
                         ("sns://AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY/us-east-1/+15551234567/"
                          "+15557654321", ["+15551234567", "+15557654321"])):
        parts = channel_parts(url, url)
        assert len(parts) == len(targets) == len({key for key, _ in parts}), url
        alone = [instantiate(part) for _, part in parts]
        assert sorted(t for one in alone for t in [*getattr(one, "rooms", []), *getattr(one, "users", []),
                                                   *getattr(one, "phone", [])]) == sorted(targets), url


def test_a_channel_whose_targets_cannot_be_split_is_refused_when_loaded(tmp_path, monkeypatch):
    """OneSignal keeps its players in a mapping, which no URL for one of them can be made from: tracked whole, a
    player that refused had the others get every retry. Such a channel is refused, naming where it is written."""
    import yaml

    from pipeline.alerts import channels
    from pipeline.alerts.subscriptions import load_subscriptions
    from pipeline.errors import ConfigError

    # as if it were at a fixed address Newswatch allows: the check for its targets is what is left to refuse it
    monkeypatch.setattr(channels, "FIXED_ADDRESS_SCHEMES", channels.FIXED_ADDRESS_SCHEMES | {"onesignal"})
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"subscriptions": [
        {"name": "push", "channels": ["onesignal://appid@apikey/player1/player2"], "rule": {}},
        {"name": "one", "channels": ["onesignal://appid@apikey/player1"], "rule": {}}]}))
    with pytest.raises(ConfigError) as err:
        load_subscriptions(path)
    assert "subscriptions[push].channels.0" in str(err.value) and "one channel per" in str(err.value)
    assert [s.name for s in load_subscriptions(path, strict=False)] == ["one"]
