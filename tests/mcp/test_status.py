"""corpus_status against a real source tree: fresh, then stale after an edit (through compiler.build.check)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kctest.corpus import REPO
from kctest.mcp_corpus import make_core, write_corpus
from kctest.mcp_process import run_with_client, text_of

build = pytest.importorskip("compiler.build")


def _corpus_for(source: Path, out: Path) -> Path:
    """The hand-built core, stamped with the real hashes and settings of ``source`` so it starts fresh."""
    from compiler.config import load_settings

    settings = load_settings(source)
    scanned = build.scan_stage(source, settings, out)
    core = make_core()
    core = replace(
        core,
        source=replace(
            core.source, files={f.path: f.sha256 for f in scanned.files}, config_hash=settings.output_hash()
        ),
    )
    return write_corpus(out, core, plant_outside=False)


def _status(corpus: Path, source: Path | None = None) -> dict:
    from compiler.mcp import create_server

    server = create_server(corpus, source=source)
    result = run_with_client(server, lambda c: c.call_tool("corpus_status", {}))
    assert not result.is_error, text_of(result)
    return result.structured_content


def test_fresh_then_stale_with_source_flag(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(REPO / "tests" / "fixtures" / "repos" / "pyapp", source)
    corpus = _corpus_for(source, tmp_path / "corpus")

    fresh = _status(corpus, source)
    assert (fresh["stale"], fresh["changed"], fresh["source_path_origin"]) == (False, [], "--source")

    (source / "minihttp" / "transport.py").write_text("# rewritten\n")
    (source / "minihttp" / "new_module.py").write_text("x = 1\n")
    stale = _status(corpus, source)
    assert stale["stale"] is True
    assert "minihttp/transport.py (changed)" in stale["changed"]
    assert "minihttp/new_module.py (added)" in stale["changed"]
    assert stale["changed_count"] == len(stale["changed"]) == 2
    assert "kc build" in stale["stale_note"]


def test_source_is_inferred_when_the_corpus_sits_inside_it(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(REPO / "tests" / "fixtures" / "repos" / "pyapp", source)
    corpus = _corpus_for(source, source / "corpus")
    status = _status(corpus)
    assert status["source_path_origin"] == "corpus parent"
    assert status["source_path"] == str(source.resolve())
    assert status["stale"] is False
