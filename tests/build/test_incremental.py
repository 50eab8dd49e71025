"""Incremental builds that patch the previous corpus (early cutoff) give exactly what a cold build gives."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from compiler.analysis import structure_key
from compiler.build import build
from compiler.config import load_settings
from compiler.frontend import parse_file
from compiler.frontend.scan import scan


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def append_comment(path: Path) -> None:
    mark = "//" if path.suffix in (".js", ".mjs", ".ts", ".go") else "#"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{mark} touched\n", encoding="utf-8")


def insert_blank_lines(path: Path) -> None:
    path.write_text("\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_same_as_cold(source: Path, patched: Path, tmp_path: Path) -> None:
    cold = build(source, tmp_path / "cold" / "corpus", index=False, force=True)
    assert not cold.patched
    expected, actual = tree(cold.corpus), tree(patched)
    assert sorted(actual) == sorted(expected)
    different = [name for name in expected if actual[name] != expected[name]]
    assert different == [], f"patched corpus differs from a cold build in {different}"


def no_staging_left(out: Path) -> bool:
    """No staging folder beside the corpus (the replaced corpus is removed in the background: wait a little)."""
    for _ in range(100):
        if not list(out.parent.glob(f".{out.name}.new-*")):
            return True
        time.sleep(0.05)
    return False


EDITS = [
    ("pyapp", "minihttp/client.py", append_comment),
    ("pyapp", "minihttp/models.py", insert_blank_lines),
    ("pyapp", "minihttp/__init__.py", insert_blank_lines),
    ("jsapp", "lib/router/index.js", append_comment),
    ("jsapp", "lib/application.js", insert_blank_lines),
    ("goapp", "kvstore.go", insert_blank_lines),
    ("goapp", "internal/wal/wal.go", append_comment),
]


@pytest.mark.parametrize("repo,path,edit", EDITS, ids=[f"{r}:{p}:{e.__name__}" for r, p, e in EDITS])
def test_a_non_structural_edit_patches_the_corpus_to_exactly_a_cold_build(copy_repo, tmp_path, repo, path, edit):
    source = copy_repo(repo)
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    edit(source / path)
    result = build(source, out, index=False)
    assert result.patched, "a comment or blank-line edit should not re-run the analysis"
    assert result.parsed == 1 and result.reused == result.files - 1
    assert "analyze" not in result.timings and "emit" not in result.timings
    assert_same_as_cold(source, out, tmp_path)


def test_moved_lines_reach_the_core_the_pages_and_the_excerpts(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    before = {s["id"]: s for s in json.loads((out / "core.json").read_text())["symbols"]}
    insert_blank_lines(source / "minihttp" / "client.py")
    replace_once(source / "minihttp" / "client.py", "Client", "Client")  # no-op: the text is the same
    assert build(source, out, index=False).patched
    after = {s["id"]: s for s in json.loads((out / "core.json").read_text())["symbols"]}
    moved = [sid for sid, s in after.items() if s["path"] == "minihttp/client.py" and s["kind"] != "module"]
    assert moved and all(after[sid]["lines"][0] == before[sid]["lines"][0] + 2 for sid in moved)
    page = (out / "reference" / "minihttp.client.md").read_text()
    sid = moved[0]
    assert f"minihttp/client.py:{after[sid]['lines'][0]}-{after[sid]['lines'][1]}" in page


def test_a_string_edited_in_place_patches_and_updates_the_excerpt(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    page = out / "reference" / "minihttp.auth.md"
    target = source / "minihttp" / "auth.py"
    # a line inside a function body that holds a string literal and is shown in an excerpt
    literal = next(
        line
        for line in target.read_text().splitlines()
        if line.startswith("        ") and '"' in line and '"""' not in line and line.strip() in page.read_text()
    )
    start = literal.index('"')
    edited = literal[: start + 1] + "Xyz" + literal[start + 1 :]
    replace_once(target, literal, edited)
    result = build(source, out, index=False)
    assert result.patched
    assert edited.strip() in page.read_text()
    assert literal.strip() not in page.read_text()
    assert_same_as_cold(source, out, tmp_path)


def test_repeated_patches_stay_identical_to_a_cold_build(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    for round_ in range(3):
        append_comment(source / "minihttp" / "transport.py")
        insert_blank_lines(source / "minihttp" / "config.py")
        assert build(source, out, index=False).patched, f"round {round_}"
    assert_same_as_cold(source, out, tmp_path)


def test_a_structural_edit_runs_the_whole_analysis(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    target = source / "minihttp" / "auth.py"
    target.write_text(target.read_text() + '\n\ndef helper() -> None:\n    """A new helper."""\n')
    result = build(source, out, index=False)
    assert not result.patched and "analyze" in result.timings
    assert result.parsed == 1
    assert_same_as_cold(source, out, tmp_path)


def test_editing_the_author_notes_runs_the_whole_analysis(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    append_comment(source / "CONCEPTS.md")
    assert not build(source, out, index=False).patched


def test_a_corpus_changed_since_the_last_build_is_rebuilt_not_patched(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    core = out / "core.json"
    core.write_bytes(core.read_bytes())  # same bytes, new mtime: no longer the file the state describes
    append_comment(source / "minihttp" / "client.py")
    result = build(source, out, index=False)
    assert not result.patched
    assert_same_as_cold(source, out, tmp_path)


def test_a_patch_that_fails_half_way_leaves_the_old_corpus_whole(copy_repo, tmp_path, monkeypatch):
    import compiler.incremental as incremental

    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    before = tree(out)
    append_comment(source / "minihttp" / "client.py")
    calls = []

    def fail_midway(src, dst):
        calls.append(src)
        if len(calls) > 3:
            raise KeyboardInterrupt("killed")
        os.link(src, dst)

    monkeypatch.setattr(incremental, "_link_or_copy", fail_midway)
    with pytest.raises(KeyboardInterrupt):
        build(source, out, index=False)
    assert tree(out) == before
    monkeypatch.undo()
    result = build(source, out, index=False)
    assert result.patched
    assert no_staging_left(out), "staging folders are swept up"
    assert_same_as_cold(source, out, tmp_path)


def test_structure_key_ignores_positions_but_not_structure(copy_repo):
    source = copy_repo("pyapp")
    settings = load_settings(source)
    files = {f.path: f for f in scan(source, settings).files}
    target = source / "minihttp" / "auth.py"

    def facts():
        data = target.read_bytes()
        entry = scan(source, settings).files
        return parse_file(next(f for f in entry if f.path == "minihttp/auth.py"), data, repo_paths=frozenset(files))

    original = structure_key(facts())
    insert_blank_lines(target)
    append_comment(target)
    assert structure_key(facts()) == original
    target.write_text(target.read_text() + "\n\ndef extra():\n    return original_call()\n")
    assert structure_key(facts()) != original


def test_structure_key_sees_the_fields_a_method_reads(copy_repo):
    """A god-class's core splits by the fields its methods share: an edit that changes them changes the analysis."""
    source = copy_repo("pyapp")
    settings = load_settings(source)
    target = source / "minihttp" / "auth.py"

    def facts():
        entry = next(f for f in scan(source, settings).files if f.path == "minihttp/auth.py")
        return parse_file(entry, target.read_bytes(), repo_paths=frozenset(), excerpt_lines=settings.excerpt_lines)

    original = structure_key(facts())
    target.write_text(target.read_text().replace('f"Bearer {self.token}"', 'f"Bearer {self.tokan}"'))
    assert structure_key(facts()) != original


def test_a_corpus_page_deleted_by_hand_means_a_full_build(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"
    build(source, out, index=False)
    (out / "path.md").unlink()
    append_comment(source / "minihttp" / "client.py")
    result = build(source, out, index=False)
    assert not result.patched
    assert no_staging_left(out), "the abandoned patch left no staging folder"
    assert_same_as_cold(source, out, tmp_path)


def test_committing_what_was_built_records_the_new_commit_without_rebuilding(copy_repo, tmp_path):
    import subprocess

    source = copy_repo("pyapp")
    out = tmp_path / "out" / "corpus"

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=kc", "-c", "user.email=kc@example.invalid", *args],
            cwd=source,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    build(source, out, index=False)
    append_comment(source / "minihttp" / "client.py")
    built_dirty = build(source, out, index=False)
    assert built_dirty.core.source.commit.endswith("+dirty")
    git("commit", "-q", "-am", "second")
    result = build(source, out, index=False)
    assert result.patched and result.parsed == 0, "same files, new commit: a patch, not a rebuild"
    assert result.core.source.commit == git("rev-parse", "HEAD")
    assert build(source, out, index=False).up_to_date
    assert_same_as_cold(source, out, tmp_path)
