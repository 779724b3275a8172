"""Search stories as analysts mean it: `migrant` finds `migrants`, `Quebec` finds `Québec`, one hit per story.

Stories carry `search_terms`, their words folded (case, accents, apostrophes) and, once enriched,
their spaCy lemmas folded; a query's words are folded and lemmatized the same way (English and
French both, since a query does not say its language) and each becomes the choice of its forms.
Phrases, `-exclusions` and `a | b` keep their meaning (Elasticsearch's simple query string).
Syndicated copies collapse into one hit that names the other outlets.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.store import Page, Store
from pipeline.text import clip, fold

# a phrase (with its slop, `"a b"~2`), an operator, or a word (with its prefix `*` or fuzziness `~`, which
# belong to it: `migra *` would look for the word "migra")
_TOKENS = re.compile(r'"[^"]*"(?:~\d*)?|[()|+-]|[^\s()|+"]+')
OPERATORS = {"(", ")", "|", "+", "-"}
_SUFFIX = re.compile(r"(.*?)(\*|~\d*)$")
_PERSON = re.compile(r"[A-ZÀ-Þ][\w'’.-]+(?: [A-ZÀ-Þ][\w'’.-]+)+")  # two capitalised words or more


def _forms(text: str) -> list[str]:
    """The folded surface form and the folded lemmas of a word or phrase, without repeats.

    Lemmas come from the models' lemmatizer tables (`pipeline.nlp.query_lemmas`), not a loaded
    pipeline: loading spaCy's English and French pipelines was 4 of a search's 4.5 seconds.
    """
    from pipeline.nlp.query_lemmas import lemmatize_query

    surface = " ".join(re.findall(r"\w+", fold(text)))
    forms = [surface]
    for language in ("en", "fr"):
        lemmas = lemmatize_query(text, language)  # None: a language whose model is not installed
        forms.extend([lemmas] if lemmas else [])
    return [f for f in dict.fromkeys(forms) if f]


def analysed_query(query: str) -> str:
    """The query with each word (or phrase) replaced by the choice of its folded forms."""
    out = []
    for token in _TOKENS.findall(query):
        if token in OPERATORS:
            out.append(token)
        elif token.startswith('"'):
            phrase, _, slop = token[1:].partition('"')
            forms = _forms(phrase)
            out.append("(" + " | ".join(f'"{f}"{slop}' for f in forms) + ")" if forms else token)
        elif (suffixed := _SUFFIX.fullmatch(token)) and suffixed.group(1):
            # a prefix or a fuzzy word is matched as written (folded), not lemmatized: "migra*" has no lemma
            words = re.findall(r"\w+", fold(suffixed.group(1)))
            joined = " ".join([*words[:-1], words[-1] + suffixed.group(2)]) if words else token
            out.append(f"({joined})" if len(words) > 1 else joined)  # `-anti-vax*` excludes the whole of it
        else:
            # a hyphenated word's forms are several words each: a phrase apiece, or `a b | c d` would
            # read as `((a b) | c) d` (the simple query string has no precedence) and match nothing
            forms = [f'"{f}"' if " " in f else f for f in _forms(token)]
            out.append("(" + " | ".join(forms) + ")" if len(forms) > 1 else (forms[0] if forms else token))
    return " ".join(out).replace("- (", "-(").replace("- ", "-")


def search_stories(store: Store, query: str, topic: str | None = None, size: int = 10,
                   collapse: bool = True, by_event: bool = True, place: str | None = None,
                   country: str | None = None) -> list[Page]:
    """Stories matching `query` (may be empty with a place or country), best first, one per story cluster
    unless `collapse` is off, and one per event (the best hit of each, carrying its event: "N reports from M
    outlets") unless `by_event` is off; `place` and `country` keep stories that name that place or a place in
    that country."""
    analysed = analysed_query(query) if query.strip() else ""
    filters = place_filters(place, country)
    if not (collapse and by_event):
        return store.search_stories(analysed, query, topic=topic, size=size, collapse=collapse, filters=filters)
    pages = store.search_stories(analysed, query, topic=topic, size=3 * size, collapse=True, filters=filters)
    return fold_by_event(store, pages)[:size]


def fold_by_event(store: Store, pages: list[Page]) -> list[Page]:
    """The best hit of each event, in the order of the hits, with the event and how many hits it folds."""
    events = store.get_many("events", {p.doc.event_id for p in pages if p.doc.event_id})
    out: list[Page] = []
    where: dict[str, int] = {}
    for page in pages:
        event_id = page.doc.event_id
        if event_id and event_id in where:
            first = out[where[event_id]]
            out[where[event_id]] = replace(first, folded=first.folded + 1)
            continue
        if event_id:
            where[event_id] = len(out)
        out.append(replace(page, event=events.get(event_id or "")))
    return out


def place_filters(place: str | None, country: str | None) -> list[dict]:
    """Filters on resolved places: a name as written or as the gazetteer knows it ("Channel" → "English Channel"),
    a country by ISO code or name ("GB", "United Kingdom", "UK")."""
    from pipeline.nlp.gazetteer import gazetteer

    filters: list[dict] = []
    if place:
        names = sorted({place, *(p.name for p in gazetteer().candidates(place))})
        filters.append({"bool": {"should": [{"terms": {"geo_places.name": names}}, {"terms": {"geo_places.text": names}}],
                                 "minimum_should_match": 1}})
    if country:
        codes = {c.country for c in gazetteer().candidates(country) if c.kind == "country" and c.country}
        filters.append({"terms": {"place_countries": sorted(codes or {country.upper()})}})
    return filters


def format_hit(hit: Page) -> str:
    story = hit.doc
    lines = [f"{story.date_label()}  {story.outlet}  [{', '.join(story.topics)}]",
             f"  {story.title}", f"  {story.url}"]
    if hit.copies:
        lines.append(f"  also published by: {', '.join(hit.copies)}")
    event = hit.event
    if event is not None and event.reports > 1:
        lines.append(f"  event: {event.reports} reports from {event.outlet_count} "
                     f"outlet{'' if event.outlet_count == 1 else 's'}, "
                     f"{event.first_seen.date().isoformat()} – {event.last_seen.date().isoformat()}: {event.title}"
                     + (f" ({hit.folded} more matching hits folded)" if hit.folded else ""))
    if story.matched_terms:
        lines.append(f"  matched: {', '.join(story.matched_terms[:8])}")
    fragments = hit.highlight.get("text") or []
    if fragments:
        lines.append(f"  …{clip(fragments[0], 240).removesuffix('…')}…")
    if story.focus_place:
        focus = story.focus_place
        lines.append(f"  where: {focus.name}" + (f" ({focus.country})" if focus.country else ""))
    if story.headline_figure:
        f = story.headline_figure
        count = " ".join(x for x in (f.qualifier, f"{f.value:,.0f}" if f.value is not None else None) if x)
        lines.append(f"  figure: {count} {f.unit}, {f.kind}" + (f" ({f.place})" if f.place else ""))
    quote = story.top_quote
    if quote:
        who = quote.speaker_canonical or quote.speaker or "unattributed"
        lines.append(f"  quote: {clip(quote.quote, 200)} — {who}")
    return "\n".join(lines) + "\n"


def as_json(hit: Page) -> dict[str, object]:
    """A hit for `newswatch search --json`: the story without its long fields, and the copies."""
    story = hit.doc.model_dump(mode="json", exclude={"text", "entities", "quotes", "minhash", "minhash_bands",
                                                     "search_terms", "topic_hits"})
    if hit.doc.date_source == "unknown":  # the first-seen time orders it; it is not a publication date
        story["published"] = None
    event = None
    if hit.event is not None:
        event = {"event_id": hit.event.group_id, "title": hit.event.title, "reports": hit.event.reports,
                 "outlets": hit.event.outlet_count, "first_seen": hit.event.first_seen.isoformat(),
                 "last_seen": hit.event.last_seen.isoformat(), "folded_hits": hit.folded}
    return {**story, "also_published_by": hit.copies, "highlight": hit.highlight.get("text", []), "event": event}


def top_quoted(store: Store, size: int = 5, run_id: str | None = None) -> list[tuple[str, int]]:
    """The people quoted most: canonical speakers that look like names and that stories list as persons.

    "the agency" or "Canada Border Services Agency" speak too, but only people are listed.
    """
    names = [(n, c) for n, c in store.top_speakers(size * 4, run_id) if _PERSON.fullmatch(n)]
    persons = store.named_persons([n for n, _ in names])
    return [(name, count) for name, count in names if name in persons][:size]

