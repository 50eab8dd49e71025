"""The build report: diagnostics, skipped files with reasons, redactions (never a secret's value)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from compiler.model import Core


def render_report(core: Core, languages: dict[str, int] | None = None) -> dict[str, Any]:
    """The content of ``build-report.json``: deterministic, no timings.

    ``languages`` (files per language) is given by an incremental build that knows it has not
    changed, so it need not read every file record again.
    """
    if languages is None:
        languages = dict(sorted(Counter(f.language for f in core.files).items()))
    return {
        "source": {"name": core.source.name, "commit": core.source.commit},
        "counts": {
            "files": len(core.files),
            "symbols": len(core.symbols),
            "edges": len(core.edges),
            "concepts": len(core.concepts),
            "diagnostics": len(core.diagnostics),
            "skipped": len(core.skipped),
            "redactions": len(core.redactions),
        },
        "languages": languages,
        "skipped_by_reason": dict(sorted(Counter(s.reason.split(" ")[0] for s in core.skipped).items())),
        "diagnostics": [
            {"path": d.path, "line": d.line, "severity": d.severity, "code": d.code, "message": d.message}
            for d in core.diagnostics
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in core.skipped],
        "redactions": [{"path": r.path, "line": r.line, "rule": r.rule, "action": r.action} for r in core.redactions],
    }


def render_report_markdown(report: dict[str, Any], max_rows: int = 500) -> str:
    """The same report as a page people read."""
    counts = report["counts"]
    out = ["---\ntitle: Build report\nkind: build-report\n---\n\n# Build report\n\n"]
    out.append("| What | Count |\n| --- | --- |\n")
    out.extend(f"| {name} | {value} |\n" for name, value in counts.items())
    out.append("\n")
    if report["languages"]:
        out.append("Languages: " + ", ".join(f"{lang} ({n})" for lang, n in report["languages"].items()) + ".\n\n")
    sections = (
        ("Diagnostics", report["diagnostics"], ("path", "line", "severity", "code", "message")),
        ("Redactions", report["redactions"], ("path", "line", "rule", "action")),
        ("Skipped files", report["skipped"], ("path", "reason")),
    )
    for title, rows, columns in sections:
        out.append(f"## {title}\n\n")
        if not rows:
            out.append("None.\n\n")
            continue
        out.append("| " + " | ".join(columns) + " |\n| " + " | ".join("---" for _ in columns) + " |\n")
        for row in rows[:max_rows]:
            cells = [
                str(row.get(c, "") if row.get(c) is not None else "").replace("|", "\\|").replace("\n", " ")
                for c in columns
            ]
            cells[0] = f"`{cells[0]}`"
            out.append("| " + " | ".join(cells) + " |\n")
        if len(rows) > max_rows:
            out.append(f"\n…and {len(rows) - max_rows} more in `build-report.json`.\n")
        out.append("\n")
    return "".join(out)
