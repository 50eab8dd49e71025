"""Capture a real ``kc tutor`` transcript: one question asked by a novice and by an expert, and a goal-driven path.

Runs the installed ``kc tutor`` twice with scripted input on a pipe (so the output is the
plain markdown the tutor streams), puts each typed line back after its prompt, and writes
the two sessions to a markdown file for the README.

    .venv/bin/python tests/tutor/make_transcript.py --corpus corpus --out tests/tutor/TRANSCRIPT.md
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

QUESTION = "What happens when a Python file has a syntax error?"
GOAL = "redact secrets like API keys before they reach the corpus"
PROMPT = re.compile(r"(you> |answer \([A-H]-[A-H]\)> )")


def run_session(kc: str, corpus: str, db: str, learner: str, lines: list[str]) -> str:
    """Run ``kc tutor`` with ``lines`` on stdin; the output with each line echoed after its prompt."""
    env = dict(os.environ, KC_LEARNER_DB=db, NO_COLOR="1", COLUMNS="110")
    result = subprocess.run(
        [kc, "tutor", "--corpus", corpus, "--learner", learner, "--backend", "offline"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if result.returncode != 0:
        sys.exit(f"kc tutor failed ({result.returncode}):\n{result.stderr}")
    typed = iter(lines)
    text = PROMPT.sub(lambda m: f"{m.group(1)}{next(typed, '')}\n", result.stdout)
    return "\n".join(line.rstrip() for line in text.rstrip().split("\n")) + "\n"


def quiz_answers(corpus, corpus_dir: str, store, question: str) -> list[str]:
    """What Nadia types in the quiz: right on all questions but the second, so both kinds of feedback show.

    The quiz is deterministic (concept and attempt number), so the same one is made here first.
    """
    from compiler.tutor.offline import OfflineBackend
    from compiler.tutor.plan import index_retrieve
    from compiler.tutor.quiz import LETTERS, make_quiz
    from compiler.tutor.session import TutorSession

    session = TutorSession(
        corpus,
        backend=OfflineBackend(),
        store=None,
        learner="nadia",
        retrieve=index_retrieve(corpus_dir, None, corpus),
        level="novice",
    )
    concept = session.plan(question).targets[0]
    quiz = make_quiz(corpus, concept, seed=0)
    letters = []
    for number, item in enumerate(quiz.questions):
        choice = item.answer if number != 1 else (item.answer + 1) % len(item.choices)
        letters.append(LETTERS[choice].lower())
    return letters


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="corpus")
    parser.add_argument("--out", default=str(Path(__file__).with_name("TRANSCRIPT.md")))
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args()
    kc = str(Path(sys.executable).with_name("kc"))
    from compiler.corpus import open_corpus
    from compiler.tutor.learner import LearnerStore

    corpus = open_corpus(args.corpus)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "learners.sqlite3")
        store = LearnerStore(db)
        store.create("nadia", level="novice", background="java", goal="understand how kc reads a repository")
        store.create("erik", level="expert", background="python, go")
        answers = quiz_answers(corpus, args.corpus, store, args.question)
        novice = run_session(kc, args.corpus, db, "nadia", [args.question, "/why", "/quiz", *answers, "/path", "/exit"])
        expert = run_session(kc, args.corpus, db, "erik", [args.question, "/exit"])
        store.create("gina", level="intermediate", background="python")
        goal = run_session(
            kc,
            args.corpus,
            db,
            "gina",
            ["/path", f"/goal {GOAL}", "where do I start?", "what is the meaning of life?", "/exit"],
        )
    name = corpus.core.source.name
    text = f"""# `kc tutor`: one question, two learners

A real session on the corpus of this repository (`{name}`, {len(corpus.core.concepts)} concepts), with the
offline backend (no model: the answer is composed from the knowledge core). Captured with
`tests/tutor/make_transcript.py`, which runs `kc tutor` with the lines below typed in; output as printed
(on a terminal the same markdown is rendered with rich).

## Nadia: novice, knows Java

~~~~text
{novice}~~~~

## Erik: expert

~~~~text
{expert}~~~~

## Gina: a goal changes the path and the targets

Gina sets a goal with `/goal`; the path puts what the goal needs first (★), an open question is
answered for the goal, and a question that is not about this codebase gets an honest "not covered".

~~~~text
{goal}~~~~
"""
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
