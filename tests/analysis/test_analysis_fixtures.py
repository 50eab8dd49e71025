"""The real front end on the fixture repositories, then the analysis."""

from __future__ import annotations

from pathlib import Path

from compiler.analysis import analyze
from compiler.config import Settings
from compiler.model import FileFacts

REPOS = Path(__file__).parents[1] / "fixtures" / "repos"


def fixture_facts(name: str) -> list[FileFacts]:
    """Scan and parse a fixture repository with the project's own front end."""
    import compiler.frontend as frontend
    from compiler.frontend.scan import read_source, scan

    root = REPOS / name
    result = scan(root, Settings())
    facts = []
    for source in result.files:
        text = read_source(root, source).decode("utf-8", errors="replace")
        if hasattr(frontend, "parse_file"):
            facts.append(frontend.parse_file(source, text))
        elif source.language == "python":  # until the dispatcher lands: the Python front end alone
            from compiler.frontend.python import parse_python

            facts.append(parse_python(source, text, {s.path for s in result.files}))
    return facts


def needs_parse_file():
    """The front end these tests run (kept as a call site so the fixtures read as before)."""
    from compiler.frontend import parse_file  # noqa: F401


def by_id(analysis):
    return {c.id: c for c in analysis.concepts}


def owner(analysis, symbol_id):
    return next(s.concept for s in analysis.symbols if s.id == symbol_id)


def test_pyapp_without_notes_groups_retries_auth_and_client():
    analysis = analyze(fixture_facts("pyapp"))
    concepts = by_id(analysis)
    transport = owner(analysis, "minihttp.transport.Transport")
    assert owner(analysis, "minihttp.transport.should_retry") == transport
    assert owner(analysis, "minihttp.transport.backoff_delay") == transport
    assert concepts[transport].title == "Transport"
    auth = owner(analysis, "minihttp.auth.BasicAuth")
    assert owner(analysis, "minihttp.auth.BearerAuth") == auth
    assert concepts[auth].title == "Authentication"
    client = owner(analysis, "minihttp.client.Client")
    # the README teaches the Client first; what it is built on (its transport) comes after it
    path = analysis.learning_path
    assert transport in concepts[client].prerequisites + concepts[client].related
    assert path.index(client) < path.index(transport)
    assert auth in concepts[client].prerequisites + concepts[client].related
    assert "minihttp.cli.main" in analysis.entry_points


def test_pyapp_with_its_concepts_md():
    notes = (REPOS / "pyapp" / "CONCEPTS.md").read_text(encoding="utf-8")
    analysis = analyze(fixture_facts("pyapp"), notes_text=notes)
    concepts = by_id(analysis)
    assert concepts["retries"].title == "Retries and backoff"
    assert concepts["retries"].summary_source == "author"
    assert concepts["retries"].prerequisites == ("configuration", "requests")
    assert "minihttp.transport.should_retry" in concepts["retries"].members
    assert owner(analysis, "minihttp.models.Request") == "requests"
    client = owner(analysis, "minihttp.client.Client")
    assert "retries" in concepts[client].prerequisites
    position = {cid: i for i, cid in enumerate(analysis.learning_path)}
    assert position["configuration"] < position["retries"] < position[client]
    # 'related: errors' names the computed errors concept
    assert "errors" in concepts["retries"].related
    assert not [d for d in analysis.diagnostics if d.severity == "warning"]


def test_jsapp_routing():
    needs_parse_file()
    analysis = analyze(fixture_facts("jsapp"))
    edges = {(e.source, e.target, e.kind) for e in analysis.edges}
    assert any(s.startswith("lib.application") and t.startswith("lib.router.index") for s, t, _ in edges)
    router = owner(analysis, "lib.router.index.Router")
    layer_symbols = [s.id for s in analysis.symbols if s.path == "lib/router/layer.js" and s.kind != "module"]
    assert layer_symbols and all(owner(analysis, sid) == router for sid in layer_symbols)  # lib/router/ is one concept
    assert by_id(analysis)[router].title == "Router"
    # ``exports.Router = function createRouter`` does not shadow the imported Router
    calls = {(e.source, e.target) for e in analysis.edges if e.kind == "calls"}
    assert ("lib.application.createApp", "lib.router.index.Router") in calls
    assert ("lib.router.index.Router.use", "lib.router.layer.Layer") in calls


def test_goapp_store_and_wal():
    needs_parse_file()
    analysis = analyze(fixture_facts("goapp"))
    imports = {(e.source, e.target) for e in analysis.edges if e.kind == "imports"}
    wal_module = next(s.id for s in analysis.symbols if s.path == "internal/wal/wal.go" and s.kind == "module")
    assert any(t == wal_module or t.startswith(wal_module + ".") for _, t in imports)
    store = next(s for s in analysis.symbols if s.path == "kvstore.go" and s.name == "Store")
    wal = next(s for s in analysis.symbols if s.path == "internal/wal/wal.go" and s.name == "Log")
    concepts = by_id(analysis)
    assert store.concept != wal.concept
    # the README teaches the store; its write-ahead log is what it is built on, learnt after it
    assert wal.concept in concepts[store.concept].prerequisites + concepts[store.concept].related
    assert analysis.learning_path.index(store.concept) < analysis.learning_path.index(wal.concept)
    assert any(sid.endswith("main") for sid in analysis.entry_points)
    calls = {(e.source, e.target) for e in analysis.edges if e.kind == "calls"}
    new = next(s.id for s in analysis.symbols if s.path == "kvstore.go" and s.name == "New")
    main = next(s.id for s in analysis.symbols if s.path == "cmd/kvstore/main.go" and s.name == "main")
    assert (main, new) in calls  # "example.com/kvstore" is the repository's root package
