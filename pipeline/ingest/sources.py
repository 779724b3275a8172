"""Which feeds a run polls: the configured live feeds, or the bundled offline replay for the local demo.

The replay lives in `pipeline.local` and is imported only when a run asks for it
(`NEWSWATCH_SOURCE=replay`, or `auto` when the feed hosts do not resolve), so a production run with
`live` never touches it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.config import load_feeds
from pipeline.settings import REPLAY_FEEDS, Settings


def network_available(feeds_file: Path, probes: int = 3) -> bool:
    """Whether the configured feed hosts resolve; DNS only, so an offline check sends no traffic out."""
    hosts = [urlsplit(feed.url).hostname for feed in load_feeds(feeds_file)[:probes]]  # a bad file says why
    for host in filter(None, hosts):
        try:
            socket.getaddrinfo(host, 443)
            return True
        except OSError:
            continue
    return False


def resolved_source(settings: Settings) -> str:
    """`live` or `replay`; `auto` is replay when the feed hosts do not resolve."""
    if settings.source == "auto":
        return "live" if network_available(settings.feeds_path) else "replay"
    return settings.source


def production_source(settings: Settings) -> str:
    """The source of a scheduled run: `live`, or `replay` only when asked for by name; `auto` is never guessed.

    A DNS hiccup must not switch production to the bundled replay, whose old stories would look new.
    """
    return "replay" if settings.source == "replay" else "live"


def feeds_file(settings: Settings) -> Path:
    """The feed list in force, without starting anything: for listing feeds and their health."""
    return REPLAY_FEEDS if resolved_source(settings) == "replay" else settings.feeds_path


@contextmanager
def feed_source(settings: Settings) -> Iterator[Settings]:
    """Settings for polling: as given for live feeds, or pointed at a replay server started here."""
    if resolved_source(settings) != "replay":
        yield settings.replace(source="live")
        return
    from pipeline.local.replay import replay_settings

    with replay_settings(settings) as replayed:
        yield replayed
