"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import Settings


def replay_settings(settings: Settings, web_url: str, feeds_file: Path | None = None, **fetch: object) -> Settings:
    """Settings that reach the bundled replay feeds through the test's local server."""
    from pipeline.local.replay import REPLAY_BASE, REPLAY_DIR
    from pipeline.settings import FetchSettings

    return settings.replace(feeds_file=feeds_file or REPLAY_DIR / "feeds.yaml",
                            fetch=FetchSettings(**{"retries": 0, "rewrite": ((REPLAY_BASE, web_url),),
                                                   "allow": ("127.0.0.1",), **fetch}))
