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
MIGRATIONS = {"index-pattern": "7.11.0", "search": "7.9.3", "lens": "8.9.0", "dashboard": "8.7.0", "map": "8.4.0"}
CORE_MIGRATION = "8.8.0"
UPDATED = "2026-11-28T00:00:00.000Z"
STORIES, QUOTES, HEALTH = "newswatch-stories", "newswatch-quotes", "newswatch-feed-health"
EVENTS, SURGES, FINDINGS = "newswatch-events", "newswatch-surges", "newswatch-figure-findings"
EVENTS_DASHBOARD = "newswatch-what-is-happening"


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


def _counts_by(lens_id: str, title: str, view_id: str, time_field: str, split: str, size: int,
               label: str) -> dict[str, Any]:
    """Records a day, stacked by a keyword (surges by kind of series, figure findings by kind of figure)."""
    return _lens(lens_id, title, view_id, "lnsXY", {
        "x": {**_column("date_histogram", time_field), "params": {"interval": "d", "includeEmptyRows": True}},
        "split": {**_column("terms", split), "params": {"size": size, "orderBy": {"type": "column", "columnId": "y"},
                                                       "orderDirection": "desc", "otherBucket": False}},
        "y": _column("count", None, label)}, {
        "preferredSeriesType": "bar_stacked", "legend": {"isVisible": True, "position": "right"},
        "valueLabels": "hide", "layers": [{"layerType": "data", "seriesType": "bar_stacked", "xAccessor": "x",
                                           "splitAccessor": "split", "accessors": ["y"]}]})


def _figures_over_time(lens_id: str, title: str) -> dict[str, Any]:
    """The largest headline figure reported per interval, one series per kind (died, crossed, displaced, …)."""
    columns = {"x": {**_column("date_histogram", "published"), "params": {"interval": "auto", "includeEmptyRows": True}},
               "split": {**_column("terms", "headline_figure.kind", "Kind of figure"),
                         "params": {"size": 11, "orderBy": {"type": "column", "columnId": "y"},
                                    "orderDirection": "desc", "otherBucket": False}},
               "y": _column("max", "headline_figure.value", "Largest number of people reported")}
    return _lens(lens_id, title, STORIES, "lnsXY", columns, {
        "preferredSeriesType": "line", "legend": {"isVisible": True, "position": "right"}, "valueLabels": "hide",
        "layers": [{"layerType": "data", "seriesType": "line", "xAccessor": "x", "splitAccessor": "split",
                    "accessors": ["y"]}]}, query="headline_figure.value > 0")


def _story_map(map_id: str, title: str, geo_field: str) -> dict[str, Any]:
    """A Kibana map of stories at their focus place (documents layer, clustered when dense), on the base map."""
    layers = [
        {"id": "basemap", "type": "EMS_VECTOR_TILE", "label": None, "minZoom": 0, "maxZoom": 24, "alpha": 1,
         "visible": True, "includeInFitToBounds": True, "style": {"type": "EMS_VECTOR_TILE", "color": ""},
         "sourceDescriptor": {"type": "EMS_TMS", "isAutoSelect": True, "lightModeDefault": "road_map_desaturated"}},
        {"id": "stories-by-focus", "type": "GEOJSON_VECTOR", "label": "Stories by focus place", "minZoom": 0,
         "maxZoom": 24, "alpha": 0.75, "visible": True, "includeInFitToBounds": True, "joins": [],
         "style": {"type": "VECTOR", "isTimeAware": True, "properties": {}},
         "sourceDescriptor": {"type": "ES_SEARCH", "id": "stories-by-focus-source", "geoField": geo_field,
                              "indexPatternRefName": "layer_1_source_index_pattern", "scalingType": "CLUSTERS",
                              "tooltipProperties": ["title", "outlet", "focus_place.name", "headline_figure.kind"],
                              "sortField": "published", "sortOrder": "desc", "applyGlobalQuery": True,
                              "applyGlobalTime": True, "applyForceRefresh": True, "filterByMapBounds": True}}]
    state = {"zoom": 1.5, "center": {"lon": 10, "lat": 30}, "timeFilters": {"from": "now-30d", "to": "now"},
             "refreshConfig": {"isPaused": True, "interval": 0}, "query": {"query": "", "language": "kuery"},
             "filters": [], "settings": {"autoFitToDataBounds": False}}
    return _object("map", map_id, {"title": title, "description": "Each story at the place it happens (its focus).",
                                   "layerListJSON": json.dumps(layers), "mapStateJSON": json.dumps(state),
                                   "uiStateJSON": json.dumps({"isLayerTOCOpen": True, "openTOCDetails": []})},
                   [{"name": "layer_1_source_index_pattern", "type": "index-pattern", "id": STORIES}])


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


def _dashboard(dashboard_id: str, title: str, description: str, layout: list[tuple[str, str, int, int, int, int]],
               since: str, extra: dict[str, Any] | None = None,
               extra_refs: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A dashboard of saved objects laid out as (id, type, x, y, width, height) on Kibana's 48-column grid."""
    panels, refs = [], []
    for number, (object_id, kind, x, y, w, h) in enumerate(layout, start=1):
        index = str(number)
        panels.append({"panelIndex": index, "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
                       "version": VERSION, "type": kind, "panelRefName": f"panel_{index}", "embeddableConfig": {}})
        refs.append({"name": f"{index}:panel_{index}", "type": kind, "id": object_id})
    return _object("dashboard", dashboard_id, {
        "title": title, "description": description, "panelsJSON": json.dumps(panels), **(extra or {}),
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True, "syncTooltips": False,
                                   "hidePanelTitles": False}),
        "timeRestore": True, "timeFrom": since, "timeTo": "now", "version": 1,
        "refreshInterval": {"pause": False, "value": 300000},
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"},
                                                                  "filter": []})}}, refs + (extra_refs or []))


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
        _story_map("newswatch-stories-map", "Stories by focus place", "focus_point"),
        _figures_over_time("newswatch-figures-by-kind", "Numbers of people reported, over time by kind"),
    ]
    layout = [("newswatch-distinct-stories", "lens", 0, 0, 12, 8), ("newswatch-freshness", "lens", 12, 0, 12, 8),
              ("newswatch-stories-by-topic", "lens", 24, 0, 24, 14), ("newswatch-stories-by-language", "lens", 0, 8, 24, 14),
              ("newswatch-top-outlets", "lens", 24, 14, 24, 15), ("newswatch-top-quoted", "lens", 0, 22, 24, 15),
              ("newswatch-top-organizations", "lens", 24, 29, 24, 15), ("newswatch-top-places", "lens", 0, 37, 24, 15),
              ("newswatch-feed-failures", "lens", 24, 44, 24, 15), ("newswatch-quotes-by-speaker", "search", 0, 59, 48, 18),
              ("newswatch-stories-map", "map", 0, 77, 48, 22), ("newswatch-figures-by-kind", "lens", 0, 99, 48, 15)]
    controls, control_refs = _controls([("topics", "Topic"), ("outlet", "Outlet"), ("language", "Language")])
    objects.append(_dashboard("newswatch-asylum-border", "Newswatch — asylum & border coverage",
                              "Stories (syndicated copies counted once), outlets, people quoted, organisations and "
                              "places in asylum and border coverage; freshness and feed health.", layout, "now-7d",
                              {"controlGroupInput": controls}, control_refs))
    return objects + events_objects()


def events_objects() -> list[dict[str, Any]]:
    """The events view and the surges timeline (pipeline.events): what is happening, and what jumped."""
    objects = [
        _data_view(EVENTS, "last_seen", "Newswatch events and storylines"),
        _data_view(SURGES, "start", "Newswatch surges"),
        _search("newswatch-events-list", "Events — most reported first", EVENTS, 'level : "event"',
                ["title", "reports", "outlet_count", "outlets", "places", "persons", "first_seen"], "last_seen"),
        _search("newswatch-storylines-list", "Storylines", EVENTS, 'level : "storyline"',
                ["title", "reports", "outlet_count", "first_seen"], "last_seen"),
        _search("newswatch-surges-list", "Surges", SURGES, "",
                ["label", "kind", "topic", "count", "expected", "score", "end"], "start"),
        _counts_by("newswatch-surges-timeline", "Surges over time by kind of series", SURGES, "start", "kind", 6,
                   "Surges"),
        _data_view(FINDINGS, "at", "Newswatch figures revised or disputed"),
        _search("newswatch-figure-findings-list", "Figures revised or disputed, within an event", FINDINGS, "",
                ["condition", "kind", "place", "before", "after", "outlets", "event_id"], "at"),
        _counts_by("newswatch-figure-findings-timeline", "Figures revised or disputed over time, by kind", FINDINGS,
                   "at", "kind", 11, "Revisions and disagreements"),
        _table("newswatch-top-events", "Events by reports", EVENTS, "title.keyword",
               _column("max", "reports", "Reports"), size=20, query='level : "event"'),
        _over_time("newswatch-stories-by-storyline", "Stories over time by storyline", STORIES, "published",
                   "storyline_id"),
    ]
    layout = [("newswatch-surges-timeline", "lens", 0, 0, 24, 14), ("newswatch-top-events", "lens", 24, 0, 24, 14),
              ("newswatch-stories-by-storyline", "lens", 0, 14, 48, 14), ("newswatch-surges-list", "search", 0, 28, 48, 14),
              ("newswatch-events-list", "search", 0, 42, 48, 18),
              ("newswatch-figure-findings-timeline", "lens", 0, 60, 24, 14),
              ("newswatch-figure-findings-list", "search", 24, 60, 24, 14)]
    objects.append(_dashboard(EVENTS_DASHBOARD, "Newswatch — what is happening",
                              "Events (one happening, reported across outlets), storylines, surges of coverage, and "
                              "the numbers of people revised or disputed within an event.",
                              layout, "now-30d"))
    return objects


def render() -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n" for o in saved_objects())


def for_prefix(ndjson: str, prefix: str) -> str:
    """The objects for another index prefix (NEWSWATCH_INDEX_PREFIX): data views on `PREFIX-stories` …, and every
    id and reference renamed alike (`links.kibana_id`), so two deployments can share one Kibana."""
    return ndjson if prefix == "newswatch" else ndjson.replace("newswatch-", f"{prefix}-")  # reference names too
    # ("indexpattern-datasource-layer-newswatch-…-layer" names a layer id: renamed alike, they still match)


def import_objects(kibana_url: str, path: Path = NDJSON, wait: float = 0, timeout: float = 30,
                   prefix: str = "newswatch") -> dict:
    """Import (overwriting) into Kibana; raise KibanaError saying what went wrong and where.

    `wait`: seconds Kibana may take to come up (the compose step starts with it), retried every 3 s.
    """
    url = f"{kibana_url.rstrip('/')}/api/saved_objects/_import?overwrite=true"

    @retry(retry=retry_if_exception_type(httpx.TransportError), wait=wait_fixed(3), reraise=True,
           stop=stop_after_delay(wait))
    def post() -> httpx.Response:
        body = for_prefix(path.read_text(encoding="utf-8"), prefix).encode("utf-8")
        return httpx.post(url, headers={"kbn-xsrf": "newswatch"}, timeout=timeout,
                          files={"file": (path.name, body, "application/ndjson")})

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
