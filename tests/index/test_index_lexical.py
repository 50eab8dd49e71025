"""Identifier-aware BM25 tokens: questions in words meet names glued together."""

from __future__ import annotations

import numpy as np

from compiler.index.lexical import LexicalIndex, query_tokens, stem, tokenize


def test_tokens_split_identifiers_and_keep_the_whole_name():
    assert tokenize("should_retry") == ["should_retry", "retri"]
    assert tokenize("RetryExhausted") == ["retryexhausted", "retri", "exhaust"]
    assert tokenize("parseHTTPResponse") == ["parsehttpresponse", "pars", "http", "respons"]
    assert tokenize("MAX_BACKOFF") == ["max_backoff", "max", "backoff"]


def test_tokens_are_lowercased_and_drop_question_words():
    assert tokenize("Where does it decide whether to retry a failed connection?") == [
        "decid",
        "whether",
        "retri",
        "fail",
        "connect",
    ]
    assert "the" not in tokenize("the client") and "self" not in tokenize("self.client")


def test_stemming_meets_inflections():
    assert stem("retries") == stem("retry") == stem("retrying")
    assert stem("connection") == stem("connect")
    assert stem("encoding") == stem("encode") == stem("encoded")
    assert stem("status") == "status"
    assert stem("embedded") == stem("embed")


def test_an_adverb_meets_its_adjective_and_other_ly_words_stay():
    assert stem("atomically") == stem("atomic")
    assert stem("recursively") == stem("recursive")
    assert stem("explicitly") == stem("explicit")
    assert stem("apply") != stem("app") and stem("family") == stem("families")


def test_bm25_finds_a_glued_name_from_plain_words(tmp_path):
    docs = [
        "def should_retry(attempt): decide if worth repeating",
        "def backoff_delay(attempt): seconds to wait",
        "class Headers: case-insensitive mapping",
    ]
    index = LexicalIndex.build(docs)
    scores = index.scores("should we retry?")
    assert scores.argmax() == 0 and scores[1] == 0
    assert index.scores("HEADERS").argmax() == 2 and index.scores("header").argmax() == 2
    assert not index.scores("the of and").any()

    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert list(loaded.scores("wait seconds")) == list(index.scores("wait seconds"))


def test_empty_lexical_index(tmp_path):
    index = LexicalIndex.build([])
    assert len(index.scores("anything")) == 0
    index.save(tmp_path / "empty")
    assert LexicalIndex.load(tmp_path / "empty").size == 0


def test_code_keywords_do_not_count_as_words():
    from compiler.index.lexical import without_keywords

    code = "if attempt >= max_retries:\n    return False\nraise RetryExhausted(self.client.get(url))"
    assert tokenize(without_keywords(code)) == [
        "attempt",
        "max_retries",
        "max",
        "retri",
        "retryexhausted",
        "retri",
        "exhaust",
        "client",
        "get",
        "url",
    ]
    assert "function" not in without_keywords("const f = function () { return this.x }")


def test_a_question_meets_words_that_code_glues_together():
    assert query_tokens("how are form fields url-encoded?")[-1] == stem("urlencoded")
    assert stem("hostname") in query_tokens("which host name did it use")
    assert "ofth" not in "".join(query_tokens("the host of the request"))  # no pairs across stop words
    index = LexicalIndex.build(
        ["def encode_urlencoded_data(data): body", "def encode_multipart(files): form fields url"]
    )
    scores = index.scores("how are form fields url-encoded")
    assert scores[0] > 0  # "url-encoded" finds urlencoded only through the glued pair
    assert index.scores("url encoded")[0] > index.scores("url")[0]


def test_a_saved_index_scores_exactly_as_bm25s_without_importing_it(tmp_path):
    """Loading reads the saved arrays with numpy (no bm25s, no scipy); the scores are bm25s's to the bit."""
    import subprocess
    import sys

    import bm25s

    texts = [
        "def should_retry(attempt): decide whether a failed connection is worth retrying",
        "class RetryPolicy: backoff between attempts, exponential and capped",
        "load_settings reads defaults, then the toml file, then environment variables",
        "the request carries credentials added by the auth strategy",
        "",
    ] * 7
    LexicalIndex.build(texts).save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    reference = bm25s.BM25.load(str(tmp_path / "lexical"), mmap=False, show_progress=False)
    for query in ["retry a failed connection", "settings from environment variables", "credentials", "nothing matches"]:
        ids = reference.get_tokens_ids(query_tokens(query))
        expected = reference.get_scores_from_ids(ids) if ids else np.zeros(len(texts), dtype=np.float32)
        assert np.array_equal(loaded.scores(query), expected), query

    probe = (
        "import sys; from pathlib import Path; from compiler.index.lexical import LexicalIndex;"
        f"LexicalIndex.load(Path({str(tmp_path / 'lexical')!r})).scores('retry');"
        "print('bm25s' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr
