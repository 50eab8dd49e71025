"""CONCEPTS.md: parsing the author's notes and resolving what they name."""

from __future__ import annotations

from compiler.analysis.graph import link
from compiler.analysis.notes import parse_notes, resolve_notes
from compiler.text import first_paragraph, plain_text, slugify
from kctest.factkit import minihttp

NOTES = """# Concepts

Intro prose that belongs to no concept.

## Retries and backoff
id: retries
files: minihttp/transport.py
symbols: minihttp.transport.should_retry, Transport.send
requires: configuration, Requests and responses
related: errors

The transport treats a failed connection as something that may heal.
It retries with backoff.

Second paragraph, still the body.

```text
## not a heading inside a fence
```

## Requests and responses

A `Request` is built once.

## Ghosts
files: nowhere/*.py, minihttp/models.py
symbols: Nope.nothing, apply
"""


def test_parse_headings_keys_body_and_summary():
    notes, diagnostics = parse_notes(NOTES)
    assert diagnostics == []
    assert [n.title for n in notes] == ["Retries and backoff", "Requests and responses", "Ghosts"]
    retries = notes[0]
    assert retries.id == "retries"
    assert retries.line == 5
    assert retries.files == ("minihttp/transport.py",)
    assert retries.symbols == ("minihttp.transport.should_retry", "Transport.send")
    assert retries.requires == ("configuration", "Requests and responses")
    assert retries.related == ("errors",)
    assert (
        retries.summary
        == "The transport treats a failed connection as something that may heal. It retries with backoff."
    )
    assert "Second paragraph" in retries.body and "## not a heading inside a fence" in retries.body
    assert retries.key_lines["symbols"] == 8
    assert notes[1].id == "requests-and-responses"  # id defaults to the slug of the title
    assert notes[1].summary == "A `Request` is built once."


def test_duplicate_ids_are_made_unique_with_a_warning():
    notes, diagnostics = parse_notes("## Routing\n\nOne.\n\n## Routing\n\nTwo.\n")
    assert [n.id for n in notes] == ["routing", "routing-2"]
    assert [(d.path, d.line, d.code) for d in diagnostics] == [("CONCEPTS.md", 5, "duplicate-concept")]


def test_resolve_files_globs_symbol_suffixes_and_report_unknowns():
    graph = link(minihttp())
    notes, _ = parse_notes(NOTES)
    resolved, diagnostics = resolve_notes(notes, [f.path for f in graph.files], graph.symbols)
    retries = resolved[0]
    assert retries.files == ("minihttp/transport.py",)
    assert "minihttp.transport.Transport.send" in retries.symbols
    assert "minihttp.transport.backoff_delay" in retries.symbols  # every symbol of the noted file
    ghosts = resolved[2]
    assert ghosts.files == ("minihttp/models.py",)
    found = {(d.line, d.code, d.severity) for d in diagnostics}
    assert (26, "unknown-file", "warning") in found  # nowhere/*.py
    assert (27, "unknown-symbol", "warning") in found  # Nope.nothing
    assert (27, "ambiguous-symbol", "warning") in found  # 'apply' is a method of three auth classes
    assert all(d.path == "CONCEPTS.md" for d in diagnostics)


def test_a_noted_class_brings_its_methods():
    graph = link(minihttp())
    notes, _ = parse_notes("## Auth\nsymbols: minihttp.auth.BasicAuth\n")
    resolved, diagnostics = resolve_notes(notes, [f.path for f in graph.files], graph.symbols)
    assert diagnostics == []
    assert resolved[0].symbols == ("minihttp.auth.BasicAuth", "minihttp.auth.BasicAuth.apply")


def test_helpers():
    assert slugify("Retries & Backoff!") == "retries-backoff"
    assert slugify("***") == "concept"
    assert (
        first_paragraph("# Title\n\n![badge](x.svg)\n\nFirst line\nsecond line.\n\nNext.") == "First line second line."
    )
    assert first_paragraph("Tagged JSON\n~~~~~~~~~~~\n\nA compact representation.") == "A compact representation."
    assert plain_text("A [WSGI](https://x) app, see [docs][1] and ![logo](l.png).") == "A WSGI app, see docs and ."
