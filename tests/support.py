"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.settings import Settings


def replay_settings(settings: Settings, web_url: str, feeds_file: Path | None = None, **fetch: object) -> Settings:
    """Settings that reach the bundled replay feeds through the test's local server."""
    from pipeline.local.replay import REPLAY_BASE, REPLAY_DIR
    from pipeline.settings import FetchSettings

    return settings.replace(feeds_file=feeds_file or REPLAY_DIR / "feeds.yaml",
                            fetch=FetchSettings(**{"retries": 0, "rewrite": ((REPLAY_BASE, web_url),),
                                                   "allow": ("127.0.0.1",), **fetch}))


def write_feeds(tmp_path: Path, feeds: dict[str, str]) -> Path:
    """A feeds.yaml of `id → url` (outlet named after the id, English, Canada), as a test's pass reads it."""
    rows = [{"id": fid, "url": url, "outlet": fid, "language": "en", "country": "CA"} for fid, url in feeds.items()]
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump({"feeds": rows}))
    return path
