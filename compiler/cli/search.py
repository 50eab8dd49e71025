"""``kc index`` and ``kc search``: argument parsing and printing only (imports stay light)."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    index = subparsers.add_parser(
        "index",
        help="build or refresh the search index of a corpus (only new or changed chunks are embedded)",
        description="Build or refresh the search index of a corpus. Only new or changed chunks are embedded.",
    )
    index.add_argument("--corpus", default="corpus", metavar="DIR", help="corpus directory (default: ./corpus)")
    index.add_argument(
        "--chroma-url",
        default=None,
        metavar="URL",
        help="shared Chroma server, e.g. http://127.0.0.1:8000 (env KC_CHROMA_URL)",
    )
    index.add_argument(
        "--model",
        default=None,
        metavar="PATH",
        help="sentence-transformers model folder (default: bundled all-MiniLM-L6-v2)",
    )
    index.set_defaults(func=run_index)

    search = subparsers.add_parser(
        "search",
        help="search a corpus in plain words",
        description="Search a corpus in plain words; prints where to look (file, symbol, lines) best first.",
    )
    search.add_argument("query", metavar="QUERY", help="what you are looking for, in your own words")
    search.add_argument("--corpus", default="corpus", metavar="DIR", help="corpus directory (default: ./corpus)")
    search.add_argument("-k", type=int, default=10, metavar="N", help="number of hits (default: 10)")
    search.add_argument("--json", action="store_true", help="print a JSON array of hits")
    search.add_argument(
        "--chroma-url", default=None, metavar="URL", help="query a shared Chroma server (env KC_CHROMA_URL)"
    )
    search.add_argument("--model", default=None, metavar="PATH", help="must be the model the index was built with")
    search.set_defaults(func=run_search)


def _settings(args: argparse.Namespace):
    from compiler.config import load_settings

    return load_settings(None, chroma_url=args.chroma_url, model_path=args.model)


def run_index(args: argparse.Namespace) -> int:
    from compiler.index import index_corpus

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "embed":
            print(f"\rkc: embedding {done}/{total} chunks", end="", file=sys.stderr, flush=True)
            if done >= total:
                print(file=sys.stderr)

    stats = index_corpus(args.corpus, _settings(args), progress=progress if sys.stderr.isatty() else None)
    print(f"indexed {stats.chunks} chunks: {stats.embedded} embedded, {stats.deleted} removed in {stats.seconds:.1f}s")
    return 0


def run_search(args: argparse.Namespace) -> int:
    from compiler.index.hits import hit_to_json
    from compiler.index.search import Searcher

    if args.k < 1:
        print("kc: error: -k must be at least 1", file=sys.stderr)
        return 2
    hits = Searcher(args.corpus, _settings(args)).search(args.query, k=args.k)
    if args.json:
        print(json.dumps([hit_to_json(h) for h in hits], indent=1, ensure_ascii=False))
        return 0
    if not hits:
        print(f"no hits for {args.query!r}")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"kc search: {args.query}", show_lines=False, expand=False)
    table.add_column("#", justify="right", style="bold")
    table.add_column("where", style="cyan", no_wrap=True)
    table.add_column("symbol / title", style="green", overflow="fold")
    table.add_column("what", overflow="fold")
    for hit in hits:
        where = f"{hit.path}:{hit.lines[0]}-{hit.lines[1]}" if hit.lines else hit.path
        name = hit.symbol or hit.title
        if hit.kind == "concept":
            name = f"{hit.title} (concept) → {hit.symbol}" if hit.symbol else f"{hit.title} (concept)"
        table.add_row(str(hit.rank), where, name, hit.snippet)
    Console().print(table)
    return 0
