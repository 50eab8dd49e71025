"""``kc site``: build the static docs site of a corpus (MkDocs + Material, offline)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "site",
        help="build the static docs site of a corpus",
        description="Build the static docs site of a corpus with MkDocs (Material theme), in strict mode: "
        "home page with the concept map, learning path, concept pages, module reference, build report, "
        "llms.txt and a markdown twin of every page. The site makes no network request.",
    )
    parser.add_argument("--corpus", default="corpus", help="corpus directory (default: ./corpus)")
    parser.add_argument("--out", default="site", help="output directory, emptied first (default: ./site)")
    parser.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="keep going on warnings (broken links) instead of failing",
    )
    parser.set_defaults(func=run_site)


def run_site(args: argparse.Namespace) -> int:
    from compiler.backend.site import build_site

    result = build_site(args.corpus, args.out, strict=args.strict)
    for warning in result.warnings:
        print(f"kc: warning: {warning}")
    print(f"site: {result.pages} pages in {result.out} ({result.seconds:.1f} s); open {result.out / 'index.html'}")
    return 0
