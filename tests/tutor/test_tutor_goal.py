"""A goal, set at `kc learner create --goal` or with /goal in the REPL, visibly changes what is taught:
the targets of an open question and the order of the learning path."""

from __future__ import annotations

import io
import json

from rich.console import Console

from compiler.cli import main
from compiler.cli.repl import handle_command
from compiler.tutor.goals import goal_concepts, goal_kind
from compiler.tutor.learner import LearnerStore
from compiler.tutor.offline import OfflineBackend
from compiler.tutor.session import TutorSession

OPEN_QUESTION = "where do I start?"


def ask_json(capsys, corpus, db, learner, question):
    capsys.readouterr()
    assert (
        main(
            [
                "ask",
                question,
                "--json",
                "--corpus",
                str(corpus.root),
                "--backend",
                "offline",
                "--learner",
                learner,
                "--learner-db",
                str(db),
            ]
        )
        == 0
    )
    return json.loads(capsys.readouterr().out)


def test_free_text_goal_resolves_to_concepts(mh_corpus):
    assert goal_concepts(mh_corpus, "sign my requests with an auth token")[0] == "auth"
    assert goal_concepts(mh_corpus, "tune the backoff between retries")[0] == "retries"
    assert goal_kind("fix a bug in retries") == "fix" and goal_kind("write a small app with it") == "use"


def test_goal_at_learner_create_changes_targets_and_path(mh_corpus, tmp_path, capsys):
    db = tmp_path / "learners.sqlite3"
    for name, goal in (("ann", "sign my requests with an auth token"), ("bob", "tune the backoff between retries")):
        assert main(["learner", "create", name, "--goal", goal, "--learner-db", str(db)]) == 0
    ann = ask_json(capsys, mh_corpus, db, "ann", OPEN_QUESTION)
    bob = ask_json(capsys, mh_corpus, db, "bob", OPEN_QUESTION)
    assert ann["covered"] and bob["covered"]  # a question with no words of its own is about the goal
    assert ann["plan"]["targets"][0] == "auth" and bob["plan"]["targets"][0] == "retries"
    store = LearnerStore(db)
    paths = {}
    for name in ("ann", "bob"):
        session = TutorSession(mh_corpus, backend=OfflineBackend(), store=store, learner=name)
        paths[name] = [e.concept for e in session.path()]
        on_goal = [e.concept for e in session.path() if e.on_goal]
        assert on_goal and paths[name][: len(on_goal)] == on_goal  # what the goal needs comes first
    assert paths["ann"] != paths["bob"]
    assert paths["ann"].index("auth") < paths["ann"].index("retries")
    assert paths["bob"].index("retries") < paths["bob"].index("auth")


def test_goal_command_in_the_repl_changes_targets_and_path(mh_corpus, tmp_path):
    store = LearnerStore(tmp_path / "learners.sqlite3")
    session = TutorSession(mh_corpus, backend=OfflineBackend(), store=store, learner="cy")
    before_path = [e.concept for e in session.path()]
    before = session.plan(OPEN_QUESTION)
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)
    handle_command(session, "/goal sign my requests with an auth token", console, read=lambda prompt: "")
    printed = out.getvalue()
    assert "Goal set to" in printed and "★" in printed and "Authentication" in printed
    assert store.get("cy").goal == "sign my requests with an auth token"  # saved in the profile
    after = session.plan(OPEN_QUESTION)
    assert not before.covered and after.covered and after.targets[0] == "auth"
    after_path = [e.concept for e in session.path()]
    assert after_path != before_path and after_path.index("auth") < after_path.index("retries")
    out.truncate(0)
    handle_command(session, "/goal", console, read=lambda prompt: "")
    assert "sign my requests" in out.getvalue()


def learner_path(capsys, corpus, db, name, *extra):
    capsys.readouterr()
    assert main(["learner", "path", name, "--corpus", str(corpus.root), "--learner-db", str(db), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_learner_path_on_the_cli_takes_a_free_text_goal(mh_corpus, tmp_path, capsys):
    db = tmp_path / "learners.sqlite3"
    assert main(["learner", "create", "dee", "--learner-db", str(db)]) == 0
    plain = learner_path(capsys, mh_corpus, db, "dee")
    assert plain["goal"] == "" and not any(s["on_goal"] for s in plain["steps"])
    steps = learner_path(capsys, mh_corpus, db, "dee", "--goal", "sign my requests with an auth token")["steps"]
    order = [s["concept"] for s in steps]
    assert order.index("auth") < order.index("retries") and [s["concept"] for s in plain["steps"]] != order
    assert [s["concept"] for s in steps if s["on_goal"]][-1] == "auth"  # the goal's concept closes its part
    # The profile's goal is the default; --goal does not change the profile.
    assert (
        main(["learner", "update", "dee", "--goal", "tune the backoff between retries", "--learner-db", str(db)]) == 0
    )
    by_profile = learner_path(capsys, mh_corpus, db, "dee")
    assert by_profile["goal"] == "tune the backoff between retries"
    assert [s["concept"] for s in by_profile["steps"] if s["on_goal"]][-1] == "retries"


def test_goal_kind_picks_the_api_for_a_user_and_the_machinery_for_a_fixer(mh_corpus, tmp_path, capsys):
    """The same how-to question: a learner who uses the library is led to the API their code calls (the
    class the README calls), one who fixes a bug in it to the code behind it."""
    db = tmp_path / "learners.sqlite3"
    for name, goal in (("uma", "use it in my app"), ("fio", "fix a bug in it")):
        assert main(["learner", "create", name, "--goal", goal, "--learner-db", str(db)]) == 0
    question = "how do I sign my requests with a token?"
    user = ask_json(capsys, mh_corpus, db, "uma", question)
    fixer = ask_json(capsys, mh_corpus, db, "fio", question)
    assert user["plan"]["target_symbols"][0] == "minihttp.client.Client"
    assert fixer["plan"]["target_symbols"][0] != "minihttp.client.Client"
    assert user["citations"][0]["symbol"] == "minihttp.client.Client"
    assert fixer["citations"][0]["symbol"] == fixer["plan"]["target_symbols"][0]
