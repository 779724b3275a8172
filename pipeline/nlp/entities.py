"""Named entities of an article with one canonical name each: "Trudeau" → "Justin Trudeau".

A surname or first name alone resolves to the full name mentioned elsewhere in the same article;
titles, possessives and page furniture are stripped, and what is left of junk is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.nlp.coordinated_names import coordinated_name_end
from pipeline.nlp.datelines import after_dateline_dash, filed_from, place_name, state_after_town, without_place_tail
from pipeline.nlp.doc_cache import doc_text, doc_tokens
from pipeline.nlp.gazetteer import gazetteer
from pipeline.nlp.given_names import SHEIKH, first_names, function_words, initials_before, join_split_names, nasab_of
from pipeline.nlp.headline_names import without_headline_guesses
from pipeline.nlp.name_kinds import companies_named_as_people, people_among_bodies, surnames_of_people
from pipeline.nlp.national import national_form
from pipeline.nlp.place_uses import names_used_as_places
from pipeline.nlp.pseudonyms import pseudonyms
from pipeline.nlp.roads import names_a_way, road_name, way_start
from pipeline.nlp.speech import REPORT_VERBS, SPEECH_VERBS
from pipeline.nlp.surnames import gaelic_surname, given_name_before_particles, given_name_before_surname, honoured_name
from pipeline.nlp.titled_names import person_start, seat_before_member, untagged_titled
from pipeline.nlp.titles import POSTNOMINAL, ROLES, TITLES, office_lead, strip_stray_hyphens, without_titles
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

LABELS = {
    "en": {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group", "LAW": "law"},
    "fr": {"PER": "person", "ORG": "organization", "LOC": "place"},
}
_LOWER_LEAD = re.compile(r"^(?:(?:[a-zà-ÿ][\w.'’-]*|Earlier|Later|Meanwhile|Separately|Yesterday|Today|Also|Now|Then)\s+)+(?=[A-ZÀ-Þ])")
PLACE_ALIASES = {"U.S.": "United States", "US": "United States", "U.S": "United States", "USA": "United States",
                 "U.K.": "United Kingdom", "UK": "United Kingdom", "Britain": "United Kingdom",
                 "États-Unis": "United States", "Etats-Unis": "United States", "Que": "Quebec", "Que.": "Quebec"}
# "Border Security Minister Bill Blair": the ORG the model sees is part of a title, not an organisation
_TITLE_AFTER = {"minister", "critic", "ministre", "secretary", "commissioner"}
# a union's or a club's branch is named by its number: "UFCW Local 832", "Unifor Local 444", "Legion Branch 25"
_NUMBERED = {"local", "lodge", "branch", "chapter", "district", "section"}
_POSSESSIVE = re.compile(r"['’]s?$")
_JUNK = re.compile(r"^(click|watch|read more|story|sponsored|advertisement|share|video|photo|image|getty|"
                   r"file|related|subscribe|newsletters?|copyright)\b|\b(below|advertisement)$", re.I)
_NAME_TOKEN = re.compile(r"^[A-ZÀ-Þ][\w'’.-]*$")
_ACRONYM_END = re.compile(r"\s(?!(?:II|III|IV|VI|VII|VIII)$)[A-Z]{3,}$")  # not a king's "III"
_SUFFIXES = {"II", "III", "IV", "Jr", "Jr."}  # "Antonio Trillanes IV" is "Trillanes"
_ELIDED_SURNAME = re.compile(r"^[A-Z][’'][A-Z][a-z]")
# what kind of body a name is, written after it in lower case: tagged with the name, never part of it
_KIND_TAIL = re.compile(r"(?<=[\w.])(?:\s+(?:state-run|state|news|wire|press))*\s+(?:news agency|agency|newspaper|daily|"
                        r"broadcaster|network|think tank|website|news outlet|outlet|magazine|wire service|tabloid)$"
                        r"|\s+(?:Staff\s+)?(?:Sgt|Cpl|Const|Cst|Insp|Supt|Det|Lt|Capt)\.?$|\s+(?:Petty|Warrant)$")  # "RCMP Sgt. Harold …"
# Lower-case words that belong inside a name ("Bill de Blasio", "Ursula von der Leyen", "Bashar al-Assad"):
# a name is capitalised at both ends, and only these may stand lower-case between
_PARTICLES = {"de", "da", "di", "del", "della", "der", "den", "van", "von", "du", "dos", "das", "do", "la", "le", "los", "las",
              "bin", "ibn", "al", "el", "ter", "ten", "zu", "y", "ap", "ab"}
_PREFIXED_TOKEN = re.compile(r"^(?:al|el|ad|an|ar|as|at|az|bin|ibn|abu|ben)-[A-ZÀ-Þ][\w'’.-]*$")


def name_words(words: list[str]) -> bool:
    """Whether these words can be a person's name as written: capitalised, bar particles inside it."""
    if not words or not _NAME_TOKEN.match(words[0]) or any(c.isdigit() for w in words for c in w):
        return False  # "COVID-19" is nobody
    if len(words) == 1:
        return True
    inner_ok = all(_NAME_TOKEN.match(w) or w in _PARTICLES or _PREFIXED_TOKEN.match(w) for w in words[1:-1])
    return inner_ok and bool(_NAME_TOKEN.match(words[-1]) or _PREFIXED_TOKEN.match(words[-1]))


@dataclass
class Entity:
    text: str
    label: str  # person | organization | place | group | law
    canonical: str
    start: int
    end: int


def clean_mention(text: str, label: str, language: str = "en") -> str:
    text = strip_stray_hyphens(" ".join(text.split()))
    if label == "person":
        text = _name_after_role(_LOWER_LEAD.sub("", without_titles(text, language)))
    elif text.lower().startswith("the "):
        text = text[4:]
    elif text.startswith(("l’", "l'")) and label == "organization":
        text = text[2:]  # "l’ASFC", "l’Association": the elided article, as "the" above (not "La Presse")
    if label == "organization":
        text = without_place_tail(_KIND_TAIL.sub("", text))  # "Associated Press news agency", "X Plumbing in Kilgore"
    text = _POSSESSIVE.sub("", text).strip(" ,;:-–—\"“”«»'’")
    if text.endswith(".") and text.count(".") == 1:  # a sentence full stop, not "U.S."
        text = text[:-1]
    return PLACE_ALIASES.get(text, text) if label == "place" else text


def _name_after_role(text: str) -> str:
    """"Plaid Cymru health spokesperson Rhun ap Iorwerth", tagged whole: the capitalised words after the last
    lowercase word that is no particle of a name, when they are two to four."""
    words = text.split()
    lower = [k for k, w in enumerate(words) if w[:1].islower() and w not in _PARTICLES]
    tail = words[lower[-1] + 1:] if lower else []
    return " ".join(tail) if 2 <= len(tail) <= 4 and all(w[:1].isupper() or w in _PARTICLES for w in tail) else text


def is_junk(text: str, label: str) -> bool:
    if len(text) < 2 or "\n" in text or _JUNK.search(text):
        return True
    if TITLES.fullmatch(text.rstrip(".") + ". ") or " " in text and TITLES.fullmatch(text + " ") or \
            text.lower() in ROLES or text in {"Seri", "Sri"}:  # "Coun." of "Coun. Mathieu Fleury", "Pro Tem" of "President Pro
        return True  # Tem Chuck Winder"; a headline's "Councillor"; "Seri" left of "Datuk Seri" ("King" may be a surname)
    if text.isupper() and " " in text and label != "organization":  # "WATCH BELOW", "READ MORE"
        return True
    words = text.split()
    if label == "person" and (not name_words(words) or _many_or_a_thing(words) or words[0] == "The"):
        return True  # "The Waheh Shnong" is an office: a person's name takes no article
    return not any(c.isupper() for c in text)


def _many_or_a_thing(words: list[str]) -> bool:
    """"Tory MPs", "Queen’s Speech" tagged as a person: a plural of an office ends it (a group), or an office's
    possessive opens it (a thing of theirs); "Williams", "Eric Reeves" and "King Charles" stay people."""
    last, first = words[-1], words[0]
    plural = last.endswith("s") and (last[:-1].isupper() or bool(TITLES.fullmatch(last[:-1].lower() + " "))
                                     and fold(first) not in first_names())  # "Eric Reeves" is a person
    owned = len(words) > 1 and bool(_POSSESSIVE.search(first)) and bool(TITLES.fullmatch(_POSSESSIVE.sub("", first).lower() + " "))
    return bool(plural or owned)


class PersonNames:
    """Resolve partial mentions of people to the full names used in the article."""

    def __init__(self, full_names: list[str]) -> None:
        counts = Counter(full_names)
        # a name that ends a longer one is its short form, however often written: "De LaTorre" is "Justin De LaTorre",
        # never a person of its own that a speaker phrase could name first; so is "Sheikh Hamad" of "Hamad Bin Jassem"
        counts = Counter({n: c for n, c in counts.items() if not any(o.endswith(" " + n) or o.endswith(f" {n} {o.split()[-1]}")
                                                                     and o.split()[-1] in _SUFFIXES for o in counts)
                          and not (n.split()[0] in SHEIKH and len(n.split()) == 2 and nasab_of(n.split()[1], counts))})
        # when two full names share a surname ("Mary Ann Schicketanz", "Studio Schicketanz"), the one
        # the article names most often, then the longer, is the one a bare surname means
        self.full = sorted(counts, key=lambda n: (-counts[n], -len(n.split()), full_names.index(n)))

    def resolve(self, mention: str) -> str:
        words = mention.split()
        if len(words) >= 2:
            longer = [f for f in self.full if len(f.split()) > len(words)  # "De Ruyter" opening a sentence
                      and f.lower().endswith(" " + mention.lower())]  # is "Andre de Ruyter"
            opening = [f for f in self.full if f.startswith(mention + " ")] or (  # "Te Kaurinui" → "Te Kaurinui Robert
                nasab_of(words[1], self.full) if len(words) == 2 and words[0] in SHEIKH else [])  # Parata"; "Sheikh Hamad"
            return longer[0] if longer else opening[0] if len(opening) == 1 else mention
        candidates = [f for f in self.full if f.split()[-1] == mention] or [  # "Garcia" of "Jaqueline Rayos García"
                         f for f in self.full if fold(f.split()[-1]) == fold(mention)] or [f for f in self.full if f.split()[0] == mention] or \
                     [f for f in self.full if len(f.split()) >= 3 and f.split()[-2] == mention] or \
                     [f for f in self.full if mention in f.split()[-1].split("-")[1:]]  # "Gonzalez" of "Jose Arturo
        # Gonzalez Carranza": a Spanish name's first surname; "Lopez" of "Byron Sigcho-Lopez", half of a double one
        return candidates[0] if candidates else mention

    def find_in(self, text: str) -> str | None:
        """The canonical person a speaker phrase names, if any ("press secretary Marie-Emmanuelle Cadieux")."""
        tokens = set(re.findall(r"[\w'’-]+", _POSSESSIVE.sub("", text)))
        tokens |= {v for t in tokens for v in (_POSSESSIVE.sub("", t), t.replace("'", "’"), t.replace("’", "'"))}  # Matiang'i
        by_surname = next((n for n in self.full if set(n.split()) <= tokens), None) or next(  # two Pereras
            (n for n in self.full if n.split()[-1] in tokens or " ".join(n.split()[-2:-1]) in tokens and n.split()[-1] in _SUFFIXES), None) or next(
            (n for n in self.full if n.split()[-1].split("-")[-1] in tokens), None)  # "Lopez": Maria Garcia-Lopez
        if by_surname:
            return by_surname
        by_first = [name for name in self.full if name.split()[0] in tokens]
        return by_first[0] if len(by_first) == 1 else None

    def is_person(self, name: str) -> bool:
        return name in self.full


def _introduced_names(text: str, surnames: set[str], known: list[str]) -> list[str]:
    """Full names the model missed: "Megda Belkacemi" once, then "Belkacemi" throughout."""
    found = []
    for surname in surnames:
        if any(name.split()[-1] == surname for name in known):
            continue  # below, not inside a longer name: "Canada Border" of "Canada Border Services Agency" is nobody
        for match in re.finditer(rf"\b([A-ZÀ-Þ][a-zà-ÿ]+(?:[- ][A-ZÀ-Þ][a-zà-ÿ]+)?) {re.escape(surname)}\b(?!\s+[A-ZÀ-Þ])", text):
            titled = TITLES.match(match.group(1) + " ")  # past "Minister O’Gorman" to "Minister Roderic O’Gorman"
            start = match.start(1) + (titled.end() if titled else 0)
            if " " in match.group(1) and office_lead(text, match.start(1)) < match.start(1):
                start = match.start(1) + match.group(1).index(" ") + 1  # past "Minister of Agriculture" to "Indar Weir"
            if start < match.start(1) + len(match.group(1)) and _could_be_a_first_name(text[start:].split()[0]):
                found.append(" ".join(text[initials_before(text, start): match.end()].split()))
                break
    return found


def _could_be_a_first_name(word: str) -> bool:
    """Not a sentence's capitalised first word: "Once Square’s technology detects you" names no "Once Square"
    (a function word is no first name, unless it is one: "Will")."""
    return word not in _NOT_FIRST_NAMES and (word.lower() not in function_words() or fold(word.lower()) in first_names())


_NOT_FIRST_NAMES = {"The", "A", "An", "In", "On", "At", "But", "And", "Said", "Says", "When", "While", "After", "Before", "If", "As", "For", "With",
                    "From", "To", "By", "Of", "Le", "La", "Les", "Selon", "Mais", "Et", "Like", "Unlike", "Despite", "Although", "Though",
                    "Because", "Since", "Until", "Unless", "Amid", "Earlier", "Later", "Meanwhile", "Separately", "Yesterday", "Today"}


# last words of organisations' names that a first name may start ("Matthew House", "Tim Hortons" aside)
_BODY_WORDS = {"house", "bank", "group", "media", "news", "inc", "corp", "ltd", "foundation", "institute", "centre",
               "center", "canada", "international", "association", "council", "university", "college", "hospital",
               "church", "school", "society", "fund", "trust", "partners", "services", "company", "energy", "press",
               "aid", "corps", "network", "party", "power", "agency", "commission", "committee", "police", "army",
               "force", "forces", "court", "ministry", "department", "office", "service", "times", "post", "star",
               "herald", "tribune", "journal", "daily", "telegraph", "guardian", "airlines", "airways", "motors",
               "market", "markets", "capital", "health", "care", "labs", "systems", "solutions", "club", "united",
               "city", "county", "state", "river", "lake", "mountain", "street", "road", "park", "square"}


def _a_speaking_person(doc: Doc, ent: Span) -> bool:
    """"Femi Adeyolu" tagged ORG, then "said Adeyolu": a name whose last word is the subject of a verb of saying
    is a person's when it starts with a first name, or when that last word speaks alone ("Belkacemi says"): a
    body speaks under its whole name, its first word or a description, never under its last word alone."""
    words = ent.text.split()
    if not (2 <= len(words) <= 3 and all(_NAME_TOKEN.match(w) for w in words) and fold(words[-1]) not in _BODY_WORDS
            and not any(p.kind != "city" or p.population >= 100_000  # "Ontario Northland", "Georgia Power"
                        for p in gazetteer().candidates(words[0]))):
        return False
    speaking = [t for t in doc_tokens(doc) if t.text == words[-1] and t.dep_ in {"nsubj", "nsubj:pass"}
                and t.head.lemma_.lower() in SPEECH_VERBS]
    return bool(speaking) and (fold(words[0]) in first_names() or any(  # alone: no capitalised word before it
        t.head.lemma_.lower() in REPORT_VERBS and (t.i == 0 or not doc[t.i - 1].text[:1].isupper()) for t in speaking))


def _a_person_by_pronoun(doc: Doc, ent: Span) -> bool:
    """"Kirstjen Nielsen said she is …", tagged ORG: a name whose own clause goes on with "she" or "he" as a
    subject is a person's; bodies are "it" (a first name the lists lack cannot tell)."""
    words = ent.text.split()
    root = ent.root
    if not 2 <= len(words) <= 3 or not all(_NAME_TOKEN.match(w) for w in words) or fold(words[-1]) in _BODY_WORDS \
            or root.dep_ not in {"nsubj", "nsubjpass"}:
        return False
    return any(t.lower_ in {"she", "he"} and t.dep_ in {"nsubj", "nsubjpass"} and t.i > ent.end
               for t in root.head.subtree)


def _a_named_thing(doc: Doc, ent: Span) -> bool:
    """"the Montreal Gazette", "the Queen Mary", tagged PERSON: in English a person's name takes no article of its own.
    The article belongs to the name's head, with capitalised words before it and no title among them ("the Rev. Al
    Sharpton", "the late John Lewis" stay people), and the head is singular ("the Obamas" are people)."""
    if (head := ent.root).tag_ == "NNPS" or head.text.endswith("s") and len(ent) == 1:
        return False
    inside = ent[0].lower_ == "the" and len(ent) > 1 and not any(t.is_lower or fold(t.text) in first_names() for t in ent[1:])
    article = ent[0] if inside else next(  # "the Lok Sabha" tagged with its article; not "the late John Lewis"
        (c for c in head.children if c.dep_ == "det" and c.lower_ in {"the", "a", "an"} and c.i < ent.start), None)
    if article is None or article.text == "A" and not article.is_sent_start:
        return False  # "Minister A H Mahmood Ali": a capital A inside a sentence is an initial
    return all(t.text[:1].isupper() and not TITLES.match(t.text + " ") for t in doc[article.i + 1: max(ent.start, article.i + 1)]) \
        and not any(TITLES.match(t.text + " ") for t in ent if t is not article)


_THING_WORDS = {"report", "index", "survey", "review", "act", "plan", "program", "programme", "bill", "law", "fund"}


def _untagged_subjects(doc: Doc) -> list[tuple[str, int, int]]:
    """"Ana Ruiz described the crossing", which the small model leaves untagged: a clause's subject written as
    two or three capitalised words whose first is a given name (and no place), whose last is no body's word."""
    found = []
    for tok in doc_tokens(doc):
        if tok.dep_ not in {"nsubj", "nsubjpass"} or tok.pos_ != "PROPN" or tok.ent_type_:
            continue
        start = tok.i
        while start > 0 and doc[start - 1].head.i == tok.i and doc[start - 1].dep_ in {"compound", "flat"} \
                and doc[start - 1].pos_ == "PROPN" and not doc[start - 1].ent_type_:
            start -= 1
        words = [t.text for t in doc[start: tok.i + 1]]
        after_article = start > 0 and doc[start - 1].lower_ == "the"  # "the Grace Foundation"
        if (2 <= len(words) <= 3 and all(_NAME_TOKEN.match(w) for w in words) and fold(words[0]) in first_names()
                and fold(words[-1]) not in _BODY_WORDS | _THING_WORDS and not after_article
                and not any(p.kind != "city" or p.population >= 100_000 for p in gazetteer().candidates(words[0]))):
            found.append((" ".join(words), doc[start].idx, tok.idx + len(tok.text)))
    return found


def extract_entities(doc: Doc, language: str = "en") -> tuple[list[Entity], PersonNames]:
    """Entities of a parsed doc, each with its canonical name, and the resolver for people."""
    labels = LABELS.get(language, LABELS["en"])
    raw = []
    for ent in (after_dateline_dash(doc, e) for e in doc.ents):  # "Abuja - Barrister Aloy Ejimakor": the name only
        label = labels.get(ent.label_)
        if not label:
            continue
        if label == "organization" and ent.end < len(doc) and doc[ent.end].lower_ in _TITLE_AFTER:
            continue
        named_at = person_start(doc, ent, titled=label != "person") if language == "en" else None  # a person keeps titles
        if label == "organization" and (named_at is not None or _a_speaking_person(doc, ent) or language == "en" and (
                _a_person_by_pronoun(doc, ent) or honoured_name(doc[max(0, ent.start - 1): ent.end].text))):
            label = "person"  # "economist Philip Cross", "Femi Adeyolu", "Mr Wangui" that the small model calls an ORG
        elif label == "place" and named_at is not None:
            label = "person"  # "ward councillor Sibongile Mncwango", tagged LOC
        elif label == "person" and language == "en" and _a_named_thing(doc, ent):
            label = "organization"  # "telling the Montreal Gazette he …": "Gazette" is no one "he" can be
        if label != "place" and (filed_from(doc, ent) or state_after_town(doc, ent) or seat_before_member(doc, ent)):
            label = "place"  # "OTTAWA --", "MILTON, Ont. —": where the story was filed, whatever the model says
        start, end = ent.start_char, ent.end_char
        if label == "person":
            if all(t.lower_ in _PARTICLES and t.is_lower for t in ent[:-1]) and (given := len(ent) == 1 and given_name_before_surname(
                    ent[0]) or given_name_before_particles(ent[-1], _PARTICLES)):  # "Eric van der Burg" from "Burg", "van der Burg"
                start = given.idx  # or "Sulakshani Perera" tagged from "Perera"
            start = initials_before(doc_text(doc), start)  # "M R Ajith Kumar" tagged from "Ajith"
            start = office_lead(doc_text(doc), start) if language == "en" else start  # "Leader of the Opposition …"
            start = max(start, named_at or 0)  # "Sanirajak Mayor Jaypeetee Audlakiak", "Witney Robert Courts"
            bare = without_titles(ent.text, language).split()  # "Garda Colin" tagged, "Talbot" left out
            after = doc[ent.end] if ent.end < len(doc) else None
            if after is not None and len(bare) == 1 and (len(ent) > 1 and after.pos_ == "PROPN" or _ELIDED_SURNAME.match(after.text)) \
                    and after.is_title and not after.ent_type_ and after.lower_ not in _BODY_WORDS | {"administration", "government"}:
                end = after.idx + len(after)  # and "Brendan O’Connell", "O’Connell" tagged a noun
        if label != "place" and names_a_way(doc_text(doc), start, end):
            label, start = "place", way_start(doc_text(doc), start)  # "chemin Ridge", never a body called Ridge
        if label == "organization" and ent.end < len(doc) and ent[-1].lower_ in _NUMBERED and doc[ent.end].like_num \
                and ent[-1].whitespace_:
            end = doc[ent.end].idx + len(doc[ent.end])
        if label == "organization":
            end = max(end, coordinated_name_end(doc, ent))
        if label == "person" and _KIND_TAIL.search(doc_text(doc)[start: end]):
            label = "organization"  # "RCMP Sgt" of "RCMP Sgt. Harold Pfleiderer said": a body before a rank
        elif label == "person" and len(ent) > 1 and _ACRONYM_END.search(ent.text) and not POSTNOMINAL.search(ent.text) \
                and fold(ent[0].text) not in first_names():  # "Emmanuel MACRON" is a surname in capitals
            label = "organization"  # "Manitoba RCMP": a place and a body's initials, no person's name
        text = clean_mention(doc_text(doc)[start: end], label, language)
        if is_junk(text, label):
            continue
        raw.append((text, label, start, end))
    if language == "en":
        raw += [(text, "person", a, b) for text, a, b in _untagged_subjects(doc)]
        raw += [(text, "person", a, b) for text, a, b in untagged_titled(doc) if not any(r[2] == a for r in raw)]
        raw.sort(key=lambda r: r[2])
    joined = join_split_names(without_headline_guesses(doc_text(doc), raw) if language == "en" else raw, doc_text(doc))
    raw = [(clean_mention(t, lab, language) if lab == "person" else t, lab, a, b) for t, lab, a, b in joined]  # "Taoiseach Enda Kenny"
    # one sense per article the other way too: a name the model tags an organisation three times as often as a person, and at least
    # three times, is an organisation ("Whole Foods said" read once as a person; the model tags some people's names ORG twice for once
    # PERSON, so a mere majority is not enough), unless it shares a word with another person's ("Hori Parata" beside "Te Kaurinui Parata")
    votes = Counter((t, lab) for t, lab, _, _ in raw)
    kin = Counter(w for t in {t for t, lab, _, _ in raw if lab == "person"} for w in t.split())
    raw = [(t, "organization" if lab == "person" and votes[(t, "organization")] >= 3 * max(1, votes[(t, lab)])
            and all(kin[w] == 1 for w in t.split()) else lab, a, b) for t, lab, a, b in raw]
    # a name the model tags as a person somewhere is a person everywhere in the article, and so is
    # a longer name that ends with it ("Lorena Vidal Ortiz", an ORG, where "Vidal Ortiz" is a person)
    person_words = {w for t, lab, _, _ in raw if lab == "person" for w in t.split()}
    person_texts = {t for t, lab, _, _ in raw if lab == "person"}

    def a_person_after_all(text: str) -> bool:
        words = text.split()
        if len(words) == 1:
            return text in person_words
        return len(words) <= 4 and all(_NAME_TOKEN.match(w) for w in words) and any(
            " ".join(words[i:]) in person_texts for i in range(1, len(words)))

    surnames = {t.split()[-1] for t in person_texts if len(t.split()) >= 2}

    def a_surname_not_a_place(text: str) -> bool:  # "Nielsen" tagged GPE where "Kirstjen Nielsen" spoke
        return text in surnames and not any(p.kind != "city" or p.population >= 100_000
                                            for p in gazetteer().candidates(text))

    relabelled = [(t, "person" if lab == "organization" and a_person_after_all(t)
                   or lab == "place" and a_surname_not_a_place(t) else lab, lab, a, b) for t, lab, a, b in raw]
    raw = [(clean_mention(doc_text(doc)[o: b] if (o := office_lead(doc_text(doc), a) if language == "en" else a) < a else t,
                          "person", language), new, o, b) if new != old else (t, new, a, b)  # "Historian Cecile Fortin", tagged
           for t, new, old, a, b in relabelled]  # ORG; "Minister for Large-Scale Industries R.V. Deshpande", from "Large-Scale"
    if language == "en":  # one-word names of the wrong kind: "Square updated its apps", "Lavrov is … minister"
        persons = {t for t, lab, _, _ in raw if lab == "person"}
        bodies = companies_named_as_people(doc, persons, [t for t in persons if " " in t])
        bodies_named = {t for t, lab, _, _ in raw if lab == "organization"}  # "St. Onge" of "Mark St. Onge" is one too
        misread = people_among_bodies(doc, bodies_named, persons)
        places = names_used_as_places(doc, persons) | {  # "neighbouring Kano"; a parish, town or church of a saint:
            t for t in persons if t.split()[0] in {"St", "St.", "Saint", "Ste"}} - surnames_of_people(persons, persons)
        raw = [(t, "organization" if t in bodies and lab != "organization" else "person" if t in misread
                else "place" if t in places and lab == "person" else lab, a, b) for t, lab, a, b in raw]
        if aliases := {t: (a, b) for t, a, b in pseudonyms(doc_text(doc))}:  # "identified only as KN", tagged ORG or not
            raw = sorted({(t, "person" if t in aliases else lab, a, b) for t, lab, a, b in raw}
                         | {(t, "person", a, b) for t, (a, b) in aliases.items()}, key=lambda r: (r[2], r[3], r[1], r[0]))
    others = {t for t, lab, _, _ in raw if lab != "person"}
    raw = [(without_employer(t, others) if lab == "person" else t, lab, a, b) for t, lab, a, b in raw]
    full = [t for t, lab, _, _ in raw if lab == "person" and len(t.split()) >= 2 and not gaelic_surname(t)]
    full += _introduced_names(doc_text(doc), {t for t, lab, _, _ in raw if lab == "person" and (len(t.split()) == 1 or gaelic_surname(t))}, full)
    people = PersonNames(full)
    orgs = [t for t, lab, _, _ in raw if lab == "organization"]
    orgs += [national for t in orgs if (national := national_form(doc_text(doc), t)) != t]  # "U.S. Customs" → …
    places = {t for t, lab, _, _ in raw if lab == "place"}
    entities = []
    for text, label, start, end in raw:
        if label == "person":
            canonical = people.resolve(text)
        elif label == "organization":
            canonical = national_form(doc_text(doc), resolve_organization(text, orgs, places))
        else:
            canonical = road_name(place_name(text)) if label == "place" else text
        entities.append(Entity(text, label, canonical, start, end))
    return entities, people


def without_employer(name: str, others: Collection[str]) -> str:
    """A person's name without the outlet or employer the model glued in front: "The Daily Post Ann
    Lee", "EHS Ann Lee", "Stella's Ann Lee" → "Ann Lee". What goes is a leading run of words
    that the article names as an organisation, place or group, an acronym, or a possessive; at least a
    first name and a surname stay."""
    words = name.split()
    for k in range(len(words) - 2, 0, -1):
        prefix = " ".join(words[:k])
        bare = prefix[4:] if prefix.lower().startswith("the ") else prefix
        acronym = k == 1 and len(prefix) >= 3 and prefix.isalpha() and prefix.isupper()
        if bare in others or prefix in others or acronym or _POSSESSIVE.search(words[k - 1]) and len(words[k - 1]) > 2:
            return " ".join(words[k:])
    return name


_LEGAL_FORMS = {"co", "corp", "inc", "ltd", "llc", "plc"}


def _initials(name: str) -> str:
    """"PGE" for "Pacific Gas & Electric Co.": the capitals an acronym of it spells, its legal form left out."""
    return "".join(w[0] for w in name.split() if w[0].isupper() and w.lower().rstrip(".") not in _LEGAL_FORMS)


_DETERMINER_THE = re.compile(r"^the\s+", re.I)
_DEPARTMENT = re.compile(r"^([A-Z][\w&' -]*?)\s+(?:Department|Dept\.?)$")


def formal_department(mention: str, names: Collection[str]) -> str | None:
    """"the Justice Dept", "Justice Department" → "Department of Justice", where the article also writes that."""
    department = _DEPARTMENT.match(_DETERMINER_THE.sub("", mention))
    formal = f"Department of {department.group(1)}" if department else None
    return formal if formal in names else None


def resolve_organization(mention: str, names: list[str], places: Collection[str] = ()) -> str:
    """"Suncor" → "Suncor Energy", "EDC" → "Export Development Canada", "Transit" → "Metro Transit"
    when the article has the long form (a place name is never taken for the end of an organisation's)."""
    words = mention.split()
    if formal := formal_department(mention, names):
        return formal
    for name in names:
        if len(name.split()) > len(words) and name.split()[: len(words)] == words:
            return name
        if mention.isupper() and len(mention) >= 2 and len(name.split()) >= 2 \
                and _initials(name) == re.sub(r"[^A-Z]", "", mention):  # "PG&E", "AT&T"
            return name
    if len(words) == 1 and mention not in places:
        longer = {n for n in names if 2 <= len(n.split()) <= 3 and n.split()[-1] == mention
                  and all(w[:1].isupper() for w in n.split())}
        if len(longer) == 1:
            return longer.pop()
    return mention
