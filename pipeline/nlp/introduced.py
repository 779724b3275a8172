"""Speakers news introduces by a description first and by name with the next quote.

"A spokeswoman for Trudeau said he is not going to shy away …. “…,” said Eleanore Catenaro." The
description speaks first, the name comes with the following quote; read one quote at a time, the first
stays "a spokeswoman for Trudeau" and the person's count misses it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pipeline.nlp.coreference import NOUN_SEX
from pipeline.nlp.documents import DOCUMENTS
from pipeline.nlp.offices import OFFICE_NOUNS
from pipeline.nlp.unnamed_roles import another_body
from pipeline.text import fold

if TYPE_CHECKING:
    from pipeline.nlp.speakers import Resolver


class Spoken(Protocol):
    """What is read of a quote here (`quotes.Quote`, which imports this module)."""

    speaker: str
    speaker_canonical: str
    start: int
    end: int


SPOKESPEOPLE = {"spokesperson", "spokesman", "spokeswoman", "representative", "aide"}
PLACE_ROLES = {"minister", "premier", "mayor", "chief", "president", "governor", "commissioner", "secretary", "leader",
               "senator", "ombudsman", "coroner", "ambassador", "envoy", "councillor", "councilor"}
NOMINATED = {"choice", "pick", "nominee", "appointee"}  # "President Trump’s choice to head …"
_UNNAMED = re.compile(r"anonymity|anonymous|not authori[sz]ed to|declined to be named|not to be named|not be named")
LEDE_REACH = 800  # characters from the lede's words to the quote that names its speaker
# a name followed by who its bearer is: "Shirley Hart, from Welcome House,", "Ann Lee, a nurse who …"
_WITH_WHO_THEY_ARE = re.compile(r"(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*,\s+((?:[A-Za-z][\w-]*\s+){0,2}?)"
                                r"(?:from|of|at|with|who|whose|an?|the)\b")  # "…, chairman of Pro Asyl,", "…, Director of"
_SPEAKING_FOR = {"spokesperson", "spokesman", "spokeswoman", "press", "communications", "aide"}


def described_then_named(quotes: Sequence[Spoken], resolver: Resolver) -> None:
    """"A spokeswoman for Trudeau said …. “…,” said Eleanore Catenaro.": a spokesperson the article describes,
    then names bare as the next speaker, a name it never wrote before, is that person (a cataphor news uses to
    introduce who speaks for someone); so is a wire lede's nominee ("President Trump’s choice to head Homeland
    Security said … Kirstjen Nielsen said …"). A new voice comes with words of its own ("said resident Ann Lee",
    "Shirley Hart, from Welcome House, said")."""
    i = 0
    while i < len(quotes):
        quote, last = quotes[i], i
        while last + 1 < len(quotes) and quotes[last + 1].speaker_canonical == quote.speaker_canonical:
            last += 1  # the description's run of quotes ("… said she believes …, but said she cannot …")
        following = quotes[last + 1] if last + 1 < len(quotes) else None
        role = _role_of_place(quote)
        if following is not None and (_introduces(quote) or role) and following.start - quotes[last].end <= 600:
            name = following.speaker_canonical
            named = following.speaker == name or bool(role) and role in following.speaker.lower().split()
            if named and resolver.people.is_person(name) and (role or not any(
                    at < quote.start and n == name for at, n in resolver.mentions)) \
                    and not _introduced_with_who(resolver, name, quotes[last].end) \
                    and not _of_other_sex(quote.speaker, resolver.gender.get(name)) \
                    and not _for_another_body(quote.speaker, resolver, name, quotes[last].end):
                description = quote.speaker_canonical
                for described in quotes[i:]:  # "Toronto’s mayor says …", then "the mayor" it carried over
                    if described.speaker_canonical == description:
                        described.speaker_canonical = name
        i = last + 1


def _of_other_sex(description: str, sex: str | None) -> bool:
    """"A department spokeswoman said …" is not "Ian Rintoul, spokesman for the Refugee Action Coalition", the
    next voice named: a description whose noun carries a sex the named person does not have."""
    said = {NOUN_SEX[w] for w in description.lower().split() if w in NOUN_SEX}
    return sex is not None and len(said) == 1 and sex not in said


_SPEAKS_FOR = re.compile(r",\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?spokes(?:man|woman|person)\s+(?:for|of|at|with)\s+([^,.;]+)")


def _for_another_body(description: str, resolver: Resolver, name: str, after: int) -> bool:
    """"A police spokesman said …. John Doe, spokesman for the drivers' union, said": the named spokesperson
    speaks for a body the description's words do not name, so is another voice."""
    words = description.lower().split()
    role = next((k for k, w in enumerate(words) if w in SPOKESPEOPLE), None)
    said_for = " ".join(words[1:role]) if role and words[0] in {"a", "an"} else ""
    at = next((at for at, n in sorted(resolver.mentions) if n == name and at >= after), None)
    found = _SPEAKS_FOR.match(resolver.text, at + len(name)) if at is not None and said_for else None
    return found is not None and another_body(said_for, found.group(1))


def office_named_next(quotes: Sequence[Spoken], resolver: Resolver) -> None:
    """"A Cabinet Minister has vowed … Health Secretary Victoria Atkins told Sky News …": an office holder the
    article describes before it names anybody (a lede, or a headline's "Judge says …") is the first person who
    speaks by name next, if the article did not name them before; so is each later quote of that description."""
    following = next((q for q in quotes if (resolver.people.is_person(q.speaker_canonical) or q.speaker_canonical in
                                            resolver.untagged_people)  # a name the model did not tag is one too
                      and q.speaker_canonical.split()[-1] in q.speaker.split()), None)  # the first voice named
    if following is None:
        return
    name = following.speaker_canonical
    at = next((at for at, n in sorted(resolver.mentions) if n == name), 0)
    # "Greg Janzen, reeve of …" names an office, as the lede did; "Ana Ruiz, from the Border Rights Project," does not
    apposition = resolver.text[at: at + 80].lower() if _introduced_with_who(resolver, name, 0, by_office=False) else ""
    for lede in [q for q in quotes if q.end < following.start and _office(q.speaker)]:
        if apposition and _office(lede.speaker) not in apposition:
            continue  # "Shirley Hart, from Welcome House," is a new voice; "Rahman, the Bangladesh official" is not
        if following.start - lede.end > LEDE_REACH or any(w < lede.start and n == name for w, n in resolver.mentions) \
                or _UNNAMED.search(resolver.text, max(0, lede.start - 300), lede.end + 300) \
                or re.compile(rf"{re.escape(lede.speaker)},? (?:who|whose|that)\b").search(
                    resolver.text, max(0, lede.start - 300), lede.end + 300):
            continue  # named before; "a senior official, requesting anonymity"; "an officer who was there"
        description = lede.speaker_canonical
        read_as_other = description != lede.speaker  # "A Cabinet Minister" read as the one titled minister later
        if read_as_other and any(w < lede.start and n == description for w, n in resolver.mentions):
            continue  # "Governor Greg Abbott signed …. The governor says …": the holder named before it
        if read_as_other and any(lede.end <= q.start < following.start and q.speaker_canonical == description
                                 and q.speaker != lede.speaker for q in quotes):
            continue  # "the attorney said. “…,” Luis M. Garcia, an immigration attorney.": a voice before the next named
        for quote in quotes:
            if quote.start >= lede.start and ((quote.speaker.lower() == lede.speaker.lower() if read_as_other
                                               else quote.speaker_canonical.lower() == description.lower())
                                              or _same_office_again(quote, lede)):
                quote.speaker_canonical = name


def _same_office_again(quote: Spoken, lede: Spoken) -> bool:
    """"A Conservative MP has suggested …", "Philip Hollobone told …", then "the MP for Kettering told …": a
    definite description of the lede's office that nothing else resolved is the person the lede introduced."""
    return (quote.speaker_canonical == quote.speaker and quote.speaker.lower().startswith("the ")
            and _office(quote.speaker) == _office(lede.speaker))


def named_by_apposition(quotes: Sequence[Spoken], resolver: Resolver) -> None:
    """"A spokesman for Quebec Immigration Minister Christine Fréchette said …. “…,” Alexandre Lahaie, the
    spokesman, said": a name set beside "the" and the description's own role, after it, is that person."""
    for quote in quotes:
        words = quote.speaker.lower().split()
        headline = len(words) == 1 and quote.start < resolver.text.find("\n")  # "…, attorney says"
        if quote.speaker_canonical != quote.speaker or words[:1] not in (["a"], ["an"]) and not headline:
            continue
        role = next((w for w in words[int(not headline):4] if w in SPOKESPEOPLE or w in OFFICE_NOUNS), None)
        if role is None:
            continue
        window = resolver.text[quote.end: quote.end + 1500]
        found = re.search(rf"((?:[A-ZÀ-Þ][\w.'’-]+\s+){{1,3}}[A-ZÀ-Þ][\w'’-]+),\s+the\s+(?:[\w-]+\s+){{0,2}}{role}\b", window) \
            or re.search(rf"\b[Tt]he\s+(?:[\w-]+\s+){{0,2}}{role},\s+((?:[A-ZÀ-Þ][\w.'’-]+\s+){{1,3}}[A-ZÀ-Þ][\w'’-]+),", window)
        name = found and resolver.people.find_in(found.group(1))
        if name:
            description = quote.speaker_canonical
            for other in quotes:
                if other.speaker_canonical == description:
                    other.speaker_canonical = name


def _office(speaker: str) -> str:
    """The office of "A top health official", "a Federal Court judge", a headline's "Judge" ("" for any other
    speaker): an office, nobody named; "a local official in the border town of Emerson" by the words before its
    first preposition."""
    words = speaker.split()
    cut = next((n for n, w in enumerate(words) if n > 1 and w.lower() in {"in", "of", "for", "at", "from", "with"}), None)
    words = words[:cut]
    if not words:
        return ""
    last = words[-1].lower()  # "director-general", "secretary-general": a director's, a secretary's office
    head = last if last in OFFICE_NOUNS else last.split("-")[0] if last.split("-")[0] in OFFICE_NOUNS else ""
    if re.fullmatch(r"[A-Z][\w.]*['’]s", words[0]) and len(words) <= 5:  # "Malaysia’s Immigration Department
        return head  # director-general said …": as definite as "the", and nobody named yet
    if len(words) == 1:
        return head if words[0][:1].isupper() else ""
    if words[:1] in (["The"], ["the"]):  # "The Taoiseach has said …", "the shadow home secretary has said …"
        return head if len(words) <= 3 or len(words) == 4 and all(w.islower() for w in words[1:]) else ""
    if words[0].lower() in {"a", "an"}:
        return head if len(words) <= 5 else ""
    if words[0].lower() in _NOT_A_HEADLINE_ROLE:
        return ""  # "One opposition councillor", "his lawyer": someone else than a headline's role
    return head if len(words) <= 3 and all(w.islower() for w in words[1:]) else ""  # a headline's "GOP senator says",
    # "…, says shadow home secretary"


_NOT_A_HEADLINE_ROLE = {"one", "two", "three", "another", "some", "several", "many", "most", "other", "few", "no", "each",
                        "every", "his", "her", "their", "its", "our", "my", "your", "this", "that", "these", "those"}


def _introduced_with_who(resolver: Resolver, name: str, after: int, by_office: bool = True) -> bool:
    """Whether the first mention of `name` after `after` says who its bearer is, as a new voice's does (with
    `by_office`, also by an office elsewhere: "…, chairman of Pro Asyl,"; never one that speaks for someone)."""
    at = next((at for at, n in sorted(resolver.mentions) if n == name and at >= after), None)
    found = _WITH_WHO_THEY_ARE.match(resolver.text, at) if at is not None else None
    if found is None or found.group(1) and not by_office:
        return False
    return not _SPEAKING_FOR & set(found.group(1).lower().split())  # "…, spokeswoman at …" speaks for them


def _role_of_place(quote: Spoken) -> str:
    """The role of a wire lede's speaker described by place and office ("Canada’s public safety minister says",
    "Toronto’s mayor says", "says P.E.I. premier"), who is named with the next quote; "" for any other speaker."""
    words = quote.speaker.split()
    if quote.speaker_canonical != quote.speaker or not 2 <= len(words) <= 5 or words[-1].lower() not in PLACE_ROLES:
        return ""
    opening = words[0]
    by_place = opening[:1].isupper() and (opening.endswith(("’s", "'s")) or len(words) == 2 and "." in opening)
    return words[-1].lower() if by_place and all(w.islower() for w in words[1:]) else ""


def _introduces(quote: Spoken) -> bool:
    """A speaker described the way news introduces someone it names next: "a spokesperson for …", "X’s pick"."""
    if quote.speaker_canonical != quote.speaker:
        return False
    words = quote.speaker.lower().split()
    if words[:1] in (["a"], ["an"]):
        return bool(SPOKESPEOPLE & set(words[1:4]))
    return any(w.endswith(("’s", "'s")) and words[n + 1: n + 2] and words[n + 1] in NOMINATED
               for n, w in enumerate(words[:5]))


def document_then_maker(quotes: Sequence[Spoken]) -> None:
    """"… says a report highlighting the rise of casual contracts. The report by the University and College Union
    claims …": a document the article names before saying whose it is speaks, once said, for its maker."""
    for n, quote in enumerate(quotes):
        words = fold(quote.speaker).split()
        if quote.speaker_canonical != quote.speaker or len(words) < 2 or words[0] not in {"a", "an", "the"} \
                or words[1] not in DOCUMENTS:
            continue
        for later in quotes[n + 1:]:
            if later.start - quote.end > 1500:
                break
            if words[1] in fold(later.speaker).split()[:3] and later.speaker_canonical != later.speaker:
                quote.speaker_canonical = later.speaker_canonical
                break
