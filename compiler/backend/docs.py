"""Render the knowledge core into the corpus: plain markdown pages with YAML front matter.

``render_corpus(core)`` returns every corpus file as ``{relative path: text}``. The
pages are engine-neutral CommonMark (plus inline HTML for anchors and the concept
map) with relative links, so any static site engine, an agent or a person can read
them. Output is a pure function of the core: no timestamps, stable order.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

import yaml

from compiler.backend.conceptmap import concept_map_svg
from compiler.backend.llmstxt import LlmsFull, render_llms_txt
from compiler.backend.report import render_report, render_report_markdown
from compiler.model import Concept, Core, Symbol
from compiler.text import first_block, page_name
from compiler.text import first_sentence_page as first_sentence

MAX_MEMBERS_PER_CONCEPT = 40
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when PyYAML has it: 10x faster


def render_corpus(core: Core) -> dict[str, str]:
    """Every file of the corpus, keyed by its path relative to the corpus root."""
    return {relpath: text if isinstance(text, str) else "".join(text) for relpath, text in iter_corpus_files(core)}


def iter_corpus_files(core: Core, notes: dict | None = None) -> Iterator[tuple[str, str | Iterator[str]]]:
    """Every corpus file as ``(relative path, text)``, one at a time.

    A generator, so the build writes each page as it is made and never holds the whole corpus
    in memory (on a 13,000-file tree the pages add up to most of a gigabyte). ``core.json``
    comes as an iterator of lines, written as they are encoded.

    ``notes``, when given, receives what an incremental build needs to patch this corpus later:
    ``layout`` (line layout of core.json, filled as it is written), ``module_pages`` (source path
    -> reference page name) and ``reference_order`` (reference pages in llms-full.txt order).
    """
    pages = CorpusPages(core)
    full = LlmsFull(core)
    report = render_report(core)
    layout: dict = {}
    if notes is not None:
        notes.update(layout=layout, module_pages=pages.module_pages, reference_order=[])
    yield "core.json", core.iter_json(layout)
    yield "build-report.json", json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    yield "build-report.md", render_report_markdown(report)
    yield "reference/index.md", pages.reference_index()
    for relpath, text in (("index.md", pages.index()), ("path.md", pages.learning_path())):
        full.add(relpath, text)
        yield relpath, text
    concepts = {c.id: c for c in core.concepts}
    for concept_id in core.learning_path:
        relpath, text = f"concepts/{concept_id}.md", pages.concept(concepts[concept_id])
        full.add(relpath, text)
        yield relpath, text
    groups = pages.reference_groups()
    # llms-full.txt takes reference pages most important file first, within its budget.
    by_importance = sorted(groups, key=lambda page: (-pages.page_importance(groups[page]), page))
    if notes is not None:
        notes["reference_order"] = [f"reference/{page}.md" for page in by_importance]
    for module_page in by_importance:
        relpath, text = f"reference/{module_page}.md", pages.reference(module_page, groups[module_page])
        full.add(relpath, text)
        yield relpath, text
    yield "llms.txt", render_llms_txt(core, pages)
    yield "llms-full.txt", full.text()


def front_matter(data: dict) -> str:
    """A YAML front matter block with keys in the given order."""
    # One key at a time: block style at the top, short lists inline ([a, b]) as people write them.
    return f"---\n{''.join(_yaml_entry(key, value) for key, value in data.items())}---\n\n"


# Strings YAML reads back as the same string when written bare: a name, a dotted id, a path.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_RESERVED = frozenset("yes no true false on off null y n".split())  # YAML 1.1 booleans and null, any case
_PLAIN_MAX = 900  # PyYAML folds flow lists past its width (1000): leave long lines to it


def _yaml_entry(key: str, value) -> str:
    """``key: value`` as PyYAML writes it, without PyYAML for the common shapes (a bare word, or a
    short list of bare words), which are a third of the time spent rendering 19,000 reference pages."""
    if isinstance(value, str) and _plain(value) and _plain(key):
        line = f"{key}: {value}\n"
    elif isinstance(value, list) and _plain(key) and all(isinstance(v, str) and _plain(v) for v in value):
        line = f"{key}: [{', '.join(value)}]\n"
    else:
        line = ""
    if line and len(line) < _PLAIN_MAX:
        return line
    return yaml.dump(
        {key: value},
        Dumper=_YAML_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
        default_flow_style=None if isinstance(value, (list, dict)) else False,
    )


def _plain(text: str) -> bool:
    return _PLAIN.fullmatch(text) is not None and text.lower() not in _RESERVED


def md_escape(text: str) -> str:
    """Keep prose on one line and from breaking a table cell (``\\|`` is the one escape GFM honours in code spans)."""
    return text.replace("|", "\\|").replace("\n", " ")


def link_text(text: str) -> str:
    """Text that is safe between the brackets of a link."""
    return md_escape(text).replace("[", "(").replace("]", ")")


def fence(code: str, language: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0) if "`" in code else 0
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{code.rstrip()}\n{ticks}\n"


LANGUAGE_FENCE = {"python": "python", "javascript": "javascript", "typescript": "typescript", "tsx": "tsx", "go": "go"}


class CorpusPages:
    """Page renderers over one core, sharing its lookups."""

    def __init__(self, core: Core, module_pages: dict[str, str] | None = None):
        """``module_pages`` (source path -> page name) is given when ``core`` is a partial view
        (``compiler.incremental``), whose lists look records up on demand instead of in dicts."""
        self.core = core
        self.symbols = _keyed(core.symbols, "id")
        self.concepts = {c.id: c for c in core.concepts}
        self.files = _keyed(core.files, "path")
        self.module_pages = module_pages if module_pages is not None else self._assign_module_pages()
        self._groups: dict[str, list[Symbol]] | None = None

    # ---- naming and links --------------------------------------------------------
    def _assign_module_pages(self) -> dict[str, str]:
        """Reference page name per source path: the module id when unique, else the path.

        ``index`` names the reference index itself, so a module called ``index`` (a root
        ``index.js``) takes its path instead of overwriting it.
        """
        by_module: dict[str, list[str]] = defaultdict(list)
        for path in sorted({s.path for s in self.core.symbols}):
            module = self.files[path].module if path in self.files and self.files[path].module else ""
            by_module[module or path].append(path)
        pages: dict[str, str] = {}
        for module, paths in by_module.items():
            for path in paths:
                name = module if len(paths) == 1 and module not in (path, "index") else path
                pages[path] = page_name(re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "module")
        return pages

    def module_page(self, path: str) -> str | None:
        return self.module_pages.get(path)

    def symbol_link(self, symbol_id: str, from_dir: str) -> str:
        """Relative link to a symbol's entry on its reference page."""
        symbol = self.symbols[symbol_id]
        prefix = "../" if from_dir else ""
        page = f"{prefix}reference/{self.module_page(symbol.path)}.md"
        return page if symbol.kind == "module" else f"{page}#{anchor(symbol_id)}"

    def path_link(self, path: str, from_dir: str) -> str | None:
        """Relative link to the reference page of a source file, if it has one."""
        page = self.module_page(path)
        return f"{'../' if from_dir else ''}reference/{page}.md" if page else None

    def concept_link(self, concept_id: str, from_dir: str) -> str:
        return f"{concept_id}.md" if from_dir == "concepts" else f"{'../' if from_dir else ''}concepts/{concept_id}.md"

    def concept_title(self, concept_id: str) -> str:
        concept = self.concepts.get(concept_id)
        return concept.title if concept else concept_id

    def location(self, symbol: Symbol) -> str:
        return f"{symbol.path}:{symbol.lines[0]}-{symbol.lines[1]}"

    # ---- pages ------------------------------------------------------------------
    def index(self) -> str:
        core = self.core
        out = [front_matter({"title": core.source.name, "kind": "overview", "commit": core.source.commit})]
        out.append(f"# {core.source.name}\n\n")
        if core.source.description:
            out.append(core.source.description.strip() + "\n\n")
        counts = (
            f"{len(core.files)} files, {len(core.symbols)} symbols, {len(core.concepts)} concepts"
            f" compiled from `{core.source.name}`"
            + (f" at commit `{core.source.commit[:12]}`." if core.source.commit else ".")
        )
        out.append(counts + "\n\n")
        out.append("## Where to start\n\n")
        if core.learning_path:
            first = core.learning_path[0]
            out.append(
                f"Read the concepts in the order of the [learning path](path.md), starting with "
                f"[{link_text(self.concept_title(first))}]({self.concept_link(first, '')}).\n\n"
            )
        if core.entry_points:
            out.append("Entry points (where execution or the public API begins):\n\n")
            for symbol_id in core.entry_points[:12]:
                symbol = self.symbols.get(symbol_id)
                if not symbol:
                    continue
                doc = first_sentence(symbol.doc) if symbol.doc else symbol.kind
                out.append(
                    f"- [`{symbol_id}`]({self.symbol_link(symbol_id, '')}) — {md_escape(doc)} (`{self.location(symbol)}`)\n"
                )
            out.append("\n")
        out.append("## Concept map\n\n")
        svg = _concept_map_svg(core)
        if svg:
            out.append(svg.strip() + "\n\n")
        out.append("| Concept | Importance | Builds on | What it is |\n| --- | --- | --- | --- |\n")
        for concept in sorted(core.concepts, key=lambda c: (-c.importance, c.id)):
            prereqs = (
                ", ".join(
                    f"[{link_text(self.concept_title(p))}]({self.concept_link(p, '')})" for p in concept.prerequisites
                )
                or "—"
            )
            out.append(
                f"| [{link_text(concept.title)}]({self.concept_link(concept.id, '')}) | {concept.importance:.2f} | "
                f"{prereqs} | {md_escape(first_sentence(concept.summary, 160))} |\n"
            )
        out.append("\n## More\n\n")
        out.append("- [Learning path](path.md): every concept in teaching order\n")
        out.append("- [Module reference](reference/index.md): every module, class and function\n")
        out.append("- [Build report](build-report.md): diagnostics, skipped files, redactions\n")
        return "".join(out)

    def learning_path(self) -> str:
        out = [front_matter({"title": "Learning path", "kind": "learning-path", "path": list(self.core.learning_path)})]
        out.append("# Learning path\n\n")
        out.append(
            "Each concept comes after the concepts it builds on; among those ready to learn, the more "
            "important come first.\n\n"
        )
        for step, concept_id in enumerate(self.core.learning_path, 1):
            concept = self.concepts[concept_id]
            out.append(
                f"{step}. [{link_text(concept.title)}]({self.concept_link(concept_id, '')}) — {md_escape(first_sentence(concept.summary, 200))}"
            )
            if concept.prerequisites:
                names = ", ".join(md_escape(self.concept_title(p)) for p in concept.prerequisites)
                out.append(f" *Builds on: {names}.*")
            out.append("\n")
        return "".join(out)

    def concept(self, concept: Concept) -> str:
        meta = {
            "id": concept.id,
            "title": concept.title,
            "kind": "concept",
            "importance": round(concept.importance, 4),
            "summary_source": concept.summary_source,
            "prerequisites": list(concept.prerequisites),
            "related": list(concept.related),
            "files": list(concept.files),
            "sources": [
                {"path": ref.path, "lines": list(ref.lines), **({"symbol": ref.symbol} if ref.symbol else {})}
                for ref in concept.sources
            ],
        }
        out = [front_matter(meta), f"# {concept.title}\n\n", concept.summary.strip() + "\n\n"]
        if concept.prerequisites:
            out.append("## Prerequisites\n\n")
            for prereq in concept.prerequisites:
                other = self.concepts.get(prereq)
                summary = f" — {md_escape(first_sentence(other.summary, 160))}" if other else ""
                out.append(
                    f"- [{link_text(self.concept_title(prereq))}]({self.concept_link(prereq, 'concepts')}){summary}\n"
                )
            out.append("\n")
        body = _without_summary(concept.body, concept.summary)
        if body:
            out.append("## Key ideas\n\n" + _demote_headings(body) + "\n\n")
        if concept.sources:
            out.append("## Where to read\n\n")
            for ref in concept.sources:
                label = f"`{ref.symbol}`" if ref.symbol else f"`{ref.path}`"
                target = (
                    self.symbol_link(ref.symbol, "concepts")
                    if ref.symbol in self.symbols
                    else self.path_link(ref.path, "concepts")
                )
                link = f"[{label}]({target})" if target else label
                out.append(f"- {link} — `{ref}`\n")
            out.append("\n")
        # the first members only: a concept can have tens of thousands, looked up one by one
        members = list(islice((self.symbols[m] for m in concept.members if m in self.symbols), MAX_MEMBERS_PER_CONCEPT))
        if members:
            out.append("## Members\n\n")
            for symbol in members:
                out.append(f"### `{symbol.id}`\n\n")
                if symbol.signature:
                    out.append(fence(symbol.signature, LANGUAGE_FENCE.get(self._language(symbol), "")) + "\n")
                if symbol.doc:
                    out.append(md_escape_block(first_block(symbol.doc)) + "\n\n")
                out.append(
                    f"{symbol.kind} · [`{self.location(symbol)}`]({self.symbol_link(symbol.id, 'concepts')})\n\n"
                )
            if len(concept.members) > MAX_MEMBERS_PER_CONCEPT:
                rest = len(concept.members) - MAX_MEMBERS_PER_CONCEPT
                out.append(f"…and {rest} more in the files: " + ", ".join(f"`{p}`" for p in concept.files) + "\n\n")
        links = self._concept_neighbours(concept)
        if links:
            out.append("## Related\n\n")
            out.extend(links)
            out.append("\n")
        return "".join(out)

    def _concept_neighbours(self, concept: Concept) -> list[str]:
        lines = []
        dependents = [c.id for c in self.core.concepts if concept.id in c.prerequisites]
        for other_id in dependents:
            lines.append(
                f"- [{link_text(self.concept_title(other_id))}]({self.concept_link(other_id, 'concepts')}) builds on this\n"
            )
        for other_id in concept.related:
            if other_id in self.concepts and other_id not in dependents:
                lines.append(
                    f"- [{link_text(self.concept_title(other_id))}]({self.concept_link(other_id, 'concepts')})\n"
                )
        return lines

    def page_importance(self, symbols: list[Symbol]) -> float:
        info = self.files.get(symbols[0].path)
        return info.importance if info else 0.0

    def reference_groups(self) -> dict[str, list[Symbol]]:
        """Symbols per reference page, in source order (computed once: three files need it)."""
        if self._groups is None:
            self._groups = self._reference_groups()
        return self._groups

    def _reference_groups(self) -> dict[str, list[Symbol]]:
        groups: dict[str, list[Symbol]] = defaultdict(list)
        for symbol in self.core.symbols:
            page = self.module_page(symbol.path)
            if page:
                groups[page].append(symbol)
        return {page: sorted(symbols, key=lambda s: (s.lines[0], s.id)) for page, symbols in sorted(groups.items())}

    def reference_index(self) -> str:
        out = [front_matter({"title": "Module reference", "kind": "reference-index"}), "# Module reference\n\n"]
        out.append("| Module | File | Concept | What it is |\n| --- | --- | --- | --- |\n")
        for page, symbols in self.reference_groups().items():
            path = symbols[0].path
            info = self.files.get(path)
            module = info.module if info and info.module else path
            concept_ids = sorted({s.concept for s in symbols if s.concept})
            concept_cell = (
                ", ".join(f"[{link_text(self.concept_title(c))}](../concepts/{c}.md)" for c in concept_ids) or "—"
            )
            doc = first_sentence(info.doc, 140) if info and info.doc else ""
            out.append(f"| [`{module}`]({page}.md) | `{path}` | {concept_cell} | {md_escape(doc)} |\n")
        return "".join(out)

    def reference(self, page: str, symbols: list[Symbol]) -> str:
        path = symbols[0].path
        info = self.files.get(path)
        module = info.module if info and info.module else path
        meta = {
            "title": module,
            "kind": "reference",
            "module": module,
            "path": path,
            "language": info.language if info else "",
            "symbols": [s.id for s in symbols],
        }
        out = [front_matter(meta), f"# `{module}`\n\n", f"Source: `{path}`"]
        if info:
            out.append(f" ({info.lines} lines, {info.language})")
        out.append("\n\n")
        if info and info.doc:
            out.append(md_escape_block(info.doc.strip()) + "\n\n")
        language = LANGUAGE_FENCE.get(info.language if info else "", "")
        for symbol in symbols:
            if symbol.kind == "module":
                continue
            out.append(f'<a id="{anchor(symbol.id)}"></a>\n\n## `{symbol.id}`\n\n')
            if symbol.signature:
                out.append(fence(symbol.signature, language) + "\n")
            tags = [symbol.kind] + ([] if symbol.public else ["private"])
            if symbol.concept and symbol.concept in self.concepts:
                tags.append(
                    f"concept: [{link_text(self.concept_title(symbol.concept))}](../concepts/{symbol.concept}.md)"
                )
            out.append(" · ".join(tags) + "\n\n")
            if symbol.doc:
                out.append(md_escape_block(symbol.doc.strip()) + "\n\n")
            out.append(f"Source: `{self.location(symbol)}`\n\n")
            if symbol.excerpt:
                out.append(fence(symbol.excerpt, language) + "\n")
        return "".join(out)

    def _language(self, symbol: Symbol) -> str:
        info = self.files.get(symbol.path)
        return info.language if info else ""


def _keyed(records, attribute: str):
    """Records by one attribute: a dict, or the records' own lookup when they are loaded lazily."""
    keyed = getattr(records, "keyed", None)
    if keyed is not None:
        return keyed(attribute)
    return {getattr(record, attribute): record for record in records}


def anchor(symbol_id: str) -> str:
    """An HTML id for a symbol entry, stable and safe in URLs."""
    return "sym-" + re.sub(r"[^A-Za-z0-9_-]+", "-", symbol_id).strip("-").lower()


def md_escape_block(text: str) -> str:
    """Docstrings are prose, not markdown we control: keep headings and raw HTML from taking effect."""
    if "#" in text:
        text = re.sub(r"^(\s{0,3})(#{1,6}\s)", r"\1\\\2", text, flags=re.M)
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text) if "<" in text else text


def _without_summary(body: str, summary: str) -> str:
    """The author's body minus its first paragraph when that paragraph is the summary shown above it."""
    body = body.strip()
    first, _, rest = body.partition("\n\n")
    if " ".join(first.split()) == " ".join(summary.split()):
        return rest.strip()
    return body


def _demote_headings(text: str) -> str:
    """The author's notes sit under an H2: shift their headings down so the page outline holds."""
    return re.sub(r"^(#{1,5})(\s)", lambda m: "#" * min(6, len(m.group(1)) + 2) + m.group(2), text, flags=re.M)


def _concept_map_svg(core: Core) -> str:
    return concept_map_svg(core)
