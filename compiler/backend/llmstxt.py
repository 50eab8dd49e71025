"""``llms.txt`` and ``llms-full.txt`` per the llms.txt spec: H1, blockquote, H2 link lists, ``## Optional``."""

from __future__ import annotations

import re

from compiler.model import Core


def render_llms_txt(core: Core, pages) -> str:
    """The short index an agent reads first: what this is, then links to every page."""
    from compiler.text import first_sentence_page as first_sentence

    name = core.source.name
    description = (
        first_sentence(core.source.description, 300)
        if core.source.description
        else f"The compiled knowledge core of {name}."
    )
    out = [f"# {name}\n\n> {description}\n\n"]
    out.append(
        f"Compiled by kc from {len(core.files)} files: {len(core.concepts)} concepts in learning order, "
        "then the module reference. Each concept page has YAML front matter (id, prerequisites, sources "
        "with line ranges); core.json holds the whole graph.\n\n"
    )
    out.append("## Concepts\n\n")
    concepts = {c.id: c for c in core.concepts}
    for concept_id in core.learning_path:
        concept = concepts[concept_id]
        out.append(
            f"- [{_text(concept.title)}](concepts/{concept.id}.md): {_text(first_sentence(concept.summary, 200))}\n"
        )
    out.append("\n## Reference\n\n")
    for page, symbols in pages.reference_groups().items():
        info = pages.files.get(symbols[0].path)
        module = info.module if info and info.module else symbols[0].path
        doc = first_sentence(info.doc, 160) if info and info.doc else f"{len(symbols)} symbols in {symbols[0].path}"
        out.append(f"- [{_text(module)}](reference/{page}.md): {_text(doc)}\n")
    out.append("\n## Optional\n\n")
    out.append("- [Learning path](path.md): the concepts in teaching order\n")
    out.append("- [Build report](build-report.md): diagnostics, skipped files, redactions\n")
    out.append("- [Full text](llms-full.txt): every page in one file\n")
    out.append("- [Knowledge core](core.json): symbols, edges, concepts as JSON\n")
    return "".join(out)


LLMS_FULL_BUDGET = 1_500_000  # characters: about 375k tokens, already more than most context windows


class LlmsFull:
    """``llms-full.txt``: every page in reading order, front matter stripped, within a budget.

    The overview, the learning path and every concept page always go in; reference pages follow,
    most important file first, until the budget is spent; the rest are listed by name. A
    13,000-file tree would otherwise give a gigabyte no model can read.
    """

    def __init__(self, core: Core, budget: int = LLMS_FULL_BUDGET):
        self.budget = budget
        self.parts: list[str] = []
        self.size = 0
        self.omitted: list[str] = []

    def wants(self, relpath: str) -> bool:
        """False once the budget is spent for ``relpath``: it will only be listed, so its text is not needed."""
        return not (relpath.startswith("reference/") and self.omitted)

    def add(self, relpath: str, text: str) -> None:
        if not self.wants(relpath):
            self.omitted.append(relpath)
            return
        part = f"<!-- {relpath} -->\n\n" + _strip_front_matter(_strip_svg(text)).strip() + "\n"
        essential = not relpath.startswith("reference/")
        if not essential and self.size + len(part) > self.budget:
            self.omitted.append(relpath)
            return
        self.parts.append(part)
        self.size += len(part) + 2

    def text(self) -> str:
        parts = list(self.parts)
        if self.omitted:
            listing = "\n".join(f"- {relpath}" for relpath in self.omitted)
            parts.append(
                f"<!-- omitted -->\n\n{len(self.omitted)} reference pages did not fit in this file's budget "
                f"({self.budget:,} characters); read them one by one:\n\n{listing}\n"
            )
        return "\n\n".join(parts)


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :]
    return text


def _strip_svg(text: str) -> str:
    return re.sub(r"<svg\b.*?</svg>\s*", "", text, flags=re.S)


def _text(value: str) -> str:
    return value.replace("\n", " ").replace("[", "(").replace("]", ")")
