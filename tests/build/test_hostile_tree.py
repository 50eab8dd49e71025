"""Hostile trees: names that are not UTF-8, page names past 255 bytes, ignore patterns pathspec cannot read,
CR-only markdown, folders that cannot be listed. Each is reported, none stops the build."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from compiler.build import build
from compiler.cache import facts_key
from compiler.config import Settings
from compiler.frontend import parse_file
from compiler.frontend.scan import scan
from compiler.model import SourceFile
from compiler.text import MAX_PAGE_NAME, page_name, slugify

LONG = "/".join(["segment_" + "a" * 52] * 5)


def _write(root: Path, rel: str | bytes, text: str) -> None:
    path = os.path.join(os.fsencode(root), os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _corpus_files(out: Path) -> dict[str, Path]:
    return {p.relative_to(out).as_posix(): p for p in out.rglob("*") if p.is_file()}


def _git(root: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)


@pytest.mark.parametrize("in_git", [False, True], ids=["walked", "git"])
def test_names_that_are_not_utf8_are_skipped_with_a_readable_record(tmp_path, in_git):
    root = tmp_path / "repo"
    _write(root, "app.py", "def ok():\n    return 1\n")
    _write(root, b"bad_\xff.py", "def bad():\n    return 2\n")
    _write(root, b"dir_\xfe/inner/mod.py", "def inner():\n    return 3\n")
    if in_git:
        _git(root)
    result = scan(root, Settings())
    assert [f.path for f in result.files] == ["app.py"]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("bad_\\xff.py", "undecodable-name"),
        ("dir_\\xfe/", "undecodable-name"),
    ]
    out = tmp_path / "corpus"
    build(root, out, index=False)
    for rel, path in _corpus_files(out).items():
        rel.encode("utf-8")  # every page name is text
        path.read_bytes().decode("utf-8")  # and so is every page
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert {"path": "dir_\\xfe/", "reason": "undecodable-name"} in report["skipped"]


def test_the_facts_cache_key_takes_any_path():
    source = SourceFile("bad_\udcff.py", "python", 1, "0" * 64)
    assert facts_key(source, Settings()) != facts_key(SourceFile("bad_.py", "python", 1, "0" * 64), Settings())


def test_page_names_are_shortened_with_a_stable_hash():
    name = "m" * 300
    short = page_name(name)
    assert len(short.encode()) <= MAX_PAGE_NAME and short == page_name(name) and short.startswith("m" * 100)
    assert page_name("m" * 299 + "n") != short  # the same start, another name: another page
    assert page_name("short") == "short"
    assert len(page_name("é" * 200).encode()) <= MAX_PAGE_NAME  # cut on a character, not inside one
    assert len(slugify("word " * 100)) <= MAX_PAGE_NAME


def test_a_module_and_a_concept_with_very_long_names_get_pages_every_link_reaches(tmp_path):
    root = tmp_path / "repo"
    _write(root, "pkg/__init__.py", '"""Pkg."""\n')
    _write(root, f"pkg/{LONG}/{'m' * 200}.py", 'def far():\n    """Far away."""\n    return 1\n')
    _write(root, "CONCEPTS.md", "# Concepts\n\n## " + "Very long concept title " * 20 + "\n\nfiles: pkg/\n\nText.\n")
    out = tmp_path / "corpus"
    build(root, out, index=False)
    files = _corpus_files(out)
    assert all(len(name.encode()) <= 255 for rel in files for name in rel.split("/"))
    assert any(re.fullmatch(r"reference/pkg\.segment_a+.*-[0-9a-f]{12}\.md", rel) for rel in files), sorted(files)
    assert any(re.fullmatch(r"concepts/very-long-concept-title.*-[0-9a-f]{12}\.md", rel) for rel in files)
    linked = 0
    for rel, path in files.items():
        if not rel.endswith(".md") and rel != "llms.txt":  # llms-full.txt: pages pasted with their own links
            continue
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            base = out if rel.endswith(".txt") else path.parent
            assert (base / target).resolve().is_file(), f"{rel} links to missing {target}"
            linked += 1
    assert linked > 5
    again = tmp_path / "again"
    build(root, again, index=False)
    assert sorted(_corpus_files(again)) == sorted(files)  # the same names on every build


def test_ignore_patterns_pathspec_cannot_read_are_warnings_with_file_and_line(tmp_path):
    root = tmp_path / "repo"
    _write(root, "keep.py", "x = 1\n")
    _write(root, "notes.log", "log\n")
    _write(root, "drop.tmp", "tmp\n")
    _write(root, ".gitignore", "# ignore\n\\\n*.log\n")
    _write(root, "sub/.gitignore", "\n\\\n")
    _write(root, "sub/code.py", "y = 2\n")
    _write(root, "kc.toml", 'max_file_bytes = 1000000\nexclude = [\n  "*.tmp",\n  "\\\\",\n]\n')
    from compiler.config import load_settings

    result = scan(root, load_settings(root))
    assert [(d.path, d.line, d.severity, d.code) for d in result.diagnostics] == [
        (".gitignore", 2, "warning", "invalid-ignore-pattern"),
        ("kc.toml", 4, "warning", "invalid-ignore-pattern"),
        ("sub/.gitignore", 2, "warning", "invalid-ignore-pattern"),
    ]
    kept = {f.path for f in result.files}
    assert {"keep.py", "sub/code.py"} <= kept and not kept & {"notes.log", "drop.tmp"}  # the good lines still work
    out = tmp_path / "corpus"
    built = build(root, out, index=False)
    assert [f"{d.path}:{d.line}" for d in built.diagnostics if d.code == "invalid-ignore-pattern"] == [
        ".gitignore:2",
        "kc.toml:4",
        "sub/.gitignore:2",
    ]


def test_an_invalid_exclude_in_pyproject_names_its_line(tmp_path):
    root = tmp_path / "repo"
    _write(root, "a.py", "x = 1\n")
    _write(root, "pyproject.toml", '[tool.ruff]\nexclude = ["x"]\n\n[tool.kc]\nexclude = ["\\\\"]\n')
    from compiler.config import load_settings

    result = scan(root, load_settings(root))
    assert [(d.path, d.line) for d in result.diagnostics] == [("pyproject.toml", 5)]


def test_cr_only_markdown_has_its_headings_and_line_numbers():
    text = "# Title\r\rIntro text.\r\r## Usage\r\rCall `run()`.\r"
    facts = parse_file(SourceFile("README.md", "markdown", len(text), "0" * 64), text.encode())
    assert facts.diagnostics == ()
    assert [(s.title, s.level, s.lines) for s in facts.sections] == [("Title", 1, (1, 3)), ("Usage", 2, (5, 7))]
    assert facts.lines == 7
    crlf = text.replace("\r", "\r\n")
    same = parse_file(SourceFile("README.md", "markdown", len(crlf), "0" * 64), crlf.encode())
    assert [(s.title, s.lines) for s in same.sections] == [(s.title, s.lines) for s in facts.sections]


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    _write(root, "a.py", "x = 1\n")
    _write(root, "locked/b.py", "y = 2\n")
    locked = os.fspath(root / "locked")
    real_scandir = os.scandir

    def scandir(path):  # as root, chmod 000 does not stop a listing: refuse this one folder instead
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = scan(root, Settings())
    assert [f.path for f in result.files] == ["a.py"]
    assert [(s.path, s.reason) for s in result.skipped] == [("locked/", "unreadable")]


def test_folders_git_could_not_open_are_reported():
    from compiler.frontend.scan import git_unreadable
    from compiler.model import SkippedFile

    stderr = "warning: could not open directory 'src/locked/': Permission denied\nsomething else\n"
    assert git_unreadable(stderr) == [SkippedFile("src/locked/", "unreadable")]
    assert git_unreadable("") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any folder")
@pytest.mark.parametrize("in_git", [False, True], ids=["walked", "git"])
def test_a_folder_without_permissions_is_reported(tmp_path, in_git):
    root = tmp_path / "repo"
    _write(root, "a.py", "x = 1\n")
    _write(root, "locked/b.py", "y = 2\n")
    if in_git:
        _git(root)
    (root / "locked").chmod(0)
    try:
        out = tmp_path / "corpus"
        build(root, out, index=False)
        report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
        assert {"path": "locked/", "reason": "unreadable"} in report["skipped"]
    finally:
        (root / "locked").chmod(0o755)


def test_a_failed_emission_leaves_no_staging_folder(tmp_path, monkeypatch):
    import compiler.build as build_module

    root = tmp_path / "repo"
    _write(root, "a.py", "def f():\n    return 1\n")

    def explode(*args, **kwargs):
        raise OSError(36, "File name too long")

    monkeypatch.setattr(build_module, "_write_lines", explode)
    with pytest.raises(OSError):
        build(root, tmp_path / "corpus", index=False)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".corpus.")]  # .kc/ holds the lock and caches


@pytest.mark.parametrize("text", ["x = f" + "()" * 8000 + "\n", "x = a" + ".b()" * 4000 + "\n"], ids=["calls", "chain"])
def test_long_python_call_chains_become_a_diagnostic_with_a_line(text):
    facts = parse_file(SourceFile("chain.py", "python", len(text), "0" * 64), text.encode())
    assert [(d.path, d.line) for d in facts.diagnostics] == [("chain.py", 1)]
    assert facts.lines == 1
