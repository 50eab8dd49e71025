"""The concept maps of real codebases: compile each with `kc build --no-index`, print its top concepts and path.

    .venv/bin/python bench/concepts.py [NAME ...]     (default: flask httpx express koa cobra)

The sources come from the package registries through bench/sources.py (PyPI sdists, npm tarballs,
Debian's Go source package); the corpora go to bench/work/corpora/. Prints markdown for bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from sources import NPM, PYPI, WORK, ensure_source  # noqa: E402
from compiler.build import build  # noqa: E402

DEFAULT = ("flask", "httpx", "express", "koa", "cobra")
ORIGIN = {**{n: f"PyPI sdist {n}=={v}" for n, v in PYPI.items()}, **{n: f"npm {n}@{v}" for n, v in NPM.items()},
          "cobra": "Debian golang-github-spf13-cobra-dev (github.com/spf13/cobra 1.6.1)"}


def main(names: list[str]) -> None:
    print("| codebase | from | files | symbols | concepts | build s |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    maps = []
    for name in names:
        source = ensure_source(name)
        started = time.perf_counter()
        result = build(source, WORK / "corpora" / name, index=False, force=True)
        seconds = time.perf_counter() - started
        core = result.core
        print(f"| {name} | {ORIGIN.get(name, name)} | {len(core.files)} | {len(core.symbols)} | {len(core.concepts)} | {seconds:.1f} |")
        maps.append((name, core))
    for name, core in maps:
        concepts = {c.id: c for c in core.concepts}
        top = sorted(core.concepts, key=lambda c: (-c.importance, c.id))[:10]
        print(f"\n**{name}** — top 10 concepts (importance):\n")
        for rank, concept in enumerate(top, 1):
            files = ", ".join(f"`{f}`" for f in concept.files[:3]) + (" …" if len(concept.files) > 3 else "")
            print(f"{rank}. {concept.title} ({concept.importance:.2f}) — {files}")
        print("\nLearning path: " + " → ".join(concepts[c].title for c in core.learning_path))


if __name__ == "__main__":
    main(sys.argv[1:] or list(DEFAULT))
