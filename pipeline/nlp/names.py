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

from pipeline.store.documents import NameEntry
from pipeline.text import fold

if TYPE_CHECKING:
    from pipeline.nlp.analysis import Analysis
    from pipeline.store import Store

_SEPARATORS = re.compile(r"[\s\-‐‑–.]+")
_ARTICLE = re.compile(r"^(?:(?:the|le|la|les) |l')")


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


def unify_article(analysis: Analysis) -> Analysis:
    """One spelling per name inside one article."""
    rename(analysis, unify(canonical_names(analysis)))
    return analysis


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
