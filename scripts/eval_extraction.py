"""How well the product gets an article's text out of its page, against the benchmarks' own references.

    .venv/bin/python scripts/eval_extraction.py [--html DIR] [--show]

Every page under ../shared/data/html/ comes with ground truth from the benchmark it was taken from
(see its README.txt): the Article Extraction Benchmark's human-checked article body, newspaper4k's
expected text, mozilla/readability's expected HTML, and for trafilatura's pages snippets the text must
contain and must not contain. Pages with a reference text are scored like the Article Extraction
Benchmark scores: the bag of words of the extracted text against the reference's (precision, recall,
F1); snippet pages count the snippets kept and the snippets leaked. Three extractors run side by side
in this same run: the product (`pipeline.ingest.articles.extract_text`), trafilatura in precision mode
as the product called it before `running_text` (the baseline it improves on), and trafilatura's defaults.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest.articles import clean_text, extract_text  # noqa: E402
from pipeline.settings import PROJECT_ROOT  # noqa: E402

HTML = PROJECT_ROOT.parent / "shared" / "data" / "html"
_WORD = re.compile(r"\w+")
# A word cut out of its sentence leaves a space before the punctuation that followed it ("high for .")
_HOLE = re.compile(r"\w [.,;](?=\s|$)")  # not ":", which French typography spaces


@dataclass
class Page:
    name: str
    path: Path
    reference: str | None = None
    must: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)


def _paragraphs(path: Path) -> str:
    import lxml.html

    tree = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    return "\n".join(" ".join(p.text_content().split()) for p in tree.iter("p", "h1", "h2", "h3", "li", "blockquote"))


def _snippets(line: str, key: str) -> list[str]:
    match = re.search(re.escape(key) + r"=(\[.*?\])(?: must-|$)", line)
    return list(ast.literal_eval(match.group(1))) if match else []


def pages(html_dir: Path) -> list[Page]:
    """The pages and their references, read from the folder's README.txt."""
    found: list[Page] = []
    blocks = re.split(r"\n(?=\S[^\n]*\n  origin:)", (html_dir / "README.txt").read_text(encoding="utf-8"))
    for block in blocks[1:]:  # the first is the folder's introduction
        name = block.split()[0].rstrip("/")
        page_line = next((line for line in block.splitlines() if line.strip().startswith("page:")), "")
        if name.startswith("aeb__"):
            body = re.search(r"ground-truth body = (articles/\d+\.json)", page_line)
            if body:
                text = json.loads((html_dir.parent / body.group(1)).read_text(encoding="utf-8"))["text"]
                found.append(Page(name, html_dir / name, reference=text))
        elif name.startswith("newspaper4k__"):
            stem = name.removesuffix(".html")
            found.append(Page(name, html_dir / name,
                              reference=(html_dir / f"{stem}.expected.txt").read_text(encoding="utf-8")))
        elif name.startswith("readability__"):
            found.append(Page(name, html_dir / name / "source.html",
                              reference=_paragraphs(html_dir / name / "expected.html")))
        elif name.startswith("trafilatura__"):
            must, must_not = _snippets(page_line, "must-contain"), _snippets(page_line, "must-not-contain")
            if must or must_not:
                found.append(Page(name, html_dir / name, must=must, must_not=must_not))
    return found


def bag_scores(predicted: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the predicted words against the reference's, as multisets."""
    pred, ref = Counter(_WORD.findall(predicted.lower())), Counter(_WORD.findall(reference.lower()))
    overlap = sum((pred & ref).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(ref.values()) if ref else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").split())


def _trafilatura(**options: object) -> Callable[[bytes], str]:
    def run(page: bytes) -> str:
        import trafilatura

        text = trafilatura.extract(page, include_comments=False, include_tables=False, deduplicate=False, **options)
        return clean_text(text) if text else ""

    return run


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "product": lambda page: extract_text(page) or "",
    "precision mode, before": _trafilatura(favor_precision=True),
    "trafilatura defaults": _trafilatura(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", type=Path, default=HTML)
    parser.add_argument("--show", action="store_true", help="print every page's figures")
    args = parser.parse_args()
    todo = pages(args.html)
    scored = [p for p in todo if p.reference is not None]
    snippet_pages = [p for p in todo if p.reference is None]
    print(f"{len(scored)} pages with a reference text, {len(snippet_pages)} with snippets (trafilatura's)")
    for label, extract in EXTRACTORS.items():
        totals = [0.0, 0.0, 0.0]
        for page in scored:
            figures = bag_scores(extract(page.path.read_bytes()), page.reference or "")
            totals = [t + f for t, f in zip(totals, figures, strict=True)]
            if args.show:
                print(f"  {label:24} {page.name:44} P {figures[0]:.3f} R {figures[1]:.3f} F1 {figures[2]:.3f}")
        kept = leaked = wanted = unwanted = 0
        holes = sum(len(_HOLE.findall(extract(page.path.read_bytes()))) for page in todo)
        for page in snippet_pages:
            text = _normal(extract(page.path.read_bytes()))
            missed = [s for s in page.must if _normal(s) not in text]
            leaks = [s for s in page.must_not if _normal(s) in text]
            kept, leaked = kept + len(page.must) - len(missed), leaked + len(leaks)
            if args.show and (missed or leaks):
                print(f"  {label:24} {page.name:44} missed {missed} leaked {leaks}")
            wanted, unwanted = wanted + len(page.must), unwanted + len(page.must_not)
        n = len(scored)
        print(f"{label:24} mean P {totals[0] / n:.3f} R {totals[1] / n:.3f} F1 {totals[2] / n:.3f} | "
              f"snippets kept {kept}/{wanted}, leaked {leaked}/{unwanted} | holes {holes}")


if __name__ == "__main__":
    main()
