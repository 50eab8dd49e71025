"""The docs' first mention of each concept orders the learning path and overrules code links."""

from compiler.analysis.concepts.links import follow_the_teaching_order
from compiler.analysis.concepts.mentions import first_mentions, mention_counts
from compiler.analysis.order import teaching_weight
from compiler.analysis.path import learning_path
from compiler.model import Concept, Section, Symbol


def sym(sid, kind="class", path="pkg/a.py", parent="pkg.a", public=True):
    return Symbol(id=sid, name=sid.rsplit(".", 1)[-1], kind=kind, path=path, lines=(1, 2), parent=parent, public=public)


SYMBOLS = {
    s.id: s
    for s in (
        sym("pkg.client.Client", path="pkg/client.py", parent="pkg.client"),
        sym("pkg.client.Client.get", kind="method", path="pkg/client.py", parent="pkg.client.Client"),
        sym("pkg.api.get", kind="function", path="pkg/api.py", parent="pkg.api"),
        sym("pkg.transport.Transport", path="pkg/transport.py", parent="pkg.transport"),
        sym("pkg.transport.send", kind="function", path="pkg/transport.py", parent="pkg.transport"),
    )
}
MEMBERSHIP = {
    "pkg.client.Client": "client", "pkg.client.Client.get": "client", "pkg.api.get": "api",
    "pkg.transport.Transport": "transport", "pkg.transport.send": "transport",
}  # fmt: skip


def section(path, text):
    return Section(path=path, title="t", level=2, lines=(1, 5), text=text)


def test_readme_first_code_words_and_module_level_names_win():
    sections = [
        section("docs/guide.md", "Use a `Transport` to send."),
        section("CHANGELOG.md", "Transport fixed"),
        section(
            "README.md", "Quick start:\n\n```\nr = pkg.get('x')\n```\n\nThen a Client keeps connections; send them."
        ),
    ]
    found = first_mentions(sections, SYMBOLS, MEMBERSHIP)
    # get is a method of Client too, but only the api module defines it at module level
    assert found["api"] < found["client"] < found["transport"]
    # "send" in prose is an English word, not a mention; the changelog is not read
    only_prose = first_mentions(
        [section("README.md", "we send mail"), section("CHANGES.md", "`send`")], SYMBOLS, MEMBERSHIP
    )
    assert only_prose == {}


def test_code_links_against_the_docs_order_become_related():
    ids = ["client", "transport", "noted"]
    prerequisites = [["transport", "noted"], [], []]
    related = [[], ["client"], []]
    importance = [0.2, 1.0, 0.1]
    follow_the_teaching_order(
        ids, prerequisites, related, {"client": 3, "transport": 9}, [False, False, True], importance, importance
    )
    assert prerequisites[0] == ["noted"]  # an author's concept keeps its link
    assert related[0][0] == "transport"
    concepts = [
        Concept(id=i, title=i, summary="", summary_source="generated", members=(), files=(), importance=imp,
                prerequisites=tuple(p))
        for i, imp, p in zip(ids, (0.2, 1.0, 0.1), prerequisites)
    ]  # fmt: skip
    # the docs' order beats importance: client (mentioned first, after its prerequisite) before the
    # more important transport
    assert learning_path(concepts, {"client": 3, "transport": 9}) == ("noted", "client", "transport")
    assert learning_path(concepts)[0] == "transport"  # without docs: the most important ready concept


def test_without_docs_the_public_hub_comes_before_what_it_calls_and_what_calls_it():
    # code: app -> router (the app calls its router), docgen -> app (a doc generator calls the app)
    ids = ["app", "router", "docgen", "helpers"]
    prerequisites = [["router"], [], ["app"], []]
    related: list[list[str]] = [[], [], [], []]
    importance = [1.0, 0.6, 0.3, 0.9]
    # helpers: a fifth of its members a user can name
    weights = [teaching_weight(1.0, 1.0), 0.6, 0.3, teaching_weight(0.9, 0.2)]
    follow_the_teaching_order(ids, prerequisites, related, {}, [False] * 4, importance, weights)
    assert prerequisites == [[], [], ["app"], []]  # the router is taught after the app that calls it
    assert related[0] == ["router"]
    concepts = [
        Concept(id=i, title=i, summary="", summary_source="generated", members=(), files=(), importance=imp,
                prerequisites=tuple(p))
        for i, imp, p in zip(ids, importance, prerequisites)
    ]  # fmt: skip
    # private helpers come last however much the code relies on them
    assert learning_path(concepts, {}, dict(zip(ids, weights))) == ("app", "router", "docgen", "helpers")


def test_rst_toctree_orders_pages_and_autodoc_directives_mention():
    sections = [
        section("docs/api.rst", ".. autofunction:: pkg.api.get\n\n.. autoclass:: pkg.client.Client"),
        section("docs/index.rst", "Welcome\n\n.. toctree::\n   :maxdepth: 2\n\n   transports\n   API <api>\n"),
        section("docs/transports.rst", "Example::\n\n    handler = send\n\nA plain send in prose."),
    ]
    found = first_mentions(sections, SYMBOLS, MEMBERSHIP)
    # index -> transports -> api, as the toctree lists them (alphabetical would put api first)
    assert found["transport"] < found["api"] < found["client"]
    # ``send`` counted only inside the literal block: without it, nothing names the transport
    prose_only = [section("docs/transports.rst", "A plain send in prose.")]
    assert first_mentions(prose_only, SYMBOLS, MEMBERSHIP) == {}


def test_mention_counts_are_sections_mentioning_a_concept():
    sections = [section("README.md", "`Client` and `Client`"), section("docs/a.md", "`Client`, `Transport`")]
    assert mention_counts(sections, SYMBOLS, MEMBERSHIP) == {"client": 2, "transport": 1}


def test_without_docs_the_most_important_ready_concept_comes_first():
    def concept(cid, importance, prerequisites=()):
        return Concept(id=cid, title=cid, summary="", summary_source="generated", members=(), files=(),
                       importance=importance, prerequisites=tuple(prerequisites))  # fmt: skip

    concepts = [concept("decoders", 1.0), concept("client", 0.5, ["base"]), concept("base", 0.2), concept("api", 0.3)]
    assert learning_path(concepts) == ("decoders", "api", "base", "client")  # base waits for nothing, client for base
    # a mentioned concept comes first, its prerequisite just before it; the unmentioned follow by importance
    assert learning_path(concepts, {"client": 5}) == ("base", "client", "decoders", "api")
    # a concept of mostly private helpers is internals: after a less important public one
    weights = {"decoders": teaching_weight(1.0, 0.1), "api": teaching_weight(0.3, 1.0)}
    assert learning_path(concepts, weights=weights) == ("api", "base", "client", "decoders")


def test_reference_pages_come_after_the_guides_that_teach():
    sections = [
        section("docs/api.rst", ".. autoclass:: pkg.client.Client\n\n.. autofunction:: pkg.transport.send"),
        section("docs/index.rst", ".. toctree::\n\n   api\n   guide\n"),
        section("docs/guide.rst", "Send with ``send``, then build a ``Client``."),
    ]
    found = first_mentions(sections, SYMBOLS, MEMBERSHIP)
    # the toctree lists the API reference first, but a reference lists everything and teaches nothing first
    assert found["transport"] < found["client"]


def test_markdown_docs_follow_the_readme_links():
    sections = [
        section("README.md", "See [the client](docs/client.md) and [transports](./docs/transport.md#top)."),
        section("docs/advanced.md", "`Transport` internals"),
        section("docs/client.md", "A `Client` sends through a [transport](transport.md)."),
        section("docs/transport.md", "`Transport` details"),
    ]
    found = first_mentions(sections, SYMBOLS, MEMBERSHIP)
    # alphabetical would read advanced.md (Transport) first; the README links client.md first
    assert found["client"] < found["transport"]


def test_directives_builtins_and_module_objects():
    symbols = {
        **SYMBOLS,
        "pkg.client.Client.open": sym(
            "pkg.client.Client.open", kind="method", path="pkg/client.py", parent="pkg.client.Client"
        ),
        "pkg.globals.request": sym("pkg.globals.request", kind="variable", path="pkg/globals.py", parent="pkg.globals"),
    }
    membership = {**MEMBERSHIP, "pkg.client.Client.open": "client", "pkg.globals.request": "globals"}
    toc_and_builtin = section("docs/index.rst", ".. toctree::\n\n   send\n\nExample::\n\n    with open(path) as f:\n")
    assert first_mentions([toc_and_builtin], symbols, membership) == {}  # a page name; Python's open
    found = first_mentions(
        [section("docs/a.rst", "Read ``request.args``, then ``client.open()``.")], symbols, membership
    )
    assert found["globals"] < found["client"]  # module-level objects are public API; a dotted open is Client's


def test_front_door_names_sentence_starts_and_bare_method_words():
    symbols = dict(SYMBOLS)
    symbols["pkg.nodes.Template"] = sym("pkg.nodes.Template", path="pkg/nodes.py", parent="pkg.nodes")
    symbols["pkg.env.Template"] = sym("pkg.env.Template", path="pkg/env.py", parent="pkg.env")
    symbols["pkg.nodes.With"] = sym("pkg.nodes.With", path="pkg/nodes.py", parent="pkg.nodes")
    symbols["pkg.env.Template.stream"] = sym(
        "pkg.env.Template.stream", kind="method", path="pkg/env.py", parent="pkg.env.Template"
    )
    membership = {**MEMBERSHIP, "pkg.nodes.Template": "nodes", "pkg.nodes.With": "nodes", "pkg.env.Template": "env"}
    membership["pkg.env.Template.stream"] = "env"
    docs = [section("README.md", "With a template:\n\n```\nt = Template('x')\n```\n")]
    # two concepts define Template at module level: without a front door the name is nobody's
    assert first_mentions(docs, symbols, membership) == {}
    # the package exports env.Template; "With" opening a sentence is English, not nodes.With
    assert set(first_mentions(docs, symbols, membership, frozenset({"pkg.env.Template"}))) == {"env"}
    assert set(first_mentions([section("README.md", "the With node")], symbols, membership)) == {"nodes"}
    # a method-only name is a mention as ``.stream`` or in prose backticks, not as a bare word of a code block
    assert first_mentions([section("README.md", "```\nfor stream in streams: pass\n```")], symbols, membership) == {}
    assert set(first_mentions([section("README.md", "```\nt.stream()\n```")], symbols, membership)) == {"env"}
    assert set(first_mentions([section("README.md", "Call `stream` to ...")], symbols, membership)) == {"env"}


def test_a_book_summary_gives_the_reading_order():
    sections = [
        section("README.md", "Install it."),
        section("docs/SUMMARY.md", "- [Basics](basics.md)\n- [Sending](sending.md)\n"),
        section("docs/a-sending.md", "`Transport` first by path"),
        section("docs/basics.md", "A `Client`"),
        section("docs/sending.md", "A `Transport`"),
    ]
    found = first_mentions(sections, SYMBOLS, MEMBERSHIP)
    assert found["client"] < found["transport"]  # by path, a-sending.md would come first
    sidebar = [s if s.path != "docs/SUMMARY.md" else section("docs/_sidebar.md", s.text) for s in sections]
    found = first_mentions(sidebar, SYMBOLS, MEMBERSHIP)
    assert found["client"] < found["transport"]


def test_a_myst_toctree_orders_markdown_pages():
    sections = [
        section("README.md", "Install it."),
        section("docs/index.md", "Welcome\n\n```{toctree}\n:maxdepth: 2\n\nbasics\nSending <sending>\n```\n"),
        section("docs/a-sending.md", "`Transport` first by path"),
        section("docs/basics.md", "A `Client`"),
        section("docs/sending.md", "A `Transport`"),
    ]
    found = first_mentions(sections, SYMBOLS, MEMBERSHIP)
    assert found["client"] < found["transport"]  # by path (or the README), a-sending.md would come first


def test_a_capitalised_name_at_the_start_of_a_wrapped_line_is_a_name():
    wrapped = [section("README.md", "Requests go through\nTransport objects.")]
    assert set(first_mentions(wrapped, SYMBOLS, MEMBERSHIP)) == {"transport"}
    opened = [section("README.md", "Requests go through it.\nTransport objects retry.")]
    assert first_mentions(opened, SYMBOLS, MEMBERSHIP) == {}


MKDOCS = """site_name: pkg
docs_dir: documentation
theme:
  name: material
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
extra:
  token: !ENV [PKG_TOKEN, none]
nav:
  - Home: index.md
  - Guide:
      - basics.md
      - Sending: guide/sending.md
  - GitHub: https://github.com/pkg/pkg
"""


def test_an_mkdocs_nav_gives_the_reading_order():
    from compiler.frontend.mkdocs import parse_mkdocs
    from compiler.model import NAV_ANCHOR, SourceFile

    facts = parse_mkdocs(SourceFile(path="mkdocs.yml", language="text", size=1, sha256="x"), MKDOCS)
    (nav,) = facts.sections
    assert nav.anchor == NAV_ANCHOR and "github.com" not in nav.text  # python tags and !ENV load as nothing
    assert nav.text.index("documentation/basics.md") < nav.text.index("documentation/guide/sending.md")
    sections = [
        nav,
        section("README.md", "Install it."),
        section("documentation/a-sending.md", "`Transport` first by path"),
        section("documentation/basics.md", "A `Client`"),
        section("documentation/guide/sending.md", "A `Transport`"),
    ]
    found = first_mentions(sections, SYMBOLS, MEMBERSHIP)
    assert found["client"] < found["transport"]  # by path, a-sending.md would come first
    without = first_mentions(sections[1:], SYMBOLS, MEMBERSHIP)
    assert without["transport"] < without["client"]  # the nav is what put basics.md first
    broken = parse_mkdocs(SourceFile(path="mkdocs.yml", language="text", size=1, sha256="x"), "nav: [a\n")
    assert broken.sections == ()


def test_keywords_roles_foreign_modules_and_value_methods_are_no_mentions():
    symbols = {
        s.id: s
        for s in (
            sym("pkg.termui.prompt", kind="function", path="pkg/termui.py", parent="pkg.termui"),
            sym("pkg.ctx.Ctx", path="pkg/ctx.py", parent="pkg.ctx"),
            sym("pkg.ctx.Ctx.pop", kind="method", path="pkg/ctx.py", parent="pkg.ctx.Ctx"),
            sym("pkg.cli.Group", path="pkg/cli.py", parent="pkg.cli"),
            sym("pkg.cli.Group.command", kind="method", path="pkg/cli.py", parent="pkg.cli.Group"),
            sym("pkg.refs.ref", kind="function", path="pkg/refs.py", parent="pkg.refs"),
        )
    }
    membership = {
        "pkg.termui.prompt": "prompts", "pkg.ctx.Ctx": "ctx", "pkg.ctx.Ctx.pop": "ctx",
        "pkg.cli.Group": "cli", "pkg.cli.Group.command": "cli", "pkg.refs.ref": "refs",
    }  # fmt: skip
    text = (
        "```\nimport click\n\n@option('--name', prompt='Your name')\n@click.command('x')\n"
        "session.pop('user', None)\n```\n\nSee :ref:`the guide <guide>` and the ``x`` command from ``y``.\n"
    )
    assert first_mentions([section("docs/guide.rst", text)], symbols, membership) == {}
    phrase = "Run `npm command` or ``git command --help``.\n"  # command lines, not the method
    assert first_mentions([section("README.md", phrase)], symbols, membership) == {}
    assert set(first_mentions([section("README.md", "Call `command()`.")], symbols, membership)) == {"cli"}
    labels = "See :ref:`prompt <prompting>` and :doc:`command`; then :func:`prompt`.\n"
    assert set(first_mentions([section("docs/guide.rst", labels)], symbols, membership)) == {"prompts"}
    found = first_mentions(
        [section("README.md", "```\nprompt('Name')\ngroup.command('x')\nctx.pop()\n```\n")], symbols, membership
    )
    assert set(found) == {"prompts", "cli", "ctx"}  # called, or reached through a receiver named after its class


def test_a_method_many_classes_bear_goes_to_the_class_its_receiver_names():
    symbols = {
        s.id: s
        for s in (
            sym("pkg.entry.Entry", path="pkg/entry.py", parent="pkg.entry"),
            sym("pkg.entry.Entry.with_field", kind="method", path="pkg/entry.py", parent="pkg.entry.Entry"),
            sym("pkg.logger.Logger", path="pkg/logger.py", parent="pkg.logger"),
            sym("pkg.logger.Logger.with_field", kind="method", path="pkg/logger.py", parent="pkg.logger.Logger"),
        )
    }
    membership = {sid: sid.split(".")[1] for sid in symbols}
    sections = [section("README.md", "First `Entry`.\n\n```\nlogger.with_field('a', 1)\n```\n")]
    found = first_mentions(sections, symbols, membership)
    assert found["entry"] < found["logger"]


def test_go_examples_of_the_outer_package_are_read_after_the_docs():
    from compiler.analysis.concepts.mentions import example_sections

    def go(sid, name, path, kind="function", excerpt=""):
        return Symbol(id=sid, name=name, kind=kind, path=path, lines=(1, 9), parent=None, excerpt=excerpt)

    symbols = {
        s.id: s
        for s in (
            go("log.Logger", "Logger", "logger.go", kind="class"),
            go("log.NewEntry", "NewEntry", "entry.go"),
            go("log_test.Example_basic", "Example_basic", "example_test.go", excerpt="e := log.NewEntry(l)"),
            go("doc_test.ExampleGen", "ExampleGen", "doc/doc_test.go", excerpt="var l log.Logger"),
            go("log_test.Examined", "Examined", "x_test.go", excerpt="var l log.Logger"),
        )
    }
    membership = {"log.Logger": "logger", "log.NewEntry": "entry"}
    examples = example_sections(symbols)
    assert [s.title for s in examples] == ["Example_basic"]  # not a sub-package's, not ``Examined``
    found = first_mentions([section("README.md", "A `Logger`.")] + examples, symbols, membership)
    assert found["logger"] < found["entry"]
    assert "entry" not in first_mentions([section("README.md", "A `Logger`.")], symbols, membership)
