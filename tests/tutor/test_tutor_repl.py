"""``kc tutor`` driven through a pseudo-terminal: a question, a quiz, /path, /why, /level, /exit."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect

from compiler.tutor.learner import LearnerStore

KC = str(Path(sys.executable).with_name("kc"))
A = r"(?:\x1b\[[0-9;]*m)*"  # rich styles text with ANSI codes; patterns allow them between words


def spawn(corpus_root, db, *extra):
    env = dict(os.environ, KC_LEARNER_DB=str(db), TERM="xterm-256color", PYTHONUNBUFFERED="1")
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    child = pexpect.spawn(
        KC,
        ["tutor", "--corpus", str(corpus_root), "--learner", "zed", "--backend", "offline", *extra],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(60, 200),
    )
    return child


def test_full_exchange_with_a_quiz(mh_corpus, tmp_path):
    db = tmp_path / "repl.sqlite3"
    LearnerStore(db).create("zed", level="novice", background="java")
    child = spawn(mh_corpus.root, db)
    try:
        child.expect(f"learner {A}zed{A} \\(novice\\)")
        child.expect("you>")
        child.sendline("How does the transport decide whether to retry?")
        child.expect("Retries and backoff")
        child.expect("If you know Java")  # adapted to the learner's profile
        child.expect(r"Sources \(checked\): [^\r\n]*minihttp/transport\.py:\d+-\d+")
        child.expect("you>")

        child.sendline("/quiz")
        child.expect(rf"Quiz: Retries and backoff{A} \((\d) questions")
        total = int(child.match.group(1))
        for _ in range(total):
            child.expect(r"answer \(A-[A-H]\)>")
            child.sendline("x")  # not a choice: asked again
            child.expect("Please answer with a letter")
            child.expect(r"answer \(A-[A-H]\)>")
            child.sendline("A")
            child.expect(r"(Right\.|Not quite)")
        child.expect(rf"Score (\d)/(\d): {A}(passed|not passed yet)")
        correct, passed = int(child.match.group(1)), child.match.group(3) == "passed"
        child.expect("you>")

        child.sendline("/path")
        child.expect("Retries and backoff")
        child.expect("you>")
        child.sendline("/why")
        child.expect(rf"Plan for:{A} How does the transport decide whether to retry\?")
        child.expect("you>")
        child.sendline("/level expert")
        child.expect(f"Level set to {A}expert")
        child.expect("you>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0

    store = LearnerStore(db)
    state = store.progress("zed", "minihttp")["retries"]
    assert state.explained_count == 1 and state.quiz_attempts == 1
    assert state.quiz_score == correct / total and state.passed == passed
    assert store.get("zed").level == "expert"
    assert store.questions("zed")[0]["question"] == "How does the transport decide whether to retry?"


def test_errors_do_not_end_the_session(mh_corpus, tmp_path):
    child = spawn(mh_corpus.root, tmp_path / "db.sqlite3")
    try:
        child.expect("you>")
        child.sendline("/quiz no-such-concept")
        child.expect(f"error:{A} no concept 'no-such-concept'")
        child.expect("you>")
        child.sendline("/level wizard")
        child.expect("unknown level 'wizard'")
        child.expect("you>")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_plain_pipe_input(mh_corpus, tmp_path):
    """Without a terminal (piped stdin/stdout) the chat still works and prints plain text."""
    import subprocess

    env = dict(os.environ, KC_LEARNER_DB=str(tmp_path / "db.sqlite3"))
    result = subprocess.run(
        [KC, "tutor", "--corpus", str(mh_corpus.root), "--backend", "offline"],
        input="what does backoff_delay compute?\n/path\n/exit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "## Retries and backoff" in result.stdout and "Sources (checked)" in result.stdout
    assert re.search(r"explained\s+Retries and backoff", result.stdout)


def test_streamed_markdown_is_cut_only_between_finished_blocks():
    from compiler.cli.repl import complete_blocks_end

    text = "## Title\n\nA paragraph.\n\n```python\nx = 1\n\ny = 2\n```\n\nStill writ"
    assert text[: complete_blocks_end(text)] == "## Title\n\nA paragraph.\n\n```python\nx = 1\n\ny = 2\n```\n\n"
    open_fence = "## Title\n\nA paragraph.\n\n```python\nx = 1\n\ny"
    assert open_fence[: complete_blocks_end(open_fence)] == "## Title\n\nA paragraph.\n\n"  # never inside a code block
    assert complete_blocks_end("one line, no break") == 0
