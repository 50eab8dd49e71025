"""Bounded load on ``kc serve``: concurrent learners asking questions over 127.0.0.1, offline backend.

Starts ``kc serve`` as a subprocess on a free loopback port with a fresh learner store, waits for
``GET /api/health`` (the site build and index load are reported apart, not in the latencies), then
``--learners`` threads each ask their share of ``--questions`` questions through ``POST /api/ask``
and read the whole server-sent-event stream. Measures, per answer: time to the first streamed
byte (the plan event) and to the ``done`` event; counts 5xx and error events; afterwards checks
every learner's state in the store (one logged question per answer, the answered concepts
marked) to count lost learner state. Prints a markdown table.

    .venv/bin/kc build . --out /tmp/serve-corpus
    .venv/bin/python bench/serve.py --corpus /tmp/serve-corpus
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "How does the incremental build decide what to recompile?",
    "Where are secrets redacted before they reach the corpus?",
    "How does hybrid search combine embeddings and BM25?",
    "What is the knowledge core and what does core.json hold?",
    "How are concepts distilled from the code graph?",
    "How does the tutor plan an answer for a learner?",
    "How are citations checked before an answer is shown?",
    "What does the MCP server expose to coding agents?",
    "How is the docs site built from the corpus?",
    "How are learner profiles and progress stored?",
    "How does the corpus get written atomically?",
    "What does the learning path contain and how is it ordered?",
    "How are Python files parsed into symbols?",
    "How is the code graph ranked by importance?",
    "How does the offline backend write an answer?",
    "How are quizzes made and graded?",
    "What settings does kc read from kc.toml?",
    "How does the search index stay fresh when the corpus changes?",
    "How are JavaScript and Go files parsed?",
    "What does kc check report?",
]
TARGET_P50_MS = 300.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def start_server(corpus: Path, port: int, work: Path) -> tuple[subprocess.Popen, float, str]:
    kc = Path(sys.executable).with_name("kc")
    env = dict(os.environ, KC_LEARNER_DB=str(work / "learners.sqlite3"), KC_TUTOR_BACKEND="offline")
    env.pop("KC_SERVE_TOKEN", None)
    command = [
        str(kc),
        "serve",
        "--corpus",
        str(corpus),
        "--port",
        str(port),
        "--backend",
        "offline",
        "--site-dir",
        str(work / "site"),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=open(work / "serve.log", "w"))  # noqa: SIM115
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"kc serve exited: {(work / 'serve.log').read_text()[-2000:]}")
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
            if health.status_code == 200:
                return process, time.perf_counter() - started, health.json()["search"]
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("kc serve did not become healthy within 600 s")


def learner_run(base: str, name: str, questions: list[str], results: list[dict]) -> None:
    with httpx.Client(timeout=120) as http:
        for question in questions:
            record = {
                "learner": name,
                "question": question,
                "status": 0,
                "first": None,
                "total": None,
                "error": "",
                "done": False,
                "taught": [],
            }
            started = time.perf_counter()
            try:
                with http.stream("POST", f"{base}/api/ask", json={"learner": name, "question": question}) as response:
                    record["status"] = response.status_code
                    buffer = ""
                    for chunk in response.iter_text():
                        if record["first"] is None and chunk:
                            record["first"] = time.perf_counter() - started
                        buffer += chunk
                    record["total"] = time.perf_counter() - started
                events = [block for block in buffer.replace("\r\n", "\n").split("\n\n") if block.strip()]
                for block in events:
                    lines = block.split("\n")
                    event = next((line[6:].strip() for line in lines if line.startswith("event:")), "")
                    data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
                    if event == "plan":
                        plan = json.loads(data)
                        record["taught"] = [s["concept"] for s in plan["steps"] if s["role"] != "recap"]
                    elif event == "done":
                        record["done"] = True
                    elif event == "error":
                        record["error"] = json.loads(data)["message"]
            except httpx.HTTPError as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
            results.append(record)


def check_state(work: Path, corpus: Path, results: list[dict]) -> tuple[int, int]:
    """(answers whose state is missing, learners checked): one logged question per answer, taught concepts marked."""
    from compiler.corpus import open_corpus
    from compiler.tutor.learner import LearnerStore

    store = LearnerStore(work / "learners.sqlite3")
    corpus_name = open_corpus(corpus).core.source.name
    lost = 0
    learners = sorted({r["learner"] for r in results})
    for name in learners:
        answered = [r for r in results if r["learner"] == name and r["done"]]
        logged = store.questions(name, corpus_name, limit=10_000)
        lost += max(0, len(answered) - len(logged))
        progress = store.progress(name, corpus_name)
        taught = {c for r in answered for c in r["taught"]}
        lost += sum(1 for c in taught if c not in progress or not progress[c].explained_count)
    return lost, len(learners)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="/tmp/serve-corpus", help="corpus to serve (default: /tmp/serve-corpus)")
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()
    if not (corpus / "core.json").is_file():
        raise SystemExit(f"{corpus}: no corpus; build one with '.venv/bin/kc build . --out {corpus}'")
    with tempfile.TemporaryDirectory(prefix="kc-bench-serve-") as tmp:
        work = Path(tmp)
        port = free_port()
        process, startup, search = start_server(corpus, port, work)
        base = f"http://127.0.0.1:{port}"
        try:
            for question in QUESTIONS[:2]:  # warm-up, not measured: first-use costs (plan caches, page cache)
                learner_run(base, "warmup", [question], [])
            shares = [
                [
                    QUESTIONS[(i * 7 + j) % len(QUESTIONS)]
                    for j in range(args.questions // args.learners + (i < args.questions % args.learners))
                ]
                for i in range(args.learners)
            ]
            results: list[dict] = []
            threads = [
                threading.Thread(target=learner_run, args=(base, f"bench-learner-{i}", share, results))
                for i, share in enumerate(shares)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
        lost, checked = check_state(work, corpus, results)
    firsts = [r["first"] * 1000 for r in results if r["first"] is not None]
    totals = [r["total"] * 1000 for r in results if r["total"] is not None and r["done"]]
    server_errors = sum(1 for r in results if r["status"] >= 500)
    failed = sum(1 for r in results if not r["done"])
    p50 = percentile(firsts, 0.5)
    print(
        f"kc serve load: corpus {corpus} ({corpus.name}), {args.learners} concurrent learners, {len(results)} questions, "
        f"offline backend, search {search}, 127.0.0.1; {os.cpu_count()} CPUs shared with other work; start-up (site build + index "
        f"load, not in the latencies) {startup:.1f} s; wall {wall:.1f} s ({len(results) / wall:.1f} answers/s).\n"
    )
    print("| metric | value |")
    print("| --- | ---: |")
    print(f"| questions answered (done event) | {len(results) - failed} / {len(results)} |")
    print(f"| 5xx responses | {server_errors} |")
    print(f"| error events or transport errors | {sum(1 for r in results if r['error'])} |")
    print(f"| lost learner state (answers not logged or concepts not marked, {checked} learners) | {lost} |")
    print(f"| time to first streamed byte p50 (ms) | {p50:.0f} |")
    print(f"| time to first streamed byte p95 (ms) | {percentile(firsts, 0.95):.0f} |")
    print(f"| whole answer p50 (ms) | {percentile(totals, 0.5):.0f} |")
    print(f"| whole answer p95 (ms) | {percentile(totals, 0.95):.0f} |")
    print(f"| whole answer mean (ms) | {statistics.fmean(totals) if totals else float('nan'):.0f} |")
    print(f"| target: first byte p50 ≤ {TARGET_P50_MS:.0f} ms | {'met' if p50 <= TARGET_P50_MS else '**not met**'} |")
    for r in results:
        if r["error"]:
            print(f"\nfirst error: {r['learner']}: {r['question']}: {r['error']}")
            break
    return 0 if not server_errors and not lost and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
