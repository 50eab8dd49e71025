"""Chunking follows the corpus structure and maps every heading back to core.json."""

from __future__ import annotations

from compiler.corpus import open_corpus
from compiler.index.chunk import chunk_corpus, code_lines, doc_prose, split_front_matter
from compiler.text import identifier_words
from kctest.corpus import render_corpus_to as write_corpus
from kctest.index_corpus import core_from_package


def test_one_chunk_per_symbol_entry_with_core_metadata(corpus_dir):
    corpus = open_corpus(corpus_dir)
    chunks = chunk_corpus(corpus)
    by_symbol = {c.symbol: c for c in chunks if c.kind not in {"concept", "module", "doc"}}
    documented = {s.id for s in corpus.core.symbols if s.kind != "module"}
    assert set(by_symbol) == documented

    retry = by_symbol["minihttp.transport.should_retry"]
    symbol = corpus.symbol("minihttp.transport.should_retry")
    assert (retry.path, retry.lines, retry.kind, retry.concept) == (symbol.path, symbol.lines, "function", "retries")
    assert retry.page == "reference/minihttp.transport.md"
    # signature + docstring + a short code excerpt, and the name spelled as words
    assert "def should_retry(" in retry.embed_text
    assert "worth retrying" in retry.embed_text
    assert retry.embed_text.startswith("should retry: Decide whether")
    assert "isinstance(error, (ConnectError, TimeoutError))" in retry.lexical_text  # BM25 reads the code
    # an undocumented function: the dense model reads its code instead
    serialize = by_symbol["minihttp.transport._serialize"]
    assert "request.method" in serialize.embed_text
    assert retry.snippet == "Decide whether a failed attempt is worth retrying."


def test_a_class_chunk_says_what_the_class_can_do(corpus_dir):
    chunks = {c.symbol: c for c in chunk_corpus(open_corpus(corpus_dir)) if c.kind == "class"}
    basic = chunks["minihttp.auth.BasicAuth"]
    assert "Methods: apply." in basic.embed_text  # its methods, in words
    assert "Created with: def __init__(self, username: str, password: str)" in basic.embed_text
    assert "username" in basic.lexical_text
    error = chunks["minihttp.exceptions.ConnectError"]
    assert "Methods:" not in error.embed_text  # nothing to outline


def test_the_dense_text_keeps_the_describing_part_of_a_docstring():
    jsdoc = "Send JSON response with JSONP callback support.\n\nExamples:\n\n    res.jsonp(null);\n\n@param {object} obj\n@public"
    assert doc_prose(jsdoc) == "Send JSON response with JSONP callback support. Examples: res.jsonp(null);"
    sphinx = "Load settings from a file.\n\n:param path: where it is\n\n.. versionadded:: 2.0"
    assert doc_prose(sphinx) == "Load settings from a file."
    markdown = "Sends an HTTP request.\n\n**Parameters:**\n\n* **method** - HTTP method"
    assert doc_prose(markdown) == "Sends an HTTP request."
    assert doc_prose("@private") == "" and doc_prose("@param {string} name the name") == ""
    google = "Join two paths.\n\nArgs:\n    a: first"
    assert doc_prose(google) == "Join two paths."


def test_module_and_concept_chunks(corpus_dir):
    chunks = chunk_corpus(open_corpus(corpus_dir))
    module = next(c for c in chunks if c.kind == "module" and c.symbol == "minihttp.transport")
    assert module.path == "minihttp/transport.py"
    assert "should retry" in module.embed_text  # what the module defines, as words

    concept = next(c for c in chunks if c.kind == "concept" and c.concept == "retries")
    assert concept.title == "Retries and backoff"
    assert "may heal" in concept.embed_text
    assert concept.members and concept.members[0].startswith("minihttp.transport.")
    assert concept.path == "minihttp/transport.py"
    # Members/Related sections repeat other pages: they are not part of the concept's text
    assert "### `" not in concept.text


def test_pages_that_are_not_reference_or_concepts_are_not_chunked(corpus_dir):
    pages = {c.page for c in chunk_corpus(open_corpus(corpus_dir))}
    assert "reference/index.md" not in pages
    assert "index.md" not in pages and "path.md" not in pages
    assert all(p.startswith(("reference/", "concepts/")) for p in pages)


def test_headings_inside_code_fences_do_not_split_entries(source_repo, tmp_path):
    transport = source_repo / "minihttp" / "transport.py"
    text = transport.read_text().replace(
        "    if attempt >= max_retries:\n",
        "    # ## `not.a.symbol`\n    if attempt >= max_retries:\n",
    )
    transport.write_text(text)
    corpus = open_corpus(write_corpus(core_from_package(source_repo, "minihttp"), tmp_path / "c2"))
    symbols = {c.symbol for c in chunk_corpus(corpus)}
    assert "not.a.symbol" not in symbols
    assert "minihttp.transport.should_retry" in symbols


def test_chunk_ids_are_content_hashes(source_repo, tmp_path):
    first = chunk_corpus(open_corpus(write_corpus(core_from_package(source_repo, "minihttp"), tmp_path / "a")))
    again = chunk_corpus(open_corpus(write_corpus(core_from_package(source_repo, "minihttp"), tmp_path / "b")))
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)

    auth = source_repo / "minihttp" / "auth.py"
    auth.write_text(
        auth.read_text().replace(
            "Return the request with credentials added.", "Return a copy carrying the credentials."
        )
    )
    changed = chunk_corpus(open_corpus(write_corpus(core_from_package(source_repo, "minihttp"), tmp_path / "c")))
    differing = {c.symbol for c in changed if c.id not in {x.id for x in first}}
    assert differing == {"minihttp.auth.Auth.apply"}


def test_helpers():
    assert identifier_words("RetryExhausted") == "retry exhausted"
    assert identifier_words("minihttp.transport.should_retry") == "minihttp transport should retry"
    assert identifier_words("parseHTTPResponse") == "parse http response"
    code = 'def f(x):\n    """Doc.\n\n    More doc.\n    """\n    # why\n    return x + 1\n'
    assert code_lines(code, 5) == ["def f(x):", "    return x + 1"]
    js = "/**\n * Doc comment.\n */\nfunction g() {\n  return 1;\n}\n"
    assert code_lines(js, 2) == ["function g() {", "  return 1;"]
    from compiler.index.chunk import _without_header

    multi = [
        "@contextlib.contextmanager",
        "def send(",
        "    self,",
        "    request,",
        ") -> Response:",
        "    return self.go(request)",
    ]
    assert _without_header(multi, "def send(self, request) -> Response") == ["    return self.go(request)"]
    assert _without_header(["res.send = function send(body) {", "  x();"], "res.send = function send(body)") == [
        "  x();"
    ]
    meta, body, consumed = split_front_matter("---\nid: x\n---\n# T\n")
    assert meta == {"id": "x"} and body == "# T\n" and consumed == 3


def test_comment_prose_keeps_the_comments_that_give_reasons():
    from compiler.index.chunk import comment_prose

    python = '''def f(x):
    """Docstring (the chunk has it already)."""
    # windows hook
    # Regardless of which command was called, run on the root only
    y = x  # noqa: E501
    # type: ignore
    return y
'''
    assert comment_prose(python) == "Regardless of which command was called, run on the root only"
    go = "func (c *Command) F() {\n\t// Workaround so that tests pass\n\t//go:noinline\n\tx := 1\n}"
    assert comment_prose(go) == "Workaround so that tests pass"
    js = "function f() {\n  /* avoid a second lookup because it is slow */\n  return 1\n}"
    assert comment_prose(js) == "avoid a second lookup because it is slow"


def test_a_go_package_doc_describes_its_own_file_and_each_file_is_named(tmp_path):
    from compiler.build import build

    source = tmp_path / "src"
    source.mkdir()
    (source / "go.mod").write_text("module example.com/cli\n\ngo 1.21\n")
    (source / "command.go").write_text(
        "// Package cli builds command line programs.\npackage cli\n\n// Run runs the command.\nfunc Run() {}\n"
    )
    (source / "flag_groups.go").write_text(
        "package cli\n\n// ValidateGroups checks that flags given together are allowed.\nfunc ValidateGroups() {}\n"
    )
    build(source, tmp_path / "corpus", index=False)
    modules = {c.path: c for c in chunk_corpus(open_corpus(tmp_path / "corpus")) if c.kind == "module"}
    assert "command line programs" in modules["command.go"].embed_text
    assert "command line programs" not in modules["flag_groups.go"].embed_text
    assert modules["flag_groups.go"].embed_text.startswith("cli module, flag groups (flag_groups.go).")
