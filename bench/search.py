"""Search speed: index throughput, cold `kc search`, warm query latency, incremental re-index.

    .venv/bin/python bench/search.py [--codebase httpx|express|flask] [--runs N] [--write-results]

Uses the corpus that bench/retrieval.py builds (fetching and compiling it if needed):

* index throughput: ``index_corpus`` end to end (chunk, embed, Chroma, BM25, publish) from an
  empty index, in chunks/s, beside raw ``SentenceTransformer.encode`` on the same chunk texts
  in the same run (the model alone: the ceiling);
* cold ``kc search``: a fresh ``kc search --json`` process, wall time, several runs;
* warm query latency: one ``Searcher``, every benchmark question, p50/p95;
* incremental re-index: change one source file, rebuild the corpus, re-index; seconds and
  how many chunks were embedded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import retrieval  # noqa: E402  (sibling benchmark: fetch/build helpers)

CHANGED_FILE = {"httpx": "httpx/_auth.py", "express": "lib/view.js", "flask": "src/flask/helpers.py"}


ADDED_CODE = {  # one new documented function at the end of the file: a typical small edit
    ".py": '\n\ndef _benchmark_helper(value):\n    """Return the value unchanged (added by the incremental benchmark)."""\n    return value\n',
    ".js": "\n/**\n * Return the value unchanged (added by the incremental benchmark).\n */\n\nfunction benchmarkHelper(value) {\n  return value;\n}\n",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def throughput(corpus: Path) -> dict:
    """index_corpus from scratch vs raw model.encode on the same chunk texts."""
    from compiler.config import Settings
    from compiler.corpus import open_corpus
    from compiler.index import index_corpus
    from compiler.index.chunk import chunk_corpus
    from compiler.index.embed import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    texts = [c.embed_text for c in chunk_corpus(open_corpus(corpus))]
    embedder.model.encode(texts[:64], show_progress_bar=False)  # warm up threads and allocator

    def raw() -> float:
        started = time.perf_counter()
        embedder.model.encode(texts, show_progress_bar=False, normalize_embeddings=True)
        return time.perf_counter() - started

    # Raw encode before and after the index run: the machine is shared, so bracket it.
    raw_before = raw()

    scratch = retrieval.WORK / "bench-index" / corpus.name
    shutil.rmtree(scratch, ignore_errors=True)
    settings = Settings(index_dir=str(scratch))
    models = retrieval.WORK / "index" / corpus.name / "models"
    if models.is_dir():  # the ONNX export is a one-time cost per model, not per chunk
        shutil.copytree(models, scratch / "models")
    stats = index_corpus(corpus, settings, embedder=embedder)
    shutil.rmtree(scratch, ignore_errors=True)
    raw_seconds = (raw_before + raw()) / 2
    return {
        "chunks": len(texts),
        "raw_seconds": raw_seconds,
        "raw_rate": len(texts) / raw_seconds,
        "index_seconds": stats.seconds,
        "index_rate": stats.chunks / stats.seconds,
    }


def cold_search(corpus: Path, settings, runs: int) -> list[float]:
    env = {**os.environ, "KC_INDEX_DIR": settings.index_dir, "HF_HUB_OFFLINE": "1"}
    kc = [sys.executable, "-m", "compiler.cli"]
    times = []
    for run in range(runs):
        query = [
            "how are cookies attached to a request?",
            "where are redirects followed?",
            "how is the response body decoded?",
        ][run % 3]
        started = time.perf_counter()
        result = subprocess.run(
            [*kc, "search", query, "--corpus", str(corpus), "--json"], capture_output=True, text=True, env=env, cwd=ROOT
        )
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"kc search failed: {result.stderr}")
    return times


def warm_latency(corpus: Path, settings, codebase: str, repeats: int = 3) -> list[float]:
    from compiler.index.search import Searcher

    searcher = Searcher(corpus, settings)
    searcher.load()
    questions = [q.text for q in retrieval.load_questions(codebase)]
    searcher.search(questions[0])
    times = []
    for _ in range(repeats):
        for question in questions:
            started = time.perf_counter()
            searcher.search(question, k=10)
            times.append((time.perf_counter() - started) * 1000)
    return times


def incremental(codebase: str, source: Path, corpus: Path, settings) -> dict:
    """Add a function to one file in a copy of the source, rebuild the corpus, re-index."""
    from compiler.build import build
    from compiler.index import index_corpus

    copy = retrieval.WORK / "incremental" / codebase / "src"
    out = retrieval.WORK / "incremental" / codebase / "corpus"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(source, copy)
    shutil.copytree(corpus, out)
    from compiler.config import Settings

    index = Settings(index_dir=str(retrieval.WORK / "incremental" / codebase / "index"))
    shutil.copytree(settings.index_dir, index.index_dir)
    build(copy, out, index=False)  # same source: a no-op rebuild that puts the build cache in place
    index_corpus(out, index)

    target = copy / CHANGED_FILE[codebase]
    target.write_text(target.read_text() + ADDED_CODE[target.suffix])
    started = time.perf_counter()
    build(copy, out, index=False)
    build_seconds = time.perf_counter() - started
    stats = index_corpus(out, index)
    shutil.rmtree(copy.parent, ignore_errors=True)
    return {
        "file": CHANGED_FILE[codebase],
        "build_seconds": build_seconds,
        "index_seconds": stats.seconds,
        "embedded": stats.embedded,
        "deleted": stats.deleted,
        "chunks": stats.chunks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codebase", choices=retrieval.CODEBASES, default="httpx")
    parser.add_argument("--runs", type=int, default=5, help="cold kc search runs")
    parser.add_argument("--write-results", action="store_true", help="update the speed section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    source = retrieval.fetch(args.codebase)
    corpus = retrieval.build_corpus(args.codebase, source)
    settings, _ = retrieval.ensure_index(corpus)
    rate = throughput(corpus)
    cold = cold_search(corpus, settings, args.runs)
    warm = warm_latency(corpus, settings, args.codebase)
    change = incremental(args.codebase, source, corpus, settings)

    rows = [
        (
            "index throughput (index_corpus, from empty)",
            f"{rate['index_rate']:.1f} chunks/s ({rate['chunks']} chunks in {rate['index_seconds']:.1f} s)",
            "",
        ),
        (
            "raw model.encode, same chunks (mean of a run before and after)",
            f"{rate['raw_rate']:.1f} chunks/s ({rate['raw_seconds']:.1f} s)",
            "",
        ),
        ("index / raw", f"{rate['index_rate'] / rate['raw_rate'] * 100:.0f} %", "target ≥ 80 %"),
        (
            f"cold `kc search` ({len(cold)} runs)",
            f"median {statistics.median(cold):.2f} s, max {max(cold):.2f} s",
            "target ≤ 1 s",
        ),
        (
            f"warm query latency ({len(warm)} queries)",
            f"p50 {percentile(warm, 0.5):.1f} ms, p95 {percentile(warm, 0.95):.1f} ms",
            "target p50 ≤ 30 ms",
        ),
        (
            f"incremental: edit {change['file']}",
            f"re-index {change['index_seconds']:.1f} s, {change['embedded']} of {change['chunks']} chunks embedded, {change['deleted']} removed (rebuild {change['build_seconds']:.1f} s)",
            "",
        ),
    ]
    table = "| measure | result | target |\n| --- | --- | --- |\n" + "\n".join(
        f"| {a} | {b} | {c} |" for a, b, c in rows
    )
    print(table)
    if args.write_results:
        import platform

        body = (
            "## Search: speed (bench/search.py)\n\n"
            f"Codebase: {args.codebase}; machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
            "CPU only, bundled all-MiniLM-L6-v2.\n\n" + table + "\n"
        )
        retrieval.write_section(f"index:speed:{args.codebase}", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
