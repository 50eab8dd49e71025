"""The ``corpus_status`` tool's answer: what a corpus is, when it was built, and whether it is stale.

In: a ``compiler.service.CorpusView`` (and the ``--source`` the server was given). Out: ``schema.Answer``
with a ``StatusResult``. Staleness is ``compiler.freshness.check``, the same rule as ``kc check``.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from compiler.corpus import REPORT_FILE
from compiler.errors import KcError
from compiler.freshness import check
from compiler.mcp.paging import more_hint, paging, pick_page
from compiler.mcp.schema import REFS_PER_PAGE, Answer, StatusResult
from compiler.service import CorpusView


def status_answer(view: CorpusView, page: int = 1) -> Answer:
    """Source name, commit, build time, and whether the corpus is stale against its source."""
    core = view.corpus.core
    report = _read_report(view)
    built_at, built_source = _built_at(view, report)
    source, origin = _source_path(view, report)
    stale: bool | None = None
    changed: list[str] = []
    if source is None:
        note = "source not known: start the server with 'kc mcp --source DIR' to check staleness"
    else:
        try:
            changed = check(source, view.root, view.settings)
        except KcError as exc:
            note = f"staleness check failed: {exc}"
        else:
            stale = bool(changed)
            note = (
                f"{len(changed)} change(s) since the build; rebuild with 'kc build {source} --out {view.root}'"
                if changed
                else "fresh: the source matches the corpus"
            )
    pages = max(1, math.ceil(len(changed) / REFS_PER_PAGE))
    pick_page([range(0)] * pages, page, "corpus_status()")
    window = changed[(page - 1) * REFS_PER_PAGE : page * REFS_PER_PAGE]
    backend = view.retriever.backend
    data = StatusResult(
        name=core.source.name,
        commit=core.source.commit,
        schema_version=core.schema,
        corpus=str(view.root),
        built_at=built_at,
        built_at_source=built_source,
        counts={
            "files": len(core.files),
            "symbols": len(core.symbols),
            "edges": len(core.edges),
            "concepts": len(core.concepts),
            "pages": len(view.pages),
            "diagnostics": len(core.diagnostics),
        },
        search_backend=backend,
        explain_available=True,
        source_path=str(source) if source else None,
        source_path_origin=origin,
        stale=stale,
        stale_note=note,
        changed=window,
        changed_count=len(changed),
        paging=paging(page, pages),
    )
    out = [
        f"# Corpus status: {core.source.name}",
        f"- commit: {core.source.commit or 'unknown (not a git checkout)'}",
        f"- built: {built_at} (from {built_source})",
        f"- corpus: {view.root} ({core.schema})",
        "- " + ", ".join(f"{v} {k}" for k, v in data.counts.items()),
        f"- search: {backend}; explain: {'available' if data.explain_available else 'not available'}",
        f"- source: {data.source_path or 'unknown'} ({origin})",
        f"- stale: {'unknown' if stale is None else 'yes' if stale else 'no'} — {note}",
    ]
    out += [f"  - {p}" for p in window]
    text = "\n".join(out) + "\n" + more_hint(data.paging, f"corpus_status(page={page + 1})")
    return Answer(text, data)


def _read_report(view: CorpusView) -> dict[str, Any]:
    path = view.root / REPORT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _built_at(view: CorpusView, report: dict[str, Any]) -> tuple[str, Literal["build-report.json", "core.json mtime"]]:
    for key in ("built_at", "build_time", "finished_at"):
        value = report.get(key)
        if isinstance(value, str) and value:
            return value, "build-report.json"
    # core.json carries no timestamp (deterministic output), so the file's mtime is the next best thing.
    mtime = (view.root / "core.json").stat().st_mtime
    return datetime.fromtimestamp(mtime, tz=UTC).isoformat(timespec="seconds"), "core.json mtime"


def _source_path(view: CorpusView, report: dict[str, Any]) -> tuple[Path | None, Any]:
    if view.source is not None:
        return view.source, "--source"
    recorded_source = report.get("source")
    recorded = report.get("source_path") or (recorded_source.get("path") if isinstance(recorded_source, dict) else None)
    if isinstance(recorded, str) and recorded and Path(recorded).is_dir():
        return Path(recorded), "build-report.json"
    # `kc build SOURCE` writes SOURCE/corpus by default: accept the parent when it holds the compiled files.
    parent = view.root.parent
    sample = sorted(view.corpus.core.source.files)[:5]
    if sample and all((parent / p).is_file() for p in sample):
        return parent, "corpus parent"
    return None, "none"
