"""``kc build`` and ``kc check``: argument wiring over ``compiler.build`` and ``compiler.freshness``."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    build = sub.add_parser("build", help="compile a repository into a corpus (and index it); incremental")
    build.add_argument("source", nargs="?", default=".", help="repository root (default: .)")
    build.add_argument("--out", help="corpus directory (default: SOURCE/corpus)")
    build.add_argument("--no-index", action="store_true", help="skip the search index")
    build.add_argument("--llm", choices=["none", "anthropic", "openai"], help="LLM concept summaries (default: none)")
    build.add_argument("--force", action="store_true", help="rebuild even when the corpus is fresh")
    build.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    build.add_argument(
        "--no-wait", action="store_true", help="fail at once when another build is writing the same --out"
    )
    build.set_defaults(func=run_build)

    check = sub.add_parser("check", help="exit 1 if the corpus is stale against the source")
    check.add_argument("source", nargs="?", default=".", help="repository root (default: .)")
    check.add_argument("--corpus", help="corpus directory (default: SOURCE/corpus)")
    check.set_defaults(func=run_check)


def run_build(args: argparse.Namespace) -> int:
    from compiler.build import build
    from compiler.config import load_settings
    from compiler.progress import progress_bars

    settings = load_settings(args.source, llm=args.llm)
    quiet = args.quiet or not sys.stderr.isatty()
    with progress_bars(enabled=not quiet) as progress:
        result = build(
            args.source,
            args.out,
            settings=settings,
            index=not args.no_index,
            force=args.force,
            progress=progress,
            wait=not args.no_wait,
            on_wait=lambda message: print(message, file=sys.stderr, flush=True),
        )
    if result.up_to_date:
        print(f"{result.corpus}: up to date ({result.files} files unchanged)")
    else:
        core = result.core
        errors = sum(1 for d in core.diagnostics if d.severity == "error")
        print(
            f"{result.corpus}: {len(core.files)} files ({result.parsed} parsed, {result.reused} cached), "
            f"{len(core.symbols)} symbols, {len(core.concepts)} concepts, "
            f"{len(core.diagnostics)} diagnostics ({errors} errors), {len(core.skipped)} skipped, "
            f"{len(core.redactions)} redactions"
            + (" (structure unchanged: the previous corpus was patched)" if result.patched else "")
        )
        for diagnostic in core.diagnostics[:10]:
            print(f"  {diagnostic}", file=sys.stderr)
        if len(core.diagnostics) > 10:
            print(f"  … {len(core.diagnostics) - 10} more in {result.corpus}/build-report.json", file=sys.stderr)
    if result.index_stats is not None:
        stats = result.index_stats
        print(
            f"index: {getattr(stats, 'chunks', '?')} chunks, {getattr(stats, 'embedded', '?')} embedded, {getattr(stats, 'deleted', '?')} deleted"
        )
    if not quiet:
        timing = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in result.timings.items())
        print(f"time: {timing}", file=sys.stderr)
    return 0


def run_check(args: argparse.Namespace) -> int:
    from compiler.freshness import check

    stale = check(args.source, args.corpus)
    if not stale:
        print("corpus is fresh")
        return 0
    print(f"corpus is stale: {len(stale)} change(s) since it was built; run 'kc build {args.source}'")
    for line in stale:
        print(f"  {line}")
    return 1
