"""First names that tell a person's sex, and so that a name is a person's at all.

`data/first-names.tsv` holds first names that at least 95 % of their bearers share one way (nomquamgender's
MIT data): gender agreement uses the sex (`coreference`), entity labels the fact that it is a first name.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Collection
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import spacy
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS

from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Token

# Ranks and titles the name data holds as first names (a few people are named General or Major): before a
# surname in the news they are the rank ("General Zaluzhnyi"), which says nothing of the person's sex.
RANKS = {"general", "major", "colonel", "captain", "admiral", "marshal", "sergeant", "king", "queen", "prince",
         "princess", "duke", "duchess", "earl", "baron", "lord", "lady", "sir", "dame", "bishop", "pope", "judge",
         "justice", "president", "chancellor", "saint"}


@cache
def first_names() -> dict[str, str]:
    """Folded first name → "m" or "f", for names nearly all bearers of which are recorded one way."""
    text = resources.files("pipeline.nlp").joinpath("data/first-names.tsv").read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {name: sex for name, sex in pairs if name not in RANKS}


@cache
def given_names() -> frozenset[str]:
    """Folded first names of either sex: those of `first_names` and those no sex holds ("Georgie", "Jordan"), for
    whether a word opens a person's name rather than whom it points to."""
    text = resources.files("pipeline.nlp").joinpath("data/given-names.tsv").read_text(encoding="utf-8")
    return frozenset(first_names()) | {line for line in text.splitlines() if line and not line.startswith("#")}


def by_first_name(name: str) -> str | None:
    """The sex a full name's first name points to, if it points clearly ("Michelle Rempel" → "f")."""
    words = name.split()
    if len(words) < 2:
        return None
    first = fold(words[0])
    return first_names().get(first) or first_names().get(first.split("-")[0])  # "Jean-Luc", "Eva-Marie"


@cache
def function_words() -> frozenset[str]:
    """English and French function words: a sentence's capitalised "Once" or "Pourquoi" is no first name.

    spaCy's French list is read from its file: importing `spacy.lang.fr.stop_words` runs the package's
    `__init__`, whose tokenizer exceptions take about 2 s to compile, before the first story of a pass could be
    stored (English-only work never needs them)."""
    path = Path(spacy.__file__).parent / "lang" / "fr" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("_newswatch_fr_stop_words", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"spaCy's French stop words are missing: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(EN_STOP_WORDS | module.STOP_WORDS)


# given names written as initials before the name, as South Asian news writes them: "M R Ajith Kumar", "C K Manoj";
# "A" and "I" are words, so alone they count only with a full stop ("A. Ravi")
_PLACE_INITIALS = {"U.S.", "U.K.", "U.N.", "E.U.", "P.E.I.", "B.C.", "N.S.", "N.B.", "D.C.", "N.Y.", "L.A."}
_INITIALS = re.compile(r"(?:^|(?<=[\s(]))((?:(?:[B-HJ-Z]|[A-Z]\.|A(?= [B-HJ-Z] ))\s?){1,3})\s?$")  # "A H", not "a"


# offices written in capitals as one word before a name: "Kiminini MP Chris Wamalwa", "DCP Rajesh Kumar", not
# initials (spaced initials stay initials: "S P Singh")
_OFFICE_LETTERS = {"MP", "MPP", "MLA", "MHA", "MNA", "MSP", "MEP", "TD", "QC", "KC", "SC", "JP", "CEO", "CFO", "COO",
                   "CTO", "DG", "IG", "SP", "DSP", "ASP", "ACP", "DCP", "SI", "ASI", "SHO", "DM", "GM", "VP"}


def initials_before(text: str, start: int) -> int:
    """Where a person's name starts once the initials the model left out before it are counted in."""
    match = _INITIALS.search(text, max(0, start - 12), start)
    letters = "".join(match.group(1).split()) if match else ""
    if not match or not text[start - 1: start].isspace() or letters in _PLACE_INITIALS \
            or match.group(1).strip() in _OFFICE_LETTERS:
        return start
    return match.start(1)


def join_split_names(raw: list[tuple[str, str, int, int]], text: str) -> list[tuple[str, str, int, int]]:
    """(text, label, start, end) mentions with two person mentions one space apart made one: the small model
    cuts long names it has not seen ("Noor" and "Hisham Abdullah" of "Datuk Dr Noor Hisham Abdullah")."""
    out: list[tuple[str, str, int, int]] = []
    for mention in raw:
        if out and mention[1] == out[-1][1] == "person" and text[out[-1][3]: mention[2]] == " " \
                and len(out[-1][0].split()) + len(mention[0].split()) <= 4 \
                and not re.search(r"['’]s$", text[out[-1][2]: out[-1][3]]):  # "Labour’s Alan Mosley": the party's
            out[-1] = (f"{out[-1][0]} {mention[0]}", "person", out[-1][2], mention[3])
        elif out and out[-1][1] == "person" and mention[2] < out[-1][3]:
            continue  # "ten", read as a number, inside "Erik ten Hag"
        else:
            out.append(mention)
            if mention[1] == "person" and (particle := _PARTICLE_SURNAME.match(text, mention[3])):
                out[-1] = (f"{mention[0]}{particle.group(0)}", "person", mention[2], particle.end())
    return out


# a Dutch or German surname's particle after a given name the model tagged alone: "Erik" of "Erik ten Hag" ("ten"
# read as a number), "Virgil van Dijk"; not "de" or "du", which French and English put before places too
_PARTICLE_SURNAME = re.compile(r" (?:van der|van den|van de|von der|ten|ter|van|von|den)(?: [A-Z][\w'’-]+)")


SHEIKH = {"Sheikh", "Sheik", "Shaikh"}
_NASAB = {"bin", "bint", "ibn", "al", "el"}  # the links of an Arabic name: "Hamad Bin Jassem al Thani"


def nasab_of(given: str, names: Collection[str]) -> list[str]:
    """The full Arabic names among `names` that start with this given name ("Sheikh Hamad" is "Hamad Bin
    Jassem al Thani", the honorific and the given name being how such a person is called), longest form only."""
    found = [n for n in names if n.startswith(given + " ") and _NASAB & set(n.lower().split())]
    return [n for n in found if not any(o.startswith(n + " ") for o in found)]


# lower-case words after which a name is someone the speaker speaks for or of: "a spokeswoman for minister Ann Lee"
_NOT_THEIR_ROLE = {"for", "to", "with", "by", "from", "on", "about", "against", "behind", "under", "of", "and", "the", "a",
                   "an", "as", "at", "in", "said", "says", "told"}


# people a phrase may describe by someone else: "the wife of asylum seeker X" is not X (X's own role next to
# the name is theirs: "his brother John Smith")
_RELATIONS = {"wife", "husband", "mother", "father", "son", "daughter", "family", "brother", "sister", "widow",
              "widower", "parents", "parent", "relatives", "relative", "friend", "friends", "partner", "girlfriend",
              "boyfriend", "lawyer", "lawyers", "attorney", "attorneys", "counsel", "spokesperson", "spokesman",
              "spokeswoman", "aide", "cousin", "uncle", "aunt", "niece", "nephew", "children", "child", "mum", "dad"}


def name_after_role(phrase: str) -> str | None:
    """"Grandmothers Against Detention of Refugee Children co-ordinator Virginia Schneiders": a body's name, a
    role in lower case, then a person (the model tagged them as part of the body, or not at all). The person
    is the capitalised words from a known first name on; not a name the phrase speaks for or of."""
    words = phrase.split()
    for k in range(1, len(words) - 1):
        if not (fold(words[k]) in first_names() and words[k - 1][:1].islower() and len(words) - k <= 3):
            continue
        before = words[:k - 1]  # lower-case words only: "Grandmothers Against Detention" is a body's name
        participle = words[k - 1].lower().endswith("ing") and k > 1 and words[k - 2].lower() not in ("of", "for")
        if words[k - 1].lower() in _NOT_THEIR_ROLE or participle or any(  # not "head of campaigning"
                w in _NOT_THEIR_ROLE - {"of", "and", "the", "a", "an", "in", "at"}
                or w.lower() in _RELATIONS and after == "of" for w, after in zip(before, words[1:k], strict=True)
                if w.islower() or w.lower() in _RELATIONS):
            return None  # "a lawyer representing Ann Lee", "the wife of asylum seeker Ann Lee": not her
        if all(w[:1].isupper() for w in words[k:]):
            return " ".join(words[k:])
    return None


# last words of bodies and places that open with a given name ("Grace Church", "Victoria Station")
_NOT_PEOPLE = {"church", "hospital", "school", "university", "college", "foundation", "group", "bank", "company", "inc",
               "ltd", "corp", "club", "association", "centre", "center", "society", "trust", "fund", "party", "union",
               "station", "street", "road", "park", "house", "hall", "court", "council", "institute", "project",
               "network", "media", "news", "times", "post", "press", "airport", "bridge", "lake", "river", "island",
               "beach", "state", "city", "county", "valley", "power", "tech", "fc", "police", "bay", "springs", "falls"}


def given_named(phrase: str, subject: Token) -> str | None:
    """"Jacqueline Swaisland said", untagged by the model: two or three capitalised words opening with a known
    given name are a person's name (whom "she" or "the lawyer" may mean next), not a body's, nor a place the
    model tagged one ("Virginia Beach said")."""
    words = phrase.split()
    if example := _one_named_like(subject):
        return example
    if not subject.text[:1].isupper() or subject.ent_type_ in {"GPE", "LOC", "FAC"}:
        return None
    head, of, _ = phrase.partition(" of ")
    if of and head.split()[-1] == subject.text and any(t.ent_type_ == "ORG" for t in subject.subtree if t.i > subject.i):
        return _name_of_a_body(head)
    if not 2 <= len(words) <= 3 or not all(w[:1].isupper() and w.replace("-", "").replace("'", "").replace("’", "").isalpha()
                                           for w in words):
        return None
    return phrase if fold(words[0]) in given_names() and fold(words[-1]) not in _NOT_PEOPLE else None


def _one_named_like(subject: Token) -> str | None:
    """"parents like Jorlene Leslie said they hope …": the one of them the article names speaks (never one of two
    named: "Parents like Ann Cole and Tom Reyes said")."""
    if subject.tag_ != "NNS":
        return None
    named = [e.text for c in subject.children if c.dep_ == "prep" and c.lower_ == "like"
             for p in c.children if p.dep_ == "pobj" and p.ent_type_ == "PERSON" and not any(d.dep_ == "conj" for d in p.children)
             for e in subject.doc.ents if e.start <= p.i < e.end]
    return named[0] if len(named) == 1 else None


def _name_of_a_body(name: str) -> str | None:
    """"Shen Narayanasamy of Australian activist group GetUp told AFP": the capitalised words before "of" a body
    the model tagged are a person's name (two or three words, none a body's word)."""
    words = name.split()
    return name if 2 <= len(words) <= 3 and all(w[:1].isupper() and w.isalpha() for w in words) \
        and fold(words[-1]) not in _NOT_PEOPLE and fold(words[0]) not in _NOT_PEOPLE else None
