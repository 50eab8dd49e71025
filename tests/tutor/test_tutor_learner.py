"""The learner store: profiles and progress survive a round trip, and two writers at once both land."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from compiler.errors import ConfigError, KcError, NotFound
from compiler.tutor.learner import LearnerStore, default_db_path


def test_profile_round_trip(tmp_path):
    path = tmp_path / "store.sqlite3"
    LearnerStore(path).create(
        "ana", level="novice", background="Java, Spring, java", goal="fix a bug in routing", language="de"
    )
    profile = LearnerStore(path).get("ana")  # a fresh store object reads it back from the file
    assert (profile.name, profile.level, profile.background, profile.goal, profile.language) == (
        "ana",
        "novice",
        ("java", "spring"),
        "fix a bug in routing",
        "de",
    )


def test_update_changes_only_given_fields(store):
    store.create("bo", level="novice", background="go", goal="learn")
    updated = store.update("bo", level="expert")
    assert (updated.level, updated.background, updated.goal) == ("expert", ("go",), "learn")
    assert store.get("bo").level == "expert"


def test_progress_round_trip_per_corpus(store):
    store.create("cy")
    store.mark_seen("cy", "minihttp", ["retries"])
    store.mark_explained("cy", "minihttp", ["retries", "errors"])
    store.mark_explained("cy", "minihttp", ["retries"])
    state = store.record_quiz("cy", "minihttp", "errors", score=0.34)
    assert state.quiz_result == "failed" and state.quiz_score == pytest.approx(0.34)
    store.record_quiz("cy", "minihttp", "retries", score=1.0)
    progress = store.progress("cy", "minihttp")
    assert progress["retries"].explained_count == 2 and progress["retries"].seen_count == 1
    assert progress["retries"].passed and progress["retries"].covered
    assert (
        progress["errors"].failed and not progress["errors"].covered
    )  # failed quiz: not covered despite the explanation
    assert progress["retries"].checked_at and progress["retries"].explained_at
    assert store.progress("cy", "another-corpus") == {}


def test_reset_forgets_progress_keeps_profile(store):
    store.create("di", level="expert")
    store.mark_explained("di", "a", ["x"])
    store.mark_explained("di", "b", ["y"])
    assert store.reset("di", "a") == 1
    assert store.progress("di", "a") == {} and "y" in store.progress("di", "b")
    store.reset("di")
    assert store.progress("di", "b") == {}
    assert store.get("di").level == "expert"


def test_clear_errors(store):
    with pytest.raises(NotFound, match="kc learner create"):
        store.get("nobody")
    store.create("ed")
    with pytest.raises(KcError, match="already exists"):
        store.create("ed")
    with pytest.raises(ConfigError, match="novice, intermediate, expert"):
        store.update("ed", level="wizard")
    with pytest.raises(ConfigError, match="not valid"):
        store.create("../etc/passwd")


def test_db_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KC_LEARNER_DB", str(tmp_path / "x" / "l.sqlite3"))
    assert default_db_path() == tmp_path / "x" / "l.sqlite3"
    assert LearnerStore().path == tmp_path / "x" / "l.sqlite3"


def test_wal_mode(store):
    import sqlite3

    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _writer(path: str, learner: str, rounds: int) -> None:
    store = LearnerStore(path)
    for round_number in range(rounds):
        store.mark_explained(learner, "minihttp", ["shared", f"own-{learner}"])
        store.record_quiz("shared-learner", "minihttp", "shared", score=round_number % 2)
        store.log_question(learner, "minihttp", f"question {round_number}", ["shared"])


def test_two_processes_write_at_once(tmp_path):
    path = tmp_path / "store.sqlite3"
    store = LearnerStore(path)
    for name in ("p1", "p2", "shared-learner"):
        store.create(name)
    context = multiprocessing.get_context("spawn")
    rounds = 40
    workers = [context.Process(target=_writer, args=(str(path), name, rounds)) for name in ("p1", "p2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    for name in ("p1", "p2"):
        progress = store.progress(name, "minihttp")
        assert progress["shared"].explained_count == rounds
        assert progress[f"own-{name}"].explained_count == rounds
        assert len(store.questions(name, limit=100)) == rounds
    # Both processes recorded quizzes on the same row: none of the increments was lost.
    assert store.progress("shared-learner", "minihttp")["shared"].quiz_attempts == 2 * rounds


def test_two_threads_write_at_once(tmp_path):
    import threading

    path = tmp_path / "store.sqlite3"
    LearnerStore(path).create("t")
    errors: list[Exception] = []

    def work() -> None:
        try:
            store = LearnerStore(path)
            for _ in range(30):
                store.mark_seen("t", "c", ["k"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert LearnerStore(path).progress("t", "c")["k"].seen_count == 90


def test_store_in_unwritable_place_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="KC_LEARNER_DB"):
        LearnerStore(Path(blocker) / "sub" / "l.sqlite3")
