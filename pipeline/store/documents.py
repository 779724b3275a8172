"""The documents Newswatch stores, typed; each index mapping is derived from its model.

To add a stored field, add it to the model here with its Elasticsearch type (`Keyword`, `Text`,
`Date`, …); `mapping_of` turns the model into the index template, and `Store.ensure` puts the new
field into the live index too (Elasticsearch accepts new fields on an existing mapping).
Mappings use only what the plain integ-test distribution has: `keyword` for facets, `text` with the
standard analyzer for search, `date` for time.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True, eq=False)  # hashed by identity: typing hashes Annotated metadata
class ES:
    """The Elasticsearch mapping of one field, attached with `Annotated`."""

    mapping: dict[str, Any]


KEYWORD = ES({"type": "keyword", "ignore_above": 512})
Keyword = Annotated[str, KEYWORD]
Text = Annotated[str, ES({"type": "text"})]
TextKw = Annotated[str, ES({"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}})]
Date = Annotated[datetime, ES({"type": "date"})]
Int = Annotated[int, ES({"type": "integer"})]
Long = Annotated[int, ES({"type": "long"})]
Float = Annotated[float, ES({"type": "float"})]
Bool = Annotated[bool, ES({"type": "boolean"})]
Opaque = Annotated[list[dict[str, Any]], ES({"type": "object", "enabled": False})]  # kept, never searched
Blob = Annotated[dict[str, Any], ES({"type": "object", "enabled": False})]  # kept, never searched
Stored = Annotated[list[str], ES({"type": "keyword", "index": False, "doc_values": False})]  # kept, never searched
StoredInts = Annotated[list[int], ES({"type": "long", "index": False, "doc_values": False})]
GeoPoint = Annotated[dict[str, float], ES({"type": "geo_point"})]  # {"lat": …, "lon": …}

# The statuses, one spelling each, wherever they appear (stored as keywords).
FeedOutcome = Literal["ok", "not_modified", "unchanged", "error", "deferred"]  # one feed, one poll
HealthStatus = Literal["ok", "failing", "silent", "slow", "new"]  # one feed, judged over its polls
# sending: claimed by a delivery pass; expired: held (a channel's secret unset) until its story was no longer news
AlertStatus = Literal["pending", "sending", "in-digest", "sent", "failed", "expired"]


class Document(BaseModel):
    """Stored documents refuse unknown fields, as the strict mappings do."""

    model_config = ConfigDict(extra="forbid")

    def to_source(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class TopicHit(Document):
    topic: Keyword
    rule: Keyword
    term: Keyword
    text: Keyword
    start: Int
    end: Int


class TopQuote(Document):
    quote: Text
    speaker: Keyword
    speaker_canonical: Keyword
    verb: Keyword
    kind: Keyword


class GeoPlace(Document):
    """A place resolved to GeoNames (pipeline.nlp.places): Kibana maps `location`."""

    text: Keyword
    name: Keyword
    geonameid: Long | None = None
    country: Keyword | None = None
    admin1: Keyword | None = None
    kind: Keyword
    location: GeoPoint | None = None


class Figure(Document):
    """A number of people a story reports (pipeline.nlp.figures); `value` is None for "hundreds"."""

    text: Text
    value: Float | None = None
    qualifier: Keyword | None = None
    unit: Keyword
    kind: Keyword  # arrived | crossed | died | missing | rescued | deported | detained | applied | displaced | hosted | other
    place: Keyword | None = None
    date: Keyword | None = None
    speaker: Keyword | None = None
    sentence: Text = ""


class Story(Document):
    """One article that matched a topic: its text, why it was kept, who is named and quoted in it."""

    story_id: Keyword
    url: Keyword
    canonical_url: Keyword
    feed_id: Keyword
    outlet: Keyword
    language: Keyword
    country: Keyword
    title: TextKw
    summary: Text = ""
    text: Text = ""
    text_source: Keyword = "summary"  # page | summary
    page_error: Text | None = None
    published: Date
    # where `published` came from: feed | page (the article page's own date) | unknown (then it is the
    # first-seen time, for ordering only, and shown as "date unknown")
    date_source: Keyword = "feed"
    ingested: Date
    run_id: Keyword
    topics: list[Keyword] = []
    matched_terms: list[Keyword] = []
    topic_hits: list[TopicHit] = []
    topic_score: Float | None = None  # the relevance model's probability for the feed item, where there is one
    persons: list[Keyword] = []
    organizations: list[Keyword] = []
    places: list[Keyword] = []
    groups: list[Keyword] = []
    laws: list[Keyword] = []
    quoted: list[Keyword] = []
    quote_count: Int = 0
    top_quote: TopQuote | None = None
    entities: Opaque = []
    quotes: Opaque = []
    geo_places: list[GeoPlace] = []  # places resolved to GeoNames, first mention first
    focus_place: GeoPlace | None = None  # where the story happens
    focus_point: GeoPoint | None = None  # the focus's location at the top level: what the Kibana map plots
    place_countries: list[Keyword] = []  # every resolved place's country, for filters
    figures: list[Figure] = []
    headline_figure: Figure | None = None  # the largest count, for lists and charts
    source: Keyword = "live"  # live | replay: replayed stories are never alerted
    cluster_id: Keyword | None = None  # syndicated copies and near-duplicates share it (pipeline.ingest.clusters)
    minhash_bands: list[Keyword] = []
    minhash: StoredInts = []
    search_terms: Text = ""  # folded words, and folded lemmas beside them once enriched: what `newswatch search` matches
    enriched: Bool = False  # entities and quotes added (text first, enrichment after)
    # why Elasticsearch refused this story's enrichment for good (a mapping error, not a busy node): it is set
    # aside, not retried in every run ahead of the stories behind it; clear the field to try it again
    enrich_error: Text | None = None
    first_seen: Date | None = None  # when its item was first seen in a feed
    searchable_at: Date | None = None
    enriched_at: Date | None = None
    alerted_at: Date | None = None
    searchable_delay: Float | None = None  # seconds from first_seen, for percentiles without scripts
    enriched_delay: Float | None = None
    alerted_delay: Float | None = None
    event_id: Keyword | None = None  # the happening it reports (pipeline.events), set once, after enrichment
    storyline_id: Keyword | None = None  # the ongoing story that happening belongs to

    def date_label(self, with_time: bool = False) -> str:
        """The publication date as analysts read it: "date unknown" rather than a first-seen time passed off as one."""
        if self.date_source == "unknown":
            return f"date unknown (first seen {(self.first_seen or self.published).date().isoformat()})"
        if with_time and self.date_source == "feed":
            return self.published.strftime("%Y-%m-%d %H:%M UTC")
        return self.published.date().isoformat()


class QuoteDoc(Document):
    """One quote, denormalised with its story's outlet, date and topics so Kibana charts it without joins."""

    quote_id: Keyword
    story_id: Keyword
    quote: Text
    speaker: TextKw
    speaker_canonical: Keyword
    speaker_type: Keyword = "other"  # person | organization | other (a description): charts of people use person
    verb: Keyword
    kind: Keyword
    start: Int
    end: Int
    outlet: Keyword
    feed_id: Keyword
    language: Keyword
    published: Date
    ingested: Date
    topics: list[Keyword] = []
    title: TextKw
    url: Keyword
    run_id: Keyword
    geo_places: list[GeoPlace] = []  # places named inside the quote
    focus_point: GeoPoint | None = None  # its story's focus
    figures: list[Figure] = []  # figures stated inside the quote


class FeedState(Document):
    """What we remember about a feed between polls."""

    feed_id: Keyword
    etag: Keyword | None = None
    last_modified: Keyword | None = None
    body_hash: Keyword | None = None
    last_polled: Date | None = None
    last_success: Date | None = None
    last_error: Text | None = None
    last_error_kind: Keyword | None = None
    consecutive_failures: Int = 0
    items_seen: Long = 0
    next_due: Date | None = None  # adaptive polling: when this feed is due again
    interval_minutes: Float | None = None
    rate_per_hour: Float | None = None  # new items per hour, as learned
    schedule_reason: Text | None = None
    last_warning: Text | None = None
    seen: Stored = []  # keys of the items listed in recent polls, newest last
    waiting: Stored = []  # "item key<TAB>ISO time": items held back since their page first failed for a passing reason


class PollRecord(Document):
    """One feed, one poll: what feed health is judged from."""

    feed_id: Keyword
    time: Date
    outcome: Annotated[FeedOutcome, KEYWORD]
    http_status: Int | None = None
    latency: Float = 0.0
    bytes: Long = 0
    items_seen: Int = 0
    new_items: Int = 0  # items the feed had not listed before
    new_stories: Int = 0  # on-topic stories indexed from them
    error_class: Keyword | None = None
    error_message: Text | None = None
    consecutive_failures: Int = 0
    warning: Text | None = None
    next_due: Date | None = None
    run_id: Keyword | None = None
    searchable_p50: Float | None = None  # seconds from feed to searchable, for this poll's stories
    searchable_p95: Float | None = None


class AlertRecord(Document):
    """One (subscription, story cluster) or (subscription, surge) alert, or one digest: written before anything is sent."""

    alert_id: Keyword
    kind: Literal["story", "surge", "figure", "digest"] = Field(json_schema_extra={"es": "keyword"})
    subscription: Keyword
    mode: Keyword
    story_id: Keyword | None = None
    cluster_id: Keyword | None = None
    surge_id: Keyword | None = None  # surge alerts: the surge (pipeline.events) it tells of
    finding_id: Keyword | None = None  # figure alerts: the revision or disagreement (FigureFinding) it tells of
    story_ids: list[Keyword] = []
    other_outlets: list[Keyword] = []
    outlet: Keyword | None = None
    title: TextKw | None = None
    url: Keyword | None = None
    published: Date | None = None
    created: Date
    status: Annotated[AlertStatus, KEYWORD] = "pending"
    claimed_until: Date | None = None  # a claim not finished by then (the pass died) may be taken again
    attempts: Int = 0
    next_attempt: Date | None = None
    last_error: Text | None = None
    channels_sent: list[Keyword] = []
    sent_at: Date | None = None
    digest_id: Keyword | None = None
    period: Keyword | None = None
    alert_ids: list[Keyword] = []


class GroupDoc(Document):
    """An event (one happening, days) or a storyline (an ongoing story, weeks), rebuilt from its stories."""

    group_id: Keyword
    level: Literal["event", "storyline"] = Field(json_schema_extra={"es": "keyword"})
    title: TextKw
    topics: list[Keyword] = []
    first_seen: Date
    last_seen: Date
    reports: Int  # stories, copies included
    stories: Int  # distinct stories: syndicated copies counted once
    outlet_count: Int
    outlets: list[Keyword] = []
    story_ids: list[Keyword] = []
    storyline_id: Keyword | None = None  # events: the storyline they belong to
    event_ids: list[Keyword] = []  # storylines: their events
    persons: list[Keyword] = []
    organizations: list[Keyword] = []
    places: list[Keyword] = []
    quoted: list[Keyword] = []
    top_quotes: Opaque = []  # [{quote, speaker, story_id, outlet}]
    timeline: Opaque = []  # [{day, reports}]
    figure_findings: Opaque = []  # events: [{finding_id, condition, kind, place, values, outlets}] (FigureFinding)
    updated: Date


class FigureFinding(Document):
    """A figure revised ("toll rises from 46 to 53") or disputed by outlets ("46" vs "53" the same day) within
    one event, with every report that gave each value; one per (event, kind, place, condition, values)."""

    finding_id: Keyword
    condition: Literal["revised", "disagree"] = Field(json_schema_extra={"es": "keyword"})
    event_id: Keyword
    storyline_id: Keyword | None = None
    topics: list[Keyword] = []
    kind: Keyword  # what was counted: died, crossed, … (pipeline.nlp.figures)
    place: Keyword | None = None
    values: list[Float]  # [the value in force, the new one]
    before: Float
    after: Float
    at: Date  # when the later report was published
    story_ids: list[Keyword] = []
    outlets: list[Keyword] = []
    sources: Opaque = []  # [{story_id, outlet, published, value, sentence, speaker}]
    updated: Date


class SurgeDoc(Document):
    """A series (the topic, an event, a storyline, a person, organisation or place) far above its baseline."""

    surge_id: Keyword
    topic: Keyword
    key: Keyword
    kind: Keyword
    label: TextKw
    start: Date
    peak: Date
    end: Date | None = None
    score: Float  # -log10 of the Poisson tail at the peak
    count: Int  # distinct stories in the window at the peak
    expected: Float  # what the series' history led one to expect then
    story_ids: list[Keyword] = []
    updated: Date


class MonitorState(Document):
    """What the events stage remembers between batches: word statistics, open groups, surge detectors."""

    key: Keyword
    state: Blob
    stories: Long = 0  # stories placed so far
    updated: Date


class StateEntry(Document):
    """A named point in time the pipeline remembers (the alerts watermark)."""

    key: Keyword
    value: Date


class NameEntry(Document):
    """The one written form the index uses for a name, keyed by `pipeline.nlp.names.name_key`."""

    key: Keyword
    name: Keyword
    first_seen: Date


class Feedback(Document):
    """An analyst's verdict on a story for a topic (or a speaker correction on a quote): who, when, how.

    The story's outlet and rule terms are copied in, so precision per rule and per outlet is one query.
    """

    story_id: Keyword
    verdict: Keyword  # relevant | irrelevant | wrong-speaker
    topic: Keyword = ""
    by: Keyword
    at: Date
    via: Keyword  # cli | link | kibana
    outlet: Keyword = ""
    terms: list[Keyword] = []
    quote_id: Keyword = ""
    speaker: Keyword = ""  # the right name, for wrong-speaker
    was: Keyword = ""  # the speaker the quote carried before, for wrong-speaker


INDEXED: dict[str, type[Document]] = {"stories": Story, "quotes": QuoteDoc, "feeds": FeedState,
                                      "feed-health": PollRecord, "alerts": AlertRecord, "state": StateEntry,
                                      "names": NameEntry, "events": GroupDoc, "surges": SurgeDoc,
                                      "figure-findings": FigureFinding,
                                      "monitor": MonitorState, "feedback": Feedback}


def _field_mapping(annotation: Any, metadata: list[Any]) -> dict[str, Any]:
    for item in metadata:
        if isinstance(item, ES):
            return item.mapping
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        return _field_mapping(base, list(extra))
    if origin in (list, tuple, set):
        return _field_mapping(get_args(annotation)[0], [])
    if origin in (Union, types.UnionType):
        arms = [a for a in get_args(annotation) if a is not type(None)]
        return _field_mapping(arms[0], [])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"properties": _properties(annotation)}
    raise TypeError(f"no Elasticsearch type for {annotation!r}: annotate it with ES(...)")


def _properties(model: type[BaseModel]) -> dict[str, Any]:
    out = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("es") == "keyword":
            out[name] = Keyword.__metadata__[0].mapping  # type: ignore[attr-defined]
            continue
        out[name] = _field_mapping(info.annotation, list(info.metadata))
    return out


def mapping_of(model: type[BaseModel]) -> dict[str, Any]:
    """The strict index mapping of a document model."""
    return {"dynamic": "strict", "properties": _properties(model)}
