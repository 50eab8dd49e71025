"""Issue 15: a repository with 40+ kinds of planted secrets (random values, generated now) goes through
``kc build`` with its index, ``kc site``, ``kc search`` and ``kc ask``; no value may be found in any byte kc
wrote: corpus, index (Chroma's sqlite, chunk snapshots, lexical index), facts cache pickles, site, answers."""

from __future__ import annotations

import random
from pathlib import PurePosixPath

import pytest

from kctest.secrets_corpus import exercise, find_leaks, plant

SEED = random.SystemRandom().randrange(1 << 30)  # a fresh corpus every run; the seed is in every message
LANGUAGES = {".py", ".js", ".ts", ".go", ".md", ".yaml", ".toml", ".env", ".npmrc"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("secrets-corpus")
    repo = workdir / "repo"
    repo.mkdir()
    planted = plant(repo, SEED)
    outputs = exercise(repo, workdir, questions=(
        "how does the gateway send receipts by SMS with Twilio?",
        "what token does the browser client send in the Authorization header, and how do I curl the health endpoint?",
    ))  # fmt: skip
    return repo, workdir, planted, outputs


def test_the_corpus_has_forty_kinds_in_every_language(run):
    repo, _, planted, _ = run
    assert len({p.kind for p in planted}) >= 40
    assert LANGUAGES <= {PurePosixPath(p.path).suffix or PurePosixPath(p.path).name for p in planted}


def test_the_check_finds_every_value_where_it_was_planted(run):
    repo, _, planted, _ = run
    assert {kind for kind, _ in find_leaks([repo], planted)} == {p.kind for p in planted}, f"seed {SEED}"


def test_kc_saw_the_planted_files(run):
    _, workdir, _, outputs = run
    corpus, kc_dir, site, answers = outputs
    assert (corpus / "reference" / "payments.clients.md").is_file()
    assert list(kc_dir.rglob("chroma.sqlite3")) and list(kc_dir.rglob("*.pickle"))
    assert list(site.rglob("*.html"))
    assert "payments/clients.py" in (answers / "search-0.txt").read_text()
    assert "<redacted:" in (answers / "ask-0.txt").read_text()


def test_no_planted_value_reaches_any_output(run):
    _, _, planted, outputs = run
    assert find_leaks(outputs, planted) == [], f"seed {SEED}"
