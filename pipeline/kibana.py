"""Kibana as code: data views, saved searches and the asylum & border dashboard, and their import.

`saved_objects()` defines every object; `kibana/newswatch.ndjson` is its committed rendering (the
tests keep the two equal), and `import_objects` sends it to Kibana's saved-objects import API.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from pipeline.errors import KibanaError
from pipeline.settings import PROJECT_ROOT

NDJSON = PROJECT_ROOT / "kibana" / "newswatch.ndjson"
VERSION = "9.5.4"


def _data_view(view_id: str, title: str, time_field: str, name: str) -> dict:
    return {"type": "index-pattern", "id": view_id, "attributes": {"title": title, "timeFieldName": time_field,
                                                                    "name": name}, "references": []}


def _source(view_id: str, query: str = "") -> tuple[dict, list[dict]]:
    meta = {"kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({
        "query": {"query": query, "language": "kuery"}, "filter": [],
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"})}}
    refs = [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": view_id}]
    return meta, refs


def _search(search_id: str, title: str, view_id: str, query: str, columns: list[str], sort: str) -> dict:
    meta, refs = _source(view_id, query)
    return {"type": "search", "id": search_id, "references": refs,
            "attributes": {"title": title, "columns": columns, "sort": [[sort, "desc"]], **meta}}


def _terms(field: str, size: int = 10, schema: str = "segment", agg_id: str = "2") -> dict:
    return {"id": agg_id, "enabled": True, "type": "terms", "schema": schema,
            "params": {"field": field, "size": size, "order": "desc", "orderBy": "1", "otherBucket": False,
                       "missingBucket": False}}


def _vis(vis_id: str, title: str, view_id: str, vis_type: str, aggs: list[dict], params: dict | None = None,
         query: str = "") -> dict:
    meta, refs = _source(view_id, query)
    count = {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}}
    state = {"title": title, "type": vis_type, "aggs": [count, *aggs], "params": params or {}}
    return {"type": "visualization", "id": vis_id, "references": refs,
            "attributes": {"title": title, "visState": json.dumps(state), "uiStateJSON": "{}", "description": "",
                           "version": 1, **meta}}


def _bar_over_time(vis_id: str, title: str, view_id: str, time_field: str, split: str) -> dict:
    return _vis(vis_id, title, view_id, "histogram", [
        {"id": "2", "enabled": True, "type": "date_histogram", "schema": "segment",
         "params": {"field": time_field, "interval": "auto", "min_doc_count": 1, "extended_bounds": {}}},
        _terms(split, 8, "group", "3")], {"type": "histogram", "addLegend": True, "legendPosition": "right"})


def _table(vis_id: str, title: str, view_id: str, field: str, size: int = 15, query: str = "") -> dict:
    return _vis(vis_id, title, view_id, "table", [_terms(field, size, "bucket")],
                {"perPage": size, "showPartialRows": False, "showTotal": False}, query)


def saved_objects() -> list[dict]:
    """Every object, in an order Kibana can import (data views first, the dashboard last)."""
    stories, quotes, health = "newswatch-stories", "newswatch-quotes", "newswatch-feed-health"
    objects = [
        _data_view(stories, "newswatch-stories", "published", "Newswatch stories"),
        _data_view(quotes, "newswatch-quotes", "published", "Newswatch quotes"),
        _data_view(health, "newswatch-feed-health", "time", "Newswatch feed health"),
        _search("newswatch-asylum-border-7d", "Asylum & border — last 7 days", stories, 'topics : "asylum-border"',
                ["title", "outlet", "language", "matched_terms", "quoted"], "published"),
        _search("newswatch-quotes-by-speaker", "Quotes by speaker", quotes, 'speaker_canonical : *',
                ["speaker_canonical", "quote", "kind", "outlet", "title"], "published"),
        _bar_over_time("newswatch-stories-by-topic", "Stories over time by topic", stories, "published", "topics"),
        _bar_over_time("newswatch-stories-by-language", "Stories over time by language", stories, "published",
                       "language"),
        _table("newswatch-top-outlets", "Top outlets", stories, "outlet"),
        _table("newswatch-top-quoted", "Top quoted people", quotes, "speaker_canonical"),
        _table("newswatch-top-organizations", "Top organisations", stories, "organizations"),
        _table("newswatch-top-places", "Top places", stories, "places"),
        _table("newswatch-feed-failures", "Feed health: failed polls by feed", health, "feed_id",
               query='outcome : "error"'),
    ]
    panels, refs = [], []
    layout = [("newswatch-stories-by-topic", 0, 0, 24, 14), ("newswatch-stories-by-language", 24, 0, 24, 14),
              ("newswatch-top-outlets", 0, 14, 16, 15), ("newswatch-top-quoted", 16, 14, 16, 15),
              ("newswatch-top-organizations", 32, 14, 16, 15), ("newswatch-top-places", 0, 29, 16, 15),
              ("newswatch-feed-failures", 16, 29, 32, 15), ("newswatch-quotes-by-speaker", 0, 44, 48, 18)]
    for number, (object_id, x, y, w, h) in enumerate(layout, start=1):
        kind = "search" if object_id == "newswatch-quotes-by-speaker" else "visualization"
        panels.append({"panelIndex": str(number), "gridData": {"x": x, "y": y, "w": w, "h": h, "i": str(number)},
                       "version": VERSION, "type": kind, "panelRefName": f"panel_{number}", "embeddableConfig": {}})
        refs.append({"name": f"panel_{number}", "type": kind, "id": object_id})
    meta = {"kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
        {"query": {"query": "", "language": "kuery"}, "filter": []})}}
    objects.append({"type": "dashboard", "id": "newswatch-asylum-border", "references": refs, "attributes": {
        "title": "Newswatch — asylum & border coverage", "description": "Stories, outlets, people quoted, "
        "organisations and places in asylum and border coverage; feed health.", "panelsJSON": json.dumps(panels),
        "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}), "timeRestore": True,
        "timeFrom": "now-7d", "timeTo": "now", "refreshInterval": {"pause": False, "value": 300000}, **meta}})
    return objects


def render() -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in saved_objects())


def import_objects(kibana_url: str, path: Path = NDJSON, wait: float = 0, timeout: float = 30) -> dict:
    """Import (overwriting) into Kibana; raise KibanaError saying what went wrong and where."""
    url = f"{kibana_url.rstrip('/')}/api/saved_objects/_import?overwrite=true"
    deadline = time.monotonic() + wait
    while True:
        try:
            with path.open("rb") as handle:
                resp = httpx.post(url, headers={"kbn-xsrf": "newswatch"}, timeout=timeout,
                                  files={"file": (path.name, handle, "application/ndjson")})
            break
        except httpx.TransportError as exc:
            if time.monotonic() >= deadline:
                raise KibanaError(f"Kibana is not reachable at {kibana_url}: {type(exc).__name__}: {exc}") from None
            time.sleep(3)
    if resp.status_code != 200:
        raise KibanaError(f"Kibana at {kibana_url} refused the import of {path.name}: HTTP {resp.status_code}: "
                          f"{resp.text[:500]}")
    body = resp.json()
    if not body.get("success", False):
        problems = "; ".join(f"{e.get('type')}/{e.get('id')}: {json.dumps(e.get('error'))}" for e in body.get("errors", []))
        raise KibanaError(f"Kibana imported {body.get('successCount', 0)} objects but refused others: {problems}")
    return body
