"""Secrets benchmark: plant 40+ kinds of secrets in a generated repository, run kc on it, count what leaked.

In: a work folder (``KC_BENCH_WORK`` or a temporary one) and seeds. Out: a table on stdout, one row per
seed: planted values, kinds, values found anywhere after ``kc build`` (with its index), ``kc site``,
``kc search`` and ``kc ask``, and where. ``bench_row(workdir)`` is the row ``bench/robustness.py`` reads.
The planting and the byte-level search live in ``tests/kctest/secrets_corpus.py`` (the test suite runs
the same corpus).

    .venv/bin/python bench/secrets_corpus.py --seeds 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kctest.secrets_corpus import Planted, exercise, find_leaks, plant  # noqa: E402

__all__ = ["Planted", "plant", "find_leaks", "bench_row"]


def bench_row(workdir: Path, seed: int = 15) -> dict:
    """Plant under ``workdir/repo``, build, index, site, search and ask; count the planted values found anywhere
    kc wrote (corpus, index, facts cache, site, answers): ``{"planted", "kinds", "leaked", "where"}``."""
    workdir = Path(workdir)
    repo = workdir / "repo"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    planted = plant(repo, seed)
    outputs = exercise(repo, workdir)
    leaks = find_leaks(outputs, planted)
    leaked_kinds = sorted({kind for kind, _ in leaks})
    return {
        "planted": len(planted),
        "kinds": len({p.kind for p in planted}),
        "leaked": len(leaked_kinds),
        "where": [f"{kind}: {os.path.relpath(path, workdir)}" for kind, path in leaks],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="how many corpora (seeds 15, 16, ...)")
    args = parser.parse_args()
    base = Path(os.environ.get("KC_BENCH_WORK") or tempfile.mkdtemp(prefix="kc-secrets-")) / "secrets_corpus"
    print("| seed | planted | kinds | leaked | seconds | where |")
    print("| ---: | ---: | ---: | ---: | ---: | --- |")
    for seed in range(15, 15 + args.seeds):
        workdir = base / f"seed-{seed}"
        if workdir.exists():
            shutil.rmtree(workdir)
        start = time.perf_counter()
        row = bench_row(workdir, seed)
        seconds = time.perf_counter() - start
        where = "; ".join(row["where"][:8]) + (" ..." if len(row["where"]) > 8 else "") or "-"
        print(f"| {seed} | {row['planted']} | {row['kinds']} | {row['leaked']} | {seconds:.1f} | {where} |")


if __name__ == "__main__":
    main()
