"""``analyze()`` end to end: author notes win, diagnostics, learning path, determinism."""

from __future__ import annotations

import random
from dataclasses import replace

from compiler.analysis import analyze
from compiler.model import Core, SourceInfo
from kctest.factkit import FileBuilder, minihttp

NOTES = """# Concepts of minihttp

## Retries and backoff
id: retries
files: minihttp/transport.py
symbols: minihttp.transport.should_retry, Transport.send
requires: configuration, Requests and responses
related: errors

The transport treats a failed connection as something that may heal.

`should_retry` decides; `backoff_delay` spaces attempts out.

## Requests and responses
id: requests
symbols: minihttp.models.Request, minihttp.models.Response

A `Request` is built once and then only decorated.

## Configuration

Settings are layered: defaults, file, environment.

## Phantom
files: src/phantom.py
symbols: minihttp.nothing_here
requires: warp-drive
"""


def by_id(analysis):
    return {c.id: c for c in analysis.concepts}


def test_author_notes_win_title_summary_members_and_prerequisites():
    analysis = analyze(minihttp(), notes_text=NOTES)
    concepts = by_id(analysis)
    retries = concepts["retries"]
    assert retries.title == "Retries and backoff"
    assert retries.summary == "The transport treats a failed connection as something that may heal."
    assert retries.summary_source == "author"
    assert "`backoff_delay` spaces attempts out" in retries.body
    assert "minihttp.transport.should_retry" in retries.members
    assert "minihttp.transport.Transport" in retries.members
    assert retries.files == ("minihttp/transport.py",)
    # requires: by id and by title, in the author's order
    assert retries.prerequisites == ("configuration", "requests")
    assert "errors" in retries.related
    requests = concepts["requests"]
    assert set(requests.members) == {
        "minihttp.models.Request",
        "minihttp.models.Request.build",
        "minihttp.models.Request.with_header",
        "minihttp.models.Response",
        "minihttp.models.Response.json",
        "minihttp.models.Response.raise_for_status",
        "minihttp.models.Response.header",
    }
    # Headers was not claimed by the note: the compiler places it in a concept of its own making
    headers = next(s for s in analysis.symbols if s.id == "minihttp.models.Headers")
    assert headers.concept not in (None, "requests")
    # a note that names no code adopts the computed concept it names, keeping the author's words
    configuration = concepts["configuration"]
    assert "minihttp.config.load_settings" in configuration.members
    assert configuration.summary == "Settings are layered: defaults, file, environment."
    assert len([c for c in analysis.concepts if "minihttp.config.load_settings" in c.members]) == 1
    # every symbol records the concept it landed in
    owner = {s.id: s.concept for s in analysis.symbols}
    for concept in analysis.concepts:
        assert all(owner[m] == concept.id for m in concept.members)


def test_unknown_names_in_notes_are_warnings_with_lines_never_errors():
    analysis = analyze(minihttp(), notes_text=NOTES)
    found = {(d.path, d.line, d.code) for d in analysis.diagnostics}
    assert ("CONCEPTS.md", 25, "unknown-file") in found
    assert ("CONCEPTS.md", 26, "unknown-symbol") in found
    assert ("CONCEPTS.md", 27, "unknown-concept") in found
    assert ("CONCEPTS.md", 24, "concept-without-code") in found  # Phantom: nothing it names exists
    assert all(d.severity in ("warning", "info") for d in analysis.diagnostics)
    assert any("warp-drive" in d.message for d in analysis.diagnostics)


def test_contradicting_requires_are_dropped_with_a_warning():
    notes = "## A\nid: a\nfiles: minihttp/client.py\nrequires: b\n\n## B\nid: b\nfiles: minihttp/auth.py\nrequires: a\n"
    analysis = analyze(minihttp(), notes_text=notes)
    concepts = by_id(analysis)
    assert concepts["a"].prerequisites == ("b",)
    assert "a" not in concepts["b"].prerequisites
    assert [(d.line, d.code) for d in analysis.diagnostics] == [(9, "prerequisite-cycle")]


def test_learning_path_respects_prerequisites_and_importance():
    analysis = analyze(minihttp(), notes_text=NOTES)
    path = analysis.learning_path
    assert sorted(path) == sorted(c.id for c in analysis.concepts)
    position = {cid: i for i, cid in enumerate(path)}
    for concept in analysis.concepts:
        for prerequisite in concept.prerequisites:
            assert position[prerequisite] < position[concept.id]
    assert position["configuration"] < position["retries"] and position["requests"] < position["retries"]
    assert path.index("tests") > max(position[c.id] for c in analysis.concepts if c.id not in ("tests", "phantom"))


def test_entry_points_description_files_and_symbols():
    analysis = analyze(minihttp())
    assert set(analysis.entry_points) >= {"minihttp", "minihttp.cli", "minihttp.cli.main"}
    importance = {s.id: s.importance for s in analysis.symbols}
    ranks = [importance[e] for e in analysis.entry_points]
    assert ranks == sorted(ranks, reverse=True)
    assert analysis.description == "A tiny HTTP client with retries, exponential backoff and pluggable authentication."
    files = {f.path: f for f in analysis.files}
    assert files["minihttp/transport.py"].doc == "Sends requests and retries failed connections with backoff."
    assert max(f.importance for f in analysis.files) == 1.0
    assert files["README.md"].module == "" and files["README.md"].importance == 0.0
    assert max(s.importance for s in analysis.symbols) == 1.0
    cli_concept = next(c for c in analysis.concepts if "minihttp.cli.main" in c.members)
    assert "minihttp.cli.main" in cli_concept.entry_points


def test_description_falls_back_to_the_package_docstring():
    facts = [f for f in minihttp() if f.path != "README.md"]
    assert analyze(facts).description == "minihttp: a tiny HTTP client with retries."
    bare = FileBuilder("x.py", "x")
    bare.func("f")
    assert analyze([bare.facts()]).description == "A python codebase of 1 source file."


def test_analysis_is_deterministic_across_runs_and_input_order():
    facts = minihttp()
    first = analyze(facts, notes_text=NOTES)
    second = analyze(list(facts), notes_text=NOTES)
    shuffled = list(facts)
    random.Random(7).shuffle(shuffled)
    # the order of symbols, imports and calls inside a file does not matter either
    shuffled = [
        replace(
            f, symbols=tuple(reversed(f.symbols)), calls=tuple(reversed(f.calls)), imports=tuple(reversed(f.imports))
        )
        for f in shuffled
    ]
    third = analyze(shuffled, notes_text=NOTES)
    assert first == second == third

    def core_json(analysis):
        return Core(
            source=SourceInfo(name="minihttp", commit=None, description=analysis.description),
            files=analysis.files,
            symbols=analysis.symbols,
            edges=analysis.edges,
            concepts=analysis.concepts,
            learning_path=analysis.learning_path,
            entry_points=analysis.entry_points,
            diagnostics=analysis.diagnostics,
        ).to_json()

    assert core_json(first) == core_json(third)
    assert Core.from_json(core_json(first)).concepts == first.concepts  # survives the round trip


def test_empty_and_odd_input_does_not_crash():
    empty = analyze([])
    assert empty.concepts == () and empty.learning_path == () and empty.symbols == ()
    notes_only = analyze([], notes_text="## Lonely\n\nNo code at all.\n")
    assert [c.id for c in notes_only.concepts] == ["lonely"]
    assert notes_only.concepts[0].summary_source == "author"
    assert analyze(minihttp(), notes_text="just prose, no headings").diagnostics == ()


def test_output_does_not_depend_on_the_hash_seed(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED; the analysis must not."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "run.py"
    script.write_text(
        "import hashlib, json, sys\n"
        "from kctest.factkit import minihttp\n"
        "from test_analysis_analyze import NOTES\n"
        "from compiler.analysis import analyze\n"
        "from compiler.model import Core, SourceInfo\n"
        "a = analyze(minihttp(), notes_text=NOTES)\n"
        "core = Core(SourceInfo('m', None), a.files, a.symbols, a.edges, a.concepts, a.learning_path, a.entry_points,"
        " diagnostics=a.diagnostics)\n"
        "print(hashlib.sha256(core.to_json().encode()).hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "2", "3"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(Path(__file__).parents[1])]),
        }
        result = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(__file__).parents[2],
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1
