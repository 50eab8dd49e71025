"""``kc ask``, ``kc learner``: what a user types and what they get back."""

from __future__ import annotations

import json

from compiler.cli import main
from compiler.tutor.learner import LearnerStore


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_gives_answer_plan_and_citations(mh_corpus, capsys):
    code, out, _ = run(
        capsys,
        "ask",
        "How is the backoff delay computed?",
        "--corpus",
        str(mh_corpus.root),
        "--learner",
        "ana",
        "--level",
        "expert",
        "--backend",
        "offline",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["question"] == "How is the backoff delay computed?"
    assert data["plan"]["level"] == "expert" and data["plan"]["targets"] == ["retries"]
    assert data["backend"] == "offline" and "backoff_delay" in data["answer"]
    assert data["citations"] and data["rejected_citations"] == []
    for citation in data["citations"]:
        assert mh_corpus.valid_range(citation["path"], citation["start"], citation["end"])
        assert citation["ref"] == f"{citation['path']}:{citation['start']}-{citation['end']}"
    # --level is for this answer only; the profile keeps its level, the progress is recorded.
    store = LearnerStore()
    assert store.get("ana").level == "intermediate"
    assert store.progress("ana", "minihttp")["retries"].explained_count == 1


def test_ask_prints_markdown_and_sources(mh_corpus, capsys):
    LearnerStore().create("nov", level="novice", background="java")
    code, out, _ = run(
        capsys, "ask", "what", "does", "backoff_delay", "return?", "--corpus", str(mh_corpus.root), "--learner", "nov"
    )
    assert code == 0
    assert out.startswith("## Retries and backoff") and "### First," in out and "Sources (checked):" in out


def test_ask_without_corpus_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(capsys, "ask", "anything", "--corpus", str(tmp_path / "missing"))
    assert code == 2 and "no core.json" in err and "kc build" in err and "Traceback" not in err


def test_ask_with_bad_backend_config_is_a_clear_error(mh_corpus, capsys):
    code, _, err = run(capsys, "ask", "anything", "--corpus", str(mh_corpus.root), "--backend", "anthropic")
    assert code == 2 and "ANTHROPIC_API_KEY" in err


def test_learner_commands(mh_corpus, tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite3")
    assert (
        run(
            capsys,
            "learner",
            "create",
            "eve",
            "--level",
            "novice",
            "--background",
            "Java, Maven",
            "--goal",
            "fix a bug in retries",
            "--learner-db",
            db,
        )[0]
        == 0
    )
    code, _, err = run(capsys, "learner", "create", "eve", "--learner-db", db)
    assert code == 2 and "already exists" in err
    assert run(capsys, "learner", "update", "eve", "--level", "expert", "--learner-db", db)[0] == 0
    store = LearnerStore(db)
    store.mark_explained("eve", "minihttp", ["retries"])
    store.record_quiz("eve", "minihttp", "errors", score=0.0)
    code, out, _ = run(capsys, "learner", "show", "eve", "--corpus", str(mh_corpus.root), "--learner-db", db)
    assert code == 0
    assert "level     expert" in out and "java, maven" in out and "fix a bug in retries" in out
    assert "retries" in out and "explained 1x" in out and "quiz failed (0%, 1 attempt)" in out and "client" in out
    code, out, _ = run(capsys, "learner", "show", "eve", "--json", "--learner-db", db)
    data = json.loads(out)
    assert data["profile"]["level"] == "expert" and data["progress"]["minihttp"]["retries"]["explained_count"] == 1
    code, out, _ = run(capsys, "learner", "list", "--learner-db", db)
    assert "eve" in out and "expert" in out
    code, out, _ = run(capsys, "learner", "reset", "eve", "--learner-db", db)
    assert code == 0 and "forgot 2 concept records" in out
    assert LearnerStore(db).progress("eve", "minihttp") == {}
    assert run(capsys, "learner", "delete", "eve", "--learner-db", db)[0] == 0
    code, _, err = run(capsys, "learner", "show", "eve", "--learner-db", db)
    assert code == 2 and "no learner 'eve'" in err


def test_ask_through_the_anthropic_backend(mh_corpus, anthropic_stub, monkeypatch, capsys):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("KC_LLM_MAX_RETRIES", "0")
    code, out, _ = run(
        capsys,
        "ask",
        "When does the transport stop retrying?",
        "--corpus",
        str(mh_corpus.root),
        "--base-url",
        anthropic_stub.url,
        "--model",
        "claude-test",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["backend"] == "anthropic" and data["model"] == "claude-test"
    assert "minihttp/transport.py:23-23" in [c["ref"] for c in data["citations"]]
    assert [r["citation"] for r in data["rejected_citations"]] == ["minihttp/imaginary.py:1-5"]
    anthropic_stub.behaviour = "429"
    code, _, err = run(
        capsys,
        "ask",
        "When does the transport stop retrying?",
        "--corpus",
        str(mh_corpus.root),
        "--base-url",
        anthropic_stub.url,
    )
    assert code == 2 and "rate limited (HTTP 429)" in err and "Traceback" not in err
