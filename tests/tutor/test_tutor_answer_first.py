"""Answer first, honest limits, plain prose: the pieces of the offline answer that the tutor benchmark measures."""

from __future__ import annotations

import json
from types import SimpleNamespace

from compiler.cli import main
from compiler.tutor.coverage import assess
from compiler.tutor.material import usage
from compiler.tutor.prose import render_doc


def test_docstring_markup_becomes_plain_prose():
    doc = "Send a :class:`~httpx.Request` with ``json`` set.\n\n:param url: where.\n:rtype: Response\n"
    assert render_doc(doc) == "Send a `Request` with `json` set."
    assert render_doc("Limits.\n\n**Parameters:**\n\n* **max** - x") == "Limits."
    assert render_doc("Parse it.\n\nArgs:\n    text: the text\n") == "Parse it."
    assert render_doc("/**\n * Send JSON.\n * @param {Object} obj\n */".strip("/*")) == "Send JSON."


def test_usage_is_the_call_a_user_writes():
    corpus = SimpleNamespace(
        symbols={"pkg.Client": SimpleNamespace(name="Client", kind="class")},
        core=SimpleNamespace(sections=[], symbols=[]),
    )
    js = SimpleNamespace(
        name="use", kind="function", signature="app.use = function use(fn)", parent=None, id="lib.app.use"
    )
    py = SimpleNamespace(
        name="send",
        kind="method",
        signature="def send(self, request, *, stream=False)",
        parent="pkg.Client",
        id="pkg.Client.send",
    )
    private_module = SimpleNamespace(
        name="get", kind="function", signature="def get(url, *, params=None)", parent=None, id="httpx._api.get"
    )
    assert usage(corpus, js) == "app.use(fn)"
    assert usage(corpus, py) == "client.send(request, stream)"
    assert usage(corpus, private_module) == "httpx.get(url, params)"


def test_off_topic_is_not_covered_and_says_so(mh_corpus, tmp_path, capsys):
    assert assess(mh_corpus, "How does the transport decide whether to retry?").covered
    assert not assess(mh_corpus, "how long should I boil an egg for a soft yolk?").covered
    # Words about code in general neither make a question ours nor count against it.
    assert assess(mh_corpus, "where are retries declared and located in the source?").covered
    assert not assess(mh_corpus, "which class implements a linked list in Java?").covered
    code = main(
        [
            "ask",
            "what is the capital of Australia?",
            "--json",
            "--corpus",
            str(mh_corpus.root),
            "--backend",
            "offline",
            "--learner-db",
            str(tmp_path / "l.db"),
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["covered"] is False and data["citations"] == []
    assert data["answer"].startswith("## Not covered by this codebase")
    code = main(
        [
            "ask",
            "How does the transport decide whether to retry?",
            "--json",
            "--corpus",
            str(mh_corpus.root),
            "--backend",
            "offline",
            "--learner-db",
            str(tmp_path / "l.db"),
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert data["covered"] is True and data["answer"].split("\n")[2].startswith("**Answer.**")


def _api_corpus():
    """A facade ``app.use`` delegating to ``proto.use``, a README that calls ``app.use(``, a test calling ``httpx.get(``."""

    def symbol(id, kind="method", path="lib/application.js", excerpt="", bases=(), decorators=()):
        name, parent = id.split(".")[-1], id.rsplit(".", 1)[0]
        return SimpleNamespace(
            **dict(id=id, name=name, kind=kind, path=path, excerpt=excerpt, bases=bases, decorators=decorators),
            **dict(doc="", lines=(1, 5), importance=0.1, parent=parent, signature=f"def {name}(self)"),
        )

    symbols = [
        symbol("lib.application.app.use"),
        symbol("lib.router.index.proto.use", path="lib/router/index.js"),
        symbol("lib.router.index.proto.handle", path="lib/router/index.js"),
        symbol("pkg.Base", kind="class", path="pkg/base.py"),
        symbol("pkg.App", kind="class", path="pkg/app.py", bases=("Base",)),
        symbol("pkg.Base.errorhandler", path="pkg/base.py"),
        symbol("pkg.globals.request", kind="variable", path="pkg/globals.py"),
        symbol("pkg.transports.BaseTransport", kind="class", path="pkg/transports.py"),
        symbol("pkg.transports.MockTransport", kind="class", path="pkg/transports.py", bases=("BaseTransport",)),
        symbol("pkg.transports.HTTPTransport", kind="class", path="pkg/transports.py", bases=("BaseTransport",)),
        symbol("pkg.Response.text", path="pkg/models.py", decorators=("property",)),
        symbol(
            "tests.test_app.test_it",
            kind="function",
            path="tests/test_app.py",
            excerpt='def test_it(app):\n    """Calls `router.use()` in prose."""\n    @app.errorhandler(404)\n'
            "    name = request.form['the_name_of_the_user_field']\n    assert response.text == name\n",
        ),
    ]
    readme = SimpleNamespace(path="README.md", text="Use it:\n\n```js\napp.use(logger)\napp.use(json())\n```\n")
    core = SimpleNamespace(sections=[readme], symbols=symbols)
    by_id = {s.id: s for s in symbols}
    return SimpleNamespace(
        core=core, symbols=by_id, find_symbols=lambda name: [s for s in symbols if s.id.endswith("." + name)]
    )


def test_user_calls_count_the_receiver_a_user_holds():
    from compiler.analysis.examples import user_call_count

    corpus = _api_corpus()
    assert user_call_count(corpus, corpus.symbols["lib.application.app.use"]) == 2
    assert user_call_count(corpus, corpus.symbols["lib.router.index.proto.use"]) == 0  # prose in a docstring
    assert user_call_count(corpus, corpus.symbols["pkg.Base.errorhandler"]) == 1  # called through a subclass
    assert user_call_count(corpus, corpus.symbols["pkg.globals.request"]) == 1  # an object users read from
    assert user_call_count(corpus, corpus.symbols["pkg.Response.text"]) == 1  # a property users read


def test_usage_takes_the_receiver_from_real_examples():
    corpus = _api_corpus()
    # Tests call it as ``@app.errorhandler(404)``: the receiver a user holds, not the class it is defined on.
    assert usage(corpus, corpus.symbols["pkg.Base.errorhandler"]) == "app.errorhandler()"


def test_rank_leads_with_the_facade_users_call():
    from compiler.tutor.rank import rank_symbols

    corpus = _api_corpus()
    found = ["lib.router.index.proto.use", "lib.router.index.proto.handle"]
    assert rank_symbols(corpus, "how do I add middleware?", "how", [(found, 1.0)])[0] == "lib.application.app.use"
    # A where question is about the machinery retrieval found: no facade stands in for it.
    assert rank_symbols(corpus, "where is middleware run?", "where", [(found, 1.0)]) == found
    # Both lists agreeing beats one list's first place.
    other = ["lib.router.index.proto.handle", "pkg.Base.errorhandler"]
    assert rank_symbols(corpus, "where?", "where", [(found, 1.0), (other, 1.0)])[0] == "lib.router.index.proto.handle"


def test_code_blocks_of_restructuredtext_docs_are_examples():
    from compiler.analysis.examples import code_blocks

    text = (
        "Routing::\n\n    @app.route('/')\n    def index():\n        return 'hi'\n\nText.\n\n"
        ".. code-block:: python\n    :caption: errors\n\n    @app.errorhandler(404)\n\n"
        ".. note::\n\n    not_code()\n\n```py\nrender_template('a.html')\n```\n"
    )
    blocks = list(code_blocks(text))
    assert [lines for _, lines in blocks] == [
        ["    @app.route('/')", "    def index():", "        return 'hi'"],
        ["    @app.errorhandler(404)"],
        ["render_template('a.html')"],
    ]
    lines = text.split("\n")
    assert all(lines[offset : offset + len(block)] == block for offset, block in blocks)  # offsets are exact


def test_what_question_leads_with_the_base_the_candidates_share():
    from compiler.tutor.rank import rank_symbols

    corpus = _api_corpus()
    found = ["pkg.transports.MockTransport", "pkg.transports.HTTPTransport"]
    assert rank_symbols(corpus, "what is a transport?", "what", [(found, 1.0)])[0] == "pkg.transports.BaseTransport"
    assert "pkg.transports.BaseTransport" not in rank_symbols(corpus, "where is it sent?", "where", [(found, 1.0)])


def _stream_corpus():
    """A package-level ``pkg.api.stream`` and a ``Client.stream`` method; tests call ``client.stream(`` twice,
    the README ``pkg.stream(`` once, and ``pkg.get(`` (no ``Headers.get`` is meant)."""

    def symbol(id, kind, parent, path="pkg/api.py", excerpt=""):
        return SimpleNamespace(
            **dict(id=id, name=id.split(".")[-1], kind=kind, path=path, excerpt=excerpt, bases=(), decorators=()),
            **dict(doc="Stream a response body.", lines=(1, 5), importance=0.1, parent=parent, signature="def f()"),
        )

    symbols = [
        symbol("pkg.api", "module", None),
        symbol("pkg.client", "module", None, path="pkg/client.py"),
        symbol("pkg.api.stream", "function", "pkg.api"),
        symbol("pkg.client.Client", "class", "pkg.client", path="pkg/client.py"),
        symbol("pkg.client.Client.stream", "method", "pkg.client.Client", path="pkg/client.py"),
        symbol("pkg.client.Headers", "class", "pkg.client", path="pkg/client.py"),
        symbol("pkg.client.Headers.get", "method", "pkg.client.Headers", path="pkg/client.py"),
        symbol(
            "tests.test_client.test_it",
            "function",
            "tests.test_client",
            path="tests/test_client.py",
            excerpt="def test_it(client):\n    client.stream('GET', url)\n    client.stream('POST', url)\n",
        ),
    ]
    readme = SimpleNamespace(path="README.md", text="```python\npkg.stream('GET', url)\npkg.get(url)\n```\n")
    by_id = {s.id: s for s in symbols}
    return SimpleNamespace(core=SimpleNamespace(sections=[readme], symbols=symbols), symbols=by_id)


def test_a_package_level_call_counts_for_the_package_level_function_only():
    from compiler.analysis.examples import user_call_count

    corpus = _stream_corpus()
    assert user_call_count(corpus, corpus.symbols["pkg.api.stream"]) == 1
    assert user_call_count(corpus, corpus.symbols["pkg.client.Client.stream"]) == 2  # not ``pkg.stream(``
    assert user_call_count(corpus, corpus.symbols["pkg.client.Headers.get"]) == 0  # ``pkg.get(`` is no method call


def test_a_how_to_leads_with_the_front_door_function():
    from compiler.tutor.rank import rank_symbols

    corpus = _stream_corpus()
    found = ["pkg.client.Client.stream", "pkg.api.stream"]
    # Tests call the method more, but a user writes the package-level function first.
    assert rank_symbols(corpus, "how do I stream a response?", "how", [(found, 1.0)])[0] == "pkg.api.stream"
    assert rank_symbols(corpus, "where is a response streamed?", "where", [(found, 1.0)])[0] == found[0]


def test_a_how_to_shows_the_use_that_reads_the_asked_attribute_however_late_it_comes():
    from compiler.tutor.offline import Composer

    common = dict(path="pkg/globals.py", excerpt="", doc="", decorators=())
    request = SimpleNamespace(id="pkg.globals.request", name="request", kind="variable", parent="pkg.globals", **common)
    module = SimpleNamespace(id="pkg.globals", name="globals", kind="module", parent=None, **common)
    # Ten uses reading cookies come first in the docs; the one reading the form comes last.
    code = "\n\n".join(f"```python\nvalue = request.cookies.get('k{n}')\n```" for n in range(10))
    code += "\n\n```python\nname = request.form['the_name_of_the_user_field']\n```\n"
    text = "# Requests\n\n" + code
    section = SimpleNamespace(path="docs/requests.md", text=text, lines=(1, text.count("\n") + 1))
    symbols = [module, request]
    corpus = SimpleNamespace(
        core=SimpleNamespace(sections=[section], symbols=symbols),
        symbols={s.id: s for s in symbols},
        files={"docs/requests.md": SimpleNamespace(lines=200, language="markdown")},
    )
    composer = SimpleNamespace(
        how_to=True,
        corpus=corpus,
        plan=SimpleNamespace(question="how do I read a value the user submitted in a form?", goal=""),
        main_symbols=lambda: [request],
    )
    assert Composer.example(composer).call == "name = request.form['the_name_of_the_user_field']"
