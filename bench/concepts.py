"""Score kc's concept map against each codebase's documented key ideas (issue 11 item 6), kc beside a naive map.

    .venv/bin/python bench/concepts.py [--split tuning|held-out|all] [--show] [NAME ...]

In: every codebase with a reference file ``bench/concepts/<name>.json`` (its key ideas, each with anchor
symbols ``path::Qualified.name`` and anchor files relative to the source root, the prerequisite pairs and
the docs' teaching order), fetched through bench/sources.py and compiled with ``build(index=False)`` into
``$KC_BENCH_WORK/corpora-concepts/<name>`` (the facts cache there makes reruns cheap).
Out: markdown tables for bench/RESULTS.md, tuning and held-out codebases apart, kc beside the naive map.

The rule. Take the map's top max(10, K) concepts by importance (K = number of key ideas). Each goes to the
key idea whose anchor symbols it holds most; ties go by anchor files only that idea lists, then by shared
anchor files; a concept holding none is unassigned.
- **coverage** = key ideas with an assigned top concept / K
- **precision** = assigned top concepts / top concepts
- **prerequisites** = share of reference pairs (a, b) where a's first place in the learning path (the first
  concept assigned to a, every concept of the path assigned by the same rule) comes before b's
- **tau** = Kendall tau-b between the docs' teaching order and the ideas' first places (missing: tied last)

The naive map is one concept per code file (tests, docs, examples left out), its importance the sum of its
symbols' rank, its learning path the files by importance.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from sources import WORK, catalogue, ensure_source, origin  # noqa: E402

from compiler.build import build  # noqa: E402
from compiler.model import Core  # noqa: E402
from compiler.roles import file_role  # noqa: E402

REFERENCES = Path(__file__).resolve().parent / "concepts"
OUT = WORK / "corpora-concepts"
_PRIVATE = re.compile(
    r"(^|/)_?(compat|internals?|utils?|globals|shims?)(\.[a-z]+$|/)|(^|/)_internal/|_impl\.[a-z]+$", re.I
)


@dataclass(frozen=True)
class Map:
    """A concept map reduced to what the rule reads: (id, title, members, files, importance) and a path."""

    concepts: tuple[tuple[str, str, frozenset[str], frozenset[str], float], ...]
    path: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    coverage: float
    precision: float
    prerequisites: float
    tau: float


def anchor_keys(core: Core) -> dict[str, str]:
    """``path::Qualified.name`` -> symbol id, for every symbol (qualified = id less its file's module)."""
    modules = {f.path: f.module for f in core.files}
    keys: dict[str, str] = {}
    for sym in core.symbols:
        module = modules.get(sym.path, "")
        qualified = sym.id[len(module) + 1 :] if module and sym.id.startswith(module + ".") else sym.id
        keys.setdefault(f"{sym.path}::{qualified}", sym.id)
        # Go methods are `Type.Method` in the anchors whatever the package prefix
        if sym.parent and sym.kind == "method":
            parent = sym.parent.rsplit(".", 1)[-1]
            keys.setdefault(f"{sym.path}::{parent}.{sym.name}", sym.id)
        keys.setdefault(f"{sym.path}::{sym.name}", sym.id)
    return keys


def resolve(anchor: str, keys: dict[str, str]) -> str | None:
    """The symbol id of an anchor; JS anchors may name ``Class.prototype.method`` for ``Class.method``."""
    return keys.get(anchor) or keys.get(anchor.replace(".prototype.", "."))


def kc_map(core: Core) -> Map:
    concepts = tuple((c.id, c.title, frozenset(c.members), frozenset(c.files), c.importance) for c in core.concepts)
    return Map(concepts=concepts, path=tuple(core.learning_path))


def naive_map(core: Core) -> Map:
    by_file: dict[str, list] = {}
    for sym in core.symbols:
        if file_role(sym.path) == "code":
            by_file.setdefault(sym.path, []).append(sym)
    concepts = tuple(
        (path, path, frozenset(s.id for s in syms), frozenset({path}), sum(s.importance for s in syms))
        for path, syms in by_file.items()
    )
    order = tuple(c[0] for c in sorted(concepts, key=lambda c: (-c[4], c[0])))
    return Map(concepts=concepts, path=order)


def assign(concept, ideas: list[dict], symbol_ids: dict[str, set[str]], file_owners: dict[str, int]) -> str | None:
    """The key idea a concept stands for, or None (see the rule in the module docstring)."""
    _, _, members, files, _ = concept
    best, best_score = None, (0, 0, 0)
    for idea in ideas:
        held = len(symbol_ids[idea["id"]] & members)
        own = sum(1 for f in idea["anchor_files"] if f in files and file_owners[f] == 1)
        shared = sum(1 for f in idea["anchor_files"] if f in files and file_owners[f] > 1)
        score = (held, own, shared)
        if score > best_score:
            best, best_score = idea["id"], score
    return best


def kendall_tau(reference: list[str], place: dict[str, int]) -> float:
    """Tau-b between the reference order and the places (ties allowed on the kc side)."""
    ranks = [(i, place[idea]) for i, idea in enumerate(reference)]
    concordant = discordant = ties = 0
    for x in range(len(ranks)):
        for y in range(x + 1, len(ranks)):
            d = ranks[y][1] - ranks[x][1]
            if d > 0:
                concordant += 1
            elif d < 0:
                discordant += 1
            else:
                ties += 1
    pairs = concordant + discordant + ties
    denominator = (pairs * (pairs - ties)) ** 0.5
    return (concordant - discordant) / denominator if denominator else 0.0


def anchors(reference: dict, keys: dict[str, str]) -> tuple[dict[str, set[str]], dict[str, int]]:
    """(idea -> resolved anchor symbol ids, anchor file -> how many ideas list it)."""
    symbol_ids = {i["id"]: {resolve(a, keys) for a in i["anchor_symbols"]} - {None} for i in reference["ideas"]}
    file_owners: dict[str, int] = {}
    for idea in reference["ideas"]:
        for f in set(idea["anchor_files"]):
            file_owners[f] = file_owners.get(f, 0) + 1
    return symbol_ids, file_owners


def first_places(reference: dict, found: Map, keys: dict[str, str]) -> dict[str, int]:
    """Key idea -> the first place in the learning path of a concept assigned to it (ideas no concept stands for
    are absent)."""
    ideas = reference["ideas"]
    symbol_ids, file_owners = anchors(reference, keys)
    by_id = {c[0]: c for c in found.concepts}
    place: dict[str, int] = {}
    for position, cid in enumerate(found.path):
        idea = assign(by_id[cid], ideas, symbol_ids, file_owners) if cid in by_id else None
        if idea and idea not in place:
            place[idea] = position
    return place


def failing_pairs(reference: dict, place: dict[str, int]) -> tuple[list[str], list[str]]:
    """The prerequisite pairs (a, b) the path fails, split in two: (a or b has no concept, both have one but b
    comes first), each as ``a@place<b@place`` (``-``: no concept)."""
    missing, wrong = [], []
    for a, b in reference.get("prerequisites", []):
        if a in place and b in place and place[a] < place[b]:
            continue
        text = f"{a}@{place.get(a, '-')}<{b}@{place.get(b, '-')}"
        (wrong if a in place and b in place else missing).append(text)
    return missing, wrong


def score(reference: dict, found: Map, keys: dict[str, str]) -> tuple[Score, list[str]]:
    ideas = reference["ideas"]
    symbol_ids, file_owners = anchors(reference, keys)
    k = len(ideas)
    top = sorted(found.concepts, key=lambda c: (-c[4], c[0]))[: max(10, k)]
    assigned = [assign(c, ideas, symbol_ids, file_owners) for c in top]
    coverage = len({a for a in assigned if a}) / k
    precision = sum(1 for a in assigned if a) / len(top) if top else 0.0
    place = first_places(reference, found, keys)
    pairs = reference.get("prerequisites", [])
    agree = sum(1 for a, b in pairs if a in place and b in place and place[a] < place[b])
    order = reference.get("teaching_order") or [i["id"] for i in ideas]
    last = len(found.path)
    tau = kendall_tau(order, {i: place.get(i, last) for i in order})
    labels = [f"{c[1]}→{a or '—'}" for c, a in zip(top, assigned)]
    return Score(coverage, precision, agree / len(pairs) if pairs else 1.0, tau), labels


def compile_one(name: str) -> tuple[Core, float]:
    source = ensure_source(name)
    started = time.perf_counter()
    result = build(source, OUT / name, index=False, force=True)
    return result.core, time.perf_counter() - started


def _row(name: str, kc: Score, naive: Score, seconds: float, core: Core, missing: int) -> str:
    top5 = sorted(core.concepts, key=lambda c: (-c.importance, c.id))[:5]
    private = sum(1 for c in top5 if c.files and _PRIVATE.search(c.files[0]))
    return (
        f"| {name} | {kc.coverage:.2f} / {naive.coverage:.2f} | {kc.precision:.2f} / {naive.precision:.2f} "
        f"| {kc.prerequisites:.2f} / {naive.prerequisites:.2f} | {kc.tau:+.2f} / {naive.tau:+.2f} "
        f"| {len(core.concepts)} | {private} | {missing} | {seconds:.1f} |"
    )


def main(argv: list[str]) -> None:
    show = "--show" in argv
    argv = [a for a in argv if a != "--show"]
    split = "tuning"
    if argv[:1] == ["--split"]:
        split, argv = argv[1], argv[2:]
    known = {p.stem for p in REFERENCES.glob("*.json")}
    entries = catalogue()
    chosen = argv or sorted(n for n in known if split == "all" or entries.get(n, {}).get("split") == split)
    results: dict[str, list] = {}
    for name in chosen:
        reference = json.loads((REFERENCES / f"{name}.json").read_text(encoding="utf-8"))
        core, seconds = compile_one(name)
        keys = anchor_keys(core)
        anchors = [a for i in reference["ideas"] for a in i["anchor_symbols"]]
        missing = sum(1 for a in anchors if not resolve(a, keys))
        kc, labels = score(reference, kc_map(core), keys)
        naive, _ = score(reference, naive_map(core), keys)
        results.setdefault(reference.get("split") or "other", []).append((name, kc, naive, seconds, core, missing))
        if show:
            print(f"\n{name}: " + "; ".join(labels), file=sys.stderr)
            titles = {c.id: c.title for c in core.concepts}
            print("  path: " + " → ".join(titles[c] for c in core.learning_path), file=sys.stderr)
            lost, wrong = failing_pairs(reference, first_places(reference, kc_map(core), keys))
            print(f"  failing prerequisite pairs: {len(lost)} idea has no concept ({' '.join(lost) or '-'}); "
                  f"{len(wrong)} wrong order ({' '.join(wrong) or '-'})", file=sys.stderr)  # fmt: skip
            if missing:
                print("  unresolved anchors: " + ", ".join(a for a in anchors if not resolve(a, keys)), file=sys.stderr)
    for group, rows in results.items():
        print(f"\n**{group}** (kc / naive one-concept-per-file)\n")
        print(
            "| codebase | coverage | precision | prerequisites | tau | concepts | private in top 5 | unresolved anchors | build s |"
        )
        print("| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |")
        for name, kc, naive, seconds, core, missing in rows:
            print(_row(name, kc, naive, seconds, core, missing))
        n = len(rows)

        def mean(attr, side):
            return sum(getattr(r[side], attr) for r in rows) / n

        print(
            f"| **mean** | {mean('coverage', 1):.2f} / {mean('coverage', 2):.2f} | {mean('precision', 1):.2f} / "
            f"{mean('precision', 2):.2f} | {mean('prerequisites', 1):.2f} / {mean('prerequisites', 2):.2f} | "
            f"{mean('tau', 1):+.2f} / {mean('tau', 2):+.2f} | | | | |"
        )
        print("\nSources: " + "; ".join(f"{r[0]}: {origin(r[0])}" for r in rows))


if __name__ == "__main__":
    main(sys.argv[1:])
