"""Benchmark: how long `kc site` takes to build the docs site of each corpus at hand.

    .venv/bin/python bench/site.py [CORPUS_DIR ...] [--runs N] [--fixtures] [--synthetic N]

Without arguments it builds every corpus it finds: ./corpus (this repository), each
bench/work/**/core.json folder (the corpora bench/compile.py builds from flask, express, ...),
and the fixture repositories compiled on the spot. Prints one row per corpus, largest first;
the number that goes in bench/RESULTS.md is the median build time of the largest corpus.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from compiler.backend.conceptmap import concept_map_svg  # noqa: E402
from compiler.backend.site import build_site  # noqa: E402
from compiler.corpus import open_corpus  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "repos"


def discover() -> list[Path]:
    found = []
    if (REPO / "corpus" / "core.json").is_file():
        found.append(REPO / "corpus")
    work = REPO / "bench" / "work"
    if work.is_dir():
        for core in sorted(work.rglob("core.json")):
            if "site" not in core.parent.parts and not any(p.startswith(".") for p in core.relative_to(work).parts):
                found.append(core.parent)
    return found


def compile_fixtures(into: Path) -> list[Path]:
    from compiler.build import build

    corpora = []
    for repo in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        source = into / "src" / repo.name
        shutil.copytree(repo, source, symlinks=True)
        try:
            build(source, into / repo.name, index=False)
        except Exception as exc:  # a fixture the front end cannot build yet is reported, not fatal
            print(f"skipped fixture {repo.name}: {exc}", file=sys.stderr)
            continue
        corpora.append(into / repo.name)
    return corpora


def synthetic_corpus(into: Path, concepts: int) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    from kctest import synthetic
    from kctest.corpus import render_corpus_to

    return render_corpus_to(synthetic.wide_core(concepts), into / f"synthetic-{concepts}")


def measure(corpus: Path, runs: int, scratch: Path, strict: bool = True) -> dict:
    core = open_corpus(corpus).core
    started = time.perf_counter()
    concept_map_svg(core)
    map_seconds = time.perf_counter() - started
    times = []
    out = scratch / f"site-{corpus.name}"
    for _ in range(runs):
        result = build_site(corpus, out, strict=strict)
        times.append(result.seconds)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "corpus": str(corpus.relative_to(REPO)) if corpus.is_relative_to(REPO) else corpus.name,
        "files": len(core.files),
        "concepts": len(core.concepts),
        "reference": sum(1 for _ in (corpus / "reference").glob("*.md")),
        "pages": result.pages,
        "median": statistics.median(times),
        "best": min(times),
        "map_ms": map_seconds * 1000,
        "mb": size / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fixtures", action="store_true", help="also compile and build the fixture repositories")
    parser.add_argument("--synthetic", type=int, default=0, help="also build a synthetic corpus with N concepts")
    parser.add_argument("--no-strict", dest="strict", action="store_false", help="time corpora with broken links too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kc-bench-site-") as tmp:
        scratch = Path(tmp)
        corpora = [c.resolve() for c in args.corpora] or discover()
        if args.fixtures or not corpora:
            corpora += compile_fixtures(scratch / "fixtures")
        if args.synthetic:
            corpora.append(synthetic_corpus(scratch, args.synthetic))
        if not corpora:
            print("no corpus found: build one with 'kc build SOURCE' or pass --synthetic N", file=sys.stderr)
            return 1
        rows = [measure(corpus, args.runs, scratch, args.strict) for corpus in corpora]
    rows.sort(key=lambda r: -r["pages"])
    header = f"{'corpus':<36} {'files':>6} {'concepts':>8} {'ref pages':>9} {'html':>6} {'build s (median)':>16} {'best s':>7} {'map ms':>7} {'site MB':>8}"
    mode = "strict" if args.strict else "non-strict"
    print(f"kc site, {args.runs} runs each ({mode} MkDocs build, Material theme, {os.cpu_count()} CPUs)")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['corpus'][-36:]:<36} {r['files']:>6} {r['concepts']:>8} {r['reference']:>9} {r['pages']:>6} "
            f"{r['median']:>16.2f} {r['best']:>7.2f} {r['map_ms']:>7.1f} {r['mb']:>8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
