"""Offices news describes people by, before it names them or after: who "the senior officer" or "A Cabinet
Minister" is (the rules that use them are in `introduced` and `speakers`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from pipeline.nlp.name_forms import carried_description
from pipeline.nlp.titles import TITLES, without_office_of

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# offices news describes a named person by: before naming them ("A Federal Court judge has set aside …", then
# "Justice Ann Marie Mcdonald said") or after ("the senior officer"); not bystanders ("a witness", "a resident")
OFFICE_NOUNS = {"official", "officer", "minister", "judge", "justice", "lawyer", "attorney", "prosecutor", "mayor",
                "governor", "senator", "lawmaker", "legislator", "commissioner", "chief", "director", "executive",
                "secretary", "diplomat", "envoy", "ambassador", "commander", "inspector", "detective", "coroner",
                "economist", "scientist", "researcher", "professor", "doctor", "physician", "expert", "councillor",
                "councilor", "premier", "president", "leader", "taoiseach", "chancellor", "advocate", "activist",
                "campaigner", "analyst", "reeve", "warden", "alderman", "alderwoman", "magistrate", "politician",
                "mp", "td", "mla", "congressman", "congresswoman", "sheriff", "chairman", "chairwoman", "superintendent",
                "skipper", "opener", "ceo"}  # not "owner", "player" or "striker": a bystander or a player not speaking


def voice_described_again(phrase: str, head: str, plural: bool, last_speaker: tuple[int, str] | None,
                          pos: int, reach: int, text: str = "", epithet: bool = False) -> str | None:
    """"Kumar said. … Hours after …, the senior officer said …" (or "the police spokesman"): a definite
    description of an office, which the article gave nobody (no title; see `described_or_voice` for an earlier
    "an officer"), is the person who spoke just before, by name, unless someone new came in under that noun
    since ("…," Larsen said. He saw his client detained by a plainclothes officer. The officer confirmed …).
    `epithet`: a nationality for a person ("…," Guardiola told reporters. The Spaniard admitted …), as sports and
    wire copy vary the name."""
    words = phrase.lower().split()
    if plural or words[:1] != ["the"] or head.lower() not in OFFICE_NOUNS | _SPOKES and not epithet or last_speaker is None:
        return None
    if re.search(r"\w['’]s\b", phrase):  # "the First Minister's spokesperson": someone's, not whoever spoke last
        return None
    at, name = last_speaker
    if text and _introduced(text[max(0, pos - reach):pos], head):
        return None
    return name if 0 < pos - at <= reach and " and " not in name and name[:1].isupper() else None  # not "a spokeswoman"


def _introduced(text: str, head: str) -> bool:
    """Someone brought in, unnamed, under that noun: "detained by a plainclothes officer", not "an officer, Sgt
    Ian Bell," nor "said a police officer" (a speaker of their own, whom `carried_description` follows)."""
    for found in re.finditer(rf"\b(?:an?|another)\s+(?:[\w-]+\s+){{0,3}}{re.escape(head.lower())}\b", text.lower()):
        before, after = text[max(0, found.start() - 12):found.start()].lower(), text[found.end():found.end() + 3]
        if not re.search(r"\b(?:said|says|told|added)\s*$", before) and not re.match(r",? ?[A-Z]", after):
            return True
    return False


# the shapes of a nationality for one person ("Spaniard", "Frenchman", "Briton", "Italian", "Portuguese",
# "Pakistani"), not of a group the model tags the same way ("the Taliban", "Hamas")
_PERSON_DEMONYM = re.compile(r"(?:ard|man|woman|on|ian|ean|ese|i)$")
# a party's member is not who spoke last: "the Democrat" after the White House's spokeswoman
_PARTIES = frozenset({"democrat", "republican", "conservative", "liberal", "tory", "socialist", "independent", "green",
                      "labour", "nationalist", "communist"})
# words after which a description tells one person apart: "an officer who was at the scene", "a doctor in Kabul"
_SETTING_APART = frozenset({"who", "whom", "which", "that", "at", "in", "from", "with", "on", "for", "of", "familiar"})


def described_or_voice(descriptions: list[tuple[int, str, str]], phrase: str, subject: Token, pos: int, plural: bool,
                       last_speaker: tuple[int, str] | None, reach: int) -> str:
    """A description is the unnamed one described before when the article set them apart ("an officer who
    was at the scene … the officer": `carried_description`), or else the named person who just spoke
    (`voice_described_again`): "…, says Rohingya relief official", then "Commissioner Mohammad Abul Kalam said",
    then "the official said" is Kalam."""
    carried = carried_description(descriptions, phrase, subject, pos)
    again = voice_described_again(phrase, subject.text, plural, last_speaker, pos, reach, subject.doc.text,
                                  subject.ent_type_ == "NORP" and subject.tag_ == "NNP" and bool(_PERSON_DEMONYM.search(subject.text))
                                  and subject.lower_ not in _PARTIES)
    at = subject.doc.text.find(carried)  # where the article described them: what follows sets them apart
    following = subject.doc.text[at + len(carried):].split(maxsplit=1)[:1] if at >= 0 else []
    set_apart = any(w.lower() in _SETTING_APART for w in carried.split()[1:] + following)
    return again if again and (carried == phrase or not set_apart) else carried


# words that make the name after them someone else than the speaker: "a spokesperson for Minister Sean Fraser"
_FOR_SOMEONE = {"for", "to", "with", "by", "from", "on", "about", "against", "behind", "under"}


def holder_named_last(phrase: str, people: Collection[str]) -> str | None:
    """"Alberta Federation of Labour president Gil McGowan", "Housing Minister and former immigration minister
    Sean Fraser": a phrase that ends with a person's full name right after their office is that person (the
    employer and offices before it are who they are, not a name), unless the name belongs to a preposition
    ("a spokesperson for …") or to a relation ("the wife of …"). A name right after a body's capitalised name is in
    apposition to the phrase ("a spokesperson for Podlaski Border Guard Regional Unit Katarzyna Zdanowicz"); a
    preposition inside a body's name is no relation ("Taiwan Association for Human Rights secretary-general …")."""
    words, held = phrase.split(), without_office_of(phrase)
    for name in people:
        size = len(name.split())
        if len(words) <= size or " ".join(words[-size:]) != name:
            continue
        before = words[:-size]
        of_body = _office_of_body(before)
        titled = any(TITLES.fullmatch(part.lower() + " ") for part in before[-1].split("-"))  # "secretary-general"
        after_body = len(before) >= 2 and before[-1][:1].isupper() and before[-1].isalpha() and not titled
        if not titled and held != name and not of_body and not after_body:
            continue  # "Commissioner of Police Lakhmi Gautam": an office of a body before the name
        if not after_body and (any(w.lower() in _FOR_SOMEONE and not (k and before[k - 1][:1].isupper())
                                   for k, w in enumerate(before)) or not of_body and any(
                w == "of" and k and before[k - 1].islower() for k, w in enumerate(before))):
            return None
        return name
    return None


def _office_of_body(before: list[str]) -> bool:
    """"president of ASPSU Eric Noll", "Chairman of Ward 2 of Thalara Rural Municipality Hem Khadka": the
    phrase opens with an office, and the words between its last "of" and the name are all a body's
    capitalised name, or "the" and one or two common nouns ("chairman of the bench Elizabeth Hjort"); after "the
    wife of" or "a spokesperson for Minister …" the name is someone else's."""
    if len(before) < 3 or not TITLES.fullmatch(before[0].lower() + " ") or "of" not in before:
        return False
    body = before[len(before) - before[::-1].index("of"):]
    if len(body) in (2, 3) and body[0] == "the" and all(w.isalpha() and w.islower() for w in body[1:]):
        return True
    return bool(body) and all(w[:1].isupper() and not TITLES.fullmatch(w.lower() + " ") for w in body)


# offices written with another word: the article titles a judge "Justice", then calls them "the judge"; "the
# police boss" is whoever it titled to lead the force
_HEADS = frozenset({"commissioner", "chief", "director", "head", "chairman", "chairperson", "chairwoman", "executive",
                    "ceo", "manager", "coach", "president", "superintendent", "leader", "commander"})
_SPOKES = frozenset({"spokesman", "spokeswoman", "spokesperson"})
_SAME_OFFICE = {"judge": frozenset({"justice"}), "justice": frozenset({"judge"}), "boss": _HEADS,
                # the spokeswoman named is "the spokesperson" later, never "the spokesman" (nor he "the spokeswoman")
                "spokesperson": frozenset({"spokesman", "spokeswoman"}), "spokesman": frozenset({"spokesperson"}),
                "spokeswoman": frozenset({"spokesperson"})}


def with_same_offices(titles: Mapping[str, str]) -> dict[str, str]:
    """Titles with the other words for the same office: "the judge" in the narration is the one the article
    titled "Justice" (when only one holds the office that way)."""
    out = dict(titles)
    for word, others in _SAME_OFFICE.items():
        holders = {titles[o] for o in others if o in titles}
        if word not in out and len(holders) == 1:
            out[word] = holders.pop()
    return out


# offices written as initials before a name ("PM Lee", "CM Shah"): the words "the prime minister" describes them by
_INITIALS = {"pm": ("prime", "minister"), "cm": ("chief", "minister"), "dpm": ("deputy", "prime", "minister")}


# words that make a title another office than the bare one: "the shadow home secretary" is not "the home secretary"
OTHER_HOLDERS = frozenset({"deputy", "vice", "associate", "assistant", "former", "ex", "shadow"})


def described(titled: list[tuple[int, str, str]], role: str, modifiers: list[str], pos: int, voice: str | None = None,
              unnamed_before: bool = False) -> str | None:
    """"The prime minister", "the rookie defenceman": the person the article last gave that title before
    the description (a definite description points back), preferring one that also had its modifiers
    ("prime"); when nobody had it before, the `voice` who just spoke ("Mitsotakis responded …. Further, the
    minister declared"), else the first one titled after it, unless the article introduced one `unnamed_before`
    ("A department spokeswoman said …. …, the spokeswoman said": not the spokesperson named further on)."""
    titled = [(at, w, name) for at, word, name in titled for w in (word, *_INITIALS.get(word.rstrip("."), ()))]
    having = [(at, name) for at, word, name in titled if word == role] or [
        (at, name) for at, word, name in titled if word in _SAME_OFFICE.get(role, ())]  # "justice Ngaa" is "the judge"
    others = {(at, name) for at, word, name in titled if word in OTHER_HOLDERS and word not in modifiers}
    having = [h for h in having if h not in others]
    if not having:
        return None
    fuller = {name for at, word, name in titled if word in modifiers}
    if "s" in modifiers and not any(h[1] in fuller for h in having):
        return None  # "the First Minister's spokesperson" is nobody else's spokesperson the article named
    having = [h for h in having if h[1] in fuller] or having
    before = [h for h in having if h[0] < pos]
    if not before and modifiers and not fuller:
        return None  # "Canada’s public safety minister" is not the immigration minister named further on
    if not before and not voice and unnamed_before:
        return None
    return max(before)[1] if before else voice or min(having)[1]



# a title and a name that are the subject and the object of one verb are two people: "Cllr Howells asked the
# authority's leader", "Judge castigates lawyer Kinyanjui"
_SUBJECT_AND_OBJECT = [{s, o} for s in ("nsubj", "nsubjpass") for o in ("dobj", "dative", "iobj")]


def another_office(title: Token) -> bool:
    """Whether a title word's modifiers make it another office ("shadow", "deputy", "former")."""
    return any(t.lower_ in OTHER_HOLDERS for t in title.children)


def _clause(token: Token) -> int:
    """The head of the reported clause a token sits in (the sentence's root outside any): a title and a name
    in two such clauses describe two people."""
    while token.dep_ not in {"ccomp", "ROOT"} and token.head.i != token.i:
        token = token.head
    return token.i


def roles_near(span: Span) -> list[str]:
    """Title words close to a person's name in its sentence ("McCallum’s last term as Surrey mayor"): roles the
    article gives them, unless the title is someone else's ("a spokesman for Sunak", "Sunak's spokesman", "Judge
    castigates Kinyanjui")."""
    doc, sent, found = span.doc, span.sent, []
    for tok in doc[max(sent.start, span.start - 8): min(sent.end, span.end + 8)]:
        if tok.pos_ == "NOUN" and TITLES.match(tok.lower_ + " "):
            between = doc[min(tok.i, span.end): max(tok.i, span.start)]
            owned = any(t.dep_ == "poss" and t.head.i == tok.i for t in span)
            owned = owned or tok.head.i == span.root.head.i and {tok.dep_, span.root.dep_} in _SUBJECT_AND_OBJECT
            owned = owned or _clause(tok) != _clause(span.root)  # "a judge has ruled that Ararso is owed …"
            owned = owned or another_office(tok)  # "the shadow home secretary"
            if not owned and not any(t.pos_ == "ADP" and t.lower_ in {"for", "to", "of", "with"} for t in between):
                found.append(tok.lower_)
    return found
