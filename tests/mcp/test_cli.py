"""`kc mcp` on the command line: options, and clear errors instead of tracebacks."""

from __future__ import annotations

import socket
import subprocess

from kctest.corpus import REPO
from kctest.mcp_process import kc_command


def _kc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*kc_command(), *args], capture_output=True, text=True, timeout=60, cwd=str(REPO))


def test_help_lists_the_options():
    result = _kc("mcp", "--help")
    assert result.returncode == 0
    for option in ("--corpus", "--http", "--port", "--source", "KC_MCP_TOKEN", "127.0.0.1"):
        assert option in result.stdout


def test_missing_corpus_is_a_clear_error(tmp_path):
    result = _kc("mcp", "--corpus", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "no core.json" in result.stderr and "kc build" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_port_is_rejected():
    result = _kc("mcp", "--http", "--port", "70000")
    assert result.returncode == 2 and "out of range" in result.stderr


def test_port_in_use_is_a_clear_error(corpus_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _kc("mcp", "--corpus", str(corpus_dir), "--http", "--port", str(port))
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr
