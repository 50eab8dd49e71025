"""MkDocs hooks for a kc docs site: the glue between MkDocs events and compiler.backend.site.

Referenced from ``hooks:`` in the top-level mkdocs.yml and in the one ``kc site`` writes.
What they do, in build order:

* ``on_config``: add the site's stylesheet and script; derive the navigation from the corpus
  (home, learning path, concepts in learning order, reference, build report) unless set.
* ``on_files``: add those two assets, and ``build-report.md`` for a corpus that only has the JSON.
* ``on_page_markdown``: give top-level pages the full width (the home page's concept map most of all).
* ``on_page_content``: point the ``.md`` links inside raw HTML (the concept map) at built pages,
  and keep quoted READMEs/docstrings from loading remote images or scripts (offline, private).
* ``on_post_build``: write each page's markdown next to its HTML (``concepts/x.md``), so the
  links in ``llms.txt`` (copied to the site root as is) resolve to markdown an agent can read.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

try:
    from compiler.backend import site as kc_site
except ModuleNotFoundError:  # mkdocs run from a checkout whose package is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from compiler.backend import site as kc_site

log = logging.getLogger("mkdocs.hooks.kc")
_documentation_files: list = []  # the last build's pages, for on_post_build


def on_config(config):
    for site_path, _asset, option in kc_site.SITE_FILES:
        if site_path not in [str(entry) for entry in config[option]]:
            config[option].append(site_path)
    if config.nav is None:
        docs_dir = Path(config.docs_dir)
        generated = ("build-report.md",) if kc_site.fallback_build_report(docs_dir) is not None else ()
        config.nav = kc_site.site_nav(docs_dir, generated)
    return config


def on_files(files, config):
    from mkdocs.structure.files import File

    for site_path, asset, _option in kc_site.SITE_FILES:
        if files.get_file_from_path(site_path) is None:
            files.append(File.generated(config, site_path, abs_src_path=str(asset)))
    report = kc_site.fallback_build_report(Path(config.docs_dir))
    if report is not None and files.get_file_from_path("build-report.md") is None:
        files.append(File.generated(config, "build-report.md", content=report))
    _documentation_files[:] = list(files.documentation_pages())
    return files


def on_page_markdown(markdown, page, config, files):
    # A top-level page (home, learning path, build report) is its own tab: a sidebar listing
    # only itself wastes width. The home page also drops its outline, so the map gets the room.
    if page.parent is None and "hide" not in page.meta:
        page.meta["hide"] = ["navigation", "toc"] if page.file.src_uri == "index.md" else ["navigation"]
    return markdown


def on_page_content(html, page, config, files):
    def resolve(target: str) -> str | None:
        file = files.get_file_from_path(target)
        return None if file is None else file.url_relative_to(page.file)

    def missing(href: str) -> None:
        log.warning(
            "Doc file '%s' contains a link '%s' in raw HTML, but there is no such page.", page.file.src_uri, href
        )

    html = kc_site.rewrite_md_links(html, page.file.src_uri, resolve, missing)
    html, blocked = kc_site.block_remote_embeds(html)
    for url in blocked:
        # Info, not a warning: a README badge is common and harmless once it no longer loads.
        log.info("kc: %s: not loading %s (the site makes no request outside itself)", page.file.src_uri, url)
    return html


def on_post_build(config):
    site_dir = Path(config.site_dir)
    for file in _documentation_files:
        twin = site_dir / file.src_uri
        twin.parent.mkdir(parents=True, exist_ok=True)
        twin.write_bytes(file.content_bytes)
