"""Kibana as code: data views, saved searches and the asylum & border dashboard, and their import.

`saved_objects()` defines every object; `kibana/newswatch.ndjson` is its committed rendering (the
tests keep the two equal), and `import_objects` sends it to Kibana's saved-objects import API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_fixed

from pipeline.errors import KibanaError
from pipeline.settings import PROJECT_ROOT

NDJSON = PROJECT_ROOT / "kibana" / "newswatch.ndjson"
VERSION = "9.5.4"
# The migration versions Kibana writes on export, per type (as in Kibana's own sample data): Kibana
# migrates objects forward from these on import, so they must name versions Kibana knows.
MIGRATIONS = {"index-pattern": "7.11.0", "search": "7.9.3", "lens": "8.9.0", "dashboard": "8.7.0"}
CORE_MIGRATION = "8.8.0"
UPDATED = "2026-11-28T00:00:00.000Z"
STORIES, QUOTES, HEALTH = "newswatch-stories", "newswatch-quotes", "newswatch-feed-health"


def _object(kind: str, object_id: str, attributes: dict[str, Any], references: list[dict[str, str]]) -> dict[str, Any]:
    return {"type": kind, "id": object_id, "attributes": attributes, "references": references,
            "coreMigrationVersion": CORE_MIGRATION, "typeMigrationVersion": MIGRATIONS[kind], "managed": False,
            "updated_at": UPDATED}


def _data_view(view_id: str, time_field: str, name: str) -> dict[str, Any]:
    return _object("index-pattern", view_id, {"title": view_id, "timeFieldName": time_field, "name": name,
                                              "fields": "[]", "runtimeFieldMap": "{}", "typeMeta": "{}"}, [])


def _search(search_id: str, title: str, view_id: str, query: str, columns: list[str], sort: str) -> dict[str, Any]:
    source = {"query": {"query": query, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return _object("search", search_id, {"title": title, "description": "", "columns": columns,
                                         "sort": [[sort, "desc"]], "hits": 0, "version": 1,
                                         "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)}},
                   [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": view_id}])


def _column(kind: str, field: str | None = None, label: str | None = None, **params: Any) -> dict[str, Any]:
    """One Lens column: a bucket (date_histogram, terms) or a metric (count, unique_count, percentile)."""
    bucketed = kind in ("date_histogram", "terms")
    data_type = {"date_histogram": "date", "terms": "string"}.get(kind, "number")
    column: dict[str, Any] = {"label": label or (field or "Count of records"), "dataType": data_type,
                              "operationType": kind, "isBucketed": bucketed,
                              "scale": {"date_histogram": "interval", "terms": "ordinal"}.get(kind, "ratio"),
                              "sourceField": field or "___records___", "params": params}
    if label:
        column["customLabel"] = True
    return column


def _lens(lens_id: str, title: str, view_id: str, kind: str, columns: dict[str, dict[str, Any]],
          visualization: dict[str, Any], query: str = "") -> dict[str, Any]:
    layer = f"{lens_id}-layer"
    state = {"datasourceStates": {"formBased": {"layers": {layer: {
        "columns": columns, "columnOrder": list(columns), "incompleteColumns": {}}}}},
        "visualization": {**visualization, "layerId": layer} if kind != "lnsXY" else
        {**visualization, "layers": [{**visualization["layers"][0], "layerId": layer}]},
        "query": {"query": query, "language": "kuery"}, "filters": [], "internalReferences": [],
        "adHocDataViews": {}}
    return _object("lens", lens_id, {"title": title, "description": "", "visualizationType": kind, "state": state},
                   [{"type": "index-pattern", "id": view_id, "name": "indexpattern-datasource-current-indexpattern"},
                    {"type": "index-pattern", "id": view_id, "name": f"indexpattern-datasource-layer-{layer}"}])


def _over_time(lens_id: str, title: str, view_id: str, time_field: str, split: str) -> dict[str, Any]:
    columns = {"x": {**_column("date_histogram", time_field), "params": {"interval": "auto", "includeEmptyRows": True}},
               "split": {**_column("terms", split), "params": {"size": 8, "orderBy": {"type": "column", "columnId": "y"},
                                                               "orderDirection": "desc", "otherBucket": True}},
               "y": _column("unique_count", "cluster_id", "Stories (copies counted once)")}
    return _lens(lens_id, title, view_id, "lnsXY", columns, {
        "preferredSeriesType": "bar_stacked", "legend": {"isVisible": True, "position": "right"},
        "valueLabels": "hide", "layers": [{"layerType": "data", "seriesType": "bar_stacked", "xAccessor": "x",
                                           "splitAccessor": "split", "accessors": ["y"]}]})


def _table(lens_id: str, title: str, view_id: str, field: str, metric: dict[str, Any], size: int = 15,
           query: str = "") -> dict[str, Any]:
    columns = {"rows": {**_column("terms", field), "params": {"size": size, "orderBy": {"type": "column",
                                                                                        "columnId": "metric"},
                                                              "orderDirection": "desc", "otherBucket": False}},
               "metric": metric}
    return _lens(lens_id, title, view_id, "lnsDatatable", columns,
                 {"columns": [{"columnId": "rows"}, {"columnId": "metric"}]}, query)


def _metric(lens_id: str, title: str, view_id: str, column: dict[str, Any], query: str = "") -> dict[str, Any]:
    return _lens(lens_id, title, view_id, "lnsMetric", {"value": column}, {"metricAccessor": "value",
                                                                           "layerType": "data"}, query)


def _controls(fields: list[tuple[str, str]]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Options-list controls (a dropdown per field) over the stories, and their data-view references."""
    panels, refs = {}, []
    for order, (field, title) in enumerate(fields):
        control_id = f"newswatch-control-{field}"
        panels[control_id] = {"order": order, "width": "medium", "grow": True, "type": "optionsListControl",
                              "explicitInput": {"id": control_id, "fieldName": field, "title": title,
                                                "enhancements": {}}}
        refs.append({"name": f"controlGroup_{control_id}:optionsListDataView", "type": "index-pattern", "id": STORIES})
    group = {"controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL", "panelsJSON": json.dumps(panels),
             "ignoreParentSettingsJSON": json.dumps({"ignoreFilters": False, "ignoreQuery": False,
                                                     "ignoreTimerange": False, "ignoreValidations": False})}
    return group, refs


def saved_objects() -> list[dict[str, Any]]:
    """Every object, in an order Kibana can import (data views first, the dashboard last)."""
    distinct = _column("unique_count", "cluster_id", "Stories (copies counted once)")
    objects = [
        _data_view(STORIES, "published", "Newswatch stories"),
        _data_view(QUOTES, "published", "Newswatch quotes"),
        _data_view(HEALTH, "time", "Newswatch feed health"),
        _search("newswatch-asylum-border-7d", "Asylum & border — last 7 days", STORIES, 'topics : "asylum-border"',
                ["title", "outlet", "language", "matched_terms", "quoted"], "published"),
        _search("newswatch-quotes-by-speaker", "Quotes by speaker", QUOTES, 'speaker_type : "person"',
                ["speaker_canonical", "quote", "kind", "outlet", "title"], "published"),
        _metric("newswatch-distinct-stories", "Stories (syndicated copies counted once)", STORIES, distinct),
        _over_time("newswatch-stories-by-topic", "Stories over time by topic", STORIES, "published", "topics"),
        _over_time("newswatch-stories-by-language", "Stories over time by language", STORIES, "published", "language"),
        _table("newswatch-top-outlets", "Top outlets", STORIES, "outlet", distinct),
        _table("newswatch-top-quoted", "Top quoted people", QUOTES, "speaker_canonical",
               _column("count", None, "Quotes"), query='speaker_type : "person"'),
        _table("newswatch-top-organizations", "Top organisations", STORIES, "organizations", distinct),
        _table("newswatch-top-places", "Top places", STORIES, "places", distinct),
        _table("newswatch-feed-failures", "Feed health: failed polls by feed", HEALTH, "feed_id",
               _column("count", None, "Failed polls"), query='outcome : "error"'),
        _metric("newswatch-freshness", "Feed → searchable, 95th percentile (seconds)", STORIES,
                {**_column("percentile", "searchable_delay", "p95 seconds"), "params": {"percentile": 95}}),
    ]
    layout = [("newswatch-distinct-stories", "lens", 0, 0, 12, 8), ("newswatch-freshness", "lens", 12, 0, 12, 8),
              ("newswatch-stories-by-topic", "lens", 24, 0, 24, 14), ("newswatch-stories-by-language", "lens", 0, 8, 24, 14),
              ("newswatch-top-outlets", "lens", 24, 14, 24, 15), ("newswatch-top-quoted", "lens", 0, 22, 24, 15),
              ("newswatch-top-organizations", "lens", 24, 29, 24, 15), ("newswatch-top-places", "lens", 0, 37, 24, 15),
              ("newswatch-feed-failures", "lens", 24, 44, 24, 15), ("newswatch-quotes-by-speaker", "search", 0, 59, 48, 18)]
    panels, refs = [], []
    for number, (object_id, kind, x, y, w, h) in enumerate(layout, start=1):
        index = str(number)
        panels.append({"panelIndex": index, "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
                       "version": VERSION, "type": kind, "panelRefName": f"panel_{index}", "embeddableConfig": {}})
        refs.append({"name": f"{index}:panel_{index}", "type": kind, "id": object_id})
    controls, control_refs = _controls([("topics", "Topic"), ("outlet", "Outlet"), ("language", "Language")])
    objects.append(_object("dashboard", "newswatch-asylum-border", {
        "title": "Newswatch — asylum & border coverage",
        "description": "Stories (syndicated copies counted once), outlets, people quoted, organisations and places "
                       "in asylum and border coverage; freshness and feed health.",
        "panelsJSON": json.dumps(panels), "controlGroupInput": controls,
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True, "syncTooltips": False,
                                   "hidePanelTitles": False}),
        "timeRestore": True, "timeFrom": "now-7d", "timeTo": "now", "version": 1,
        "refreshInterval": {"pause": False, "value": 300000},
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"},
                                                                  "filter": []})}}, refs + control_refs))
    return objects


def render() -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in saved_objects())


def import_objects(kibana_url: str, path: Path = NDJSON, wait: float = 0, timeout: float = 30) -> dict:
    """Import (overwriting) into Kibana; raise KibanaError saying what went wrong and where.

    `wait`: seconds Kibana may take to come up (the compose step starts with it), retried every 3 s.
    """
    url = f"{kibana_url.rstrip('/')}/api/saved_objects/_import?overwrite=true"

    @retry(retry=retry_if_exception_type(httpx.TransportError), wait=wait_fixed(3), reraise=True,
           stop=stop_after_delay(wait))
    def post() -> httpx.Response:
        with path.open("rb") as handle:
            return httpx.post(url, headers={"kbn-xsrf": "newswatch"}, timeout=timeout,
                              files={"file": (path.name, handle, "application/ndjson")})

    try:
        resp = post()
    except httpx.TransportError as exc:
        raise KibanaError(f"Kibana is not reachable at {kibana_url}: {type(exc).__name__}: {exc}") from None
    if resp.status_code != 200:
        raise KibanaError(f"Kibana at {kibana_url} refused the import of {path.name}: HTTP {resp.status_code}: "
                          f"{resp.text[:500]}")
    body = resp.json()
    if not body.get("success", False):
        problems = "; ".join(f"{e.get('type')}/{e.get('id')}: {json.dumps(e.get('error'))}" for e in body.get("errors", []))
        raise KibanaError(f"Kibana imported {body.get('successCount', 0)} objects but refused others: {problems}")
    return body
