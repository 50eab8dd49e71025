"""MCP server latency and context size, on a real corpus, through the SDK's in-memory client.

Prints two tables and writes them into the "MCP" section of bench/RESULTS.md:

1. p50 / p95 / max latency of each tool over N calls (default 200; target p95 <= 100 ms for all but
   explain), arguments cycling over the corpus's real concepts, symbols and queries;
2. tokens (characters / 4) of `overview` and of `get_concept` at each detail level, beside the tokens of
   the raw source files the same concept covers: the compression an agent gains over reading files.

    .venv/bin/python bench/mcp.py [--corpus DIR] [--source DIR] [--calls 200] [--no-index] [--no-write]

Corpus: this repository's corpus/ when present, else flask's sdist compiled into bench/work/mcp/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work" / "mcp"
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- mcp:start -->", "<!-- mcp:end -->"

# This file is named mcp.py: drop its folder from the import path so `import mcp` finds the SDK, not us.
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != HERE]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUERIES = [
    "how are requests routed to view functions",
    "blueprint registration",
    "application context",
    "session cookie signing",
    "error handler",
    "json response",
    "template rendering",
    "config from file",
    "test client",
    "url_for",
    "before request hooks",
    "static files",
    "cli command",
    "signals",
]


def tokens(text: str) -> int:
    return (len(text) + 3) // 4


def response_tokens(result) -> int:
    text = "".join(getattr(b, "text", "") for b in result.content)
    return tokens(text) + tokens(json.dumps(result.structured_content) if result.structured_content else "")


def text_tokens(result) -> int:
    return tokens("".join(getattr(b, "text", "") for b in result.content))


def pick_corpus(args) -> tuple[Path, Path | None, str]:
    """(corpus dir, source dir or None, how it was obtained)."""
    if args.corpus:
        return Path(args.corpus).resolve(), Path(args.source).resolve() if args.source else None, "given"
    own = REPO / "corpus"
    if (own / "core.json").is_file():
        return own, REPO, "this repository's corpus/"
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_sources", HERE / "sources.py")
    sources = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sources)
    source = sources.ensure_source("flask")
    out = WORK / f"{source.name}-corpus"
    from compiler.build import build

    started = time.perf_counter()
    result = build(source, out, index=not args.no_index)
    note = "up to date" if result.up_to_date else f"built in {time.perf_counter() - started:.1f}s"
    return out, source, f"{source.name} sdist, {note}, index {'off' if args.no_index else 'on'}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def call_plan(view, calls: int) -> dict[str, list[dict]]:
    """Arguments per tool, cycling over what this corpus really holds."""
    core = view.corpus.core
    concepts = [c.id for c in core.concepts] or ["none"]
    by_importance = sorted(core.symbols, key=lambda s: -s.importance)
    symbols = [s.id for s in by_importance[:100]] or ["none"]
    details = ["brief", "summary", "full", "code"]
    plan = {
        "search": [{"query": QUERIES[i % len(QUERIES)], "k": 8} for i in range(calls)],
        "get_concept": [
            {"id": concepts[i % len(concepts)], "detail": details[(i // len(concepts)) % 4]} for i in range(calls)
        ],
        "get_symbol": [{"name": symbols[i % len(symbols)]} for i in range(calls)],
        "learning_path": [{"goal": concepts[i % len(concepts)], "known": concepts[: i % 3]} for i in range(calls)],
        "overview": [{"max_tokens": (1000, 2000, 4000)[i % 3]} for i in range(calls)],
        "corpus_status": [{} for _ in range(calls)],
    }
    plan["explain"] = [
        {"question": QUERIES[i % len(QUERIES)], "level": ("novice", "intermediate", "expert")[i % 3]}
        for i in range(calls)
    ]
    return plan


async def measure(server, calls: int) -> tuple[list[tuple], dict, dict]:
    from mcp import Client

    view = server.kc_view
    rows = []
    startup = {}
    async with Client(server) as client:
        started = time.perf_counter()
        await client.call_tool("search", {"query": QUERIES[0]})
        startup["first search (opens the index, loads the query model)"] = time.perf_counter() - started
        started = time.perf_counter()
        await client.call_tool("explain", {"question": QUERIES[0]})
        startup["first explain"] = time.perf_counter() - started
        for tool, arguments in call_plan(view, calls).items():
            for warm in arguments[:3]:  # first calls load lazily (the embedding model for search)
                await client.call_tool(tool, warm)
            seconds, errors, sizes = [], 0, []
            for args in arguments:
                started = time.perf_counter()
                result = await client.call_tool(tool, args)
                seconds.append(time.perf_counter() - started)
                errors += bool(result.is_error)
                sizes.append(response_tokens(result))
            rows.append(
                (
                    tool,
                    len(seconds),
                    percentile(seconds, 0.5) * 1000,
                    percentile(seconds, 0.95) * 1000,
                    max(seconds) * 1000,
                    errors,
                    max(sizes),
                )
            )
        sizes = await context_sizes(client, view)
    return rows, sizes, startup


async def context_sizes(client, view) -> dict:
    """Tokens an agent reads through kc versus the raw files behind the same knowledge."""
    core = view.corpus.core
    source = view.source
    raw_file_tokens = {}
    if source is not None:
        for info in core.files:
            # the benchmark (not the server) reads the source, to size what an agent would otherwise read
            path = source / info.path
            if path.is_file():
                raw_file_tokens[info.path] = tokens(path.read_text(encoding="utf-8", errors="replace"))
    overview = {}
    for budget in (1500, 8000):
        result = await client.call_tool("overview", {"max_tokens": budget})
        overview[budget] = (text_tokens(result), response_tokens(result), result.structured_content["truncated"])
    concepts = []
    for concept in sorted(core.concepts, key=lambda c: -c.importance):
        levels = {}
        for detail in ("brief", "summary", "full", "code"):
            first = await client.call_tool("get_concept", {"id": concept.id, "detail": detail})
            total, pages, page = text_tokens(first), 1, first.structured_content["paging"]["next_page"]
            while page:
                more = await client.call_tool("get_concept", {"id": concept.id, "detail": detail, "page": page})
                total += text_tokens(more)
                pages += 1
                page = more.structured_content["paging"]["next_page"]
            levels[detail] = (total, pages)
        raw = sum(raw_file_tokens.get(p, 0) for p in concept.files)
        concepts.append((concept.id, len(concept.members), len(concept.files), levels, raw))
    return {
        "overview": overview,
        "concepts": concepts,
        "repo_raw": sum(raw_file_tokens.values()),
        "files": len(core.files),
        "symbols": len(core.symbols),
    }


def render(corpus_note: str, corpus: Path, server, rows, sizes, startup: dict, calls: int) -> str:
    view = server.kc_view
    core = view.corpus.core
    out = [
        f"Corpus: {core.source.name} ({corpus_note}): {sizes['files']} files, {sizes['symbols']} symbols, "
        f"{len(core.concepts)} concepts. Search backend: {view.retriever.backend}. "
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other work (load average "
        f"{os.getloadavg()[0]:.1f} at the end of the run), Python {platform.python_version()}. "
        f"In-memory client (SDK `Client(server)`), {calls} calls per tool after 3 warm-up calls.",
        "",
        "### Latency per tool",
        "",
        "| tool | calls | p50 ms | p95 ms | max ms | errors | largest response (tokens) | p95 ≤ 100 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    out.insert(
        -2,
        "Latency is wall time per `call_tool` through the client (validation, the tool, the text block and "
        "structured content). Largest response = text block + structured copy, the whole message.\n",
    )
    for tool, n, p50, p95, worst, errors, largest in rows:
        target = "n/a (explain)" if tool == "explain" else ("yes" if p95 <= 100 else "**no**")
        out.append(f"| {tool} | {n} | {p50:.1f} | {p95:.1f} | {worst:.1f} | {errors} | {largest} | {target} |")
    out.append(
        "\nOne-off costs, not in the table: "
        + "; ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in startup.items())
        + "."
    )
    ov = sizes["overview"]
    out += [
        "",
        "### Context size (tokens = characters / 4)",
        "",
        f"Raw source of the whole repository (every compiled file): {sizes['repo_raw']:,} tokens. "
        f"`overview` (default max_tokens=1500): {ov[1500][0]:,} tokens of text ({ov[1500][1]:,} with its "
        f"structured copy), {sizes['repo_raw'] / max(ov[1500][0], 1):,.0f}× less than the raw source; at "
        f"max_tokens=8000: {ov[8000][0]:,} ({'truncated' if ov[8000][2] else 'complete'}).",
        "",
        "`get_concept` text tokens per detail level (all pages for `code`) beside the raw files of the concept:",
        "",
        "| concept | members | files | brief | summary | full | code (pages) | raw files | raw / summary |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cid, members, files, levels, raw in sizes["concepts"]:
        ratio = f"{raw / levels['summary'][0]:.0f}×" if raw and levels["summary"][0] else "–"
        out.append(
            f"| `{cid}` | {members} | {files} | {levels['brief'][0]} | {levels['summary'][0]} | {levels['full'][0]} | "
            f"{levels['code'][0]} ({levels['code'][1]}) | {raw:,} | {ratio} |"
        )
    concepts = sizes["concepts"]
    if concepts:
        med = {d: statistics.median(c[3][d][0] for c in concepts) for d in ("brief", "summary", "full", "code")}
        raw_med = statistics.median(c[4] for c in concepts)
        out.append(
            f"| **median** | | | {med['brief']:.0f} | {med['summary']:.0f} | {med['full']:.0f} | {med['code']:.0f} | "
            f"{raw_med:,.0f} | {raw_med / med['summary']:.0f}× |"
            if med["summary"]
            else ""
        )
    out.append("")
    out.append("Reproduce: `.venv/bin/python bench/mcp.py`.")
    return "\n".join(out) + "\n"


def write_results(section: str) -> None:
    block = f"{START}\n{section}{END}\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Benchmark results\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    elif "\n## MCP\n" in text:
        text = text.replace("\n## MCP\n", "\n## MCP\n\n" + block, 1)
    else:
        text = text.rstrip("\n") + "\n\n## MCP\n\n" + block
    RESULTS.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", help="corpus directory (default: ./corpus, else flask compiled into bench/work/mcp)"
    )
    parser.add_argument("--source", help="its source tree (for corpus_status staleness and raw-file sizes)")
    parser.add_argument("--calls", type=int, default=200, help="calls per tool (default 200)")
    parser.add_argument("--no-index", action="store_true", help="build the flask corpus without a search index")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()

    import anyio

    from compiler.mcp import create_server

    corpus, source, note = pick_corpus(args)
    started = time.perf_counter()
    server = create_server(corpus, source=source)
    created = time.perf_counter() - started
    rows, sizes, startup = anyio.run(measure, server, args.calls)
    section = render(note, corpus, server, rows, sizes, {"create_server": created, **startup}, args.calls)
    print(section)
    if not args.no_write:
        write_results(section)
        print(f"wrote the MCP section of {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
