"""Search stories as analysts mean it: `migrant` finds `migrants`, `Quebec` finds `Québec`, one hit per story.

Stories carry `search_terms`, their words folded (case, accents, apostrophes) and, once enriched,
their spaCy lemmas folded; a query's words are folded and lemmatized the same way (English and
French both, since a query does not say its language) and each becomes the choice of its forms.
Phrases, `-exclusions` and `a | b` keep their meaning (Elasticsearch's simple query string).
Syndicated copies collapse into one hit that names the other outlets.
"""

from __future__ import annotations

import re

from pipeline.store import Page, Store
from pipeline.text import clip, fold

_TOKENS = re.compile(r'"[^"]*"|[()|+\-~*]|[^\s()|+"~*]+')
OPERATORS = {"(", ")", "|", "+", "-", "~", "*"}
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
            forms = _forms(token.strip('"'))
            out.append("(" + " | ".join(f'"{f}"' for f in forms) + ")" if forms else token)
        else:
            forms = _forms(token)
            out.append("(" + " | ".join(forms) + ")" if len(forms) > 1 else (forms[0] if forms else token))
    return " ".join(out).replace("- (", "-(").replace("- ", "-")


def search_stories(store: Store, query: str, topic: str | None = None, size: int = 10,
                   collapse: bool = True) -> list[Page]:
    """Stories matching `query`, best first, one per story cluster unless `collapse` is off."""
    return store.search_stories(analysed_query(query), query, topic=topic, size=size, collapse=collapse)


def format_hit(hit: Page) -> str:
    story = hit.doc
    lines = [f"{story.date_label()}  {story.outlet}  [{', '.join(story.topics)}]",
             f"  {story.title}", f"  {story.url}"]
    if hit.copies:
        lines.append(f"  also published by: {', '.join(hit.copies)}")
    if story.matched_terms:
        lines.append(f"  matched: {', '.join(story.matched_terms[:8])}")
    fragments = hit.highlight.get("text") or []
    if fragments:
        lines.append(f"  …{clip(fragments[0], 240).removesuffix('…')}…")
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
    return {**story, "also_published_by": hit.copies, "highlight": hit.highlight.get("text", [])}


def top_quoted(store: Store, size: int = 5, run_id: str | None = None) -> list[tuple[str, int]]:
    """The people quoted most: canonical speakers that look like names and that stories list as persons.

    "the agency" or "Canada Border Services Agency" speak too, but only people are listed.
    """
    names = [(n, c) for n, c in store.top_speakers(size * 4, run_id) if _PERSON.fullmatch(n)]
    persons = store.named_persons([n for n, _ in names])
    return [(name, count) for name, count in names if name in persons][:size]

