"""A concept's summary, its files in order and its key source ranges.

In: a cluster, its members by importance, the docs sections. Out: (summary, summary source),
``ordered_files``, ``key_sources`` (``SourceRef``s).
"""

from __future__ import annotations

import functools
import posixpath
import re
from itertools import islice

from compiler.analysis.concepts.units import SPECIAL_ROLES, Cluster, file_stem
from compiler.analysis.graph import CodeGraph
from compiler.analysis.rank import Ranking
from compiler.model import NAV_ANCHOR, Section, SourceRef, Symbol
from compiler.text import SUMMARY_CHARS, first_paragraph, first_sentence, plain_rst, plain_text, split_words

MAX_SOURCES = 5
_LICENCE = re.compile(r"copyright|\(c\)\s*\d{4}|licen[cs]ed under|mit licen[cs]e|all rights reserved", re.I)
_BAD_DOC = re.compile(
    r"^\s*(copyright|license|licensed|spdx|@license|eslint|use strict|!|-\*-|#!|coding[:=]|generated|to ?do\b|fixme|xxx)",
    re.I,
)


_MECHANICS = re.compile(
    r"^\s*(initiali[sz]es?|helper (function|method)|create (a|an) new|constructs?|module dependencies|private|@\w+)\b",
    re.I,
)


def _usable_doc(doc: str) -> str:
    sentence = plain_rst(first_sentence(doc))
    if not sentence or _BAD_DOC.match(sentence) or len(sentence.split()) < 3:
        return ""
    if sentence.endswith((":", ",", ";")) or " = " in sentence or sentence.startswith((">>>", "$ ", "`")):
        return ""  # the introduction to a list or an example, or a sentence cut short, not a summary
    if _MECHANICS.match(sentence):
        return ""  # how a helper or constructor works, not what the concept is
    if _LICENCE.search(sentence):
        return ""  # a licence header (express: "express Copyright(c) 2009-2013 TJ Holowaychuk ...")
    return sentence


def cluster_summary(
    cluster: Cluster, members: list[str], title: str, graph: CodeGraph, sections: list[Section], ranking: Ranking
) -> tuple[str, str]:
    """(summary, source): author notes, docstrings, a README section, or nothing."""
    symbols = graph.symbols
    if cluster.note is not None and cluster.note.note.summary:
        return cluster.note.note.summary, "author"
    if cluster.role in SPECIAL_ROLES:
        return "", "generated"
    if cluster.summary:
        return cluster.summary, "generated"
    files = ordered_files(cluster, ranking)
    module_docs = []
    for path in files if not cluster.family else ():  # a family's file speaks for its whole class
        module_id = graph.path_module.get(path)
        sym = symbols.get(module_id) if module_id else None
        if sym is not None and sym.path == path:
            module_docs.append(sym.doc)
    main = _main_definitions(cluster, members, symbols)
    classes = [sid for sid in main if symbols[sid].kind in ("class", "interface", "type")]
    for doc in module_docs[:2] + [symbols[sid].doc for sid in classes] + module_docs[2:]:
        sentence = _usable_doc(doc or "")
        if sentence:
            return sentence, "docstring"
    section = _readme_section(title, members, symbols, sections)
    if section:
        return section, "readme"
    for sid in main[:1]:
        sentence = _usable_doc(symbols[sid].doc or "")
        if sentence:
            return sentence, "docstring"
    return "", "generated"


def _main_definitions(cluster: Cluster, members: list[str], symbols: dict[str, Symbol]) -> list[str]:
    """The definitions that stand for the concept: its two most important public classes (among its
    first few members), else its most important public definition; never a helper further down."""
    public = [
        sid for sid in islice((s for s in members if symbols[s].kind != "module"), 8)
        if symbols[sid].public and not symbols[sid].name.startswith("_")
    ]  # fmt: skip
    if cluster.family:  # one idea among a class's methods: its most important method
        return public[:1]
    classes = [sid for sid in public if symbols[sid].kind in ("class", "interface", "type")]
    return classes[:2] or public[:1]


def _readme_section(title: str, members: list[str], symbols: dict[str, Symbol], sections: list[Section]) -> str:
    """The first paragraph of the README/docs section that best matches the concept."""
    title_words = {w for w in split_words(title) if len(w) > 2 and w != "and"}
    names = [symbols[sid].name for sid in members[:8] if symbols[sid].kind != "module" and len(symbols[sid].name) > 3]
    wanted = frozenset(names)
    best: tuple[float, int, str, int] | None = None
    chosen = ""
    for section in sections:
        usable, readme, heading_words = _section_words(section)
        if not usable:
            continue
        score = 3.0 * len(title_words & heading_words)
        score += len(wanted & _section_tokens(section))
        if score < 2.0:
            continue
        readme_first = 0 if readme else 1
        candidate = (-score, readme_first, section.path, section.lines[0])
        if best is not None and candidate >= best:
            continue  # only a better section's paragraph is worth cleaning
        paragraph = _paragraph(section)
        if paragraph.startswith(("* ", "- ", "+ ", "1. ")):
            continue
        if paragraph:
            best, chosen = candidate, paragraph
    if not chosen:
        return ""
    return chosen if len(chosen) <= SUMMARY_CHARS else chosen[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


@functools.lru_cache(maxsize=1 << 14)
def _section_words(section: Section) -> tuple[bool, bool, frozenset[str]]:
    """(whether the section may describe a concept, whether it is the README's, its heading's words and their
    singulars). A README's title section describes the whole project, not one concept; changelogs none."""
    readme = posixpath.basename(section.path).lower().startswith("readme")
    usable = not (section.level < 2 and readme) and bool(section.text.strip()) and _describes_code(section.path)
    usable = usable and section.anchor != NAV_ANCHOR  # a table of contents names pages, describes nothing
    words = set(split_words(section.title))
    return usable, readme, frozenset(words | {w.rstrip("s") for w in words})


@functools.lru_cache(maxsize=1 << 14)
def _section_tokens(section: Section) -> frozenset[str]:
    """The whole words of a section (the names it mentions), once per section."""
    return frozenset(_TOKEN.findall(section.text))


_TOKEN = re.compile(r"\w+")


@functools.lru_cache(maxsize=4096)
def _paragraph(section: Section) -> str:
    """The first paragraph of a docs section as plain text (cached: every concept may ask for it)."""
    text = plain_rst(section.text) if section.path.lower().endswith(".rst") else section.text
    return plain_text(first_paragraph(text))


_NOT_DESCRIPTIONS = (
    "concepts",
    "changelog",
    "changes",
    "history",
    "news",
    "contributing",
    "license",
    "code_of_conduct",
    "security",
    "authors",
)


def _describes_code(path: str) -> bool:
    """README and docs pages describe the code; changelogs and licences do not (CONCEPTS.md is read as notes)."""
    stem = file_stem(path).lower().replace("-", "_")
    return not any(stem.startswith(word) for word in _NOT_DESCRIPTIONS)


_NOUNS = {"class": ("class", "classes"), "interface": ("interface", "interfaces"), "type": ("type", "types"),
          "function": ("function", "functions"), "method": ("method", "methods")}  # fmt: skip


def generated_summary(title: str, members: list[str], symbols: dict[str, Symbol], users: list[str]) -> str:
    """A sentence about the concept from its main public definitions and its users:
    "Zsh completions: the `GenZshCompletion` and `GenZshCompletionNoDesc` methods, used by Completions."."""

    def top_level(sid: str) -> bool:
        parent = symbols.get(symbols[sid].parent or "")
        return parent is None or parent.kind == "module"

    def public(sid: str) -> bool:
        return symbols[sid].public and not symbols[sid].name.startswith("_")

    chosen = [
        sid for sid in members
        if symbols[sid].kind in ("class", "interface", "type", "function") and top_level(sid) and public(sid)
    ][:3]  # fmt: skip
    if not chosen:
        chosen = [sid for sid in members if symbols[sid].kind not in ("module", "variable") and public(sid)][:3]
    if not chosen:
        chosen = [sid for sid in members if symbols[sid].kind != "module"][:3]
    if not chosen:
        return f"{title}: holds no definitions."
    kinds = {symbols[sid].kind for sid in chosen}
    noun = (
        _NOUNS.get(next(iter(kinds)), ("definition", "definitions"))
        if len(kinds) == 1
        else ("definition", "definitions")
    )
    names = _join([f"`{symbols[sid].name}`" for sid in chosen])
    text = f"{title}: the {names} {noun[0] if len(chosen) == 1 else noun[1]}"
    if users:
        text += f", used by {_join(users[:2])}"
    return text + "."


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def ordered_files(cluster: Cluster, ranking: Ranking) -> list[str]:
    return sorted(cluster.paths, key=lambda p: (-ranking.files.get(p, 0.0), p))


def key_sources(members: list[str], symbols: dict[str, Symbol]) -> list[SourceRef]:
    """Key line ranges: the top-level definitions most worth reading first (classes and functions first)."""
    picked: list[str] = []
    for wanted in (("class", "interface", "type", "function"), ("method", "variable")):
        for sid in members:
            sym = symbols[sid]
            if len(picked) == MAX_SOURCES:
                break
            if sym.kind not in wanted or sid in picked or sym.parent in picked:
                continue
            picked.append(sid)
    if not picked:
        picked = members[:1]
    return [SourceRef(path=symbols[s].path, lines=tuple(symbols[s].lines), symbol=s) for s in picked]
