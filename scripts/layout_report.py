"""Print the layout figures of `pipeline/` from the code's own imports (type-only imports included).

Modules, subpackages, modules at the package root, the largest module and class in lines, import
cycles, and imports that go against the stage order. `tests/test_layout.py` holds the targets.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "pipeline"
# The stage order: a module may import its own stage and earlier ones. Base modules sit at the package root,
# then the development-only `local` tools (a node, a replay server), which need only base modules;
# the store (documents and queries) comes right after them, so every stage may read and write through it;
# topic matching comes before ingest, whose workers match items as they are parsed.
STAGES = ["base", "local", "store", "topics", "ingest", "nlp", "events", "alerts", "ops", "cli"]


@dataclass
class Layout:
    modules: dict[str, Path] = field(default_factory=dict)  # dotted name → file
    imports: dict[str, set[str]] = field(default_factory=dict)  # dotted name → pipeline modules it imports

    @property
    def subpackages(self) -> list[str]:
        return sorted(n for n, p in self.modules.items() if p.name == "__init__.py" and n != "pipeline")

    @property
    def root_modules(self) -> list[str]:
        return sorted(n for n, p in self.modules.items() if n.count(".") == 1 and p.name != "__init__.py")


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else "base"


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def scan(root: Path = ROOT) -> Layout:
    layout = Layout()
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        layout.modules[".".join(parts)] = path
    for name, path in layout.modules.items():
        found: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                if target.split(".")[0] == "pipeline":
                    resolved = _resolve(target, layout.modules)
                    if resolved and resolved != name and resolved != "pipeline":
                        found.add(resolved)
        # a "from pipeline.x import y" names both pipeline.x and, where y is a module, pipeline.x.y: keep the deepest
        layout.imports[name] = {m for m in found if not any(o != m and o.startswith(m + ".") for o in found)
                                or layout.modules[m].name != "__init__.py"}
    return layout


def cycles(layout: Layout) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in layout.imports.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in layout.modules:
        if v not in index:
            visit(v)
    return out


def upward(layout: Layout) -> list[tuple[str, str]]:
    """Imports of a later stage than the importer's own."""
    return sorted((a, b) for a, targets in layout.imports.items() for b in targets
                  if STAGES.index(stage(b)) > STAGES.index(stage(a)))


def largest_class(layout: Layout) -> tuple[str, int]:
    best = ("", 0)
    for name, path in layout.modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno:
                lines = node.end_lineno - node.lineno + 1
                if lines > best[1]:
                    best = (f"{name}.{node.name}", lines)
    return best


def largest_module(layout: Layout) -> tuple[str, int]:
    return max(((n, len(p.read_text(encoding="utf-8").splitlines())) for n, p in layout.modules.items()),
               key=lambda pair: pair[1])


def main() -> int:
    layout = scan()
    module, module_lines = largest_module(layout)
    cls, class_lines = largest_class(layout)
    found = cycles(layout)
    against = upward(layout)
    print(f"modules: {len(layout.modules)}")
    print(f"subpackages: {len(layout.subpackages)} ({', '.join(layout.subpackages)})")
    print(f"modules at the package root: {len(layout.root_modules)} ({', '.join(layout.root_modules)})")
    print(f"largest module: {module} ({module_lines} lines)")
    print(f"largest class: {cls} ({class_lines} lines)")
    print(f"import cycles (type-only imports included): {len(found)}")
    for group in found:
        print("  " + " ↔ ".join(group))
    print(f"imports of a later stage: {len(against)}")
    for a, b in against:
        print(f"  {a} → {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
