"""The front end: source files in, facts out.

``scan`` lists the files worth compiling (``scan.py``); ``parse_file`` turns one file into
``FileFacts``. For every file, in this order:

1. ``decode_source``: bytes to text (BOM, PEP 263 coding cookie, else UTF-8), or an
   ``encoding-error`` diagnostic naming the line of the first bad byte;
2. ``secrets.scan_text``: every credential replaced by ``<redacted:RULE>`` (rules as data in
   ``secret_rules.py``; ``.env`` files left out whole), so no parser, docstring or excerpt ever sees a secret;
3. the parser for the language: ``python.py`` (ast), ``treesitter/`` (JavaScript,
   TypeScript, TSX, Go), ``markdown.py`` and ``rst.py`` (sections); other text files keep only their hash;
4. with ``excerpt_lines``, ``excerpts.py`` cuts each symbol's excerpt from that redacted text.

``parse_file`` never raises: anything unexpected becomes an ``internal-error`` diagnostic.
"""

from __future__ import annotations

import codecs
import gc
import re
from collections.abc import Set
from dataclasses import replace

from compiler.frontend.scan import ScanResult, scan
from compiler.model import Diagnostic, FileFacts, SourceFile

__all__ = ["ScanResult", "decode_source", "parse_file", "scan"]

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_source(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """Text of a file: a BOM or (for Python) a PEP 263 coding cookie decides, else UTF-8.

    Returns ``(text, None)``, or ``(None, diagnostic)`` when the bytes are not valid in
    that encoding; the diagnostic names the line of the first bad byte.
    """
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    else:
        if path.endswith((".py", ".pyi")):
            encoding = _coding_cookie(data) or "utf-8"
    try:
        return data.decode(encoding), None
    except LookupError:
        return None, Diagnostic(
            path,
            1,
            "error",
            "encoding-error",
            f"unknown encoding {encoding!r} in the coding declaration; use a codec Python knows (e.g. utf-8)",
        )
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Diagnostic(
            path,
            line,
            "error",
            "encoding-error",
            f"byte 0x{data[exc.start]:02x} at column {column} is not valid {encoding}; "
            "save the file as UTF-8 (or declare its encoding with a '# -*- coding: ... -*-' line)",
        )


def _coding_cookie(data: bytes) -> str | None:
    """The PEP 263 encoding declared on line 1 or 2 (line 2 only counts when line 1 is a comment/blank)."""
    lines = data.split(b"\n", 2)[:2]
    for index, line in enumerate(lines):
        match = _COOKIE.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
        if index == 0 and line.strip() and not line.lstrip().startswith(b"#"):
            return None
    return None


def parse_file(
    source: SourceFile, data: bytes | str, *, repo_paths: Set[str] = frozenset(), excerpt_lines: int | None = None
) -> FileFacts:
    """Facts of one file. Never raises: a problem becomes a diagnostic in the facts.

    Args:
        source: the scanned file (its ``language`` picks the parser).
        data: the file's bytes (text is accepted too, and taken as already decoded).
        repo_paths: every scanned path; lets Python module ids tell whether ``src/`` is a package.
        excerpt_lines: when set, each symbol carries an excerpt of at most this many lines, cut
            from the redacted text the parser saw (``excerpts.py``); when None, no excerpts.
    """
    # Parsing allocates millions of short-lived, acyclic objects (AST nodes, tree-sitter nodes);
    # with the cyclic GC on, that churn makes it rescan every fact the build already holds,
    # which doubles the cost of a 13,000-file build. Nothing made here forms a cycle, so
    # reference counting frees it all and the collector can rest for the duration.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(source, data, repo_paths, excerpt_lines)
    except Exception as exc:  # a bug in a parser must not stop the build
        return _empty(
            source,
            Diagnostic(
                source.path,
                None,
                "error",
                "internal-error",
                f"kc could not process {source.path}: {type(exc).__name__}: {exc}; "
                "the file was left out (please report this with the file attached)",
            ),
        )
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse(source: SourceFile, data: bytes | str, repo_paths: Set[str], excerpt_lines: int | None) -> FileFacts:
    if isinstance(data, bytes):
        text, problem = decode_source(data, source.path)
        if text is None:
            return _empty(source, problem)
    else:
        text = data
    if "\r" in text and (source.language == "markdown" or source.path.lower().endswith(".rst")):
        text = _LONE_CR.sub("\n", text)  # old Mac line ends: markdown-it reads them as lines, so must we
    from compiler.frontend.secrets import scan_text

    secret_scan = scan_text(source.path, text)
    redactions = tuple(secret_scan.redactions)
    if secret_scan.exclude_file:
        return replace(_empty(source, None), redactions=redactions)
    clean = secret_scan.clean_text
    language = source.language
    if language == "python":
        from compiler.frontend.python import parse_python

        facts = parse_python(source, clean, repo_paths)
    elif language in ("javascript", "typescript", "tsx", "go"):
        from compiler.frontend.treesitter import parse_treesitter

        facts = parse_treesitter(source, clean)
    elif language == "markdown":
        from compiler.frontend.markdown import parse_markdown

        facts = parse_markdown(source, clean)
    elif source.path.lower().endswith(".rst"):
        from compiler.frontend.rst import parse_rst

        facts = parse_rst(source, clean)
    elif source.path.rsplit("/", 1)[-1].lower() in ("mkdocs.yml", "mkdocs.yaml"):
        from compiler.frontend.mkdocs import parse_mkdocs

        facts = parse_mkdocs(source, clean)
    else:
        facts = FileFacts(
            path=source.path, language=language, module="", lines=_line_count(clean), sha256=source.sha256
        )
    if redactions:
        facts = replace(facts, redactions=redactions)
    if excerpt_lines is not None:
        from compiler.frontend.excerpts import with_excerpts

        facts = with_excerpts(facts, clean, excerpt_lines)
    return facts


_LONE_CR = re.compile(r"\r(?!\n)")


def _empty(source: SourceFile, diagnostic: Diagnostic | None) -> FileFacts:
    return FileFacts(
        path=source.path,
        language=source.language,
        module="",
        lines=0,
        sha256=source.sha256,
        diagnostics=(diagnostic,) if diagnostic else (),
    )


def _line_count(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)
