"""Golden corpora: the fixture repositories compile to exactly the files under tests/fixtures/golden/.

A change to the compiler's output shows up here as a diff to review. After an intended change:

    KC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/build/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from compiler.build import build

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOLDEN = FIXTURES / "golden"


def read_tree(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("name", ["pyapp", "jsapp", "goapp"])
def test_fixture_compiles_to_its_golden_corpus(name, tmp_path):
    source = tmp_path / name
    shutil.copytree(FIXTURES / "repos" / name, source)
    out = tmp_path / "corpus"
    build(source, out, index=False)
    golden = GOLDEN / name
    if os.environ.get("KC_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden)
    actual, expected = read_tree(out), read_tree(golden)
    assert sorted(actual) == sorted(expected), "the corpus has different files than the golden one"
    for relpath in expected:
        if actual[relpath] != expected[relpath]:
            diff = "".join(
                difflib.unified_diff(
                    expected[relpath].splitlines(True),
                    actual[relpath].splitlines(True),
                    f"golden/{name}/{relpath}",
                    f"built/{relpath}",
                    n=2,
                )
            )
            pytest.fail(f"{relpath} differs from the golden corpus:\n{diff[:4000]}")
