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
    corpus = SimpleNamespace(symbols={"pkg.Client": SimpleNamespace(name="Client", kind="class")})
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
