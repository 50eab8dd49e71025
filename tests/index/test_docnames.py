"""Which code a docs section names (docnames.py), and the search lending it the section's score."""

from __future__ import annotations

from types import SimpleNamespace

from compiler.index import search as S
from compiler.index.chunk import Chunk
from compiler.index.docnames import NameIndex, doc_names, mentions


def test_mentions_reads_roles_directives_and_code_spans():
    text = (
        "Use :class:`~loaders.PackageLoader` or :meth:`the getter <Environment.get_template>`.\n"
        ".. autoclass:: Environment([options])\n"
        "Call ``res.send()`` or `select_autoescape` but not `two words` or ``x = 1``."
    )
    assert mentions(text) == [
        "loaders.PackageLoader",
        "Environment.get_template",
        "Environment",
        "res.send",
        "select_autoescape",
    ]


def symbol(sid, path="pkg/mod.py", kind="function"):
    return SimpleNamespace(id=sid, path=path, kind=kind, parent=None, name=sid.rsplit(".", 1)[-1], public=True)


def test_names_resolve_by_dotted_suffix_and_bare_names_only_when_rare():
    index = NameIndex(
        [
            symbol("pkg.loaders.PackageLoader", kind="class"),
            symbol("pkg.env.Environment.get_template", kind="method"),
            *(symbol(f"pkg.m{n}.C.render", kind="method") for n in range(3)),
            symbol("tests.test_x.helper", path="tests/test_x.py"),
        ]
    )
    assert index.resolve("jinja2.loaders.PackageLoader") == ["pkg.loaders.PackageLoader"]
    assert index.resolve("PackageLoader") == ["pkg.loaders.PackageLoader"]
    assert index.resolve("Environment.get_template") == ["pkg.env.Environment.get_template"]
    assert index.resolve("render") == []  # three definitions bear it: it names none
    assert index.resolve("helper") == []  # test code is not what docs document


def chunk(n, *, kind="function", symbol=None, path="pkg/mod.py", text="", title="t", lines=(1, 2)):
    return Chunk(
        id=f"c{n}", kind=kind, page=path, path=path, symbol=symbol, lines=lines, concept=None, title=title,
        snippet="", text=text, embed_text="", lexical_text="",
    )  # fmt: skip


def test_a_matching_docs_section_lends_its_score_to_the_code_it_names(monkeypatch):
    section = SimpleNamespace(path="docs/api.rst", title="Loading", lines=(3, 9), text="Use :class:`PackageLoader`.")
    symbols = [symbol("pkg.loaders.PackageLoader", kind="class"), symbol("pkg.other.thing")]
    corpus = SimpleNamespace(
        core=SimpleNamespace(symbols=symbols, sections=[section]),
        symbols={s.id: s for s in symbols},
        symbols_by_path={},
        edges_from=lambda s: [],
        edges_to=lambda s: [],
    )
    chunks = [
        chunk(0, kind="doc", path="docs/api.rst", title="Loading", lines=(3, 9), text="Use PackageLoader."),
        chunk(1, kind="class", symbol="pkg.loaders.PackageLoader"),
        chunk(2, symbol="pkg.other.thing"),
    ]
    assert doc_names(corpus, chunks) == {0: ("pkg.loaders.PackageLoader",)}
    state = S._make_state(corpus, chunks, None, None, None, None, None)
    fused = {0: 1.0, 1: 0.3, 2: 0.35}
    monkeypatch.setattr(S, "DOC_LEND_ADDS", False)
    monkeypatch.setattr(S, "DOC_LEND", 0.0)
    assert S._boost(state, fused)[1] < S._boost(state, fused)[2]
    monkeypatch.setattr(S, "DOC_LEND", 0.5)
    assert S._boost(state, fused)[1] > S._boost(state, fused)[2]
