"""The fast parts of ``bench/robustness.py``, run small: a hostile tree of a few hundred files, 3 kill -9s
during a build and 1 during an index, 50 malformed MCP requests per transport, 2 concurrent builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kctest.corpus import REPO

BENCH = REPO / "bench" / "robustness.py"


def run_bench(tmp_path: Path, *args: str) -> tuple[dict, str]:
    results = tmp_path / "results.json"
    env = {**os.environ, "KC_BENCH_WORK": str(tmp_path / "work")}
    proc = subprocess.run(
        [sys.executable, str(BENCH), *args, "--json", str(results)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("| check"), proc.stdout
    return json.loads(results.read_text()), proc.stdout


def test_a_hostile_tree_builds_without_a_crash_or_hang_and_every_diagnostic_has_a_line(tmp_path):
    results, table = run_bench(tmp_path, "--only", "hostile", "--files", "300", "--build-timeout", "300")
    hostile = results["hostile"]
    assert hostile["files"] >= 300
    assert (hostile["crashes"], hostile["hangs"], hostile["internal_errors"]) == (0, 0, 0), hostile["stderr_tail"]
    assert hostile["diagnostics"] > 0 and hostile["with_line"] == hostile["diagnostics"], hostile["without_line"]
    assert hostile["codes"]["invalid-ignore-pattern"] == 2  # .gitignore and kc.toml
    assert hostile["codes"]["encoding-error"] >= 1 and hostile["codes"]["recursion-limit"] >= 2
    skipped = hostile["skipped_by_reason"]
    assert skipped["undecodable-name"] == 2 and skipped["binary"] >= 3
    assert skipped["symlink-dangling"] >= 3 and skipped["symlink-outside"] == 1
    assert hostile["peak_mb"] > 0 and hostile["check_fresh"] is True  # kc check agrees with the build on every name
    assert "| hostile tree" in table and "NO" not in table


@pytest.mark.slow
def test_kill_9_during_build_and_index_leaves_a_working_corpus_and_index(tmp_path):
    results, table = run_bench(tmp_path, "--only", "kills", "--kills", "3", "--index-kills", "1", "--modules", "60")
    kills = results["kills"]
    assert kills["build_kills"] == 3 and kills["index_kills"] == 1
    assert kills["corrupt_corpora"] == 0 and kills["check_failures"] == 0 and kills["recovered"] is True
    assert kills["corrupt_indexes"] == 0 and kills["search_failures"] == 0 and kills["index_recovered"] is True
    assert "NO" not in table


def test_malformed_mcp_requests_over_stdio_and_http_are_all_answered(tmp_path):
    results, table = run_bench(tmp_path, "--only", "mcp", "--mcp", "50")
    for transport in ("stdio", "http"):
        assert results["mcp"][transport] == {"sent": 50, "answered": 50, "alive": True, "tracebacks": 0}, transport
    assert "NO" not in table


def test_concurrent_builds_wait_or_refuse_clearly_and_none_corrupts(tmp_path):
    results, table = run_bench(tmp_path, "--only", "concurrent", "--concurrent", "2", "--skip", "secrets")
    waited, refused = results["concurrent"]["wait"], results["concurrent"]["no-wait"]
    assert (waited["succeeded"], waited["failures"], waited["corrupt"]) == (2, 0, 0), waited
    assert refused["succeeded"] >= 1 and refused["failures"] == 0 and refused["corrupt"] == 0, refused
    assert refused["succeeded"] + refused["clear_refusals"] == 2
    assert results["skipped"] == {"secrets": "--skip"} and "skipped (--skip)" in table
