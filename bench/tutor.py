"""Tutor benchmark: does `kc ask --json` answer, cite the right code, and say when it cannot?

In: the question sets bench/tutor/<name>.json (written from each codebase before kc ran on it)
and bench/tutor/off_topic.json. Each codebase is fetched with bench/sources.py, compiled with
`kc build --no-index` (``--index`` builds the search index too) under $KC_BENCH_WORK/tutor, and
every question is asked through the `kc ask --json` command (offline backend, a fresh learner per
question, so answers do not depend on order). Out: markdown tables, tuning and held-out apart:

- first file: the answer's first citation is in one of the expected files
- symbol@5: an expected symbol is among the first five citations (by id, or a citation inside its lines)
- valid: citations whose lines exist in the source file, whose symbol (when named) holds those lines,
  and whose shown excerpts (a `path:a-b` reference followed by a code block) match the file byte for byte
- covered: on-topic answers with "covered": true; off-topic answers with "covered": false
- call@5: how-to answers whose first five non-blank lines contain the user-facing call

``python bench/tutor.py`` runs the tuning sets; ``--split held-out`` the held-out ones (final
measurement only); ``--only flask`` one set; ``--save DIR`` writes every answer as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))  # bench/sources.py is a script beside this one, not a package

import sources  # noqa: E402

WORK = sources.WORK / "tutor"
KC = [sys.executable, "-m", "compiler.cli"]
_REF_BLOCK = re.compile(r"`([^`\s]+):(\d+)(?:-(\d+))?`[^\n]*\n\n(`{3,})[\w+-]*\n(.*?)\n\4", re.DOTALL)


def build_corpus(name: str, index: bool) -> Path:
    """Fetch ``name`` and compile it (kc skips a fresh corpus); the corpus directory."""
    source = sources.ensure_source(name)
    out = WORK / name
    command = [*KC, "build", str(source), "--out", str(out), "--quiet"] + ([] if index else ["--no-index"])
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out


def ask(corpus: Path, question: str, learner: str, db: Path, level: str) -> dict:
    """`kc ask --json`, run in this process through the CLI's own entry point (same code path, no start-up cost)."""
    from compiler.cli import main

    out = io.StringIO()
    argv = [
        "ask",
        question,
        "--json",
        "--corpus",
        str(corpus),
        "--backend",
        "offline",
        "--learner",
        learner,
        "--learner-db",
        str(db),
        "--level",
        level,
    ]
    with contextlib.redirect_stdout(out):
        code = main(argv)
    if code:
        raise SystemExit(f"kc ask failed ({code}) on {question!r}")
    return json.loads(out.getvalue())


class Checker:
    """Checks citations against the source tree and the corpus's symbols."""

    def __init__(self, corpus_dir: Path, source: Path) -> None:
        from compiler.corpus import open_corpus

        self.corpus = open_corpus(corpus_dir)
        self.source = source
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            file = self.source / path
            self._lines[path] = (
                file.read_text(encoding="utf-8", errors="replace").split("\n") if file.is_file() else None
            )
        return self._lines[path]

    def expected_symbols(self, wanted: list[str]) -> list[tuple[str, str, int, int]]:
        """(id, path, start, end) of the corpus symbols the reference names as ``path::Qual.name``."""
        found = []
        for item in wanted:
            path, _, qualname = item.partition("::")
            qualname = qualname.replace(".prototype.", ".")  # kc names JavaScript methods without "prototype"
            for symbol in self.corpus.symbols_by_path.get(path, []):
                if symbol.id == qualname or symbol.id.endswith("." + qualname):
                    found.append((symbol.id, path, symbol.lines[0], symbol.lines[1]))
        return found

    def valid(self, citation: dict, answer: str) -> bool:
        lines = self.lines(citation["path"])
        start, end = citation["start"], citation["end"]
        if lines is None or not 1 <= start <= end <= len(lines):
            return False
        symbol = self.corpus.symbols.get(citation.get("symbol") or "")
        if citation.get("symbol") and (
            symbol is None
            or symbol.path != citation["path"]
            or not (symbol.lines[0] <= start and end <= symbol.lines[1])
        ):
            return False
        quote = " ".join((citation.get("quote") or "").split())
        return not quote or quote in " ".join(" ".join(lines[start - 1 : end]).split())

    def excerpts_match(self, answer: str) -> tuple[int, int]:
        """(shown excerpts, excerpts equal to the file's lines)."""
        shown = good = 0
        for path, start, end, _, body in _REF_BLOCK.findall(answer):
            lines = self.lines(path)
            if lines is None:
                shown += 1
                continue
            start, end = int(start), int(end or start)
            block = body.split("\n")
            if len(block) != end - start + 1:
                continue  # a signature or a summary under a reference, not an excerpt of those lines
            shown += 1
            good += [line.strip() for line in lines[start - 1 : end]] == [line.strip() for line in block]
        return shown, good


def score_question(checker: Checker, question: dict, data: dict) -> dict:
    citations = data["citations"]
    files = set(question["files"])
    expected = checker.expected_symbols(question["symbols"])
    ids = {e[0] for e in expected}

    def hits_symbol(c: dict) -> bool:
        return c.get("symbol") in ids or any(
            c["path"] == p and s <= c["start"] and c["end"] <= e for _, p, s, e in expected
        )

    valid = sum(checker.valid(c, data["answer"]) for c in citations)
    shown, good = checker.excerpts_match(data["answer"])
    head = [line for line in data["answer"].split("\n") if line.strip()][:5]
    call = question.get("user_call") or ""
    return {
        "id": question["id"],
        "kind": question["kind"],
        "first_file": bool(citations) and citations[0]["path"] in files,
        "symbol5": any(hits_symbol(c) for c in citations[:5]),
        "citations": len(citations),
        "valid": valid,
        "excerpts": shown,
        "excerpts_ok": good,
        "covered": data.get("covered", True) is True,
        "call5": (call in "\n".join(head)) if question["kind"] == "how" and call else None,
        "expected_found": bool(expected),
    }


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "-"


def run_set(name: str, args: argparse.Namespace, off_topic: list[str], db: Path) -> dict:
    reference = json.loads((BENCH / "tutor" / f"{name}.json").read_text(encoding="utf-8"))
    corpus = build_corpus(name, args.index)
    checker = Checker(corpus, sources.ensure_source(name))
    rows, answers = [], []
    for question in reference["questions"]:
        data = ask(corpus, question["question"], question["id"], db, args.level)
        rows.append(score_question(checker, question, data))
        answers.append({"question": question, "answer": data})
    off = []
    for number, text in enumerate(off_topic[: args.off_topic]):
        data = ask(corpus, text, f"off-{number}", db, args.level)
        off.append(data.get("covered", True) is False)
        answers.append({"off_topic": text, "answer": data})
    if args.save:
        Path(args.save).mkdir(parents=True, exist_ok=True)
        Path(args.save, f"{name}.json").write_text(json.dumps(answers, indent=1, ensure_ascii=False), encoding="utf-8")
    return {"name": name, "rows": rows, "off": off}


def table(results: list[dict], title: str) -> str:
    head = (
        "| codebase | origin | first file | symbol@5 | valid citations | excerpts match | covered (on) "
        "| not covered (off) | call@5 (how) |"
    )
    lines = [f"### {title}", "", head, "|" + "---|" * 9]
    total = {k: [0, 0] for k in ("first", "sym", "valid", "exc", "cov", "off", "call")}
    for result in results:
        rows, off = result["rows"], result["off"]
        how = [r for r in rows if r["call5"] is not None]
        cells = {
            "first": (sum(r["first_file"] for r in rows), len(rows)),
            "sym": (sum(r["symbol5"] for r in rows), len(rows)),
            "valid": (sum(r["valid"] for r in rows), sum(r["citations"] for r in rows)),
            "exc": (sum(r["excerpts_ok"] for r in rows), sum(r["excerpts"] for r in rows)),
            "cov": (sum(r["covered"] for r in rows), len(rows)),
            "off": (sum(off), len(off)),
            "call": (sum(bool(r["call5"]) for r in how), len(how)),
        }
        for key, (a, b) in cells.items():
            total[key][0] += a
            total[key][1] += b
        lines.append(
            f"| {result['name']} | {sources.origin(result['name'])} | "
            + " | ".join(pct(*cells[k]) for k in total)
            + " |"
        )
    lines.append("| **all** | | " + " | ".join(f"**{pct(*total[k])}**" for k in total) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="tuning", choices=("tuning", "held-out"))
    parser.add_argument("--only", nargs="*", help="these codebases only")
    parser.add_argument("--index", action="store_true", help="build the search index and answer with it")
    parser.add_argument("--level", default="intermediate", choices=("novice", "intermediate", "expert"))
    parser.add_argument("--off-topic", type=int, default=20, help="how many off-topic questions per codebase")
    parser.add_argument("--save", help="write every answer to DIR/<name>.json")
    args = parser.parse_args()
    os.environ.setdefault("KC_TUTOR_BACKEND", "offline")
    os.environ.pop("ANTHROPIC_API_KEY", None)
    names = [
        p.stem
        for p in sorted((BENCH / "tutor").glob("*.json"))
        if p.stem != "off_topic" and sources.split_of(p.stem) == args.split
    ]
    names = [n for n in names if not args.only or n in args.only]
    off_topic = json.loads((BENCH / "tutor" / "off_topic.json").read_text(encoding="utf-8"))["questions"]
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_set(name, args, off_topic, Path(tmp) / "learners.db") for name in names]
    print(
        table(
            results,
            f"Tutor, {args.split} sets (offline backend, level {args.level}{', with index' if args.index else ''})",
        )
    )
    if args.split == "tuning":
        misses = [
            (r["name"], row["id"]) for r in results for row in r["rows"] if not (row["first_file"] and row["symbol5"])
        ]
        print("\nmissed (first file or symbol@5):", ", ".join(f"{n}:{i.split('-')[-1]}" for n, i in misses) or "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
