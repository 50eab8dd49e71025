"""Citations: only real files and real line ranges survive; the rest is removed and reported."""

from __future__ import annotations

from compiler.tutor.citations import REMOVED, Citation, CitationFilter, check_answer, check_citations, check_text


def test_valid_citation_is_kept(mh_corpus):
    valid, rejected = check_citations(mh_corpus, [Citation("minihttp/transport.py", 16, 27)])
    assert [str(c) for c in valid] == ["minihttp/transport.py:16-27"] and rejected == []


def test_unknown_file_and_bad_ranges_are_rejected(mh_corpus):
    lines = mh_corpus.files["minihttp/transport.py"].lines
    valid, rejected = check_citations(
        mh_corpus,
        [
            Citation("minihttp/imaginary.py", 1, 5),
            Citation("minihttp/transport.py", lines, lines + 3),
            Citation("minihttp/transport.py", 0, 3),
            Citation("minihttp/transport.py", 30, 20),
            Citation("../../etc/passwd", 1, 1),
        ],
    )
    assert valid == []
    reasons = [r.reason for r in rejected]
    assert "not a compiled file" in reasons[0]
    assert f"it has {lines} lines" in reasons[1]
    assert "outside" in reasons[2] and "reversed" in reasons[3] and "not a compiled file" in reasons[4]


def test_inline_references_are_checked_and_bad_ones_removed(mh_corpus):
    text = (
        "See minihttp/transport.py:23-24 and `minihttp/config.py:30`, not minihttp/nowhere.py:3-9 "
        "nor minihttp/transport.py:900-905. The API lives at https://api.example.com:443 and 127.0.0.1:8000."
    )
    cleaned, valid, rejected = check_text(mh_corpus, text)
    assert [str(c) for c in valid] == ["minihttp/transport.py:23-24", "minihttp/config.py:30-30"]
    assert valid[0].symbol == "minihttp.transport.should_retry"  # the innermost symbol around the lines
    assert [r.citation for r in rejected] == ["minihttp/nowhere.py:3-9", "minihttp/transport.py:900-905"]
    assert "nowhere" not in cleaned and "900" not in cleaned and cleaned.count(REMOVED) == 2
    assert "https://api.example.com:443" in cleaned and "127.0.0.1:8000" in cleaned  # not mistaken for citations


def test_check_answer_merges_structured_and_inline(mh_corpus):
    checked = check_answer(
        mh_corpus,
        "It is in minihttp/models.py:40-60.",
        [Citation("minihttp/models.py", 40, 60), Citation("ghost.py", 1, 2)],
    )
    assert [str(c) for c in checked.citations] == ["minihttp/models.py:40-60"]  # deduplicated
    assert [r.citation for r in checked.rejected] == ["ghost.py:1-2"]


def test_streaming_filter_never_releases_a_bad_reference(mh_corpus):
    text = "Look at minihttp/transport.py:16-27 then minihttp/ghost.py:1-4 and minihttp/client.py:46-49.\n"
    checker = CitationFilter(mh_corpus)
    released = []
    for start in range(0, len(text), 5):  # references get split across chunks
        released.append(checker.feed(text[start : start + 5]))
        assert "ghost" not in "".join(released)
    released.append(checker.close())
    out = "".join(released)
    assert out == text.replace("minihttp/ghost.py:1-4", REMOVED)
    assert [str(c) for c in checker.citations] == ["minihttp/transport.py:16-27", "minihttp/client.py:46-49"]
    assert [r.citation for r in checker.rejected] == ["minihttp/ghost.py:1-4"]
