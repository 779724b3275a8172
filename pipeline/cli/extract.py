"""`newswatch extract`: the measurement contract, JSONL texts in, entities, quotes, places, figures and topics out."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.settings import Settings


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file, each with a string `text`; a bad line is a ConfigError naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "(file)", "does not exist" if isinstance(exc, FileNotFoundError)
                          else f"cannot be read: {exc.strerror or exc}") from None
    rows = []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(str(path), f"line {number}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ConfigError(str(path), f"line {number}", f"not valid JSON: {exc}") from None
        if not isinstance(row, dict):
            kind = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(type(row), "a number")
            raise ConfigError(str(path), f"line {number}", f"must be a JSON object, not {kind}")
        if not isinstance(row.get("text"), str):
            raise ConfigError(str(path), f"line {number}", "missing string field 'text'")
        if row.get("title") is not None and not isinstance(row["title"], str):  # found before the NLP, not after
            raise ConfigError(str(path), f"line {number}", f"'title' must be a string, not {row['title']!r}")
        rows.append(row)
    return rows


@dataclass(frozen=True)
class _Source:
    index: int  # the input line's
    country: str | None  # the outlet's country: a hint for places ("in Fleetwood" in a British paper)


def outlet_countries(feeds_path: Path) -> dict[str, str]:
    """Each configured outlet's country (the one most of its feeds give), so that a line naming its `outlet`
    is read as that outlet's story; an unreadable feeds file gives no hints rather than no extraction."""
    from pipeline.config import load_feeds

    try:
        feeds = load_feeds(feeds_path)
    except (ConfigError, OSError):
        return {}
    counts = Counter((f.outlet, f.country.upper()) for f in feeds if f.outlet and f.country)
    homes: dict[str, str] = {}
    for (outlet, country), _ in counts.most_common():
        homes.setdefault(outlet, country)
    return homes


def _home(row: dict[str, Any], homes: dict[str, str]) -> str | None:
    """The line's country as an ISO code ("UK" is GB), else its outlet's; anything else gives no hint."""
    country, outlet = row.get("country"), row.get("outlet")
    if isinstance(country, str) and len(country.strip()) == 2 and country.strip().isalpha():
        code = country.strip().upper()
        return "GB" if code == "UK" else code
    return homes.get(outlet) if isinstance(outlet, str) else None


def extract_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per row, same order: entities, quotes, places, focus, figures and topics (what `extract` prints)."""
    from pipeline.config import load_topics
    from pipeline.ingest.articles import blank_junk
    from pipeline.nlp.analysis import with_headline, without_headline
    from pipeline.nlp.analyze import analyze_stream
    from pipeline.nlp.language import guess_language
    from pipeline.topics.rules import match_topics

    settings = Settings.from_env()
    topics = load_topics(settings.config_dir / "topics.yaml")
    by_lang: dict[str, list[int]] = {}
    langs: list[str] = []
    for i, row in enumerate(rows):
        lang = row.get("lang") or guess_language(row["text"])
        langs.append(lang if lang in ("en", "fr") else "en")
        by_lang.setdefault(langs[i], []).append(i)
    homes = outlet_countries(settings.config_dir / "feeds.yaml")
    results: dict[int, dict] = {}
    headed = [with_headline(row.get("title") if isinstance(row.get("title"), str) else None, blank_junk(row["text"]))
              for row in rows]
    for lang, indices in by_lang.items():
        pairs = ((headed[i][0], _Source(i, _home(rows[i], homes))) for i in indices)
        for source, analysis in analyze_stream(pairs, lang, settings.nlp.batch_size, keep_going=True):
            results[source.index] = without_headline(analysis, headed[source.index][1]).as_dict()
            if analysis.error:  # one line per input still: this one says why it is empty
                results[source.index]["error"] = analysis.error
    records = []
    for i, row in enumerate(rows):
        text = ((row.get("title") or "") + "\n" + row["text"]).strip()
        matched = match_topics(text, topics, langs[i])
        records.append({"id": row.get("id"), **results[i], "topics": [m.topic for m in matched],
                        "topic_hits": {m.topic: [h.__dict__ for h in m.hits] for m in matched}})
    return records


def cmd_extract(args: argparse.Namespace) -> int:
    """The measurement contract: JSONL in, one JSON line per input out, same order."""
    out = sys.stdout
    for record in extract_records(_read_jsonl(args.input)):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("extract", "entities, quotes, places, figures and topics for a JSONL file of texts")
    p.add_argument("--input", required=True, type=Path)
    p.set_defaults(func=cmd_extract)
