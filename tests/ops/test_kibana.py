"""Kibana saved objects checked for real where Kibana cannot run: parsing, references, and the fields
they use against the mapping the real Elasticsearch returns after the pipeline has indexed stories."""

import json
import re

import pytest

from pipeline.ingest.poll import poll_feeds
from pipeline.local.es_node import free_port
from pipeline.local.replay import REPLAY_DIR
from pipeline.ops.kibana import NDJSON, KibanaError, import_objects, render
from tests.support import replay_settings

OBJECTS = [json.loads(line) for line in NDJSON.read_text().splitlines()]
NUMERIC = {"long", "integer", "float", "double", "short"}


def test_every_line_parses_and_ids_are_unique():
    assert len(OBJECTS) == len(NDJSON.read_text().splitlines()) >= 12
    keys = [(o["type"], o["id"]) for o in OBJECTS]
    assert len(keys) == len(set(keys))
    assert {o["type"] for o in OBJECTS} == {"index-pattern", "search", "lens", "dashboard", "map"}


def test_objects_carry_the_migration_fields_kibana_writes_on_export():
    for obj in OBJECTS:
        assert obj["coreMigrationVersion"] == "8.8.0" and obj["typeMigrationVersion"], obj["id"]
        assert obj["managed"] is False and obj["updated_at"].endswith("Z")
        assert "migrationVersion" not in obj  # the pre-8.8 form Kibana no longer exports


def test_committed_file_is_the_rendering_of_the_code():
    assert NDJSON.read_text() == render(), "run: python -c 'from pipeline.ops.kibana import *; NDJSON.write_text(render())'"


def test_every_reference_resolves_inside_the_file():
    known = {(o["type"], o["id"]) for o in OBJECTS}
    for obj in OBJECTS:
        names = {r["name"] for r in obj["references"]}
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in known, (obj["id"], ref)
        source = json.loads(obj["attributes"].get("kibanaSavedObjectMeta", {}).get("searchSourceJSON", "{}"))
        if "indexRefName" in source:
            assert source["indexRefName"] in names
        for layer in json.loads(obj["attributes"].get("layerListJSON", "[]")):
            if "indexPatternRefName" in layer["sourceDescriptor"]:
                assert layer["sourceDescriptor"]["indexPatternRefName"] in names
        for panel in json.loads(obj["attributes"].get("panelsJSON", "[]")):
            assert f"{panel['panelIndex']}:{panel['panelRefName']}" in names
        if obj["type"] == "lens":
            for layer in obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]:
                assert f"indexpattern-datasource-layer-{layer}" in names


def test_the_dashboard_has_options_list_controls_for_topic_outlet_and_language():
    [dashboard] = [o for o in OBJECTS if o["id"] == "newswatch-asylum-border"]
    controls = json.loads(dashboard["attributes"]["controlGroupInput"]["panelsJSON"])
    assert {c["explicitInput"]["fieldName"] for c in controls.values()} == {"topics", "outlet", "language"}
    assert all(c["type"] == "optionsListControl" for c in controls.values())
    names = {r["name"] for r in dashboard["references"]}
    assert all(f"controlGroup_{cid}:optionsListDataView" in names for cid in controls)


LENS_TYPES = {"terms": {"keyword"}, "date_histogram": {"date"}, "unique_count": {"keyword"},
              "percentile": NUMERIC, "count": set(), "max": NUMERIC}


def used_fields(obj: dict) -> list[tuple[str, set[str]]]:
    """(field, acceptable mapping types) for everything an object reads."""
    attrs = obj["attributes"]
    if obj["type"] == "index-pattern":
        return [(attrs["timeFieldName"], {"date"})]
    if obj["type"] == "search":
        return [(c, {"keyword", "text", "date", "integer", "long", "float"}) for c in attrs["columns"]] + \
               [(s[0], {"date"}) for s in attrs["sort"]]
    if obj["type"] == "lens":
        out = []
        for layer in attrs["state"]["datasourceStates"]["formBased"]["layers"].values():
            for column in layer["columns"].values():
                if column["sourceField"] != "___records___":
                    out.append((column["sourceField"], LENS_TYPES[column["operationType"]]))
        query = attrs["state"]["query"]["query"]
        out += [(f.strip(), {"keyword"}) for f in re.findall(r"(\w+) :", query)]
        return out
    if obj["type"] == "map":
        out = []
        for layer in json.loads(attrs["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if "geoField" in source:
                out += [(source["geoField"], {"geo_point"}), (source["sortField"], {"date"})]
                out += [(f, {"keyword", "text"}) for f in source["tooltipProperties"]]
        return out
    if obj["type"] == "dashboard":
        if "controlGroupInput" not in attrs:
            return []
        controls = json.loads(attrs["controlGroupInput"]["panelsJSON"])
        return [(c["explicitInput"]["fieldName"], {"keyword"}) for c in controls.values()]
    return []


def data_view_of(obj: dict, by_id: dict) -> str:
    ref = next(r for r in obj["references"] if r["type"] == "index-pattern")
    return by_id[("index-pattern", ref["id"])]["attributes"]["title"]


@pytest.fixture
def real_mapping(es, store, settings, web, tmp_path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    settings = replay_settings(settings, web.url, feeds)
    report = poll_feeds(store, settings, ["replay-canada", "replay-not-a-feed"], run_id="kibana")
    assert report.indexed > 0
    mapping = {}
    for kind in ("stories", "quotes", "feed-health", "events", "surges", "figure-findings"):
        body = es.indices.get_mapping(index=f"{settings.index_prefix}-{kind}").body
        props = next(iter(body.values()))["mappings"]["properties"]
        flat = {}
        for name, spec in props.items():
            flat[name] = spec.get("type", "object")
            for sub, subspec in {**spec.get("properties", {}), **spec.get("fields", {})}.items():
                flat[f"{name}.{sub}"] = subspec.get("type", "object")
        mapping[f"newswatch-{kind}"] = flat
    return mapping


def test_every_field_used_exists_with_a_suitable_type(real_mapping):
    by_id = {(o["type"], o["id"]): o for o in OBJECTS}
    checked = 0
    for obj in OBJECTS:
        used = used_fields(obj)
        if not used:
            continue
        view = obj["attributes"]["title"] if obj["type"] == "index-pattern" else data_view_of(obj, by_id)
        for field, types in used:
            assert field in real_mapping[view], f"{obj['id']} uses {field!r}, missing from {view}"
            assert real_mapping[view][field] in types, f"{obj['id']}: {field} is {real_mapping[view][field]}"
            checked += 1
    assert checked >= 20


def test_the_map_point_and_every_figures_field_exist_in_the_real_mapping_and_a_placed_story_is_on_the_map(es, store):
    """Fast, without enrichment: a story indexed with its focus place is a point Elasticsearch finds by area, and
    each field the figures objects (the chart by kind, the findings list and timeline) read is in the mapping."""
    from pipeline.store.documents import Figure, GeoPlace
    from tests.events.test_live import kept_stories

    dover = {"lat": 51.12598, "lon": 1.31257}
    story = kept_stories()[0].model_copy(update={
        "focus_place": GeoPlace(text="Dover", name="Dover", geonameid=2651048, country="GB", kind="city",
                                location=dover),
        "focus_point": dover, "headline_figure": Figure(text="53 migrants", value=53, unit="migrants", kind="crossed")})
    store.write_stories([story])
    flat = {}
    for kind in ("stories", "figure-findings"):
        props = next(iter(es.indices.get_mapping(index=store.index(kind)).body.values()))["mappings"]["properties"]
        for name, spec in props.items():
            flat[(kind, name)] = spec.get("type", "object")
            for sub, subspec in spec.get("properties", {}).items():
                flat[(kind, f"{name}.{sub}")] = subspec.get("type", "object")
    [story_map] = [o for o in OBJECTS if o["type"] == "map"]
    [layer] = [x for x in json.loads(story_map["attributes"]["layerListJSON"]) if "geoField" in x["sourceDescriptor"]]
    geo_field = layer["sourceDescriptor"]["geoField"]
    assert flat[("stories", geo_field)] == "geo_point" and flat[("stories", "focus_place.location")] == "geo_point"
    near_dover = es.search(index=store.index("stories"), query={"geo_distance": {"distance": "20km", geo_field: {
        "lat": 51.1, "lon": 1.3}}})["hits"]["hits"]
    assert [h["_source"]["story_id"] for h in near_dover] == [story.story_id]
    by_id = {(o["type"], o["id"]): o for o in OBJECTS}
    figure_objects = [o for o in OBJECTS if "figure" in o["id"]]
    assert {o["id"] for o in figure_objects} >= {"newswatch-figures-by-kind", "newswatch-figure-findings-list",
                                                 "newswatch-figure-findings-timeline"}
    for obj in figure_objects:
        view = obj["attributes"]["title"] if obj["type"] == "index-pattern" else data_view_of(obj, by_id)
        kind = "figure-findings" if view == "newswatch-figure-findings" else "stories"
        for field, types in used_fields(obj):
            assert flat.get((kind, field)) in types, f"{obj['id']} reads {field!r}: {flat.get((kind, field))}"


@pytest.mark.slow
def test_the_map_and_figure_fields_are_populated_after_enrichment(es, store, settings, web, tmp_path):
    """The map plots `focus_point`: after the pipeline has enriched real stories it is a geo_point with values,
    and the figures chart's fields hold numbers of people by kind."""
    from pipeline.nlp.enrich import enrich_stories

    feeds = tmp_path / "feeds.yaml"
    feeds.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    settings = replay_settings(settings, web.url, feeds)
    assert poll_feeds(store, settings, ["replay-canada", "replay-bbc-2022", "replay-cnn-2022"], run_id="kibana-map").indexed > 0
    assert enrich_stories(store, settings).stories > 0
    index = f"{settings.index_prefix}-stories"
    props = next(iter(es.indices.get_mapping(index=index).body.values()))["mappings"]["properties"]
    [story_map] = [o for o in OBJECTS if o["type"] == "map"]
    [layer] = [x for x in json.loads(story_map["attributes"]["layerListJSON"]) if "geoField" in x["sourceDescriptor"]]
    geo_field = layer["sourceDescriptor"]["geoField"]
    assert props[geo_field]["type"] == "geo_point"
    assert props["geo_places"]["properties"]["location"]["type"] == "geo_point"
    es.indices.refresh(index=index)
    located = es.search(index=index, query={"exists": {"field": geo_field}}, size=100)["hits"]["hits"]
    assert located, "no story has a focus point"
    for hit in located:
        point = hit["_source"][geo_field]
        assert -90 <= point["lat"] <= 90 and -180 <= point["lon"] <= 180
    around = es.search(index=index, size=0, query={"geo_bounding_box": {geo_field: {
        "top_left": {"lat": 90, "lon": -180}, "bottom_right": {"lat": -90, "lon": 180}}}})
    assert around["hits"]["total"]["value"] == len(located)  # Elasticsearch reads the points as points
    kinds = es.search(index=index, size=0, query={"exists": {"field": "headline_figure.value"}},
                      aggs={"k": {"terms": {"field": "headline_figure.kind"}}})
    assert kinds["hits"]["total"]["value"] > 0 and kinds["aggregations"]["k"]["buckets"]


def test_import_reports_an_unreachable_kibana_clearly():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(KibanaError, match=f"Kibana is not reachable at {url}"):
        import_objects(url)


def test_objects_for_another_index_prefix_point_at_its_indices_and_keep_every_reference():
    """NEWSWATCH_INDEX_PREFIX=prod imported data views of `newswatch-stories`: every dashboard and link was
    empty, and two deployments sharing a Kibana overwrote each other's objects."""
    from pipeline.ops.kibana import for_prefix
    from pipeline.ops.links import dashboard_url, discover_stories_url

    objects = [json.loads(line) for line in for_prefix(render(), "prod").splitlines()]
    views = [o for o in objects if o["type"] == "index-pattern"]
    assert views and all(o["attributes"]["title"].startswith("prod-") for o in views)
    ids = {o["id"] for o in objects}
    assert all(i.startswith("prod-") for i in ids)
    assert all(ref["id"] in ids for o in objects for ref in o["references"])  # every reference still resolves
    original = [json.loads(line) for line in render().splitlines()]
    for before, after in zip(original, objects, strict=True):  # a Lens layer or control finds its view by name
        assert [r["name"].replace("newswatch-", "prod-") for r in before["references"]] == [r["name"] for r in after["references"]]
        layers = re.findall(r'"layers": \{"([^"]+)"', json.dumps(after["attributes"]))
        assert all(f"indexpattern-datasource-layer-{layer}" in {r["name"] for r in after["references"]} for layer in layers)
    assert "prod-stories" in discover_stories_url("http://kibana:5601", prefix="prod")
    assert dashboard_url("http://kibana:5601", "newswatch-what-is-happening", "prod").endswith("/prod-what-is-happening")
    assert for_prefix(render(), "newswatch") == render()
