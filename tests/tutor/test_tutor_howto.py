"""How-to answers lead with the code a user writes: the closest real call, in the form the project's examples use."""

from __future__ import annotations

from types import SimpleNamespace

from compiler.analysis.examples import code_blocks, examples_for
from compiler.tutor.howto import asked_words, choose_example, example_context
from compiler.tutor.material import usage


def _symbol(id: str, kind: str, signature: str = "", parent: str | None = None, **extra):
    base = dict(
        id=id,
        name=id.split(".")[-1],
        kind=kind,
        signature=signature,
        parent=parent,
        path="lib/reply.js",
        lines=(1, 5),
        excerpt="",
        doc="",
        decorators=(),
        bases=(),
        public=True,
        importance=0.0,
    )
    return SimpleNamespace(**{**base, **extra})


def _plan(question: str, *targets):
    return SimpleNamespace(question=question, goal="", target_symbols=tuple(t.id for t in targets), steps=())


def _reply_corpus():
    reply = _symbol("lib.reply.Reply", "class", "function Reply (res)")
    status = _symbol(
        "lib.reply.Reply.statusCode",
        "method",
        "Object.defineProperties(Reply.prototype, { statusCode: {",
        "lib.reply.Reply",
    )
    code = _symbol("lib.reply.Reply.code", "method", "Reply.prototype.code = function (code)", "lib.reply.Reply")
    redirect = _symbol(
        "lib.reply.Reply.redirect", "method", "Reply.prototype.redirect = function (url, code)", "lib.reply.Reply"
    )
    # A section's stored text starts under its heading line; its lines span the heading and the text.
    redirect_text = "\nRedirects a request to the given URL.\n\n```js\nreply.code(303).redirect('/home')\n```\n"
    code_text = (
        "\nSends the object back with this status code.\n\n```js\nsetup({\n  a: 1\n})\n\n"
        "fastify.get('/', (request, reply) => {\n  reply.code(404).send({ error: 'missing' })\n})\n```\n"
    )
    sections, heading = [], 1
    for title, text in ((".redirect(dest)", redirect_text), (".code(statusCode)", code_text)):
        end = heading + 1 + text.rstrip("\n").count("\n")
        sections.append(SimpleNamespace(path="docs/Reply.md", title=title, text=text, lines=(heading, end)))
        heading = end + 1
    symbols = [reply, status, code, redirect]
    return SimpleNamespace(
        core=SimpleNamespace(sections=sections, symbols=symbols),
        symbols={s.id: s for s in symbols},
        symbols_by_path={"lib/reply.js": symbols},
        files={"docs/Reply.md": SimpleNamespace(lines=200, language="markdown")},
    )


def test_usage_names_the_instance_users_hold_not_the_prototype():
    corpus = _reply_corpus()
    assert usage(corpus, corpus.symbols["lib.reply.Reply.code"]) == "reply.code(code)"
    assert usage(corpus, corpus.symbols["lib.reply.Reply.redirect"]) == "reply.redirect(url, code)"
    # A getter is read, never called; a module's exported function is called by its name.
    assert usage(corpus, corpus.symbols["lib.reply.Reply.statusCode"]) == "reply.statusCode"
    exported = _symbol("lib.override.override", "function", "module.exports = function override (old, fn, opts)")
    assert usage(corpus, exported) == "override(old, fn, opts)"
    text = _symbol("pkg.Response.text", "method", "def text(self) -> str", "lib.reply.Reply", decorators=("property",))
    assert usage(corpus, text) == "reply.text"


def test_words_in_capitals_are_terms_not_filler():
    assert "get" in asked_words("how do I answer GET requests on a path?")
    assert "get" not in asked_words("how do I get the body of a request?")


def test_a_docs_example_starts_at_a_statement_not_at_the_tail_of_the_one_before():
    corpus = _reply_corpus()
    found = examples_for(corpus, corpus.symbols["lib.reply.Reply.code"], limit=5)
    by_call = {e.call: e for e in found}
    example = by_call["reply.code(404).send({ error: 'missing' })"]
    assert example.code.startswith("fastify.get('/'")
    # The cited lines are the file's lines of the shown code.
    lines = "\n".join("## heading\n" + section.text.rstrip("\n") for section in corpus.core.sections).split("\n")
    assert "\n".join(lines[example.lines[0] - 1 : example.lines[1]]) == example.code
    assert example_context(corpus, example) == ".code(statusCode) Sends the object back with this status code."
    assert [offset for offset, _ in code_blocks(corpus.core.sections[1].text)] == [4]


def test_a_lead_users_never_call_gives_way_to_the_closest_real_use():
    corpus = _reply_corpus()
    status, code = corpus.symbols["lib.reply.Reply.statusCode"], corpus.symbols["lib.reply.Reply.code"]
    plan = _plan("how do I send an object back with a particular status code?", status, code)
    # ``statusCode`` is named for the question but nobody calls it; ``code`` is called in the docs, and the use
    # whose section talks about sending an object with a status code wins over the redirect one.
    assert choose_example(corpus, plan, [status, code]).call == "reply.code(404).send({ error: 'missing' })"
    # A learner who extends the code keeps the lead the plan chose.
    extend = SimpleNamespace(**{**plan.__dict__, "goal": "extend the reply object with a plugin"})
    assert choose_example(corpus, extend, [status, code]) is None


def test_a_package_function_is_written_through_the_package_as_examples_import_it():
    fields = _symbol("logrus.WithFields", "function", "func WithFields(fields Fields) *Entry", path="exported.go")
    new = _symbol("logrus.New", "function", "func New() *Logger", path="logger.go")
    text = '\n```go\nlog.WithFields(log.Fields{"animal": "walrus"}).Info("hi")\nlogger := New()\n```\n'
    section = SimpleNamespace(path="README.md", title="Fields", text=text, lines=(1, 1 + text.rstrip("\n").count("\n")))
    corpus = SimpleNamespace(
        core=SimpleNamespace(sections=[section], symbols=[fields, new]),
        symbols={"logrus.WithFields": fields, "logrus.New": new},
    )
    assert usage(corpus, fields) == "log.WithFields(fields)"  # ``log`` names the package logrus, as imported
    assert usage(corpus, new) == "New()"  # called bare, so written bare


def test_the_closest_use_of_an_object_users_read_from_reads_the_asked_attribute():
    request = _symbol("pkg.globals.request", "variable", path="pkg/globals.py", parent="pkg.globals")
    helper = _symbol("pkg.helpers.stream_file", "function", "def stream_file(path)", path="pkg/helpers.py")
    code = "\n\n".join(f"```python\nvalue = request.cookies.get('user_{n}')\n```" for n in range(10))
    text = "\n" + code + "\n\n```python\nname = request.form['the_name_of_the_user_field']\n```\n"
    section = SimpleNamespace(
        path="docs/requests.md", title="Requests", text=text, lines=(1, 2 + text.rstrip().count("\n"))
    )
    symbols = [request, helper]
    corpus = SimpleNamespace(
        core=SimpleNamespace(sections=[section], symbols=symbols),
        symbols={s.id: s for s in symbols},
        symbols_by_path={},
        files={"docs/requests.md": SimpleNamespace(lines=200, language="markdown")},
    )
    plan = _plan("how do I read a value the user submitted in a form?", helper, request)
    # The lead ``stream_file`` is called by nobody; of ``request``'s uses the form read beats the cookie reads.
    assert choose_example(corpus, plan, [helper, request]).call == "name = request.form['the_name_of_the_user_field']"
