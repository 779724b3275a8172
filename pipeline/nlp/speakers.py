"""Who a speaker phrase names: surnames, pronouns, titles ("the minister") and short forms resolved to
one canonical name, using what the article has said so far (`quotes` finds the quotes and who said them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.nlp.acronyms import DETERMINER, acronyms
from pipeline.nlp.appositions import described_before_name, misparsed_apposition, named_after, named_before
from pipeline.nlp.body_kinds import MEMBERS, body_of_kind, family_named, fullest_body, kind_named, named_after_its_kind
from pipeline.nlp.captions import caption_spans
from pipeline.nlp.coreference import Salience, genders
from pipeline.nlp.doc_cache import doc_text, doc_tokens
from pipeline.nlp.documents import DOCUMENTS, issuer, named_inside, record_medium
from pipeline.nlp.entities import Entity, PersonNames, clean_mention, formal_department
from pipeline.nlp.given_names import given_named, name_after_role
from pipeline.nlp.name_forms import (
    AGED,
    BUSINESS_KINDS,
    FOUNDERS,
    OFFICES,
    PERSON_NOUNS,
    abbreviated_titles,
    aged_person,
    body_after_kind,
    body_before_kind,
    carried_description,
    compass_short_form,
    founders_named,
    full_form,
    main_business,
    members_of_groups,
    mononym_in_apposition,
    name_after_titles,
    namesake,
    office_holder_before,
    one_person_described,
    organizations_together_before,
    person_after_title,
    spelled_out,
    subject_organization_before,
    title_holder,
    titles_beside,
    written_again,
)
from pipeline.nlp.offices import described, described_or_voice, holder_named_last, roles_near, voice_described_again
from pipeline.nlp.pseudonyms import pseudonym_of, pseudonyms
from pipeline.nlp.speech import PRONOUNS, inside
from pipeline.nlp.subjects import plural_antecedent, speaker_phrase
from pipeline.nlp.surnames import another_bearer, gaelic_surname, given_name_before, honoured_surname, titled_surname
from pipeline.nlp.titles import POSTNOMINAL, TITLES, not_a_title, strip_stray_hyphens, without_honorific, without_titles
from pipeline.nlp.together import speaking_together
from pipeline.nlp.unnamed_roles import introduced_unnamed
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_WORD = re.compile(r"\w+")
PLURAL = {"they", "them", "ils", "elles"}
PER = {"PERSON", "PER"}  # the English and French models' label for a person
DEPUTIES = {"deputy", "vice", "associate", "assistant", "acting", "interim", "former", "ex", "shadow"}  # not the title itself
IT_REACH = 600  # characters: "it" is an organisation named as a subject or speaking within a paragraph or two
# what the small model calls a surname standing alone when it misreads it ("Greer’s statement" as a PRODUCT)
MISREAD_NAMES = {"PRODUCT", "WORK_OF_ART", "EVENT", "LANGUAGE", "NORP"}
# head nouns of descriptions that stand for an organisation named in the article ("the agency" → CBSA)
ORGANIZATION_KINDS = {
    "agency", "ministry", "department", "city", "company", "government", "police", "office", "board", "commission",
    "union", "council", "court", "university", "hospital", "school", "service", "party", "association", "group",
    "organization", "organisation", "firm", "bank", "airline", "authority", "network", "charity", "institute",
    "agence", "ministere", "ville", "entreprise", "gouvernement", "bureau", "syndicat", "conseil", "tribunal",
    "universite", "hopital", "societe", "parti", "groupe", "organisme", "municipalite", "cour", "newspaper", "paper",
    "daily", "broadcaster", "magazine", "outlet", "committee", "regime", "journal", "utility", "manufacturer",
    "carrier", "retailer", "automaker", "insurer", "regulator", "watchdog", "publisher", "chain", "lender",
    "operator", "provider", "producer", "maker", "supplier", "developer", "startup", "business", "giant",
    "conglomerate", "brand", "district", "college", "supermarket", "store", "club", "foundation", "trust", "society",
    "federation", "league", "coalition", "alliance", "institution", "museum", "body",
}
# last words of names that are laws or plans, never a body that acts: "the court" is not the "Alien Enemies Act"
NOT_BODIES = {"act", "law", "bill", "treaty", "accord", "charter", "code", "agreement", "convention", "regulation",
              "regulations", "amendment", "plan", "program", "programme", "loi", "reglement", "traite"}


def _org_name(entity: Entity) -> str:
    """An organisation's one name: the long form the article gives it, without a leading "the"."""
    return DETERMINER.sub("", entity.canonical)


def _organization_kinds(doc: Doc, organizations: Sequence[Entity]) -> dict[str, str]:
    """Kinds the article gives its organisations: "TransLink, the regional transit agency," → agency."""
    seen: dict[str, set[str]] = {}
    for entity in organizations:
        span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
        if span is None:
            continue
        window = doc[span.end: min(len(doc), span.end + 7)]
        if len(window) > 2 and window[0].text == "," and window[1].lower_ in {"the", "a", "an", "le", "la", "l'", "l’", "un", "une"}:
            for tok in window[2:]:
                if tok.text in {",", "."}:
                    break
                if tok.pos_ == "NOUN":
                    seen.setdefault(fold(tok.text), set()).add(_org_name(entity))
        before = doc[max(0, span.start - 1)]
        if span.start > 0 and before.pos_ == "NOUN" and before.is_lower:  # "media buying company GroupM"
            seen.setdefault(fold(before.text), set()).add(_org_name(entity))
    return {kind: next(iter(names)) for kind, names in seen.items() if len(names) == 1}


def organization_named(organizations: list[tuple[int, str]], bare: str, pos: int) -> str | None:
    """"The Toronto Transit Commission" → its name; "Transit" → "Halifax Transit" when only it ends so."""
    names = {name for start, name in organizations if start <= pos}
    if bare in names:
        return bare
    if formal := formal_department(bare, {name for _, name in organizations}):  # "the Justice Dept"
        return formal
    words = bare.split()
    if len(words) > 1 and words[-1].islower() and words[0][:1].isupper():  # "Calgary police": the body named so
        longer = {n for n in names if fold(n).startswith(fold(bare) + " ")}
        return longer.pop() if len(longer) == 1 else None
    if len(words) != 1 or not bare[:1].isupper():
        return None
    longer = {n for n in names if len(n.split()) > 1 and bare in (n.split()[0], n.split()[-1])}
    return longer.pop() if len(longer) == 1 else None


class Resolver:
    """Turns a speaker phrase into a canonical name, using what the article has said so far."""

    def __init__(self, doc: Doc, people: PersonNames, persons: list[Entity], quote_spans: list[tuple[int, int]],
                 organizations: Sequence[Entity] = ()) -> None:
        self.people = people
        self.mentions: list[tuple[int, str]] = []  # (char offset, canonical) of people outside quotes
        self.titles: dict[str, str] = {}  # "minister" → "Ahmed Hussen" from "Immigration Minister Ahmed Hussen"
        self.titled: list[tuple[int, str, str]] = []  # (offset, title word, person) where the article says so
        roles: Counter = Counter()  # (role word, person) seen close together: "McCallum's term as mayor"
        # a name the model also tags an organisation ("Acme Pipeline", "Border Patrol") is nobody "he" or "she"
        not_people = {e.canonical for e in organizations} | {e.text for e in organizations}  # stands for, nor titled
        for entity in persons:
            span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
            if span is None or inside(quote_spans, entity.start):
                continue
            name = entity.canonical
            self.mentions.append((entity.start, name))
            if name in not_people or not (people.is_person(name) or titled_surname(span)):
                continue  # a bare surname is someone the article titles only when a title stands before it
            for tok in reversed(doc[max(0, span.start - 3): span.start]):  # "a spokeswoman for Trudeau" is not Trudeau,
                if tok.pos_ in {"ADP", "PUNCT", "DET", "CCONJ"} or fold(tok.lemma_) in ORGANIZATION_KINDS or not_a_title(tok, span):
                    break  # "department ranger Jamie Werner" no department, "Judge castigates lawyer Kinyanjui" no judge
                if tok.is_alpha and (tok.pos_ in {"NOUN", "PROPN", "ADJ"} or TITLES.fullmatch(tok.lower_ + " ")) and tok.ent_type_ not in PER:
                    if tok.i > 0 and doc[tok.i - 1].lower_ in DEPUTIES:  # a title read as an adverb counts ("row forward Gareth Hock")
                        break  # "Deputy Premier Sarah Hoffman" is not "the premier"
                    if tok.pos_ != "ADJ":  # "former" is no title; yet "Procurator fiscal X" is "the fiscal" later
                        self.titles[tok.lower_] = name
                    self.titled.append((entity.start, tok.lower_, name))
            self.titled += [(entity.start, t.lower_, name) for t in span[:-1] if TITLES.fullmatch(t.lower_ + " ")]
            for child in titles_beside(span):  # with its modifiers: "The Information Minister, Kojo Oppong Nkrumah,"
                self.titles.update({} if DEPUTIES & {t.lower_ for t in child.children} else {child.lower_: name})  # not "shadow"
                self.titled += [(entity.start, t.lower_, name) for t in child.subtree if t.i == child.i or t.head.i == child.i
                                and t.dep_ in {"compound", "amod"}]
            roles.update((role, name) for role in roles_near(span))
        for (role, name), _ in roles.most_common():
            self.titles.setdefault(role, name)
        for at, title, name in abbreviated_titles(doc, people):
            self.titles.setdefault(title, name)
            self.titled.append((at, title, name))
        self.gender = genders(doc, persons, quote_spans)
        self.unread = unread = sorted([*quote_spans, *caption_spans(doc_text(doc))])  # quotes, photo captions
        self.salience = Salience(doc, unread, self.gender)
        for entity in persons:
            span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
            if span is not None and not inside(unread, entity.start) and entity.canonical not in not_people:
                self.salience.add(span.root, entity.canonical)
        self.salience.add_titles(self.titles, unread)
        self.org_long = {(e.start, e.end): e.canonical for e in organizations if e.canonical != e.text}  # short forms: "EDC"
        self.organizations = sorted((e.start, _org_name(e)) for e in organizations if not inside(quote_spans, e.start))
        self.acting: list[tuple[int, str]] = []  # organisations that are a clause's subject: what "it" may be
        for e in organizations:
            span = doc.char_span(e.start, e.end, alignment_mode="expand")
            if span is not None and not inside(quote_spans, e.start) and span.root.dep_ in {"nsubj", "nsubjpass"}:
                self.acting.append((e.start, _org_name(e)))
        self.named = sorted([*persons, *organizations], key=lambda e: e.start)  # for names inside a phrase
        self.org_kinds = _organization_kinds(doc, organizations)  # "TransLink, the regional transit agency"
        self.text = doc_text(doc)
        self.acronyms = acronyms(self.text)
        self.pseudonyms = pseudonyms(self.text)
        self.org_names = {name for _, name in self.organizations}
        self.organizations = sorted(self.organizations + written_again(doc, self.text, organizations, quote_spans))
        self.kind_named: dict[str, str] = {}  # "paper" → the body "the paper" stood for last
        self.groups = members_of_groups(doc, self.text) if doc.lang_ == "en" else {}  # "the doctors" → a group
        self.acting += [(t.idx, self.acronyms[t.text]) for t in doc_tokens(doc)  # "EDC declined": untagged, but defined
                        if t.text in self.acronyms and t.dep_ in {"nsubj", "nsubjpass"} and not t.ent_type_
                        and not inside(quote_spans, t.idx)]
        self.documents: dict[str, str] = {}  # "study" → who made the study the article named last
        self.descriptions: list[tuple[int, str, str]] = []  # (offset, head noun, phrase) of unnamed speakers
        self.full_forms: dict[str, str] = {}  # a lone surname or acronym → the full name the article writes
        self.doc = doc
        surname_mentions(self, unread, {e.start for e in persons})
        self.last_speaker: tuple[int, str] | None = None
        self.untagged_people: set[str] = set()  # names read from a speaker phrase the model did not tag
        self.described_people = self.salience.one_person  # one unnamed person, as described: "a spokesperson for X"
        self.last_other: tuple[int, str] | None = None
        self.language = "fr" if doc.lang_ == "fr" else "en"

    def resolve(self, phrase: str, subject: Token, pos: int) -> str:
        """`subject` is the phrase's head token: "a spokesperson for Blair" is not Blair."""
        resolved = self._resolve(phrase, subject, pos)
        record_medium(subject, resolved, self.documents)
        if resolved and resolved == phrase and self.language == "en" and (sex := one_person_described(subject)):
            self.described_people.add(resolved)
            self.salience.add(subject, resolved)  # a mention like a name's: "he" may be them next
            if sex in {"m", "f"}:
                self.gender.setdefault(resolved, sex)
        if " " in resolved or not resolved[:1].isupper():
            if self.people.is_person(resolved) and subject.i not in self.salience.mentioned and subject.pos_ in {"PROPN", "NOUN"}:
                self.salience.add(subject, resolved)  # "De Ruyter alleged", "The police boss alleged", "Dr Sen": "he" next
            return resolved if self.people.is_person(resolved) else fullest_body(resolved, self.org_names)
        if resolved not in self.full_forms:  # once per name: both read the whole article
            self.full_forms[resolved] = full_form(self.doc, self.text, resolved, self.acronyms, [*self.people.full, *self.untagged_people])
        if not resolved.isupper() and self.full_forms[resolved] != resolved:  # a surname read back to a person
            self.salience.add(subject, self.full_forms[resolved])  # the model did not tag: "he" may be them next
        return fullest_body(self.full_forms[resolved], self.org_names)

    def _resolve(self, phrase: str, subject: Token, pos: int) -> str:
        if not phrase:
            return ""
        phrase = without_honorific(strip_stray_hyphens(phrase), self.language)  # "Me Stéphane Handfield", "-Anick -Fournier"
        if POSTNOMINAL.search(phrase) and subject.i > 0 and subject.text == phrase.split()[-1] and subject.nbor(-1).pos_ == "PROPN" \
                and phrase[:4].lower() != "the ":  # not "the Bagan Datuk MP", a seat's member
            phrase, subject = POSTNOMINAL.sub("", phrase), subject.doc[subject.i - 1]  # "Judge Anthony Russell QC"
        start = subject.i
        while start > 0 and not subject.doc[start - 1].whitespace_ and not subject.doc[start - 1].is_space:
            start -= 1  # "Wilson-Raybould" is three tokens
        glued = subject.doc[start: subject.i + 1].text
        if found := speaking_together(subject, self.people) or ((t := person_after_title(subject)) and (self.people.find_in(t) or t)):
            return found
        if holder := holder_named_last(phrase, self.people.full):
            return holder
        if phrase in self.people.full:  # "Paz Akin" may be tagged apart from "Lorena Paz Akin"
            return self.people.resolve(phrase)
        sharing = [n for n in self.people.full if n.split()[-1] == phrase]
        if len(sharing) > 1:
            return namesake(self.text, phrase, sharing, self.mentions, min(pos, subject.idx))
        bare = DETERMINER.sub("", phrase).strip()
        if bare in self.acronyms:  # "l’ASFC" → "Agence des services frontaliers du Canada"; "AAG" → who holds it
            return title_holder(self.text, self.acronyms[bare], self.people.full) or self.acronyms[bare]
        if after := named_after(subject, self.named, self.people.full, self.text) or named_before(subject, self.named, self.people.full):
            return after  # before a body: "The Divisional Crime Officer, DSP Omari Boakye," whatever the model tagged
        if short := None if self.people.find_in(bare) else (organization_named(self.organizations, bare, subject.idx)
                                                            or compass_short_form(self.text, bare)
                                                            or named_after_its_kind(phrase, ORGANIZATION_KINDS)):
            return short
        if subject.pos_ == "NOUN" and (alias := pseudonym_of(subject, self.pseudonyms)):
            self.untagged_people.add(alias)  # a person, whom the next "he" or "the Iraqi Kurd" may be
            return alias  # "the man, who can only be identified as KN,"
        if (maker := issuer(subject)) is not None:  # "Maria Margiotta issued a statement that said": hers
            return self._resolve(speaker_phrase(maker), maker, maker.idx)
        if inner := named_inside(subject, phrase, self.named, self.documents, self.people.find_in,
                                 lambda kind, at: organization_of(self, kind, at)):
            return inner
        body = (body_after_kind(subject, self.named, ORGANIZATION_KINDS) or body_before_kind(subject, self.named, ORGANIZATION_KINDS)
                or next((e for e in self.named if e.label == "organization" and e.start <= subject.idx < e.end
                         and subject.pos_ == "NOUN" and subject.is_lower), None))  # "Tass news agency", one tag
        if body:
            return _org_name(body)
        untagged = None if subject.ent_type_ in {"PERSON", "PER"} else name_after_titles(subject) or name_after_role(phrase) or (
            given_named(without_titles(phrase), subject) if self.language == "en" else None)
        if untagged:  # before the surname alone ("Hall") is read as another Hall the article names
            known = self.people.find_in(untagged)
            if known and (known.split()[0] == untagged.split()[0] or known.endswith(" " + untagged) and (  # "Ms Mosely"
                    gaelic_surname(untagged) or honoured_surname(phrase) == untagged)):
                return known
            self.untagged_people.add(untagged)  # a person all the same: "he" may be them next
            self.titled += [(subject.idx, w, untagged) for w in phrase[:max(0, phrase.find(untagged))].lower().split()]
            self.salience.add_untagged(subject, untagged)
            return untagged
        for name in [glued, subject.text, *(c.text for c in subject.children if c.dep_ in {"appos", "flat", "flat:name"}
                                            or c.dep_ == "conj" and c.i > subject.i and misparsed_apposition(c))]:
            if named := self.people.find_in(name) or mononym_in_apposition(subject, name):
                if other := another_bearer(subject, named):
                    self.salience.add_untagged(subject, other)  # another person, whom "she" may mean next
                return other or named
        if self.language == "en" and (surname := honoured_surname(phrase)):  # "Mr Owohunwa", tagged or not
            return given_name_before(self.text, surname) if (known := self.people.resolve(surname)) == surname else known
        if (subject.ent_type_ in {"PERSON", "PER"} or any(e.label == "person" and e.start <= subject.idx < e.end for e in self.named)) \
                and not TITLES.fullmatch(phrase + " "):  # "President Trump": "Trump"; "District 1 Councilman Bernal", tagged ORG
            bare = clean_mention(phrase, "person", self.language).strip() or phrase  # as the entity: "Earlier Booth"
            return self.people.resolve(bare) if len(phrase.split()) <= 3 else subject.text
        for (start, end), name in self.org_long.items():
            if start <= subject.idx < end:
                return name
        whole = next((e for e in self.named if e.label == "organization" and e.start <= subject.idx < e.end and (
            len(e.text) > len(phrase) and phrase in e.text or phrase.endswith(" " + e.text) and described_before_name(subject, e))), None)
        if whole is not None:  # "Immigration, Refugees and Citizenship Canada": a name the phrase cut at a comma; "Spanish NGO X"
            return _org_name(whole)
        head = phrase.lower() if phrase.lower() in PRONOUNS | PLURAL else subject.text.lower()
        words = [w.lower() for w in _WORD.findall(phrase)]
        if head == "it" and self.language == "en":  # "EDC declined to comment. “…,” it said"
            recent = [a for a in self.acting if pos - IT_REACH < a[0] < pos]
            if self.last_other and pos - IT_REACH < self.last_other[0] < pos:
                recent.append(self.last_other)
            return max(recent)[1] if recent else phrase
        if head in PLURAL:  # "they": the pair or the group that spoke last
            pair = self.last_speaker[1] if self.last_speaker and self.last_speaker[0] < pos else ""
            if " and " in pair and pair not in self.described_people:  # not "a spokesperson for X and Y"
                return pair
            found = plural_antecedent(subject, PERSON_NOUNS | {"police"}, self.unread) if self.language == "en" else None
            force = found and found.lower() == "police" and body_of_kind("police", (n for at, n in self.organizations if at < pos))
            return force or found or phrase  # "police say they saw …. They say": the force the article named, if one
        if head in PRONOUNS:  # the most salient person the pronoun agrees with (see `coreference`)
            if subject.lower_.lstrip("-") in PRONOUNS:
                return self.salience.pronoun(subject) or phrase
            before = [m for m in self.mentions if m[0] < pos]
            wanted = "f" if head in {"she", "her", "elle"} else "m"
            fitting = [m for m in before if self.gender.get(m[1], wanted) == wanted]
            return (fitting or before)[-1][1] if before else phrase
        definite = phrase.lower().startswith("the ") or self.doc[max(0, subject.left_edge.i - 1)].lower_ == "the"
        if definite and (aged := AGED.fullmatch(phrase)):  # "the 72-year-old": given that age, the last speaker, the centre
            last = self.last_speaker[1] if self.last_speaker and pos - IT_REACH < self.last_speaker[0] < pos else None
            return aged_person(self.text, aged.group(1), self.mentions, pos) or last or self.salience.salient(subject) or phrase
        if words in (["police"], ["the", "police"], ["agency"]) and self.language == "en" and (
                kind_body := kind_named(words[-1], self.organizations, min(pos, subject.idx))):
            return kind_body  # "Police say", a headline's "agency says": the one body of that kind named before
        plural = subject.tag_ in {"NNS", "NNPS"} or "Plur" in subject.morph.get("Number", [])
        if plural and fold(subject.lemma_) in FOUNDERS and (founders := founders_named(self.doc, self.people.resolve, pos)):
            return founders  # "Asana’s founders" after "founded by Moskovitz and … Justin Rosenstein"
        if plural and words[:1] in (["the"], ["these"]) and fold(subject.lemma_) in self.groups:
            return self.groups[fold(subject.lemma_)]  # "the doctors": members of the group the article names
        if plural and fold(subject.lemma_) in ORGANIZATION_KINDS and (
                together := organizations_together_before(self.doc, self.organizations, min(pos, subject.idx))):
            return together  # "The two companies have just announced …"
        if plural and subject.pos_ == "NOUN" and self.language == "en":  # "the three liberal justices" are
            return carried_description(self.descriptions, phrase, subject, pos)  # not one person, whatever titles they share
        if len(words) == 1 and phrase[:1].isupper() and TITLES.fullmatch(phrase.lower() + " ") and self.language == "en":
            words = ["the", *words]  # a headline's "Judge says": the judge the article names
        elif len(words) >= 3 and words[1] == "s" and phrase[:1].isupper() and words[-1] in OFFICES | self.titles.keys() and (
                found := described(self.titled, words[-1], words[2:-1], pos)):
            return found  # "Auckland’s mayor" is as definite as "the mayor"
        if words and words[0] in {"the", "le", "la", "l", "les", "our", "his", "her", "its", "their"}:
            role = subject.lower_ if subject.lower_ in self.titles or subject.lower_ in OFFICES else words[-1]
            modifiers = [w for w in words[1:-1] if w != "s" or re.search(r"\w['’]s\b", phrase)]  # "U.S." is no "'s"
            if len(words) > 2 and words[-1] in {"designate", "elect"}:  # "the Premier Designate": a premier, the
                role, modifiers = words[-2], [*words[1:-2], words[-1]]  # one titled designate
            again = voice_described_again(phrase, role, plural, self.last_speaker, pos, IT_REACH, self.text)
            unnamed = introduced_unnamed(self.text, role, pos)  # "A police spokesman said …, the spokesman said"
            if found := described(self.titled, role, modifiers, pos, again, unnamed):
                return found
            if role in self.titles and "s" not in modifiers and not unnamed:  # "the First Minister's spokesperson" is theirs
                return self.titles[role]
            if words[0] == "the" and role in OFFICES and "s" not in modifiers and (
                    holder := office_holder_before(self.doc, self.people.find_in, min(pos, subject.idx)) or again):
                return holder  # "Trudeau made the comments … The prime minister said"; "…, Coveney has said."
            described_as = set() if words[-1] in DOCUMENTS else {  # "the non-partisan office"; "the new paper" is none
                t.lower_ for t in subject.lefts if t.dep_ == "amod" and t.pos_ == "ADJ" and t.is_lower}
            organization = organization_of(self, words[-1], min(pos, subject.idx), [
                w for w in words[1:-1] if w not in described_as]) \
                if 2 <= len(words) <= 4 and words[0] not in {"a", "an"} else None  # "a group" is another one
            if organization:  # "the agency", "la Ville"; "the paramedics union" may be another one
                return organization
        if (subject.pos_ == "NOUN" or subject.ent_type_ == "NORP" and not plural) and self.language == "en":  # "the Spaniard"
            return described_or_voice(self.descriptions, phrase, subject, pos, plural, self.last_speaker, IT_REACH)
        return phrase

    def spoke(self, pos: int, canonical: str, main: bool = True, named: bool = False) -> None:
        """Remember who spoke last: a person, or a pair of people ("they" may mean them next). `named`: the speaker
        was a proper name the model did not tag ("explique Me Stéphane Handfield"); an unattributed quote next is theirs."""
        named = named or canonical in self.untagged_people or canonical in self.described_people
        if main and canonical[:1].isupper() and not (named or self.people.is_person(canonical.split(" and ")[0])):
            self.last_other = (pos, canonical)  # an organisation that spoke: "it" may be it next
        if main and (named or self.people.is_person(canonical.split(" and ")[0])):
            self.last_speaker = (pos, canonical)
            if " and " not in canonical:
                self.salience.add_at(pos, canonical)


def organization_of(resolver: Resolver, kind: str, pos: int, modifiers: Sequence[str] = ()) -> str | None:
    """"the agency", "la Ville": the one organisation of that kind named before, else the only one the sentence
    before named ("… by TransLink. The agency said …"); "the utilities commission": one named with both words."""
    kind = fold(kind)
    if kind in PERSON_NOUNS and kind not in ORGANIZATION_KINDS:
        return None  # "the official", "the spokesman": a person, never the body the sentence before named
    if kind == "family":
        return family_named(resolver.text, pos, {name.split()[-1] for name in resolver.people.full})
    modifiers = [m for k, m in enumerate(modifiers) if "based" not in (m, *modifiers[k + 1: k + 2])]  # "the Calgary-based firm"
    if kind in resolver.org_kinds and not modifiers:
        return resolver.org_kinds[kind]
    named = [name for start, name in resolver.organizations if start < pos and kind in fold(name).split()
             and all(fold(m) in fold(name).split() for m in modifiers)]
    if not named and not modifiers and (body := body_of_kind(kind, (n for s, n in resolver.organizations
                                                                  if s < pos or kind in MEMBERS))):
        return body  # "the agency" after "the U.S. Food and Drug Administration"; "The Mounties" → RCMP
    if not named and modifiers and kind in {"department", "ministry", "agency"}:  # "the justice department"
        named = [n for s, n in resolver.organizations if s < pos and all(fold(m) in fold(n).split() for m in modifiers)]
        return named[0] if len(set(named)) == 1 else None  # is the one body named with "Justice": Manitoba Justice
    if kind not in ORGANIZATION_KINDS:
        return None
    # one body under a long and a short name ("New Zealand Department of Conservation", "Department of …")
    distinct = [n for n in dict.fromkeys(named) if not any(n != o and n in o for o in named)]
    main = (main_business(resolver.organizations, pos) or only_organization_before(resolver, pos)) \
        if kind in BUSINESS_KINDS and not modifiers else None
    if main and distinct and main not in distinct:
        return main  # "the company" in a story about Whole Foods is not the Dana F. Besecker Company it quotes
    if distinct or modifiers or kind in {"government", "gouvernement"}:  # not "WWNY" nor "the Channel" before it
        return distinct[0] if len(distinct) == 1 else None
    said = resolver.last_other if resolver.last_other and pos - IT_REACH < resolver.last_other[0] < pos else None
    end = next((s.end_char for s in resolver.doc.sents if s.start_char <= said[0] < s.end_char), pos) if said else pos
    spoke = said[1] if said and not any(end <= s < pos and n != said[1] for s, n in resolver.organizations) else None
    found = (kind in BUSINESS_KINDS and (main_business(resolver.organizations, pos) or spoke)  # after "EA said", "The
             or only_organization_before(resolver, pos) or subject_organization_before(resolver.doc, resolver.organizations, pos)
             or resolver.kind_named.get(kind))
    if found:  # company also said" is EA; "The paper said" again two sentences on is still the same paper
        resolver.kind_named[kind] = found
    return found


def surname_mentions(resolver: Resolver, quote_spans: list[tuple[int, int]], seen: set[int]) -> None:
    """Surnames the model did not tag ("Easley offered to stay") still mention their person."""
    doc = resolver.doc
    surnames: dict[str, list[str]] = {}
    for name in resolver.people.full:
        surnames.setdefault(name.split()[-1], []).append(name)
    for tok in doc_tokens(doc):
        names = surnames.get(tok.text)
        if not names or len(names) > 1 or tok.idx in seen or inside(quote_spans, tok.idx) or tok.ent_type_ and not (
                tok.ent_type_ in MISREAD_NAMES and tok.ent_iob_ == "B" and (tok.i + 1 == len(doc)
                                                                            or doc[tok.i + 1].ent_iob_ != "I")):
            continue  # "Greer’s statement" read as a product is still Paul Greer's
        resolver.mentions.append((tok.idx, names[0]))
        resolver.salience.add(tok, names[0])
    resolver.mentions.sort()


def only_organization_before(resolver: Resolver, pos: int) -> str | None:
    """The one organisation the sentence before `pos` and its own named, when they name no person."""
    sentences = [s for s in resolver.doc.sents if s.start_char < pos]
    if len(sentences) < 2:
        return None
    previous, current = sentences[-2], sentences[-1]
    recent = {name for start, name in resolver.organizations
              if previous.start_char <= start < pos and start < current.end_char}
    people = [m for m in resolver.mentions if previous.start_char <= m[0] < pos]
    if len(recent) != 1 or people:
        return None
    name = recent.pop()
    full = resolver.acronyms.get(name) or (spelled_out(resolver.text, name) if name.isupper() else name)
    return None if fold(full).split()[-1] in NOT_BODIES else name
