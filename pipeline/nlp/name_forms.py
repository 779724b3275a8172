"""The fullest form of a name the article gives: a lone surname, an acronym or an abbreviated title read back
to the full name the article writes, and a surname several people share kept on the person it stood for.

The speaker resolver (`speakers`) hands on whatever these return; they read only the article's own words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_text, doc_tokens
from pipeline.nlp.entities import Entity, PersonNames
from pipeline.nlp.given_names import first_names
from pipeline.nlp.national import national_form
from pipeline.nlp.titled_names import NOT_A_NAME
from pipeline.nlp.titles import TITLES, without_titles
from pipeline.text import fold

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from spacy.tokens import Doc, Span, Token

# abbreviated titles before a name stand for the word a description uses: "Coun. Mathieu Fleury" is
# "an Ottawa councillor", "Cmdr. Sean Robertson" "the commander"
ABBREVIATED = {"coun": "councillor", "cllr": "councillor", "sen": "senator", "rep": "representative",
               "gov": "governor", "cmdr": "commander", "sgt": "sergeant", "lt": "lieutenant", "const": "constable",
               "insp": "inspector", "supt": "superintendent", "prof": "professor", "atty": "attorney",
               "col": "colonel", "capt": "captain", "cpl": "corporal", "det": "detective", "adm": "admiral"}
# a description that points back to an earlier one: "the spokesperson" after "a spokesperson who …"
ANAPHORIC = {"the", "this", "that", "these", "those"}
# two small words may join a name's capitalised words: "People for the Ethical Treatment of Animals"
_CAPITALISED_RUN = re.compile(r"[A-ZÀ-Þ][\w’'-]*(?:\s+(?:(?:of|and|for|the|de|des|du|la|le|et)\s+){0,2}[A-ZÀ-Þ][\w’'-]*)+")
_DETERMINER = re.compile(r"^(?:the|le|la|les)\s+", re.I)
SMALL_WORDS = {"of", "the", "and", "for", "de", "des", "du", "d", "la", "le", "les", "l", "et", "pour", "sur", "aux",
               "au", "en", "à"}


def initials(words: Sequence[str]) -> str:
    """The capitals an acronym of these words spells: small words and elided articles left out ("l’Agence des
    services frontaliers du Canada" → ASFC)."""
    content = [w.split("’")[-1].split("'")[-1] for w in words]
    return "".join(w[:1].upper() for w in content if w and w.lower() not in SMALL_WORDS)
# Singular descriptions of one person ("a spokesperson for UCEA", "an official"): when one speaks, "he" or
# "she" in the next paragraph may be them, and a quote that follows unattributed goes on in their voice
PERSON_NOUNS = {"official", "source", "spokesperson", "spokesman", "spokeswoman", "representative", "aide", "adviser",
                "advisor", "member", "resident", "witness", "academic", "expert", "scientist", "worker", "employee",
                "teacher", "student", "volunteer", "organizer", "organiser", "man", "woman", "person", "neighbour",
                "neighbor", "relative", "friend", "survivor",
                # people described by what they do or went through: "says a doctor from Hebron", then "he says"
                "doctor", "nurse", "physician", "surgeon", "paramedic", "lawyer", "attorney", "officer", "soldier",
                "farmer", "driver", "pilot", "owner", "manager", "director", "executive", "analyst", "economist",
                "researcher", "professor", "activist", "journalist", "reporter", "migrant", "refugee", "immigrant",
                "victim", "patient", "passenger", "protester", "voter", "mother", "father", "parent", "guard",
                "agent", "smuggler", "shopkeeper", "fisherman", "labourer", "laborer"}
_GENDER_OF = {"spokesman": "m", "spokeswoman": "f", "man": "m", "woman": "f", "mother": "f", "father": "m"}


def one_person_described(subject: Token) -> str:
    """"m", "f" or "?" when a speaker's head noun describes one person ("a spokesperson", "the spokesman"),
    "" when it does not (a plural, a body, a document)."""
    lemma = fold(subject.lemma_)
    if subject.pos_ != "NOUN" or "Sing" not in subject.morph.get("Number", []) or lemma not in PERSON_NOUNS:
        return ""
    return _GENDER_OF.get(lemma, "?")


def abbreviated_titles(doc: Doc, people: PersonNames) -> list[tuple[int, str, str]]:
    """(offset, title, person) for "Rideau-Vanier Coun. Mathieu Fleury": the model often tags the title, not
    the name, as the person, so the name after an abbreviated title is read from the words themselves."""
    out = []
    for tok in doc_tokens(doc)[:-2]:
        word = tok.lower_.rstrip(".")
        if word not in ABBREVIATED or not (tok.text.endswith(".") or doc[tok.i + 1].text == "."):
            continue
        start = tok.i + 1 + (doc[tok.i + 1].text == ".")
        end = start
        while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_title and end - start < 4:
            end += 1
        if end - start >= 2:
            written = doc[start:end].text
            out.append((tok.idx, ABBREVIATED[word], people.find_in(written) or written))
    return out


def fullest(doc: Doc, text: str, name: str) -> str:
    """A lone surname the model did not tag in full ("OTTAWA — Femi Biobaku came …", then "said Biobaku"):
    the full name the article writes, when the word before it is a clear first name, or else the one
    proper noun that ever stands before it and is neither a title nor a place or an organisation."""
    if " " in name or not name[:1].isupper() or name.lower() in NOT_A_NAME:  # "Police", no surname: "Federal Way
        return name  # Police Chief Brian Wilson" made it "Way Police"
    nick = re.search(rf"\b([A-ZÀ-Þ][\w'’-]+) ([“\"‘][A-ZÀ-Þ][\w'’-]*[”\"’]) {re.escape(name)}\b", text)
    if nick and fold(nick.group(1)) in first_names():  # "Winston “Tot” Gamble": the nickname is part of the name
        return f"{nick.group(1)} {nick.group(2)} {name}"
    found = set()
    for match in re.finditer(rf"(?<=\w )\b{re.escape(name)}\b", text):
        span = doc.char_span(match.start(), match.end())
        if span is None or len(span) != 1 or not span.start:
            continue
        first = doc[span.start - 1]
        titled = TITLES.match(first.lower_ + " ") or first.lower_ in ABBREVIATED
        if first.ent_type_ in {"DATE", "TIME"}:
            continue  # "In August Cyprus requested …": a month, not a given name
        if first.is_title and fold(first.text) in first_names() and not titled:  # "General", "Major" are ranks
            # here, and "the guy who met President Trump" names no "guy Trump"
            return f"{first.text} {name}"
        if (first.pos_ == "PROPN" and first.is_title and first.is_alpha and not titled
                and first.ent_type_ not in {"ORG", "GPE", "NORP", "LOC", "FAC"}):
            found.add(first.text)
    return f"{found.pop()} {name}" if len(found) == 1 else name


def spelled_out(text: str, acronym: str) -> str:
    """"CBP" when the article also writes "Customs and Border Protection": the name its initials spell."""
    spelling = set()
    for run in _CAPITALISED_RUN.finditer(text):
        words = [w for w in re.finditer(r"[\w’'-]+", run.group(0)) if w.group(0).lower() not in SMALL_WORDS]
        for i in range(len(words) - len(acronym) + 1):
            if "".join(w.group(0)[0] for w in words[i: i + len(acronym)]) == acronym:
                spelling.add(re.sub(r"['’]s$", "", run.group(0)[words[i].start(): words[i + len(acronym) - 1].end()]))
    spelling |= {m.group(0) for m in re.finditer(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)+\b", text)  # "VC": Vice-Chancellor
                 if "".join(part[0] for part in m.group(0).split("-")) == acronym}
    if not spelling and (department := re.fullmatch(r"DO([A-Z])", acronym)):  # "DOJ" where the article writes
        spelling = {m.group(0) for m in re.finditer(rf"\b{department.group(1)}[a-z]+ Department\b", text)}
    return spelling.pop() if len(spelling) == 1 and len(acronym) > 1 else acronym  # "the Justice Department"


def namesake(text: str, surname: str, sharing: list[str], mentions: list[tuple[int, str]], pos: int) -> str:
    """A surname several full names end with: the person it already stood for, alone, earlier in the
    article ("Aracely Serrano … Serrano said …", then her brothers Israel and Miguel Serrano: "Serrano"
    is still her); before any such use, the one the story named last."""
    full_at = sorted((m.start(), name) for name in sharing for m in re.finditer(re.escape(name), text))
    inside_full = {at + len(name) - len(surname) for at, name in full_at}
    for bare in re.finditer(rf"\b{re.escape(surname)}\b", text[:pos]):
        if bare.start() in inside_full:
            continue
        before = [name for at, name in full_at if at < bare.start()]
        if before:
            return before[-1]
    named_last = [name for at, name in mentions if at < pos and name in sharing]
    return named_last[-1] if named_last else surname


def carried_description(descriptions: list[tuple[int, str, str]], phrase: str, subject: Token, pos: int) -> str:
    """A speaker the article never names: "the spokesperson" and "sources" are the spokesperson and the
    sources it described before ("a spokesperson who did not wish to be named", "sources familiar with the
    talks"). `descriptions` holds (offset, head noun, phrase) of those met so far; a new one is added. The head
    keeps its number: "the officials" are not "an airport official" who spoke before them."""
    head = fold(subject.lemma_ or subject.text) + ("+" if "Plur" in subject.morph.get("Number", []) else "")
    if phrase.split()[0].lower() in ANAPHORIC or phrase.lower() == subject.lower_:
        earlier = [said for at, kind, said in descriptions if kind == head and at < pos]
        fullest = max(earlier, key=lambda said: len(said.split()), default="")  # the first of the longest
        if earlier and len(phrase.split()) <= len(fullest.split()):
            return fullest  # the fullest telling so far (tried the nearest: one fewer right on dev)
    descriptions.append((pos, head, phrase))
    return phrase


def written_again(doc: Doc, text: str, organizations: Sequence[Entity],
                  quote_spans: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(offset, name) where the text writes an organisation's name again and the model did not tag it there
    ("… confirm this by TransLink. The agency told CTV News"): a mention all the same."""
    tagged = {e.start for e in organizations}
    out = []
    for name, canonical in {e.text: e.canonical for e in organizations if len(e.text) > 2}.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            at = match.start()
            if at in tagged or any(a <= at < b for a, b in quote_spans):
                continue
            span = doc.char_span(at, match.end())
            if span is not None and not any(t.ent_type_ for t in span):
                out.append((at, _DETERMINER.sub("", canonical)))
    return out


# nouns that name a body of people by what it is: "a group of physicians", "members of the coalition"
GROUP_KINDS = {"group", "association", "coalition", "organization", "organisation", "network", "alliance",
               "collective", "federation", "society", "union", "campaign"}
_GROUP_KIND = re.compile(rf"\b(?:{'|'.join(GROUP_KINDS)}) (?=[A-ZÀ-Þ])")  # a common noun, not a name's word


def members_of_groups(doc: Doc, text: str) -> dict[str, str]:
    """Plural nouns the article uses for the members of the one group it names: "a group of physicians" and
    "the doctors, members of a recently formed group Doctors for Camp Closure" make "the physicians" and
    "the doctors" that group (folded lemma → the group's name). Nothing when it names no group, or two."""
    named = {run.group(0) for kind in _GROUP_KIND.finditer(text) if (run := _CAPITALISED_RUN.match(text, kind.end()))}
    if len(named) != 1:
        return {}
    group = named.pop()
    out = {}
    for tok in doc_tokens(doc):
        if tok.tag_ != "NNS" or tok.pos_ != "NOUN":
            continue
        head = tok.head
        of_a_group = tok.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in GROUP_KINDS
        members = any(c.dep_ == "appos" and c.lemma_.lower() == "member" and group in doc[c.i: c.right_edge.i + 1].text
                      for c in tok.children)
        if of_a_group or members:
            out[fold(tok.lemma_)] = group
    return out


def person_after_title(subject: Token) -> str | None:
    """"said Cpl. Camille Habel": the parse may make the abbreviated title the subject and its period end
    the name; the person is the name right after it."""
    doc = subject.doc
    if subject.lower_.rstrip(".") not in ABBREVIATED:
        return None
    at = subject.i + 1 + (subject.i + 1 < len(doc) and doc[subject.i + 1].text == ".")
    if at < len(doc) and doc[at].ent_type_ in {"PERSON", "PER"} and doc[at].ent_iob_ == "B":
        return next(e.text for e in doc.ents if e.start == at)
    return None


def mononym_in_apposition(subject: Token, name: str) -> str | None:
    """"former chief minister Siddaramaiah tweeted": the parse makes the office the subject and the one-word
    name its apposition; a name of one word is no full name the article's people can vouch for, but the
    model tagged it a person right there."""
    return name if any(c.dep_ == "appos" and c.text == name and c.ent_type_ in {"PERSON", "PER"} and c.ent_iob_ == "B"
                       and (c.i + 1 == len(c.doc) or c.doc[c.i + 1].ent_iob_ != "I") for c in subject.children) else None


def body_after_kind(subject: Token, named: Sequence[Entity], kinds: Collection[str] = ()) -> Entity | None:
    """"The group People for the Ethical Treatment of Animals said": a kind of body, then its name. Only
    common nouns may come before the name ("a spokesperson for Blair" is not Blair), and prepositions or the body
    it belongs to when the head is a kind of body ("le groupe de pression Greenpeace", "BA parent group IAG")."""
    first, last = subject.left_edge, subject.right_edge
    of_a_body = fold(subject.lemma_) in kinds
    for entity in named:
        if entity.label != "organization" or not first.idx < entity.start or entity.end != last.idx + len(last):
            continue
        before = [t for t in subject.doc[first.i: last.i + 1] if t.idx < entity.start]
        if before and all(t.pos_ == "DET" or t.pos_ in {"NOUN", "ADJ"} and t.is_lower or of_a_body and (
                t.pos_ == "ADP" and t.is_lower or t.ent_type_ == "ORG") for t in before) \
                and any(t.pos_ == "NOUN" for t in before):
            return entity
    return None


def body_before_kind(subject: Token, named: Sequence[Entity], kinds: Collection[str]) -> Entity | None:
    """"The Associated Press news agency said": a body's name, then what kind of body it is. Only common
    nouns may come between the name and the kind ("news"); the name is the body that speaks."""
    if fold(subject.lemma_) not in kinds:
        return None
    first = subject.left_edge
    for entity in named:
        if entity.label != "organization" or not first.idx <= entity.start < entity.end <= subject.idx:
            continue
        between = [t for t in subject.doc[first.i: subject.i] if t.idx >= entity.end]
        if all(t.pos_ == "NOUN" and t.is_lower for t in between):
            return entity
    return None


def name_after_titles(subject: Token) -> str | None:
    """"Patrol Chief James Hall with the New York Police Department said", the model tagging no person: the
    name is the capitalised words from the first given name on ("James Hall"), not the titles before it."""
    if subject.pos_ != "PROPN" or not (subject.is_title or subject.text[:1].isupper() and subject.text[1:2].islower()):
        return None  # "MacLauchlan", "McKinley" are names too
    doc = subject.doc
    start = subject.i
    while start > 0 and doc[start - 1].dep_ in {"compound", "flat"} and (
            doc[start - 1].is_title or doc[start - 1].is_upper and len(doc[start - 1]) <= 3):  # "MG Siegler"
        start -= 1
    words = [t.text for t in doc[start: subject.i + 1]]
    if subject.ent_type_ in {"ORG", "GPE", "LOC", "FAC", "NORP"}:  # "P.E.I. Premier Wade MacLauchlan", tagged ORG:
        return next((" ".join(words[k:]) for k, word in enumerate(words[1:-1], 1)  # a title, then a first name
                     if fold(word) in first_names() and TITLES.match(words[k - 1].lower() + " ")), None)
    for k, word in enumerate(words[:-1]):
        if fold(word) in first_names() and k and not TITLES.match(word.lower() + " "):
            return " ".join(words[k:])
    if (start > 0 and doc[start - 1].pos_ == "NOUN" and doc[start - 1].is_lower and doc[start - 1].dep_ == "compound"
            and 2 <= len(words) <= 3 and not TITLES.match(words[0].lower() + " ")):
        return " ".join(words)  # "TechCrunch writer MG Siegler": the capitalised words after a role noun
    if start > 0 and doc[start - 1].tag_ == "POS" and 2 <= len(words) <= 3 and not any(  # "Freedom Front Plus’s Corne
            w.isupper() or TITLES.match(w.lower() + " ") or w.lower() in NOT_A_NAME for w in words):  # Mulder said"
        return " ".join(words)  # a body's possessive, then the capitalised words of the person speaking for it
    titled, joined = TITLES.match(" ".join(words).lower() + " "), " ".join(words)
    rest = joined[titled.end():] if titled and titled.end() < len(joined) else ""
    bare = without_titles(joined)  # "Nagaland DGP Rupin Sharma": a place before the title too
    if not rest and bare != joined and len(bare.split()) >= 2 and not TITLES.match(bare.lower() + " "):
        rest = bare
    if rest and subject.ent_type_ in {"", "PERSON"} and fold(rest.split()[-1]) not in _BODY_WORDS:
        return rest  # "Mr Justice Saunders", "police Chief Medaria Arradondo": the name after the titles
    return None


_BODY_WORDS = {"office", "department", "ministry", "service", "agency", "council", "board", "court", "police"}


# kinds of business a description may name the story's main company by ("the utility", "the retailer")
BUSINESS_KINDS = {"company", "firm", "utility", "manufacturer", "carrier", "retailer", "automaker", "insurer", "airline",
                  "chain", "lender", "operator", "provider", "producer", "maker", "supplier", "developer", "publisher",
                  "startup", "business", "giant", "conglomerate", "brand", "entreprise", "societe"}


def main_business(organizations: Sequence[tuple[int, str]], pos: int) -> str | None:
    """"The utility said" with no utility named as one: the organisation the story is about, the one it has
    named most before, at least twice and more often than any other (a wire story about PG&E names it a
    dozen times, the regulator and the counties once or twice)."""
    counts = Counter(name for start, name in organizations if start < pos).most_common(2)
    if not counts or counts[0][1] < 2 or len(counts) > 1 and counts[1][1] * 2 > counts[0][1]:
        return None
    return counts[0][0]


# offices whose definite description may name the person the sentence before was about
OFFICES = {"minister", "premier", "president", "mayor", "senator", "judge", "governor", "chancellor", "coach",
           "chairman", "chairwoman", "ceo", "leader", "secretary", "commissioner", "chief"}


def office_holder_before(doc: Doc, find_person: Callable[[str], str | None], pos: int) -> str | None:
    """"Trudeau made the comments at a town hall. The prime minister said he was …": the person the sentence
    before made its subject stands for a definite description of an office the article gave nobody by name
    (centering: the previous sentence's subject is the likeliest antecedent), in the same paragraph: across a
    break the story has often moved on to whoever holds the office."""
    sentences = [s for s in doc.sents if s.start_char < pos]
    if len(sentences) < 2 or "\n" in doc_text(doc)[sentences[-2].start_char: pos]:
        return None
    root = sentences[-2].root
    subject = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subject is None or subject.ent_type_ != "PERSON":
        return None
    return find_person(subject.text)


def compass_short_form(text: str, bare: str) -> str | None:
    """"the North warned …" in a story about North Korea: a compass word with its article stands for the one
    place the article names with it ("North Korea", never both "North Korea" and "North Dakota")."""
    if bare not in {"North", "South", "East", "West"}:
        return None
    named = set(re.findall(rf"\b{bare}\s+[A-Z][a-z]+\b", text))
    return named.pop() if len(named) == 1 else None


def subject_organization_before(doc: Doc, organizations: Sequence[tuple[int, str]], pos: int) -> str | None:
    """"Angie’s List … has just set the terms for its IPO. In a new filing, the company revealed …": the
    organisation that is the main subject of the sentence before, the one a description picks up (centering:
    the previous sentence's subject is the likeliest antecedent), when other bodies named there leave
    "the only one" undecided."""
    found = _subject_organizations_before(doc, organizations, pos)
    return found[0] if found else None


def organizations_together_before(doc: Doc, organizations: Sequence[tuple[int, str]], pos: int) -> str | None:
    """"Monster and SDJ Technologies may have just brightened your day. The two companies have just announced
    …": the bodies the sentence before made its subject together, for a plural description."""
    found = _subject_organizations_before(doc, organizations, pos)
    if len(found) == 1 and " and " in found[0]:
        return found[0]
    return " and ".join(found) if len(found) >= 2 else None


def _subject_organizations_before(doc: Doc, organizations: Sequence[tuple[int, str]], pos: int) -> list[str]:
    sentences = [s for s in doc.sents if s.start_char < pos]
    if len(sentences) < 2:
        return []
    root = sentences[-2].root
    clauses = [root, *(c for c in root.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"})]  # "…, then X may"
    for verb in clauses:
        subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None:
            continue
        found: list[str] = []
        for head in [subject, *(c for c in subject.children if c.dep_ == "conj")]:  # "Google and Microsoft"
            left = min(t.idx for t in head.subtree if t.i <= head.i)  # "Angie’s List": its possessive part too
            found += [name for start, name in organizations if left <= start <= head.idx and name not in found][:1]
        if found:
            return found
    return []


def title_holder(text: str, title: str, people: Collection[str]) -> str | None:
    """"The AG’s complaint", "AG" spelling "Attorney General": the person the article gives that title ("New
    York Attorney General Letitia James"), when an acronym spells a title rather than a body."""
    for match in re.finditer(rf"\b{re.escape(title)}(?:\s*\([A-Z]{{2,8}}\))?(?:\s+of\s+(?:the\s+)?[A-Z][\w’'-]*,?)?"
                             rf"(?:\s+(?:Prof|Dr|Mr|Mrs|Ms|Hon)\.?)?\s+([A-Z][\w.’'-]*(?:\s+[A-Z][\w’'-]+){{1,2}})", text):
        # "Additional Advocate General (AAG) J Ravindran", "the Vice-Chancellor of FUPRE, Prof. Ezekiel Agbalagba"
        name = match.group(1)
        if name in people:
            return name
    return None


def full_form(doc: Doc, text: str, name: str, acronyms: Mapping[str, str], people: Collection[str]) -> str:
    """The fullest form of a one-word name: a surname's full name, an acronym's spelling (or the person holding
    the title it spells); a given name's full name when one person of the article bears it ("Chatchawan" said,
    after "Lt-Gen Chatchawan Suksomchit" spoke: many peoples call a person by the given name)."""
    if not name.isupper():
        surname_of = fullest(doc, text, name)
        given = {n for n in people if len(n.split()) > 1 and n.split()[0] == name}
        return given.pop() if surname_of == name and len(given) == 1 else surname_of
    spelled = acronyms.get(name) or spelled_out(text, name)
    return title_holder(text, spelled, people) or national_form(text, spelled)


FOUNDERS = {"founder", "co-founder", "cofounder"}


def founders_named(doc: Doc, resolve: Callable[[str], str], pos: int) -> str | None:
    """"the founders" of a story that said the company "was founded by Moskovitz and early Facebook employee
    Justin Rosenstein" before `pos`: the people the agent of "founded" names, together."""
    for tok in doc_tokens(doc):
        if tok.idx >= pos:
            break
        if tok.tag_ != "VBN" or fold(tok.lemma_) not in {"found", "co-found", "cofound"}:
            continue
        agent = next((c for c in tok.children if c.dep_ == "agent"), None)
        first = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        heads = [first, *(c for c in first.children if c.dep_ == "conj")] if first is not None else []
        spans = [next((e for e in doc.ents if e.start <= h.i < e.end and e.label_ == "PERSON"), None) for h in heads]
        if spans and all(spans):
            return " and ".join(resolve(e.text) for e in spans if e is not None)
    return None


# "the 72-year-old", "the 34-year-old mother": a person described by an age alone
AGED = re.compile(r"(?i)(?:the )?(\d{1,3})-year-old(?: [a-z]+)?")  # "the" may be parsed apart


def aged_person(text: str, age: str, mentions: Sequence[tuple[int, str]], pos: int) -> str | None:
    """"Maria Lopez, 34," / "Ann Lee (34)" / "34-year-old Ann Lee" before `pos`: the person news gave that age,
    whom "the 34-year-old" then names again."""
    for at, name in reversed([m for m in mentions if m[0] < pos]):
        if re.match(rf"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){{0,3}}(?:,\s*|\s*\()(?:aged\s+)?{age}\b", text[at:at + 80]) \
                or re.search(rf"\b{age}-year-old\s+(?:[a-z]+\s+)?$", text[max(0, at - 40): at]):
            return name
    return None


def titles_beside(span: Span) -> list[Token]:
    """The role nouns set beside a person's name: "Jane Doe, the spokeswoman", "le porte-parole du ministère,
    Pierre-Henry Brandet", and "Pierre-Henry Brandet, porte-parole du ministère" however the parse hangs it."""
    root, doc = span.root, span.doc
    beside = [c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
    if root.dep_ == "appos" and root.head.i < root.i and (root.head.pos_ == "NOUN" or root.head.pos_ == "PROPN"
                                                          and TITLES.fullmatch(root.head.lower_ + " ")):
        beside.append(root.head)  # "The Commissioner of Police, Mr Ene Okon," whether or not it is capitalised
    if span.end + 1 < len(doc) and doc[span.end].text == "," and doc[span.end + 1].pos_ == "NOUN" \
            and doc[span.end + 1].is_lower and doc[span.end + 1] not in beside:
        beside.append(doc[span.end + 1])
    return beside
