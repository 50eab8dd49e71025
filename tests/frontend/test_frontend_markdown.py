"""Markdown sections."""

from __future__ import annotations

from compiler.frontend.markdown import sections
from compiler.text import heading_anchor


def test_readme_sections(repo_facts):
    found = repo_facts("pyapp")["README.md"].sections
    assert [(s.title, s.level, s.anchor) for s in found] == [
        ("minihttp", 1, "minihttp"),
        ("Install", 2, "install"),
        ("Usage", 2, "usage"),
        ("Retries", 2, "retries"),
        ("Authentication", 2, "authentication"),
    ]
    retries = found[3]
    assert retries.lines == (34, 40)
    assert retries.text.startswith("A failed connection is not the end")
    assert retries.text.endswith("raises `RetryExhausted`.")
    assert all(s.path == "README.md" for s in found)


def test_docs_folder_is_parsed(repo_facts):
    found = repo_facts("pyapp")["docs/configuration.md"].sections
    assert [s.title for s in found] == ["Configuration", "Defaults", "The minihttp.toml file", "Environment variables"]


def test_front_matter_code_blocks_preamble_and_duplicate_anchors():
    text = (
        "---\ntitle: Guide\n---\n"
        "Intro before any heading.\n\n"
        "Setext Title\n============\n\n"
        "```python\n# not a heading\n```\n"
        "## Using `Client` **now**\nbody\n\n"
        "## Using Client now\n"
    )
    found = sections("docs/guide.md", text)
    assert [(s.title, s.level, s.lines, s.anchor) for s in found] == [
        ("guide", 0, (4, 4), ""),
        ("Setext Title", 1, (6, 11), "setext-title"),
        ("Using Client now", 2, (12, 13), "using-client-now"),
        ("Using Client now", 2, (15, 15), "using-client-now-1"),
    ]
    assert found[1].text == "```python\n# not a heading\n```"


def test_slugify_like_github():
    assert heading_anchor("Retries & Backoff (v2)!") == "retries--backoff-v2"


def test_rst_sections_levels_literal_blocks_and_overlines():
    from compiler.frontend.rst import sections as rst_sections

    text = (
        "Intro.\n\n"
        "=====\nGuide\n=====\n\n"
        "Install\n-------\n\nRun::\n\n    Not a title\n    -----------\n\n"
        "Usage\n-------\nbody\n\n"
        "Details\n~~~~~~~\nmore\n"
    )
    found = rst_sections("docs/guide.rst", text)
    assert [(s.title, s.level, s.lines, s.anchor) for s in found] == [
        ("guide", 0, (1, 1), ""),
        ("Guide", 1, (3, 5), "guide"),
        ("Install", 2, (7, 13), "install"),
        ("Usage", 2, (15, 17), "usage"),
        ("Details", 3, (19, 21), "details"),
    ]
    assert found[2].text.startswith("Run::") and "Not a title" in found[2].text
