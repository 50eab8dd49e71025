"""One build at a time per output; staging folders owned per process; kill -9 at any point leaves a whole corpus."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.build import build
from compiler.config import lock_file

REPO_ROOT = Path(__file__).parents[2]
KC = [sys.executable, "-m", "compiler.cli"]
ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "repos"

HOLD = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1]); lock.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def hold_lock(out: Path, seconds: float) -> subprocess.Popen:
    path = lock_file(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_no_wait_fails_clearly_while_another_build_holds_the_output(tmp_path):
    source = tmp_path / "pyapp"
    shutil.copytree(FIXTURES / "pyapp", source)
    out = tmp_path / "corpus"
    holder = hold_lock(out, 30)
    try:
        run = subprocess.run(
            [*KC, "build", str(source), "--out", str(out), "--no-index", "--no-wait", "-q"],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 2  # kc's exit status for a clear error
    assert "another kc build is writing this corpus" in run.stderr and str(out) in run.stderr
    assert not out.exists()


def test_a_second_build_waits_with_a_message_then_builds(tmp_path):
    source = tmp_path / "pyapp"
    shutil.copytree(FIXTURES / "pyapp", source)
    out = tmp_path / "corpus"
    holder = hold_lock(out, 3)
    try:
        run = subprocess.run(
            [*KC, "build", str(source), "--out", str(out), "--no-index", "-q"],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 0, run.stderr
    assert "waiting for it to finish" in run.stderr
    assert (out / "core.json").is_file()


def test_concurrent_builds_into_one_output_all_succeed(tmp_path):
    source = tmp_path / "pyapp"
    shutil.copytree(FIXTURES / "pyapp", source)
    out = tmp_path / "corpus"
    procs = [
        subprocess.Popen(
            [*KC, "build", str(source), "--out", str(out), "--no-index", "-q", "--force"],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(proc.wait(timeout=300), proc.stderr.read()) for proc in procs]
    for proc in procs:
        proc.stdout.close()
        proc.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0], results
    reference = tmp_path / "reference"
    build(source, reference, index=False)
    assert tree(out) == tree(reference)


def test_staging_of_a_live_build_is_left_alone_and_a_dead_ones_removed(tmp_path):
    source = tmp_path / "pyapp"
    shutil.copytree(FIXTURES / "pyapp", source)
    out = tmp_path / "corpus"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        live_staging = tmp_path / f".corpus.new-{sleeper.pid}-abc"
        dead_staging = tmp_path / f".corpus.new-{dead.pid}-def"
        for folder in (live_staging, dead_staging):
            folder.mkdir()
            (folder / "core.json").write_text("{}")
        build(source, out, index=False)
        assert live_staging.is_dir(), "a running build's staging folder was deleted"
        assert not dead_staging.exists(), "a dead build's staging folder was left behind"
    finally:
        sleeper.kill()
        sleeper.wait()


def _make_repo(root: Path, modules: int) -> None:
    package = root / "gen"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A generated package."""\n')
    for i in range(modules):
        helpers = "\n\n".join(f"def helper_{j}():\n    return {j}" for j in range(8))
        calls = "\n".join(f"    helper_{j}()" for j in range(8))
        (package / f"mod_{i}.py").write_text(f'"""Module {i}."""\n\n{helpers}\n\n\ndef run_{i}():\n{calls}\n')


@pytest.mark.slow
def test_kill_9_at_random_points_leaves_the_previous_or_the_next_corpus_whole(tmp_path):
    source = tmp_path / "repo"
    _make_repo(source, 300)
    old_ref, new_ref = tmp_path / "ref-old", tmp_path / "ref-new"
    build(source, old_ref, index=False)
    edited = source / "gen" / "mod_0.py"
    original = edited.read_text()
    edited.write_text('"""Changed."""\n\ndef changed():\n    return 1\n')
    build(source, new_ref, index=False)
    edited.write_text(original)
    old_tree, new_tree = tree(old_ref), tree(new_ref)
    out = tmp_path / "corpus"
    build(source, out, index=False)
    command = [*KC, "build", str(source), "--out", str(out), "--no-index", "--force", "-q"]
    started = time.monotonic()
    subprocess.run(command, env=ENV, check=True, capture_output=True, timeout=300)
    duration = time.monotonic() - started
    rng = random.Random(1515)
    outcomes = []
    for attempt in range(8):  # bounded: eight kills spread over the whole build
        edited.write_text('"""Changed."""\n\ndef changed():\n    return 1\n' if attempt % 2 == 0 else original)
        before = tree(out)
        expected_after = new_tree if attempt % 2 == 0 else old_tree
        proc = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration))
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        now = tree(out)
        assert now in (before, expected_after), f"attempt {attempt}: the corpus is neither the old nor the new one"
        json.loads((out / "core.json").read_text())
        outcomes.append("finished" if finished else ("old" if now == before else "new"))
        # the next build recovers whatever the killed one left, and writes what the source says
        build(source, out, index=False)
        assert tree(out) == expected_after, f"attempt {attempt}: the build after a kill is wrong"
    assert "old" in outcomes, f"no kill landed before the swap: {outcomes}"
