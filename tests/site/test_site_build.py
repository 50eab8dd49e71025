"""Building the docs site: strict MkDocs builds, pages, links, markdown twins, offline assets, errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kctest import synthetic
from kctest.corpus import REPO

from compiler.backend.site import SiteError, block_remote_embeds, build_site, rewrite_md_links, site_nav


def _html(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def test_every_corpus_page_becomes_a_site_page(small_site, small_corpus):
    for page in ("index.html", "path/index.html", "reference/index.html", "build-report/index.html", "404.html"):
        assert (small_site / page).is_file(), page
    for concept in synthetic.small_core().concepts:
        assert (small_site / "concepts" / concept.id / "index.html").is_file()
    module_pages = list((small_corpus / "reference").glob("minihttp.*.md"))
    assert len(module_pages) == len(synthetic.small_core().concepts)
    for module_page in module_pages:
        assert (small_site / "reference" / module_page.stem / "index.html").is_file()


def test_llms_txt_at_the_root_and_a_markdown_twin_of_every_page(small_site, small_corpus):
    for name in ("llms.txt", "llms-full.txt"):
        assert (small_site / name).read_bytes() == (small_corpus / name).read_bytes()
    pages = sorted(p.relative_to(small_corpus) for p in small_corpus.rglob("*.md"))
    assert len(pages) > 10
    for page in pages:
        assert (small_site / page).read_bytes() == (small_corpus / page).read_bytes(), page
    # Every link in llms.txt resolves to a file of the site (the twins make that so).
    links = re.findall(r"\]\(([^)]+)\)", (small_site / "llms.txt").read_text(encoding="utf-8"))
    assert links and all((small_site / link).is_file() for link in links), links


def test_concept_map_nodes_link_to_the_built_concept_pages(small_site):
    html = _html(small_site, "index.html")
    svg = re.search(r"<svg[^>]*\bkc-map\b.*?</svg>", html, re.S).group(0)
    hrefs = re.findall(r'<a class="kc-map-node[^"]*" href="([^"]+)"', svg)
    assert sorted(hrefs) == sorted(f"concepts/{c.id}/" for c in synthetic.small_core().concepts)
    assert all((small_site / href / "index.html").is_file() for href in hrefs)
    assert ".md" not in " ".join(hrefs)


def test_concept_sources_link_to_anchored_symbol_entries(small_site):
    html = _html(small_site, "concepts/retries/index.html")
    links = re.findall(r'href="(\.\./\.\./reference/[^"#]+/)#([^"]+)"', html)
    assert links, "no source link from the concept page to the reference"
    for page, anchor in links:
        target = _html(small_site, f"concepts/retries/{page}index.html")
        assert f'id="{anchor}"' in target, (page, anchor)


def test_navigation_orders_concepts_by_learning_path(small_corpus):
    nav = site_nav(small_corpus)
    titles = [next(iter(entry)) for entry in nav if isinstance(entry, dict)]
    assert titles == ["Home", "Learning path", "Concepts", "Reference", "Build report"]
    concepts = next(entry["Concepts"] for entry in nav if isinstance(entry, dict) and "Concepts" in entry)
    assert concepts == [f"concepts/{cid}.md" for cid in synthetic.small_core().learning_path]
    reference = next(entry["Reference"] for entry in nav if isinstance(entry, dict) and "Reference" in entry)
    assert reference[0] == "reference/index.md"


def test_the_site_requests_nothing_remote(small_site):
    """No web font, CDN script, stylesheet or analytics anywhere in the generated HTML."""
    for page in small_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*?\s(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert not remote, f"{page}: {remote}"
        assert "fonts.googleapis" not in html and "googletagmanager" not in html


def test_remote_images_in_quoted_text_are_not_loaded(small_site):
    html = _html(small_site, "index.html")
    assert 'data-kc-blocked-src="https://img.shields.io/badge/build-passing-green.svg"' in html
    assert not re.search(r'\ssrc="https://img\.shields\.io', html)


def test_block_remote_embeds_covers_attributes_and_css():
    html = (
        '<img alt="ci" src="https://img.shields.io/x.svg"><img src="../assets/a.png"><a href="https://e.org">e</a>'
        '<img srcset="a.png 1x, //cdn/b.png 2x"><span style="background:url(\'http://x/y.png\')">s</span>'
        '<style>@import "https://f/c.css";</style><script src="http://evil/x.js"></script>'
        '<svg><image href="https://i/x.png"/></svg><pre><code>&lt;img src="https://shown.as/text"&gt;</code></pre>'
    )
    out, blocked = block_remote_embeds(html)
    assert sorted(blocked) == sorted([
        "https://img.shields.io/x.svg", "//cdn/b.png", "http://x/y.png", "https://f/c.css", "http://evil/x.js", "https://i/x.png",
    ])
    assert '<img src="../assets/a.png">' in out and '<a href="https://e.org">' in out
    assert 'src="https://shown.as/text"' in out  # code shown as text is untouched
    assert not re.search(r'\s(src|srcset|href)="(https?:)?//(?!e\.org|shown\.as)', out)


def test_search_index_holds_the_symbol_ids(small_site):
    index = (small_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "minihttp.transport.TransportManager.send_transport" in index


def test_output_is_deterministic_apart_from_mkdocs_own_sitemap(small_corpus, tmp_path):
    build_site(small_corpus, tmp_path / "a")
    build_site(small_corpus, tmp_path / "b")
    for page in ("index.html", "concepts/retries/index.html", "search/search_index.json"):
        assert (tmp_path / "a" / page).read_bytes() == (tmp_path / "b" / page).read_bytes(), page


def test_a_broken_link_fails_the_strict_build_and_names_it(small_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    page = corpus / "concepts" / "auth.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [nowhere](../concepts/nowhere.md).\n", encoding="utf-8")
    with pytest.raises(SiteError, match=r"concepts/auth\.md.*nowhere\.md"):
        build_site(corpus, tmp_path / "site")
    result = build_site(corpus, tmp_path / "site", strict=False)
    assert any("nowhere.md" in w for w in result.warnings)


def test_a_broken_link_inside_raw_html_fails_too(small_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    index = corpus / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("concepts/auth.md", "concepts/gone.md", 1), encoding="utf-8")
    with pytest.raises(SiteError, match=r"gone\.md"):
        build_site(corpus, tmp_path / "site")


def test_refuses_an_output_folder_it_could_wreck(small_corpus, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(SiteError, match="not empty"):
        build_site(small_corpus, precious)
    assert (precious / "thesis.tex").exists()
    with pytest.raises(SiteError, match="outside the corpus"):
        build_site(small_corpus, small_corpus / "site")
    with pytest.raises(SiteError, match="outside the corpus"):
        build_site(small_corpus, small_corpus.parent)


def test_kc_site_command(small_corpus, tmp_path):
    kc = [sys.executable, "-m", "compiler.cli"]
    done = subprocess.run([*kc, "site", "--corpus", str(small_corpus), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "index.html").is_file() and "pages in" in done.stdout
    missing = subprocess.run([*kc, "site", "--corpus", str(tmp_path / "none"), "--out", str(tmp_path / "o2")],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2
    assert "no core.json" in missing.stderr and "Traceback" not in missing.stderr


def test_rewrite_md_links_only_touches_relative_md_links():
    html = (
        '<a href="concepts/a.md">a</a><a href="concepts/a.md#x">x</a><a href="https://e.org/b.md">e</a>'
        '<a href="#top">t</a><a href="other.html">o</a><a href="concepts/none.md">n</a>'
    )
    missing = []
    out = rewrite_md_links(html, "index.md", lambda target: {"concepts/a.md": "concepts/a/"}.get(target), missing.append)
    assert 'href="concepts/a/"' in out and 'href="concepts/a/#x"' in out
    assert 'href="https://e.org/b.md"' in out and 'href="#top"' in out and 'href="other.html"' in out
    assert missing == ["concepts/none.md"]


def test_top_level_mkdocs_yml_builds_a_corpus_strictly(small_corpus, tmp_path):
    """The repository's own mkdocs.yml (same base config and hooks), pointed at a fixture corpus."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(config_file=str(REPO / "mkdocs.yml"), docs_dir=str(small_corpus),
                         site_dir=str(tmp_path / "site"), strict=True)
    build(config)
    assert 'href="concepts/retries/"' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "site" / "concepts" / "retries.md").is_file()


def test_a_corpus_with_only_build_report_json_still_gets_the_report_page(small_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    (corpus / "build-report.md").unlink()
    for page in corpus.rglob("*.md"):  # the pages link to the report: point those links at the JSON
        page.write_text(page.read_text(encoding="utf-8").replace("(build-report.md)", "(build-report.json)"), encoding="utf-8")
    build_site(corpus, tmp_path / "site")
    report = _html(tmp_path / "site", "build-report/index.html")
    assert "syntax-error" in report and "aws-access-key" in report
    assert (tmp_path / "site" / "build-report.md").is_file()


def test_rewrite_md_links_leaves_html_shown_in_code_blocks_alone():
    html = '<pre><code>&lt;a href="concepts/none.md"&gt;</code></pre><p><code>href="x.md"</code></p><a href="concepts/a.md">a</a>'
    missing = []
    out = rewrite_md_links(html, "index.md", lambda target: {"concepts/a.md": "concepts/a/"}.get(target), missing.append)
    assert missing == []
    assert 'href="concepts/none.md"' in out and 'href="concepts/a/"' in out
