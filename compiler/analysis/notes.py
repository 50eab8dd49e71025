"""Read the author's ``CONCEPTS.md`` and resolve what it names against the code graph.

Format (see ARCHITECTURE.md): each ``##`` heading names a concept; ``key: value`` lines
right under it (``id``, ``files``, ``symbols``, ``requires``, ``related``) say what
belongs to it; the prose after them is the author's explanation. Anything the notes
name that the code does not have becomes a warning at ``CONCEPTS.md:line``, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from compiler.model import Diagnostic, Symbol
from compiler.text import first_paragraph, slugify

NOTES_FILE = "CONCEPTS.md"
_KEYS = ("id", "files", "symbols", "requires", "related")
_KEY_LINE = re.compile(r"^\s*(id|files|symbols|requires|related)\s*:\s*(.*?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NoteConcept:
    """One ``##`` section of CONCEPTS.md, as written."""

    title: str
    id: str
    line: int  # line of the heading
    files: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    body: str = ""  # the whole prose
    summary: str = ""  # its first paragraph
    key_lines: dict[str, int] = field(default_factory=dict)  # key -> line it sits on


@dataclass(frozen=True)
class ResolvedNote:
    """A noted concept with its files and symbols looked up in the repository."""

    note: NoteConcept
    files: tuple[str, ...]  # paths matched by ``files:``
    symbols: tuple[str, ...]  # symbol ids: every symbol of those files plus ``symbols:``


def parse_notes(text: str) -> tuple[list[NoteConcept], list[Diagnostic]]:
    """Parse CONCEPTS.md text into noted concepts, in file order."""
    lines = text.splitlines()
    headings: list[tuple[int, str]] = []
    in_fence = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if not in_fence and re.match(r"^##\s+\S", line) and not line.startswith("###"):
            headings.append((number, line[2:].strip().rstrip("#").strip()))

    notes: list[NoteConcept] = []
    diagnostics: list[Diagnostic] = []
    seen_ids: dict[str, int] = {}
    for index, (heading_line, title) in enumerate(headings):
        end = headings[index + 1][0] - 1 if index + 1 < len(headings) else len(lines)
        block = lines[heading_line:end]  # lines after the heading
        values: dict[str, list[str]] = {}
        key_lines: dict[str, int] = {}
        position = 0
        while position < len(block) and not block[position].strip() and position < 1:
            position += 1  # one blank line between heading and keys is tolerated
        while position < len(block):
            match = _KEY_LINE.match(block[position])
            if not match:
                break
            key = match.group(1).lower()
            key_lines[key] = heading_line + 1 + position
            values.setdefault(key, []).extend(_split_values(match.group(2)))
            position += 1
        if not key_lines:
            position = 0
        body = "\n".join(block[position:]).strip()
        concept_id = slugify(values["id"][0]) if values.get("id") else slugify(title)
        if values.get("id") and values["id"][0] != concept_id:
            diagnostics.append(
                _warning(
                    key_lines["id"],
                    "invalid-concept-id",
                    f"concept id {values['id'][0]!r} is not a slug; using {concept_id!r}",
                )
            )
        if concept_id in seen_ids:
            diagnostics.append(
                _warning(
                    heading_line,
                    "duplicate-concept",
                    f"concept id {concept_id!r} is already used at {NOTES_FILE}:{seen_ids[concept_id]}; give this one its own 'id:'",
                )
            )
            suffix = 2
            while f"{concept_id}-{suffix}" in seen_ids:
                suffix += 1
            concept_id = f"{concept_id}-{suffix}"
        seen_ids[concept_id] = heading_line
        notes.append(
            NoteConcept(
                title=title,
                id=concept_id,
                line=heading_line,
                files=tuple(values.get("files", ())),
                symbols=tuple(values.get("symbols", ())),
                requires=tuple(values.get("requires", ())),
                related=tuple(values.get("related", ())),
                body=body,
                summary=first_paragraph(body),
                key_lines=key_lines,
            )
        )
    return notes, diagnostics


def resolve_notes(
    notes: list[NoteConcept], paths: list[str], symbols: dict[str, Symbol]
) -> tuple[list[ResolvedNote], list[Diagnostic]]:
    """Look up each note's ``files:`` and ``symbols:``; unknown or ambiguous names are warnings."""
    import pathspec

    diagnostics: list[Diagnostic] = []
    by_path: dict[str, list[str]] = {}
    for sym in symbols.values():
        by_path.setdefault(sym.path, []).append(sym.id)
    children: dict[str, list[str]] = {}
    for sym in symbols.values():
        if sym.parent:
            children.setdefault(sym.parent, []).append(sym.id)
    resolved: list[ResolvedNote] = []
    path_set = set(paths)
    by_last: dict[str, list[str]] = {}  # last dotted part of an id -> ids, built on first need
    for note in notes:
        files: list[str] = []
        seen_files: set[str] = set()  # membership tests on the lists would be quadratic for a broad glob
        for pattern in note.files:
            clean = pattern.strip()
            clean = clean[2:] if clean.startswith("./") else clean
            if clean in path_set:
                matched = [clean]
            else:
                try:
                    spec = pathspec.GitIgnoreSpec.from_lines([clean])
                except (ValueError, TypeError):
                    matched = []
                else:
                    matched = [p for p in paths if spec.match_file(p)]
            if not matched:
                diagnostics.append(
                    _warning(
                        note.key_lines.get("files", note.line),
                        "unknown-file",
                        f"concept {note.id!r}: no compiled file matches {pattern!r}; use a path relative to the repository root or a glob",
                    )
                )
            for path in matched:
                if path not in seen_files:
                    seen_files.add(path)
                    files.append(path)
        members: list[str] = []
        for path in files:
            members.extend(by_path.get(path, ()))
        member_set = set(members)
        for name in note.symbols:
            found = _find_symbol(name, symbols, by_last)
            line = note.key_lines.get("symbols", note.line)
            if isinstance(found, list):
                shown = ", ".join(found[:5])
                diagnostics.append(
                    _warning(
                        line,
                        "ambiguous-symbol",
                        f"concept {note.id!r}: {name!r} matches several symbols ({shown}); write the full dotted id",
                    )
                )
                continue
            if found is None:
                diagnostics.append(
                    _warning(
                        line,
                        "unknown-symbol",
                        f"concept {note.id!r}: no symbol {name!r} in the code; write a dotted id such as package.module.Name",
                    )
                )
                continue
            stack = [found]
            while stack:  # a class brings its methods along
                current = stack.pop()
                if current not in member_set:
                    member_set.add(current)
                    members.append(current)
                stack.extend(sorted(children.get(current, ()), reverse=True))
        resolved.append(ResolvedNote(note=note, files=tuple(files), symbols=tuple(dict.fromkeys(members))))
    return resolved, diagnostics


def _find_symbol(
    name: str, symbols: dict[str, Symbol], by_last: dict[str, list[str]] | None = None
) -> str | list[str] | None:
    """Exact id, else a unique suffix at a dot boundary; a list when ambiguous.

    ``by_last`` (filled here on first use) indexes ids by their last dotted part, so that each
    name does not scan half a million ids.
    """
    name = name.strip().strip("`").rstrip("()")
    if name in symbols:
        return name
    suffix = "." + name
    if by_last is None:
        by_last = {}
    if not by_last:
        for sid in symbols:
            by_last.setdefault(sid.rsplit(".", 1)[-1], []).append(sid)
    # an id ending with ``.a.b`` has ``b`` as its last part, like the name
    found = sorted(sid for sid in by_last.get(suffix.rsplit(".", 1)[-1], ()) if sid.endswith(suffix))
    if len(found) == 1:
        return found[0]
    return found or None


def _split_values(raw: str) -> list[str]:
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]
    return [v.strip().strip("`'\"") for v in raw.split(",") if v.strip().strip("`'\"")]


def _warning(line: int | None, code: str, message: str) -> Diagnostic:
    return Diagnostic(path=NOTES_FILE, line=line, severity="warning", code=code, message=message)
