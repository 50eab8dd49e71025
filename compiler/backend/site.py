"""Build the static docs site of a corpus with MkDocs and the Material theme.

The corpus stays plain, engine-neutral markdown. Everything MkDocs-specific lives here,
in ``site_assets/mkdocs.base.yml`` (theme, search, validation), ``site_assets/kc_hooks.py``
(the MkDocs event glue that calls the functions below) and ``site_assets/kc-site.*``
(style and the map's hover script). Moving to another engine means replacing this
module and its assets; the compiler does not change.

``build_site(corpus, out)`` is what ``kc site`` runs: it writes a temporary
``mkdocs.yml`` that INHERITs the shared base config, points ``docs_dir`` at the corpus
and builds with ``--strict``. The repository's top-level ``mkdocs.yml`` inherits the
same base and hooks, so ``mkdocs build --strict`` builds this project's own site.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.errors import KcError

SITE_ASSETS = Path(__file__).resolve().with_name("site_assets")
BASE_CONFIG = SITE_ASSETS / "mkdocs.base.yml"
HOOKS_FILE = SITE_ASSETS / "kc_hooks.py"
# Files the hooks add to every site: (path in the site, asset file, config list it joins).
SITE_FILES = (
    ("assets/kc-site.css", SITE_ASSETS / "kc-site.css", "extra_css"),
    ("assets/kc-site.js", SITE_ASSETS / "kc-site.js", "extra_javascript"),
)
MARKERS_OF_A_SITE = ("index.html", "404.html", "sitemap.xml", "search")


class SiteError(KcError):
    """The docs site could not be built (broken link, bad output folder, MkDocs error)."""


@dataclass(frozen=True)
class SiteResult:
    """What ``build_site`` produced."""

    out: Path
    pages: int  # HTML pages written
    seconds: float
    warnings: tuple[str, ...] = ()  # MkDocs warnings (empty after a strict build)


# ---- kc site ------------------------------------------------------------------


def build_site(corpus_dir: str | Path, out_dir: str | Path, *, strict: bool = True) -> SiteResult:
    """Build the docs site of ``corpus_dir`` into ``out_dir``; strict mode turns every warning into an error."""
    from compiler.corpus import open_corpus

    corpus = open_corpus(corpus_dir)  # a clear CorpusError when there is no corpus
    out = Path(out_dir).resolve()
    _check_out_dir(out, corpus.root)
    if not (corpus.root / "index.md").is_file():
        raise SiteError(f"{corpus.root}: no index.md; rebuild the corpus with 'kc build'")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kc-site-") as workdir:
        config_path = Path(workdir) / "mkdocs.yml"
        config_path.write_text(
            json.dumps(
                site_config(corpus.root, out, corpus.core.source.name, corpus.core.source.description), indent=1
            ),
            encoding="utf-8",
        )  # JSON is YAML, and it needs no quoting rules
        warnings = _run_mkdocs(config_path, strict=strict)
    pages = sum(1 for _ in out.rglob("*.html"))
    return SiteResult(out=out, pages=pages, seconds=time.perf_counter() - started, warnings=tuple(warnings))


def site_config(corpus_dir: Path, out_dir: Path, name: str, description: str = "") -> dict[str, Any]:
    """The ``mkdocs.yml`` that ``kc site`` writes: the shared base plus this corpus's paths."""
    config: dict[str, Any] = {
        "INHERIT": str(BASE_CONFIG),
        "site_name": name or corpus_dir.name,
        "docs_dir": str(corpus_dir),
        "site_dir": str(out_dir),
        "hooks": [str(HOOKS_FILE)],
    }
    first_paragraph = " ".join(description.strip().split("\n\n", 1)[0].split())
    if first_paragraph:
        config["site_description"] = first_paragraph[:300]
    return config


def _check_out_dir(out: Path, corpus_root: Path) -> None:
    """MkDocs empties its output folder first: refuse any folder that could hold something else."""
    if out == corpus_root or out in corpus_root.parents or corpus_root in out.parents:
        raise SiteError(f"--out {out}: the site folder must lie outside the corpus {corpus_root} (and not contain it)")
    if out.exists() and not out.is_dir():
        raise SiteError(f"--out {out}: is a file; pass a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not any((out / marker).exists() for marker in MARKERS_OF_A_SITE):
        raise SiteError(
            f"--out {out}: not empty and not a previous site (no index.html); the build would delete its "
            "contents, so pass a new or empty folder"
        )


def _run_mkdocs(config_path: Path, *, strict: bool) -> list[str]:
    """Run an MkDocs build and return its warnings; a strict failure says exactly what broke."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _WarningCollector()
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(collector)
    try:
        config = load_config(config_file=str(config_path), strict=strict)
        build(config)
        return collector.messages
    except MkDocsException as exc:
        details = "\n  ".join(collector.messages) or str(exc)
        raise SiteError(f"the docs site did not build ({exc}):\n  {details}") from None
    except OSError as exc:
        raise SiteError(f"the docs site did not build: {exc}") from None
    finally:
        mkdocs_logger.removeHandler(collector)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# ---- helpers the MkDocs hooks call ------------------------------------------------


def read_front_matter(path: Path) -> dict[str, Any]:
    """The YAML front matter of a markdown file, or {} when it has none or it is unreadable."""
    import yaml

    try:
        with path.open(encoding="utf-8") as handle:
            if handle.readline().rstrip("\n") != "---":
                return {}
            lines = []
            for line in handle:
                if line.rstrip("\n") in ("---", "..."):
                    break
                lines.append(line)
            else:
                return {}
        data = yaml.safe_load("".join(lines))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def site_nav(docs_dir: Path, extra_pages: tuple[str, ...] = ()) -> list[Any]:
    """The navigation: home, learning path, concepts in learning order, reference, build report, the rest.

    ``extra_pages`` are pages the hooks generate (they are not on disk yet).
    """
    pages = sorted(
        {p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md") if not _hidden(p.relative_to(docs_dir))}
        | set(extra_pages)
    )
    remaining = list(pages)

    def take(path: str) -> str | None:
        if path in remaining:
            remaining.remove(path)
            return path
        return None

    nav: list[Any] = []
    for title, path in (("Home", "index.md"), ("Learning path", "path.md")):
        if take(path):
            nav.append({title: path})
    concepts = [p for p in remaining if p.startswith("concepts/")]
    if concepts:
        order = {f"concepts/{cid}.md": i for i, cid in enumerate(_learning_path(docs_dir))}
        titles = {p: str(read_front_matter(docs_dir / p).get("title") or p) for p in concepts if p not in order}
        concepts.sort(key=lambda p: (order.get(p, len(order)), titles.get(p, "").lower(), p))
        nav.append({"Concepts": [take(p) for p in concepts]})
    reference = [p for p in remaining if p.startswith("reference/")]
    if reference:
        reference.sort(key=lambda p: (p != "reference/index.md", p.lower()))
        nav.append({"Reference": [take(p) for p in reference]})
    if take("build-report.md"):
        nav.append({"Build report": "build-report.md"})
    sections: dict[str, list[str]] = {}
    for path in list(remaining):
        folder = path.split("/", 1)[0] if "/" in path else ""
        if folder:
            sections.setdefault(folder, []).append(take(path))
        else:
            nav.append(take(path))
    for folder, paths in sorted(sections.items()):
        nav.append({folder.replace("-", " ").replace("_", " ").capitalize(): paths})
    return nav


def _hidden(relpath: Path) -> bool:
    return any(part.startswith(".") for part in relpath.parts)


def _learning_path(docs_dir: Path) -> list[str]:
    try:
        data = json.loads((docs_dir / "core.json").read_text(encoding="utf-8"))
        return [str(cid) for cid in data.get("learning_path", [])]
    except (OSError, ValueError, AttributeError):
        return []


_HREF = re.compile(r'(\s(?:xlink:)?href=")([^"]*)(")')


def rewrite_md_links(
    html: str, page_src: str, resolve: Callable[[str], str | None], on_missing: Callable[[str], None]
) -> str:
    """Point ``.md`` hrefs left in raw HTML (the concept map) at the built pages.

    MkDocs rewrites markdown links but not raw HTML. ``resolve(target_src_uri)`` returns the
    URL of that page relative to ``page_src`` (or None if there is no such page).
    """

    def replace(match: re.Match[str]) -> str:
        href = match.group(2)
        path, _, fragment = href.partition("#")
        if not path.endswith(".md") or path.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page_src), path))
        url = resolve(target)
        if url is None:
            on_missing(href)
            return match.group(0)
        return f"{match.group(1)}{url}{'#' + fragment if fragment else ''}{match.group(3)}"

    # Code blocks show HTML as text (Python-Markdown escapes < > & but not quotes): leave them be.
    parts = _CODE_ELEMENT.split(html)
    return "".join(part if index % 2 else _HREF.sub(replace, part) for index, part in enumerate(parts))


_CODE_ELEMENT = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.S | re.I)


# Elements that fetch what their attributes name as soon as the page loads.
_EMBED_TAG = re.compile(
    r"<(?:img|iframe|frame|video|audio|source|track|embed|object|script|input|link|image|use|feImage)\b[^>]*>", re.I
)
_FETCH_ATTR = re.compile(
    r"""(\s)(src|srcset|poster|data|href|xlink:href|background)(\s*=\s*)(["'])(.*?)\4""", re.I | re.S
)
_STYLE_ATTR = re.compile(r"""(\sstyle\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_STYLE_ELEMENT = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.I | re.S)
_CSS_REMOTE = re.compile(r"""(@import\s+|url\(\s*)(["']?)\s*((?:[a-z][a-z0-9+.-]*:)?//[^"')\s;]*)""", re.I)
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def block_remote_embeds(html: str) -> tuple[str, list[str]]:
    """Stop a page from loading anything off the site; returns the new HTML and the blocked URLs.

    Corpus pages quote READMEs and docstrings, which may hold badges (``![ci](https://...)``) or
    raw HTML embeds. The site must work offline and make no request elsewhere, so such an
    attribute is renamed ``data-kc-blocked-*``: the element stays, nothing is fetched.
    Plain links (``<a href>``) are left alone: they load nothing until a person clicks.
    """
    blocked: list[str] = []

    def neutralise_attribute(match: re.Match[str]) -> str:
        space, name, equals, quote, value = match.groups()
        urls = [part.strip().split(" ")[0] for part in value.split(",")] if name.lower() == "srcset" else [value]
        remote = [url for url in urls if _REMOTE.match(url)]
        if not remote:
            return match.group(0)
        blocked.extend(url.strip() for url in remote)
        return f"{space}data-kc-blocked-{name.lower().replace(':', '-')}{equals}{quote}{value}{quote}"

    def neutralise_css(css: str) -> str:
        def replace(match: re.Match[str]) -> str:
            blocked.append(match.group(3))
            return f"{match.group(1)}{match.group(2)}about:blank"

        return _CSS_REMOTE.sub(replace, css)

    html = _EMBED_TAG.sub(lambda tag: _FETCH_ATTR.sub(neutralise_attribute, tag.group(0)), html)
    html = _STYLE_ATTR.sub(lambda m: f"{m.group(1)}{m.group(2)}{neutralise_css(m.group(3))}{m.group(2)}", html)
    html = _STYLE_ELEMENT.sub(lambda m: f"{m.group(1)}{neutralise_css(m.group(2))}{m.group(3)}", html)
    return html, blocked


def fallback_build_report(docs_dir: Path) -> str | None:
    """``build-report.md`` rendered from ``build-report.json`` for corpora that do not ship the page."""
    report_path = docs_dir / "build-report.json"
    if (docs_dir / "build-report.md").exists() or not report_path.is_file():
        return None
    from compiler.backend.report import render_report_markdown

    try:
        return render_report_markdown(json.loads(report_path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable report is left out of the site, not a crash
