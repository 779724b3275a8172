"""One written form per name, in an article and across the index.

Outlets spell the same person differently ("François Doré", "Francois Doré", "FRANÇOIS DORÉ",
"O’Brien" and "O'Brien"); analysts count people by `speaker_canonical` and `persons`, so two spellings
would split one person's count in two. Names are compared by a key that ignores accents, case,
apostrophe style and hyphens; within an article the fullest spelling wins, and across articles the
first spelling the index registered wins, so a name never changes form once stories carry it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_text
from pipeline.store.documents import NameEntry
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from pipeline.nlp.analysis import Analysis
    from pipeline.store import Store

_SEPARATORS = re.compile(r"[\s\-‐‑–.]+")
_ARTICLE = re.compile(r"^(?:(?:the|le|la|les) |l')")
_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")
_POSSESSIVE_INSIDE = re.compile(r"\w['’]s\s")


def name_key(name: str) -> str:
    """What two spellings of one name share: "Marie-Émmanuelle O’Brien" → "marie emmanuelle o'brien",
    "the United Nations" → "united nations"."""
    return _ARTICLE.sub("", _SEPARATORS.sub(" ", fold(name)).strip())


def _accents(name: str) -> int:
    return sum(1 for c in unicodedata.normalize("NFD", name) if unicodedata.combining(c))


def preferred(variants: Mapping[str, int]) -> str:
    """The spelling to keep: no leading article, accents kept over lost, mixed case over shouting, then the
    commonest, then the first."""
    order = list(variants)
    return min(order, key=lambda v: (bool(_ARTICLE.match(fold(v))), -_accents(v), v.isupper() or v.islower(),
                                     -variants[v], order.index(v)))


def unify(names: Iterable[str]) -> dict[str, str]:
    """Each spelling → the preferred spelling of its key, for one set of names (an article, a batch)."""
    groups: dict[str, Counter[str]] = {}
    for name in names:
        if name:
            groups.setdefault(name_key(name), Counter())[name] += 1
    return {variant: preferred(counts) for counts in groups.values() for variant in counts}


def canonical_names(analysis: Analysis) -> list[str]:
    """Every canonical name an analysis carries, in the order it carries them."""
    return [e.canonical for e in analysis.entities] + [q.speaker_canonical for q in analysis.quotes if q.speaker_canonical]


def rename(analysis: Analysis, forms: dict[str, str]) -> None:
    """Rewrite an analysis's canonical names to the given forms (names not in `forms` stay)."""
    for entity in analysis.entities:
        entity.canonical = forms.get(entity.canonical, entity.canonical)
    for quote in analysis.quotes:
        quote.speaker_canonical = forms.get(quote.speaker_canonical, quote.speaker_canonical)


def unify_article(analysis: Analysis, doc: Doc | None = None) -> Analysis:
    """One spelling per name inside one article; given its English `doc`, a body that speaks keeps the "the"
    the article writes it with (see `with_article`)."""
    rename(analysis, unify(canonical_names(analysis)))
    if doc is not None:
        text = doc_text(doc)
        people = {e.canonical for e in analysis.entities if e.label == "person"}
        for quote in analysis.quotes:
            if quote.speaker_canonical not in people:
                quote.speaker_canonical = with_article(doc, text, quote.speaker_canonical)
    return analysis


def with_article(doc: Doc, text: str, name: str) -> str:
    """"the United Nations" where the article writes the name after "the" more often than not: the fullest
    form a reader is given ("the Pentagon", "the Liberals"), as labellers write it. A name mostly bare
    ("Canada Border Services Agency" twice in three) stays bare, a name that modifies a noun does not count
    ("the Civic Action study": the "the" is the study's), nor does a name with a possessive inside ("the
    University of Calgary's School": it is the university's). Keys (`name_key`) ignore it, so the index
    still counts one body."""
    if not name[:1].isupper() or _ARTICLE.match(fold(name)) or _POSSESSIVE_INSIDE.search(name):
        return name
    written = [0, 0]  # bare, after "the"
    for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is not None and span[-1].dep_ in {"compound", "nmod", "amod"} and span[-1].head.i >= span.end:
            continue
        written[bool(_THE_BEFORE.search(text, max(0, match.start() - 5), match.start()))] += 1
    return f"the {name}" if written[1] > written[0] else name


def index_forms(store: Store, names: Iterable[str]) -> dict[str, str]:
    """Each spelling → the form the index already uses for its key, registering new keys first-come.

    Registration is create-only, so two runs that meet a new name at once agree on one form.
    """
    batch = unify(names)
    keys = {name_key(name) for name in batch}
    known = {key: entry.name for key, entry in store.get_many("names", keys).items()}
    new = {name_key(form): form for form in batch.values() if name_key(form) not in known}
    if new:
        now = store.now()
        store.create_many("names", ((key, NameEntry(key=key, name=form, first_seen=now)) for key, form in new.items()))
        known |= {key: entry.name for key, entry in store.get_many("names", new).items()}
    return {variant: known.get(name_key(variant), form) for variant, form in batch.items()}
