"""Build `pipeline/nlp/data/given-names.tsv`: given names of either sex, for rules that ask whether a word opens a
person's name ("Georgie Laming said") rather than which sex it points to (`first-names.tsv` keeps only names
95 % one way, so "George", "Jordan" and "Georgie" were no given names at all).

Run once by hand (the file is committed; nothing is downloaded at run time):
    pip download nomquamgender==0.1.4 --no-deps -d /tmp/nqg && unzip -o -q /tmp/nqg/*.whl -d /tmp/nqg
    python scripts/build_given_names.py /tmp/nqg/nomquamgender/name_data.json ../shared/data/stream-2022-jan-apr.jsonl

A name also written in lower case in running news text ("hunter", "will"), a month or a day ("June"), or a
country, state or city of 500,000 people ("Jordan", "Georgia", "Paris") is left out: a capitalised word opening a
sentence or a headline, or a place, must not read as a person's name.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

MIN_BEARERS = 10_000
CALENDAR = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
OUT = Path(__file__).resolve().parents[1] / "pipeline" / "nlp" / "data" / "given-names.tsv"
GENDERED = OUT.with_name("first-names.tsv")


def lower_case_words(stream: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in stream.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        for word in re.findall(r"[A-Za-z]+", f"{item.get('title', '')} {item.get('summary', '')}"):
            if word.islower():
                counts[word] += 1
    return counts


def main(name_data: str, stream: str) -> None:
    data = json.loads(Path(name_data).read_text(encoding="utf-8"))
    gendered = {line.split("\t")[0] for line in GENDERED.read_text(encoding="utf-8").splitlines() if not line.startswith("#")}
    from pipeline.nlp.gazetteer import gazetteer

    common = lower_case_words(Path(stream))

    def a_place(name: str) -> bool:
        return any((p.kind != "city" or p.population >= 500_000) and p.name == name.title() for p in gazetteer().candidates(name.title()))

    names = sorted(n for n, v in data.items() if isinstance(v, list) and v[1] >= MIN_BEARERS and n.isalpha()
                   and n.isascii() and len(n) > 1 and n not in gendered and common[n] == 0 and n not in CALENDAR and not a_place(n))
    header = (f"# given names of either sex (>= {MIN_BEARERS} bearers) that first-names.tsv leaves out, never written in\n"
              "# lower case in the 2022 stream. Derived from name_data.json of nomquamgender 0.1.4 (PyPI; MIT licence,\n"
              "# (c) 2022 Ian Van Buskirk) by scripts/build_given_names.py.\n")
    OUT.write_text(header + "".join(f"{n}\n" for n in names), encoding="utf-8")
    print(f"{len(names)} names written to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
