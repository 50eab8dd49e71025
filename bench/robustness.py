"""Reliability: hostile input, kill -9, secrets, malformed MCP requests, concurrent builds. One table.

    .venv/bin/python bench/robustness.py [--files 10000] [--kills 20] [--index-kills 5] [--mcp 1000]
        [--concurrent 4] [--skip secrets] [--only hostile] [--json out.json]

Every part runs ``kc`` as a subprocess (``python -m compiler.cli``), bounded by a timeout:

* hostile: ``bench/hostile.py`` writes a tree of ``--files`` files; ``kc build --no-index`` under
  ``--build-timeout``: crashes (exit != 0 or a traceback), hangs (timeout), peak memory of the build
  (``os.wait4``: the child's ``ru_maxrss``, its own children included), diagnostics and how many name
  ``path:line``, skipped files by reason;
* kills: ``--kills`` kill -9s at random moments of ``kc build --force`` of a generated repository
  whose source flips between two versions, then the corpus must be byte for byte the old or the new
  one and ``kc check`` must answer; ``--index-kills`` during ``kc index`` after a rebuild, then
  ``kc search --json`` must still answer with hits from the previous index; the next build or index
  must finish;
* secrets: ``bench/secrets_corpus.py``'s ``bench_row(workdir)`` (planted, leaked); ``--skip secrets``
  until it exists;
* mcp: ``--mcp`` malformed requests over stdio and as many over streamable HTTP (127.0.0.1): each
  must get a JSON-RPC error with its id, the server must answer a good request after, stderr must
  hold no traceback;
* concurrent: ``--concurrent`` builds at once into one ``--out`` (they wait: all succeed), then as
  many with ``--no-wait`` (each succeeds or fails clearly, exit 2 with a message, no traceback); the
  corpus after each round must equal a reference build.

Scratch goes to ``$KC_BENCH_WORK/robustness`` (default ``/tmp/kc-bench/robustness``), wiped first.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT), str(ROOT / "tests")]

from hostile import make_hostile_tree  # noqa: E402

from kctest.mcp_process import malformed_call, malformed_requests  # noqa: E402
from kctest.serve_process import free_port, stop  # noqa: E402

KC = [sys.executable, "-m", "compiler.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "KC_CHROMA_URL": ""}
PARTS = ("hostile", "kills", "secrets", "mcp", "concurrent")
REPLY_SECONDS = 30
JSON_RPC_ERRORS = {-32700, -32600, -32601, -32602, -32603}


def kc(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*KC, *args], env=ENV, capture_output=True, text=True, timeout=timeout, **kwargs)


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# ---- (a) hostile tree ---------------------------------------------------------------------------


def hostile(work: Path, files: int, timeout: float) -> dict:
    source, out = work / "hostile", work / "hostile-corpus"
    made = make_hostile_tree(source, files)
    command = [*KC, "build", str(source), "--out", str(out), "--no-index", "-q"]
    started = time.monotonic()
    proc = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True)
    reader.start()
    hung = False
    deadline = started + timeout
    while True:  # bounded by the deadline
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            hung = True
            os.kill(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(timeout=10)
    errors = "".join(stderr)
    crashed = not hung and (proc.returncode != 0 or "Traceback" in errors)
    report = {}
    if (out / "build-report.json").is_file():
        report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    diagnostics = report.get("diagnostics", [])
    located = [d for d in diagnostics if d.get("path") and d.get("line")]
    codes: dict[str, int] = {}
    for d in diagnostics:
        codes[d["code"]] = codes.get(d["code"], 0) + 1
    # the tree is unchanged: check must call the corpus fresh (the same rules for every odd name)
    checked = kc("check", str(source), "--corpus", str(out), timeout=timeout) if not (crashed or hung) else None
    os.chmod(source / "locked", 0o755)  # so the scratch can be removed
    return {
        "files": sum(made.values()),
        "kinds": dict(sorted(made.items())),
        "exit": proc.returncode,
        "crashes": int(crashed),
        "hangs": int(hung),
        "seconds": round(seconds, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "diagnostics": len(diagnostics),
        "with_line": len(located),
        "codes": codes,
        "without_line": sorted({f"{d['path']} [{d['code']}]" for d in diagnostics if not d.get("line")})[:20],
        "internal_errors": codes.get("internal-error", 0),
        "check_fresh": checked is not None and checked.returncode == 0,
        "skipped_by_reason": report.get("skipped_by_reason", {}),
        "unreadable_dir_testable": os.geteuid() != 0,
        "stderr_tail": errors[-1500:] if crashed or hung else "",
    }


# ---- a small repository for kills, MCP and concurrency ------------------------------------------


def make_repo(source: Path, modules: int) -> None:
    package = source / "gen"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Generated package: retry with backoff, parsing, caching."""\n')
    (source / "README.md").write_text(
        "# Gen\n\nRetries with backoff, a parser and a cache.\n\n## Usage\n\nCall run_0.\n"
    )
    for i in range(modules):
        helpers = "\n\n".join(
            f'def helper_{i}_{j}(value):\n    """Retry step {j} of module {i} with backoff."""\n    return value + {j}'
            for j in range(8)
        )
        calls = "\n".join(f"    helper_{i}_{j}({j})" for j in range(8))
        (package / f"mod_{i}.py").write_text(
            f'"""Module {i}: retries and backoff."""\n\n{helpers}\n\n\ndef run_{i}():\n{calls}\n'
        )


def flip(source: Path, modules: int, version: int) -> None:
    """Change every tenth module's docstring (so a rebuild and a re-index have work), or put it back."""
    for i in range(0, modules, 10):
        path = source / "gen" / f"mod_{i}.py"
        text = path.read_text()
        old, new = (
            ("retries and backoff", "retry loops, version two")
            if version
            else ("retry loops, version two", "retries and backoff")
        )
        path.write_text(text.replace(old, new, 1))


# ---- (b) kill -9 --------------------------------------------------------------------------------


def _kill_at(command: list[str], delay: float) -> bool:
    """Run ``command``, kill -9 it after ``delay`` s; True when it finished first."""
    proc = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return True
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        return False


def kills(work: Path, builds: int, indexes: int, modules: int, seed: int = 1515) -> dict:
    source, out = work / "kill-repo", work / "kill-corpus"
    make_repo(source, modules)
    rng = random.Random(seed)
    references = {}
    for version in (0, 1):
        flip(source, modules, version)
        reference = work / f"kill-ref-{version}"
        kc("build", str(source), "--out", str(reference), "--no-index", "-q", check=True)
        references[version] = tree(reference)
    flip(source, modules, 0)
    kc("build", str(source), "--out", str(out), "--no-index", "-q", check=True)
    command = [*KC, "build", str(source), "--out", str(out), "--no-index", "--force", "-q"]
    started = time.monotonic()
    subprocess.run(command, env=ENV, check=True, capture_output=True, timeout=600)
    duration = time.monotonic() - started
    corrupt, killed, check_failures = 0, 0, 0
    for attempt in range(builds):  # bounded
        version = (attempt + 1) % 2
        flip(source, modules, version)
        before = tree(out)
        finished = _kill_at(command, rng.uniform(0.05, duration * 1.1))
        killed += not finished
        now = tree(out)
        try:
            json.loads((out / "core.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            corrupt += 1
            continue
        if now not in (before, references[version]):
            corrupt += 1
        checked = kc("check", str(source), "--corpus", str(out), timeout=120)
        check_failures += checked.returncode not in (0, 1) or "Traceback" in checked.stderr
    recovered = kc("build", str(source), "--out", str(out), "--no-index", "-q", timeout=600)
    recovered_ok = recovered.returncode == 0 and tree(out) == references[(builds) % 2]

    # kill -9 during `kc index`: the previous index must keep answering
    flip(source, modules, builds % 2)
    kc("build", str(source), "--out", str(out), "-q", timeout=900, check=True)  # corpus and index agree
    index_command = [*KC, "index", "--corpus", str(out)]
    # How long one update of the index takes (it is fast now: a fixed kill window would mostly miss it),
    # so each kill lands inside a run: uniform over 5 %..50 % of that time (the next run may be faster on a busy
    # machine: a kill drawn late in the window would land after it finished and test nothing).
    flip(source, modules, (builds + 1) % 2)
    kc("build", str(source), "--out", str(out), "--no-index", "-q", timeout=600, check=True)
    started = time.monotonic()
    subprocess.run(index_command, env=ENV, check=True, capture_output=True, timeout=900)
    index_duration = time.monotonic() - started
    index_corrupt, index_killed, search_failures = 0, 0, 0
    for attempt in range(indexes):  # bounded
        version = (builds + attempt) % 2
        flip(source, modules, version)
        kc("build", str(source), "--out", str(out), "--no-index", "-q", timeout=600, check=True)
        finished = _kill_at(index_command, rng.uniform(0.05, 0.5) * index_duration)
        index_killed += not finished
        found = kc("search", "retry with backoff", "--corpus", str(out), "--json", "-k", "3", timeout=120)
        try:
            hits = json.loads(found.stdout)
            ok = found.returncode == 0 and isinstance(hits, list) and len(hits) > 0 and "Traceback" not in found.stderr
        except ValueError:
            ok = False
        search_failures += not ok
        index_corrupt += not ok
    final = kc("index", "--corpus", str(out), timeout=900)
    final_search = kc("search", "retry with backoff", "--corpus", str(out), "--json", "-k", "3", timeout=120)
    index_recovered = (
        final.returncode == 0 and final_search.returncode == 0 and bool(json.loads(final_search.stdout or "[]"))
    )
    return {
        "build_kills": builds,
        "killed_mid_build": killed,
        "build_seconds": round(duration, 1),
        "corrupt_corpora": corrupt,
        "check_failures": check_failures,
        "recovered": recovered_ok,
        "index_kills": indexes,
        "killed_mid_index": index_killed,
        "index_seconds": round(index_duration, 2),
        "corrupt_indexes": index_corrupt,
        "search_failures": search_failures,
        "index_recovered": index_recovered,
        "corpus": str(out),
    }


# ---- (c) secrets --------------------------------------------------------------------------------


def secrets(work: Path) -> dict:
    try:
        from secrets_corpus import bench_row  # bench/secrets_corpus.py (written beside this one)
    except ModuleNotFoundError as exc:
        if exc.name != "secrets_corpus":
            raise
        return {"planted": None, "leaked": None, "missing": "bench/secrets_corpus.py is missing; pass --skip secrets"}
    (work / "secrets").mkdir(parents=True, exist_ok=True)
    return bench_row(work / "secrets")


# ---- (d) malformed MCP requests -----------------------------------------------------------------


def malformed(count: int, seed: int = 7) -> list[tuple[bytes, int | None]]:
    """``count`` malformed JSON-RPC requests (line, id the error must carry) in random order: the 14 kinds the
    transport tests send (``kctest.mcp_process.malformed_requests``) plus two a tool answers as a tool error
    (an argument of the wrong type, a tool that does not exist)."""
    rng = random.Random(seed)
    drawn = []
    for n in range(count):  # bounded
        base = 1000 + 10 * n  # every request its own ids
        kinds = [(line, ident) for line, _code, ident in malformed_requests(base)]
        kinds.append((malformed_call(base + 8, '{"query": 12}'), base + 8))
        kinds.append((malformed_call(base + 9, "{}", name="no_such_tool"), base + 9))
        drawn.append(kinds[rng.randrange(len(kinds))])
    return drawn


def _is_error(reply: dict, ident: int | None) -> bool:
    error = reply.get("error")
    if isinstance(error, dict) and error.get("code") in JSON_RPC_ERRORS:
        return reply.get("id") == ident
    result = reply.get("result")  # a tool that exists answers bad arguments as a tool error, also fine
    return reply.get("id") == ident and isinstance(result, dict) and result.get("isError") is True


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}},
}
GOOD = b'{"jsonrpc":"2.0","method":"tools/call","params":{"name":"search","arguments":{"query":"retry","k":2}},"id":7}'


def mcp_stdio(corpus: Path, count: int) -> dict:
    proc = subprocess.Popen(
        [*KC, "mcp", "--corpus", str(corpus)],
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    replies: queue.Queue = queue.Queue()
    stderr: list[bytes] = []
    threading.Thread(target=lambda: [replies.put(line) for line in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True).start()

    def send(line: bytes) -> None:
        proc.stdin.write(line + b"\n")
        proc.stdin.flush()

    def reply() -> dict | None:
        try:
            return json.loads(replies.get(timeout=REPLY_SECONDS))
        except (queue.Empty, ValueError):
            return None

    answered = 0
    try:
        send(json.dumps(INITIALIZE).encode())
        reply()
        send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')
        for line, ident in malformed(count):  # bounded
            got = reply() if proc.poll() is None and not send(line) else None
            answered += got is not None and _is_error(got, ident)
        send(GOOD)
        good = reply()
        alive = good is not None and good.get("id") == 7 and "result" in good
    finally:
        if proc.poll() is None:
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    text = b"".join(stderr).decode("utf-8", "replace")
    return {"sent": count, "answered": answered, "alive": alive, "tracebacks": text.count("Traceback")}


def mcp_http(corpus: Path, count: int) -> dict:
    import httpx

    port = free_port()
    log = (corpus.parent / "mcp-http.stderr").open("w+b")
    proc = subprocess.Popen(
        [*KC, "mcp", "--corpus", str(corpus), "--http", "--port", str(port)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    answered, alive = 0, False
    try:
        for _ in range(300):  # bounded: 30 s to start listening
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        with httpx.Client(timeout=REPLY_SECONDS) as client:
            started = client.post(url, json=INITIALIZE, headers=headers)
            session = {
                **headers,
                "mcp-session-id": started.headers.get("mcp-session-id", ""),
                "mcp-protocol-version": "2025-06-18",
            }
            client.post(url, content=b'{"jsonrpc":"2.0","method":"notifications/initialized"}', headers=session)

            def answer(line: bytes) -> dict | None:
                try:
                    response = client.post(url, content=line, headers=session)
                except httpx.HTTPError:
                    return None
                if response.headers.get("content-type", "").startswith("application/json"):
                    return response.json()
                data = [row[5:] for row in response.text.splitlines() if row.startswith("data:")]
                return json.loads(data[0]) if data else None

            for line, ident in malformed(count, seed=8):  # bounded
                got = answer(line)
                answered += got is not None and _is_error(got, ident)
            good = answer(GOOD)
            alive = good is not None and good.get("id") == 7 and "result" in good
    finally:
        stop(proc, timeout=15)
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
        log.close()
    return {"sent": count, "answered": answered, "alive": alive, "tracebacks": text.count("Traceback")}


def mcp(work: Path, count: int, modules: int) -> dict:
    source, corpus = work / "mcp-repo", work / "mcp-corpus"
    make_repo(source, modules)
    kc("build", str(source), "--out", str(corpus), "--no-index", "-q", check=True)
    return {"stdio": mcp_stdio(corpus, count), "http": mcp_http(corpus, count)}


# ---- (e) concurrent builds into one --out -------------------------------------------------------


def concurrent(work: Path, builds: int, modules: int) -> dict:
    source, out, reference = work / "conc-repo", work / "conc-corpus", work / "conc-ref"
    make_repo(source, modules)
    kc("build", str(source), "--out", str(reference), "--no-index", "-q", check=True)
    expected = tree(reference)
    rounds = {}
    for mode in ("wait", "no-wait"):
        flags = ["--no-wait"] if mode == "no-wait" else []
        procs = [
            subprocess.Popen(
                [*KC, "build", str(source), "--out", str(out), "--no-index", "--force", "-q", *flags],
                env=ENV,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(builds)
        ]
        results = [(p.wait(timeout=900), p.stderr.read()) for p in procs]
        ok = sum(code == 0 for code, _ in results)
        clear = sum(code == 2 and "Traceback" not in err and "--no-wait" in err for code, err in results)
        failed = builds - ok - (clear if mode == "no-wait" else 0)
        rounds[mode] = {"builds": builds, "succeeded": ok, "clear_refusals": clear, "failures": failed}
        rounds[mode]["corrupt"] = int(tree(out) != expected)
        rounds[mode]["sample_error"] = next((err[-300:] for code, err in results if code != 0), "")
    return rounds


# ---- the table ----------------------------------------------------------------------------------


def table(results: dict) -> str:
    rows = []
    if "hostile" in results:
        h = results["hostile"]
        rows.append(
            (
                "hostile tree",
                f"{h['files']} files",
                f"{h['crashes']} crashes, {h['hangs']} hangs, {h['seconds']} s, peak {h['peak_mb']} MB, "
                f"fresh after: {h['check_fresh']}",
                h["crashes"] == h["hangs"] == 0 and h["check_fresh"],
            )
        )
        rows.append(
            (
                "  diagnostics",
                f"{h['diagnostics']}",
                f"{h['with_line']} with path:line, {h['internal_errors']} internal errors",
                h["internal_errors"] == 0,
            )
        )
        skipped = ", ".join(f"{n} {reason}" for reason, n in h["skipped_by_reason"].items())
        unreadable = "" if h["unreadable_dir_testable"] else "; the unreadable folder is readable to root"
        rows.append(("  skipped", f"{sum(h['skipped_by_reason'].values())}", skipped + unreadable, None))
    if "kills" in results:
        k = results["kills"]
        rows.append(
            (
                "kill -9 during build",
                f"{k['build_kills']} kills ({k['killed_mid_build']} mid-build)",
                f"{k['corrupt_corpora']} corrupt, {k['check_failures']} check failures, recovered: {k['recovered']}",
                # a kill that lands after the build finished tests nothing: at least half must land inside one
                k["corrupt_corpora"] == k["check_failures"] == 0
                and k["recovered"]
                and 2 * k["killed_mid_build"] >= k["build_kills"],
            )
        )
        rows.append(
            (
                "kill -9 during index",
                f"{k['index_kills']} kills ({k['killed_mid_index']} mid-index; an update takes {k['index_seconds']} s)",
                f"{k['corrupt_indexes']} corrupt, {k['search_failures']} search failures, recovered: {k['index_recovered']}",
                k["corrupt_indexes"] == 0 and k["index_recovered"] and 2 * k["killed_mid_index"] >= k["index_kills"],
            )
        )
    if "secrets" in results:
        s = results["secrets"]
        result = s.get("missing") or f"{s.get('leaked')} leaked"
        rows.append(("secrets corpus", f"{s.get('planted')} planted", result, s.get("leaked") == 0))
    if "mcp" in results:
        for transport in ("stdio", "http"):
            m = results["mcp"][transport]
            rows.append(
                (
                    f"malformed MCP ({transport})",
                    f"{m['sent']} requests",
                    f"{m['answered']} answered, alive: {m['alive']}, {m['tracebacks']} tracebacks",
                    m["answered"] == m["sent"] and m["alive"] and m["tracebacks"] == 0,
                )
            )
    if "concurrent" in results:
        for mode, c in results["concurrent"].items():
            rows.append(
                (
                    f"concurrent builds ({mode})",
                    f"{c['builds']} at once",
                    f"{c['succeeded']} built, {c['clear_refusals']} refused clearly, {c['failures']} failed, {c['corrupt']} corrupt",
                    c["failures"] == c["corrupt"] == 0,
                )
            )
    for part, reason in results.get("skipped", {}).items():
        rows.append((part, "-", f"skipped ({reason})", None))
    head = ("check", "size", "result", "pass")
    cells = [head, *[(a, b, c, "-" if ok is None else ("yes" if ok else "NO")) for a, b, c, ok in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    line = lambda row: "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells[1:])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="files in the hostile tree")
    parser.add_argument("--build-timeout", type=float, default=900, help="seconds before a hostile build is a hang")
    parser.add_argument("--kills", type=int, default=20, help="kill -9s during kc build")
    parser.add_argument("--index-kills", type=int, default=5, help="kill -9s during kc index")
    parser.add_argument("--modules", type=int, default=300, help="modules of the generated repository for kills")
    parser.add_argument("--mcp", type=int, default=1000, help="malformed MCP requests per transport")
    parser.add_argument("--concurrent", type=int, default=4, help="builds at once into one --out")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=PARTS,
        metavar="NAME",
        help=f"leave out a part: {', '.join(PARTS)}",
    )
    parser.add_argument(
        "--only", action="append", default=[], choices=PARTS, metavar="NAME", help="run only these parts"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    work = Path(os.environ.get("KC_BENCH_WORK", "/tmp/kc-bench")) / "robustness"
    if work.exists():
        for locked in work.glob("hostile/locked"):
            os.chmod(locked, 0o755)
        shutil.rmtree(work)
    work.mkdir(parents=True)
    chosen = [p for p in PARTS if p not in args.skip and (not args.only or p in args.only)]
    results: dict = {"skipped": {p: "--skip" for p in args.skip}}
    runs = {
        "hostile": lambda: hostile(work, args.files, args.build_timeout),
        "kills": lambda: kills(work, args.kills, args.index_kills, args.modules),
        "secrets": lambda: secrets(work),
        "mcp": lambda: mcp(work, args.mcp, 20),
        "concurrent": lambda: concurrent(work, args.concurrent, 60),
    }
    for part in chosen:
        started = time.monotonic()
        results[part] = runs[part]()
        print(f"{part}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
