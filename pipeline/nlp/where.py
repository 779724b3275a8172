"""The stored form of places and figures: what enrichment writes on a story and on each of its quotes.

Hands on `story_where(analysis)` and `quote_where(analysis, quote)` (fields of `Story` and `QuoteDoc`).
"""

from __future__ import annotations

from typing import Any

from pipeline.nlp.analysis import Analysis
from pipeline.nlp.quotes import Quote

FIGURE_FIELDS = ("text", "value", "qualifier", "unit", "kind", "place", "date", "speaker", "sentence")


def geo_place(place: dict[str, Any]) -> dict[str, Any]:
    return {"text": place["text"], "name": place["name"], "geonameid": place.get("geonameid"),
            "country": place.get("country"), "admin1": place.get("admin1"), "kind": place["kind"],
            "location": {"lat": place["lat"], "lon": place["lon"]}}


def figure(f: dict[str, Any]) -> dict[str, Any]:
    return {k: f.get(k) for k in FIGURE_FIELDS} | {"sentence": f.get("sentence") or ""}


def headline_figure(figures: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The figure a list shows: the largest count, a named kind before "other"."""
    counted = [f for f in figures if f.get("value") is not None]
    if not counted:
        return None
    return figure(max(counted, key=lambda f: (f["kind"] != "other", f["value"])))


def story_where(analysis: Analysis) -> dict[str, Any]:
    focus = geo_place(analysis.focus) if analysis.focus else None
    return {"geo_places": [geo_place(p) for p in analysis.places], "focus_place": focus,
            "focus_point": focus["location"] if focus else None,
            "place_countries": sorted({p["country"] for p in analysis.places if p.get("country")}),
            "figures": [figure(f) for f in analysis.figures], "headline_figure": headline_figure(analysis.figures)}


def quote_where(analysis: Analysis, quote: Quote) -> dict[str, Any]:
    """The places named and the figures stated inside one quote, and its story's focus."""
    inside = sorted({i for start, end, i in analysis.place_spans if quote.start <= start and end <= quote.end})
    figures = [figure(f) for f, (start, end) in zip(analysis.figures, analysis.figure_spans, strict=False)
               if quote.start <= start and end <= quote.end]
    focus = analysis.focus
    return {"geo_places": [geo_place(analysis.places[i]) for i in inside], "figures": figures,
            "focus_point": {"lat": focus["lat"], "lon": focus["lon"]} if focus else None}
