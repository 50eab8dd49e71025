"""MkDocs front end: the ``nav`` of an ``mkdocs.yml`` as one docs section, the site's table of contents.

In: an ``mkdocs.yml`` (or ``mkdocs.yaml``) and its text. Out: ``FileFacts`` with, when the file has a
``nav``, one section (anchor ``NAV_ANCHOR``) that lists the pages as markdown links in reading order,
depth first, each path joined to ``docs_dir`` (default ``docs``) so that it is relative to the file's
folder (``- [Quickstart](docs/quickstart.md)``). The concept map reads it as the docs' reading order,
like a Sphinx toctree or a ``SUMMARY.md``. The YAML is loaded safely: tags such as
``!!python/name:material.extensions.emoji.twemoji`` or ``!ENV`` load as nothing; a file that does not
parse yields no section.
"""

from __future__ import annotations

import posixpath

import yaml

from compiler.model import NAV_ANCHOR, FileFacts, Section, SourceFile

__all__ = ["NAV_ANCHOR", "is_mkdocs_config", "parse_mkdocs"]

_NAMES = frozenset({"mkdocs.yml", "mkdocs.yaml"})
MAX_DEPTH = 20  # nav nesting followed at most this deep


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads any tag it does not know (``!!python/...``, ``!ENV``, ``!relative``) as None."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def is_mkdocs_config(path: str) -> bool:
    return path.rsplit("/", 1)[-1].lower() in _NAMES


def _pages(nav, depth: int = 0):
    """Yield (title, page) for every local page of a nav, in order."""
    if depth > MAX_DEPTH:
        return
    items = nav if isinstance(nav, list) else [nav]
    for item in items:
        if isinstance(item, str):
            yield "", item
        elif isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str):
                    yield str(title), value
                elif isinstance(value, list):
                    yield from _pages(value, depth + 1)


def parse_mkdocs(source: SourceFile, text: str) -> FileFacts:
    """Facts of an ``mkdocs.yml``: the nav as one section (see the module docstring)."""
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    facts = FileFacts(path=source.path, language=source.language, module="", lines=lines, sha256=source.sha256)
    try:
        config = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError:
        return facts
    if not isinstance(config, dict) or not config.get("nav"):
        return facts
    docs_dir = config.get("docs_dir") if isinstance(config.get("docs_dir"), str) else "docs"
    entries = []
    for title, page in _pages(config["nav"]):
        if "://" in page or page.startswith(("/", "#", "mailto:")):
            continue  # an external link or an absolute URL is no page of these docs
        target = posixpath.normpath(posixpath.join(docs_dir, page))
        entries.append(f"- [{title or target}]({target})")
    if not entries:
        return facts
    section = Section(source.path, "Documentation contents", 1, (1, max(1, lines)), "\n".join(entries), NAV_ANCHOR)
    return FileFacts(
        path=source.path,
        language=source.language,
        module="",
        lines=lines,
        sha256=source.sha256,
        sections=(section,),
    )
