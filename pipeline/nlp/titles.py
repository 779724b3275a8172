"""Titles, ranks and honorifics around a person's name, and how to take them off.

"Chief Supt Diarmuid O’Sullivan", "Judge Anthony Russell QC", "Me Stéphane Handfield": the article's words for
the person's office are not their name. `entities` cleans every mention with these, `speakers` every phrase.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.nlp.given_names import first_names
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

TITLES = re.compile(
    r"^((the|a|an|le|la|les|l')\s+)?((prime|foreign|immigration|public safety|border security|deputy|former|u\.s\.|us|"
    r"federal|provincial|premier|president|minister|mayor|senator|sen\.|rep\.|mr\.?|mrs\.?|ms\.?|miss|mx\.?|sir|dame|dr\.?|judge|justice|"
    r"chief|councillors?|councilors|senators|ministers|justices|commissioners|cllrs|"
    r"mp|mpp|mla|td|msp|mep|secretary|spokesperson|spokesman|spokeswoman|premier ministre|ministre|"
    r"président|présidente|maire|mairesse|m\.|mme|organizer|organiser|economist|professor|prof\.|director|"
    r"coach|lawyer|attorney|chair|chairman|chairwoman|ceo|executive|analyst|researcher|leader|officer|"
    r"coun\.?|cllr\.?|clr\.?|cr\.?|councilman|councilwoman|councilmember|council\s+member|assemblyman|assemblywoman|"
    r"congressman|congresswoman|representative|lawmaker|legislator|hon\.|honourable|honorable|pm|cm\.?|dp|vp|"  # "PM Lee", "CM Shah", "DP Ruto"
    r"garda|gda\.|dep|ssp|dsp|asp|dig|igp|dgp|adgp|acp|dcp|sho|maj\.|brig\.|lieutenant|colonel|brigadier|admiral|commander|"
    r"pastor|bishop|archbishop|imam|rabbi|cardinal|reverend|rev|pope|emir|crown\s+prince|engineer|senior|supervisor|trustee|"
    r"sheriff|coroner|prosecutor|solicitor|barrister|plaintiff|defendant|petitioner|appellant|dci|pc|trooper|marshal|ranger|warden|detective|firefighter|"
    r"paramedic|ambassador|envoy|consul|speaker|vice[\s-]+president|vice[\s-]+chancellor|chancellor|provost|"
    r"principal|headteacher|headmaster|headmistress|selectman|selectwoman|prof|"
    r"cmdr\.?|det\.?|insp\.?|supt\.?|atty\.|adm\.|taoiseach|tanaiste|tánaiste|treasurer|grand\s+chief|"
    r"alderman|alderwoman|alderperson|reeve|magistrate|clerk|(?:city|county|town)\s+clerk|"
    r"constable|const\.?|sgt\.?|sergeant|cpl\.?|corporal|inspector|superintendent|commissioner|captain|capt\.?|"
    r"(?:petty|warrant|flying|pilot|chief\s+petty)\s+officer|flight\s+lieutenant|(?:staff|master|first|gunnery|lance)\s+sergeant|"
    r"lance\s+corporal|able\s+seaman|"  # ranks of two words: "Petty Officer Sabrina Laberdesque"
    r"general|gen\.?|(?:lt|lieut|maj|brig|vice|rear)\.?-(?:gen|col|cdr|cmdr|general|colonel|adm|admiral)\.?|"  # "Lt-Gen"
    r"pro\s+tem(?:pore)?|gov\.|governor|lt\.|col\.|rev\.|father|sister|brother|king|queen|prince|princess|"
    r"author|historian|activist|advocate|founder|owner|manager|agent|host|reporter|columnist|candidate|"
    r"engr\.?|rookie|defenceman|defenseman|forward|goalie|centre|winger|player|premier|nurse|doctor|dr|resident|"
    r"alhaji|alhaja|hajia|datuk\s+seri|dato['’]?\s+sri|datuk|dato['’]?|datin|tan\s+sri|puan\s+sri|toh\s+puan|"  # Malaysian, West African honours
    r"designate|elect)\s+)+",  # "Premier Designate Wab Kinew"
    re.I,
)
# a person's role, never a body's name alone ("Public Safety", "Justice" may be a department's short name)
ROLES = {"councillor", "minister", "mayor", "senator", "premier", "president", "secretary", "spokesperson",
         "spokesman", "spokeswoman", "director", "commissioner", "governor", "ministre", "maire", "mairesse",
         "président", "présidente", "sergeant", "constable", "inspector", "superintendent", "chairman", "chairwoman"}

# French honorifics, case-sensitive ("Me" is Maître before a name, never the English pronoun there); in English
# "M." before a name is an initial ("M. Sucharita"), so it is kept there
HONORIFIC = re.compile(r"^(?:M\.|Mme|Mmes|MM\.|Me|Mlle|Mgr|Dr|Pr)\s+(?=[A-ZÀ-Þ])")
_ENGLISH_INITIAL = re.compile(r"^(?:M|MM)\.\s+(?=[A-ZÀ-Þ])")
# "P.E.I. Premier Wade MacLauchlan", "Alberta Premier Rachel Notley": a place (or rank) before the title
# ("District 1 Councilman Joe Bernal"; not "James Clerk Maxwell")
_BEFORE_TITLE = re.compile(r"^(?:[A-Za-z0-9][\w.'’-]*\s+){1,3}(?=(?:Premier|Minister|Mayor|Governor|Senator|Chief|Commissioner|"
                           r"President|Councillor|Council(?:man|woman|member|or)|Alderman|Cllr\.?|Clr\.?|Sen\.|Rep\.|"
                           r"MP|MLA|MPP|TD|MSP|MEP|DGP|ADGP|IGP|SSP|SP)\s+[A-Z])")
# honours and seats written after a name: "Anthony Russell QC", "Anna Soubry MP"
POSTNOMINAL = re.compile(r",?\s+(?:QC|KC|SC|MP|MS|MSP|MEP|MLA|MPP|MHA|MLC|TD|AM|OBE|CBE|MBE|KBE|DBE)$")
# an employer's initials and an office, or an age, the model tagged with the name: "Natalia Perez IOM Head" (of
# programmes), "Tambudzai Mawunganidze 30" (, said)
_OFFICE_AFTER = re.compile(r"\s+(?:[A-Z]{2,6}\s+(?:Head|Chief|Director|Chairman|Chair|Spokesperson|Spokesman|President|"
                           r"Secretary|Coordinator|Manager|Officer|Representative)|\d{1,3})$")
# an office of a body written after a name with no comma between: "Georgie Laming Director of Campaigns and
# Communications said"
_OFFICE_OF_AFTER = re.compile(r"^(?:[A-ZÀ-Þ][\w.'’-]*\s+){1,2}[A-ZÀ-Þ][\w'’-]*(?P<office>\s+(?:Deputy\s+|Executive\s+|Senior\s+)?"
                              r"(?:Director|Head|Chief|"
                              r"Chair|Chairman|Chairwoman|President|Secretary|Coordinator|Manager|Officer|Spokesperson|"
                              r"Spokesman|Spokeswoman)\s+(?:of|for)\s+[A-Z].*)$")
# "Additional Commissioner of Police Lakhmi Gautam", "Director of Public Prosecutions Max Hill", "Minister for
# Integration Roderic O’Gorman": an office of a body or a portfolio, written before the name in one run of capitals
_OFFICE_OF = re.compile(r"^(?:[A-Z][\w.'’-]*\s+){0,2}?(?:Commissioner|Superintendent|Director|Secretary|Minister|Chief|"
                        r"Inspector|Inspector[- ]General|Chancellor|Head|Chair|Governor|Registrar|Speaker|Leader|"
                        r"Comptroller|Auditor|Solicitor|Attorney|Collector|Magistrate)\s+(?:of|for)\s+(?:the\s+)?")
_STRAY_HYPHEN = re.compile(r"(?<![\w.])-(?=[A-ZÀ-Þ])")  # "-Anick -Fournier": hyphenation marks some sites leave (not "U.S.-Canada")


def strip_stray_hyphens(text: str) -> str:
    return _STRAY_HYPHEN.sub("", text)


def without_honorific(text: str, language: str = "en") -> str:
    """The mention without a French honorific; English keeps "M." as the initial it is there."""
    if language == "en" and _ENGLISH_INITIAL.match(text):
        return text
    return HONORIFIC.sub("", text)


def office_lead(text: str, start: int) -> int:
    """Where an office of a body begins that ends where a name the model tagged begins ("Leader of the
    Opposition Debabrata Saikia" tagged from "Opposition"), else `start`."""
    lead = re.search(r"(?:[A-Z][\w.'’-]*\s+){0,2}?[A-Z][\w-]*\s+(?:of|for)\s+(?:the\s+)?$", text[max(0, start - 60): start])
    if lead is None or not _OFFICE_OF.match(lead.group(0)):
        return start
    return max(0, start - 60) + lead.start()


def without_office_of(text: str) -> str:
    """The name after an office of a body: its last two words, three when the first of them is a given name
    ("Secretary of Homeland Security Alejandro Mayorkas"); the text itself when a small word or too few words
    leave no name after the body ("Commissioner of Police for Lagos State")."""
    match = _OFFICE_OF.match(text)
    rest = [w for w in text[match.end():].split() if not w.startswith("(") and not w.endswith(")")] if match else []
    if len(rest) < 3 or not all(w[:1].isupper() for w in rest):
        return text
    size = 3 if len(rest) >= 4 and fold(rest[-3]) in first_names() else 2
    return " ".join(rest[-size:])


def not_a_title(token: Token, name: Span) -> bool:
    """A lower-case word that is no title, short of the word right before the name: where the titles written
    before a name end ("castigates" of the headline "Judge castigates lawyer Kinyanjui", which the model tags a
    noun)."""
    return token.i < name.start - 1 and token.is_lower and not TITLES.fullmatch(token.lower_ + " ")


def without_titles(text: str, language: str = "en") -> str:
    """A person's mention without the honorific, titles and the place or rank before them, and the honours
    after them."""
    if language == "en":
        text = without_office_of(text)
    bare = TITLES.sub("", _BEFORE_TITLE.sub("", without_honorific(text, language)))
    if language == "en" and re.search(r"(?:^|\s)M\.\s+$", text[: len(text) - len(bare)]):
        bare = "M. " + bare  # "Home Minister M. Sucharita": the initial goes with the name
    if office := _OFFICE_OF_AFTER.match(bare):
        return bare[:office.start("office")]
    honours = POSTNOMINAL.search(bare) or _OFFICE_AFTER.search(bare)  # never down to one word: "Yellowhead MP" is
    return bare[:honours.start()] if honours and " " in bare[:honours.start()].strip() else bare  # a seat, not a name
