"""`kc search` and `kc index` as a user runs them: subprocesses, real output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KC = [sys.executable, "-m", "compiler.cli"]
ROOT = Path(__file__).resolve().parents[2]
CONTRACT = {"rank": int, "score": float, "path": str, "symbol": (str, type(None)), "lines": (list, type(None)),
            "concept": (str, type(None)), "title": str, "snippet": str}  # fmt: skip


def kc(*args, env_extra=None, cwd=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    return subprocess.run([*KC, *args], capture_output=True, text=True, timeout=300, cwd=cwd or ROOT, env=env)


def check_contract(hits: list, k: int) -> None:
    assert isinstance(hits, list) and 0 < len(hits) <= k
    for expected_rank, hit in enumerate(hits, start=1):
        assert set(CONTRACT) <= set(hit) and "text" not in hit
        for key, types in CONTRACT.items():
            assert isinstance(hit[key], types), (key, hit[key])
        assert hit["rank"] == expected_rank
        assert not hit["path"].startswith("/") and "\\" not in hit["path"]
        if hit["lines"] is not None:
            start, end = hit["lines"]
            assert isinstance(start, int) and isinstance(end, int) and 1 <= start <= end
    scores = [h["score"] for h in hits]
    assert scores[0] == max(scores)


def test_search_json_contract_without_an_index(corpus_dir, tmp_path):
    result = kc("search", "where does it decide whether to retry a failed connection?", "--corpus", str(corpus_dir), "-k", "5", "--json",
                env_extra={"KC_INDEX_DIR": str(tmp_path / "none")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    check_contract(hits, 5)
    assert hits[0]["path"] == "minihttp/transport.py"
    assert "no search index" in result.stderr  # said once, on stderr, never in the JSON


def test_search_table_is_readable(corpus_dir, tmp_path):
    result = kc(
        "search",
        "load settings from the environment",
        "--corpus",
        str(corpus_dir),
        env_extra={"KC_INDEX_DIR": str(tmp_path / "none")},
    )
    assert result.returncode == 0, result.stderr
    assert "minihttp/config.py" in result.stdout and "┃" in result.stdout


def test_search_without_a_corpus_is_a_clear_error(tmp_path):
    result = kc("search", "anything", "--corpus", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "no core.json" in result.stderr and "Traceback" not in result.stderr


def test_default_corpus_is_dot_corpus(corpus_dir, tmp_path):
    result = kc(
        "search",
        "backoff delay between attempts",
        "--json",
        cwd=corpus_dir.parent,
        env_extra={"KC_INDEX_DIR": str(tmp_path / "none")},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["path"] == "minihttp/transport.py"


def test_index_with_a_broken_model_path_is_a_clear_error(corpus_dir, tmp_path):
    result = kc(
        "index",
        "--corpus",
        str(corpus_dir),
        "--model",
        str(tmp_path / "nope"),
        env_extra={"KC_INDEX_DIR": str(tmp_path / "ix")},
    )
    assert result.returncode == 2
    assert "not a sentence-transformers model directory" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("k", ["0", "-3"])
def test_bad_k(corpus_dir, k):
    result = kc("search", "retry", "--corpus", str(corpus_dir), "-k", k)
    assert result.returncode == 2
