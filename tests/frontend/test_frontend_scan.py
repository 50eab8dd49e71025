"""scan(): which files are compiled, which are skipped, and why."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from compiler.config import Settings
from compiler.frontend.scan import language_of, scan
from kctest.frontend_files import write

REPOS = Path(__file__).parents[1] / "fixtures" / "repos"


def kept(result) -> list[str]:
    return [f.path for f in result.files]


def skipped(result) -> dict[str, str]:
    return {s.path: s.reason for s in result.skipped}


def test_walk_honours_nested_gitignore_files_outside_git(tmp_path):
    write(tmp_path, ".gitignore", "*.log\ngenerated/\n")
    write(tmp_path, "app/main.py")
    write(tmp_path, "app/debug.log", "log\n")
    write(tmp_path, "generated/out.py")
    write(tmp_path, "pkg/.gitignore", "secret_*.py\n!secret_ok.py\n")
    write(tmp_path, "pkg/secret_a.py")
    write(tmp_path, "pkg/secret_ok.py")
    write(tmp_path, "pkg/mod.py")
    result = scan(tmp_path, Settings())
    assert kept(result) == [".gitignore", "app/main.py", "pkg/.gitignore", "pkg/mod.py", "pkg/secret_ok.py"]
    assert result.skipped == []  # git-ignored files are not part of the source, so not reported


def test_git_work_tree_lists_tracked_and_untracked_but_not_ignored(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, ".gitignore", "ignored.py\n")
    write(tmp_path, "src/app.py")
    write(tmp_path, "ignored.py")
    write(tmp_path, ".git/info/exclude", "local_only.py\n")
    write(tmp_path, "local_only.py")
    result = scan(tmp_path, Settings())
    assert kept(result) == [".gitignore", "src/app.py"]
    # a subdirectory of a checkout: paths are relative to the scanned folder
    assert kept(scan(tmp_path / "src", Settings())) == ["app.py"]


def test_vendored_and_excluded_directories_are_reported_once(tmp_path):
    write(tmp_path, "app.py")
    write(tmp_path, "node_modules/left-pad/index.js", "module.exports = 1;\n")
    write(tmp_path, "node_modules/left-pad/package.json", "{}\n")
    write(tmp_path, "web/node_modules/react/index.js", "module.exports = 1;\n")
    write(tmp_path, "pkg/__pycache__/mod.cpython-311.pyc", b"\x00\x01")
    write(tmp_path, "docs/notes.md", "# notes\n")
    write(tmp_path, "tmp.scratch.py")
    result = scan(tmp_path, Settings(exclude=("docs/", "*.scratch.py")))
    assert kept(result) == ["app.py"]
    assert skipped(result) == {
        "node_modules/": "vendored",
        "web/node_modules/": "vendored",
        "pkg/__pycache__/": "excluded",
        "docs/": "excluded",
        "tmp.scratch.py": "excluded",
    }


def test_output_folder_inside_the_root_is_never_read(tmp_path):
    write(tmp_path, "app.py")
    write(tmp_path, "corpus/core.json", "{}\n")
    result = scan(tmp_path, Settings(), out_dir=tmp_path / "corpus")
    assert kept(result) == ["app.py"]
    assert skipped(result) == {"corpus/": "excluded"}


def test_a_build_staging_folder_beside_the_output_is_left_out_silently(tmp_path):
    write(tmp_path, "app.py")
    write(tmp_path, ".corpus.new-x1y2/index.md", "# being deleted\n")
    write(tmp_path, ".corpus.old/index.md", "# backup\n")
    write(tmp_path, "docs/.corpus.new-x1y2/notes.md", "# not beside the output: a source folder\n")
    result = scan(tmp_path, Settings(), out_dir=tmp_path / "corpus")
    assert kept(result) == ["app.py", "docs/.corpus.new-x1y2/notes.md"]
    assert skipped(result) == {}


def test_binary_and_too_large_files_are_skipped_with_reasons(tmp_path):
    write(tmp_path, "logo.png", b"\x89PNG\r\n\x1a\n")
    write(tmp_path, "blob.dat", b"abc\x00def")
    write(tmp_path, "big.py", "x = 1\n" * 50)  # 300 bytes
    write(tmp_path, "small.py", "x = 1\n")
    result = scan(tmp_path, Settings(max_file_bytes=100))
    assert kept(result) == ["small.py"]
    assert skipped(result) == {
        "logo.png": "binary",
        "blob.dat": "binary",
        "big.py": "too-large (300 bytes > 100)",
    }


def test_symlinks_leading_out_of_the_root_or_nowhere_are_skipped(tmp_path):
    root = tmp_path / "repo"
    write(root, "real.py")
    outside = write(tmp_path, "outside/secret.txt", "do not read\n")
    os.symlink(outside, root / "escape.txt")
    os.symlink(tmp_path / "outside", root / "escape_dir")
    os.symlink(root / "missing.py", root / "dangling.py")
    os.symlink(root / "real.py", root / "alias.py")  # inside the root: fine
    result = scan(root, Settings())
    assert kept(result) == ["alias.py", "real.py"]
    assert skipped(result) == {
        "escape.txt": "symlink-outside",
        "escape_dir": "symlink-outside",
        "dangling.py": "symlink-dangling",
    }


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_reported(tmp_path):
    path = write(tmp_path, "locked.py")
    path.chmod(0)
    try:
        assert skipped(scan(tmp_path, Settings())) == {"locked.py": "unreadable"}
    finally:
        path.chmod(0o644)


def test_files_carry_language_size_and_hash():
    result = scan(REPOS / "jsapp", Settings())
    by_path = {f.path: f for f in result.files}
    data = (REPOS / "jsapp" / "lib/router/route.js").read_bytes()
    route = by_path["lib/router/route.js"]
    assert route.language == "javascript"
    assert route.size == len(data)
    assert route.sha256 == hashlib.sha256(data).hexdigest()
    assert by_path["src/types.ts"].language == "typescript"
    assert by_path["src/middleware.mjs"].language == "javascript"
    assert by_path["package.json"].language == "text"
    assert kept(result) == sorted(kept(result))


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b.py", "python"),
        ("x.cjs", "javascript"),
        ("x.jsx", "javascript"),
        ("x.mts", "typescript"),
        ("x.tsx", "tsx"),
        ("main.go", "go"),
        ("README.markdown", "markdown"),
        ("Makefile", "text"),
        ("setup.cfg", "text"),
    ],
)
def test_language_by_extension(path, language):
    assert language_of(path) == language


def test_broken_fixture_keeps_text_and_skips_the_png():
    result = scan(REPOS / "broken", Settings())
    assert skipped(result) == {"logo.png": "binary"}
    assert "latin1.py" in kept(result)  # undecodable text is the parser's problem, reported as a diagnostic
