"""Distilling concepts: grouping, naming, summaries, prerequisites."""

from __future__ import annotations

from compiler.analysis import analyze
from compiler.analysis.concepts import humanize, segment_word
from compiler.config import Settings
from kctest.factkit import FileBuilder, markdown, minihttp


def by_id(analysis):
    return {c.id: c for c in analysis.concepts}


def concept_of(analysis, symbol_id):
    return next(s.concept for s in analysis.symbols if s.id == symbol_id)


def is_acyclic(concepts) -> bool:
    graph = {c.id: set(c.prerequisites) for c in concepts}
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return False
        if state.get(node) == 2:
            return True
        state[node] = 1
        ok = all(visit(n) for n in graph.get(node, ()))
        state[node] = 2
        return ok

    return all(visit(n) for n in graph)


def test_minihttp_concepts_follow_the_design():
    analysis = analyze(minihttp())
    concepts = by_id(analysis)
    retry = concept_of(analysis, "minihttp.transport.should_retry")
    assert concept_of(analysis, "minihttp.transport.backoff_delay") == retry
    assert concept_of(analysis, "minihttp.transport.Transport.send") == retry
    assert concepts[retry].title == "Transport"
    auth = concept_of(analysis, "minihttp.auth.BasicAuth")
    assert concepts[auth].title == "Authentication"
    client = concept_of(analysis, "minihttp.client.Client")
    assert retry in concepts[client].prerequisites  # the client builds on the transport
    assert auth in concepts[client].prerequisites
    assert client not in concepts[retry].prerequisites
    # errors are used everywhere but are never a prerequisite
    errors = concept_of(analysis, "minihttp.exceptions.MiniHTTPError")
    assert all(errors not in c.prerequisites for c in analysis.concepts)
    # tests form their own concept, the least important
    assert set(concepts["tests"].members) == {
        "tests.test_client",
        "tests.test_client.test_get",
        "tests.test_client.test_retry",
    }
    assert analysis.concepts[-1].id == "tests"
    assert analysis.concepts[0].importance == 1.0
    assert all(0.0 <= c.importance <= 1.0 for c in analysis.concepts)


def test_concept_summaries_come_from_docstrings_and_members_are_ordered():
    analysis = analyze(minihttp())
    transport = by_id(analysis)[concept_of(analysis, "minihttp.transport.Transport")]
    assert transport.summary == "Sends requests and retries failed connections with backoff."
    assert transport.summary_source == "docstring"
    importance = {s.id: s.importance for s in analysis.symbols}
    ranks = [importance[m] for m in transport.members]
    assert ranks == sorted(ranks, reverse=True)
    assert transport.files == ("minihttp/transport.py",)
    assert transport.sources and all(src.path == "minihttp/transport.py" for src in transport.sources)
    assert all(src.symbol in transport.members for src in transport.sources)


def test_readme_section_and_generated_summaries_when_there_is_no_docstring():
    retry = FileBuilder("pkg/retry.py", "pkg.retry")
    retry.func("backoff_delay")
    retry.func("jitter")
    retry.func("should_retry", "backoff_delay", "jitter")
    shapes = FileBuilder("pkg/shapes.py", "pkg.shapes")
    shapes.func("draw_square")
    shapes.func("draw_circle", "draw_square")
    shapes.func("use", "pkg.retry.should_retry")
    shapes.imp("pkg.retry")
    readme = markdown(
        "README.md", ("pkg", 1, "A package."), ("Retry", 2, "Retries wait `backoff_delay()` seconds.\n\nMore.")
    )
    changelog = markdown("CHANGELOG.md", ("Shapes", 2, "Shapes now draw faster."))
    analysis = analyze([retry.facts(), shapes.facts(), readme, changelog])
    concepts = by_id(analysis)
    assert concepts["retry"].summary == "Retries wait `backoff_delay()` seconds."
    assert concepts["retry"].summary_source == "readme"
    assert concepts["shapes"].summary_source == "generated"  # the changelog does not describe code
    assert concepts["shapes"].summary.startswith("Shapes: the `draw_square`, ")


def test_a_folder_is_one_concept_named_after_it_and_twin_files_merge():
    files = []
    for name in ("base", "default", "mock"):
        transport = FileBuilder(f"lib/transports/{name}.py", f"lib.transports.{name}")
        transport.cls(
            f"{name.title()}Transport",
            bases=("BaseTransport",) if name != "base" else (),
            methods={"handle": [], "close": []},
        )
        if name != "base":
            transport.imp(".base", "BaseTransport")
        files.append(transport)
    app = FileBuilder("lib/app.py", "lib.app")
    app.imp("lib.sansio.app", "App")
    app.cls("Flask", bases=("App",), methods={"run": ["self.dispatch"], "wsgi": ["self.dispatch"]})
    sansio = FileBuilder("lib/sansio/app.py", "lib.sansio.app")
    sansio.cls("App", methods={"dispatch": [], "route": [], "config": []})
    client = FileBuilder("lib/client.py", "lib.client")
    client.imp("lib.transports.default", "DefaultTransport")
    client.cls("Client", methods={"send": ["DefaultTransport", "self.close"], "close": [], "get": ["self.send"]})
    files += [app, sansio, client]
    analysis = analyze([f.facts() for f in files])
    concepts = by_id(analysis)
    transports = concept_of(analysis, "lib.transports.mock.MockTransport")
    assert concept_of(analysis, "lib.transports.base.BaseTransport") == transports
    assert concepts[transports].title == "Transports"
    application = concept_of(analysis, "lib.app.Flask")
    assert concept_of(analysis, "lib.sansio.app.App") == application  # app.py and sansio/app.py
    assert concepts[application].title == "Application"


def test_huge_files_with_independent_clusters_are_split():
    big = FileBuilder("pkg/everything.py", "pkg.everything", lines=900)
    big.cls("Parser", methods={f"parse_{i}": ["self.parse_0"] for i in range(24)})
    big.cls("Renderer", methods={f"render_{i}": ["self.render_0"] for i in range(24)})
    other = FileBuilder("pkg/other.py", "pkg.other")
    other.func("go", "pkg.everything.Parser", "pkg.everything.Renderer")
    other.imp("pkg.everything")
    analysis = analyze([big.facts(), other.facts()])
    assert concept_of(analysis, "pkg.everything.Parser") != concept_of(analysis, "pkg.everything.Renderer")
    assert concept_of(analysis, "pkg.everything.Parser.parse_3") == concept_of(analysis, "pkg.everything.Parser")


def test_tiny_files_fold_into_their_neighbour_and_max_concepts_is_a_cap():
    files = []
    for i in range(30):
        module = FileBuilder(f"chain/step{i:02d}.py", f"chain.step{i:02d}")
        for j in range(4):
            module.func(f"work{i}_{j}", *([f"chain.step{i + 1:02d}.work{i + 1}_0"] if i < 29 else []))
        if i < 29:
            module.imp(f"chain.step{i + 1:02d}")
        files.append(module)
    tiny = FileBuilder("chain/const.py", "chain.const", lines=3)
    tiny.func("one")
    user = files[0]
    user.func("use_const", "chain.const.one")
    user.imp("chain.const")
    analysis = analyze([f.facts() for f in files] + [tiny.facts()], settings=Settings(max_concepts=6))
    assert len(analysis.concepts) <= 6
    assert concept_of(analysis, "chain.const.one") == concept_of(analysis, "chain.step00.use_const")
    # every code symbol belongs to a concept
    assert all(s.concept for s in analysis.symbols)
    assert is_acyclic(analysis.concepts)


def test_mutual_dependencies_become_an_acyclic_prerequisite_graph():
    names = ["alpha", "beta", "gamma", "delta"]
    files = []
    for i, name in enumerate(names):
        nxt = names[(i + 1) % len(names)]
        module = FileBuilder(f"ring/{name}.py", f"ring.{name}")
        module.imp(f"ring.{nxt}")
        for j in range(4):
            module.func(f"{name}_{j}", f"ring.{nxt}.{nxt}_{j}", f"ring.{nxt}.{nxt}_0")
        files.append(module)
    analysis = analyze([f.facts() for f in files])
    assert len(analysis.concepts) >= 2
    assert is_acyclic(analysis.concepts)
    position = {cid: i for i, cid in enumerate(analysis.learning_path)}
    for concept in analysis.concepts:
        for prerequisite in concept.prerequisites:
            assert position[prerequisite] < position[concept.id]


def test_titles():
    assert humanize("status_codes") == "Status codes"
    assert humanize("cli") == "CLI"
    assert humanize("ctx") == "Context"
    assert humanize("urls") == "URLs"
    assert humanize("HTTPTransport") == "HTTP transport"
    assert humanize("debughelpers", vocabulary=frozenset({"debug"})) == "Debug helpers"
    assert segment_word("blueprints", frozenset({"blueprint"})) == ["blueprints"]
    ctx = FileBuilder("web/ctx.py", "web.ctx")
    ctx.cls("RequestContext", methods={"push": [], "pop": [], "copy": [], "match_request": []})
    ctx.cls("AppContext", methods={"push": [], "pop": [], "copy": []})
    user = FileBuilder("web/app.py", "web.app")
    user.imp("web.ctx", "AppContext", "RequestContext")
    user.cls("Web", methods={"app_context": ["AppContext"], "request_context": ["RequestContext"], "run": []})
    main = FileBuilder("web/__main__.py", "web.__main__")
    main.imp("web.app", "Web")
    main.func("main", "Web", "Web.run", "argparse.ArgumentParser", "print", "sys.exit")
    main.func("parse_args", "argparse.ArgumentParser")
    main.func("report", "print")
    analysis = analyze([ctx.facts(), user.facts(), main.facts()])
    titles = {c.title for c in analysis.concepts}
    assert "App and request contexts" in titles or "Request and app contexts" in titles
    assert "CLI" in titles
    ids = [c.id for c in analysis.concepts]
    assert len(ids) == len(set(ids)) and all(cid.replace("-", "").isalnum() and cid == cid.lower() for cid in ids)


def test_a_summary_never_comes_from_an_arbitrary_helper():
    view = FileBuilder("lib/view.py", "lib.view")
    view.cls("View", doc="Initialize a new View with the given name.", methods={"render": ["try_stat"], "lookup": []})
    view.func("try_stat", doc="Return a stat, maybe, for the given path.")
    analysis = analyze([view.facts()])
    summary = by_id(analysis)[concept_of(analysis, "lib.view.View")].summary
    assert summary == "View: the `View` and `try_stat` definitions."  # not the helper's doc, nor the constructor's


def test_parallel_files_of_one_shape_are_one_idea_and_their_methods_on_an_outside_class_group_by_calls():
    """pflag's shape: each value file defines ``<t>Value`` (Set/Type/String) and adds ``<T>``, ``<T>Var``
    and ``Get<T>`` to the ``FlagSet`` of another file; forty files of it are three ideas, not forty."""
    core = FileBuilder("flags/flag.go", "flags", language="go")
    flagset = core.cls("FlagSet", methods={"VarP": [], "getFlagType": [], "Parse": [], "Lookup": []})
    files = [core]

    def add_variant(f: FileBuilder, stem: str) -> None:
        title = stem[0].upper() + stem[1:]
        f.cls(f"{stem}Value", methods={"Set": [], "Type": [], "String": []})
        new = f.func(f"new{title}Value")
        getter = f._add(f"Get{title}", "method", flagset, 3, "")
        f.call(getter, f"{flagset}.getFlagType")
        var = f._add(f"{title}Var", "method", flagset, 3, "")
        f.call(var, f"{flagset}.VarP")
        f.call(var, new)
        define = f._add(title, "method", flagset, 3, "")
        f.call(define, f"{flagset}.{title}Var")

    for stem in ("int", "bool", "string", "duration", "float", "uint"):
        f = FileBuilder(f"flags/{stem}.go", "flags", language="go")
        add_variant(f, stem)
        files.append(f)
    both = FileBuilder("flags/bytes.go", "flags", language="go")  # the shape twice: bytesHex and bytesBase64
    add_variant(both, "bytesHex")
    add_variant(both, "bytesBase64")
    files.append(both)
    analysis = analyze([f.facts() for f in files])
    values = {concept_of(analysis, f"flags.{stem}Value") for stem in ("int", "bool", "string", "uint", "bytesHex")}
    assert len(values) == 1
    getters = {concept_of(analysis, f"flags.FlagSet.Get{t}") for t in ("Int", "Bool", "Uint", "BytesBase64")}
    defining = {concept_of(analysis, f"flags.FlagSet.{t}") for t in ("Int", "Bool", "Uint", "BytesHex")}
    defining |= {concept_of(analysis, f"flags.FlagSet.{t}Var") for t in ("Int", "Bool", "Uint", "BytesHex")}
    assert len(getters) == 1 and len(defining) == 1
    assert len(values | getters | defining) == 3
    value_types = by_id(analysis)[values.pop()]
    assert value_types.title == "Value types"
    assert value_types.summary.startswith("7 files of one shape, one per variant (`bool.go`")
    assert "`FlagSet`" in by_id(analysis)[getters.pop()].summary


def test_functions_alone_make_no_parallel_shape():
    files = []
    for name in ("alpha", "beta", "gamma", "delta", "epsilon"):
        module = FileBuilder(f"pkg/{name}.py", f"pkg.{name}", lines=300)
        for j in range(6):
            module.func(f"{name}_{j}", f"pkg.{name}.{name}_{(j + 1) % 6}")
        files.append(module)
    analysis = analyze([f.facts() for f in files])
    assert len({concept_of(analysis, f"pkg.{name}.{name}_0") for name in ("alpha", "beta", "gamma")}) == 3


def test_type_declarations_join_what_they_declare():
    """``typings/index.d.ts`` declares Command and Option that lib/*.js define: the same ideas, not a concept
    of declarations on top of the map; what has no implementation (``program``) joins ``index.js``."""
    command = FileBuilder("lib/command.js", "lib.command", language="javascript")
    cmd = command.cls("Command", methods={"option": [], "parse": [], "action": []})
    option = FileBuilder("lib/option.js", "lib.option", language="javascript")
    option.cls("Option", methods={"flags": [], "default": []})
    command.call(f"{cmd}.option", "lib.option.Option")
    index = FileBuilder("index.js", "index", language="javascript")
    index.func("createCommand", "lib.command.Command")
    typings = FileBuilder("typings/index.d.ts", "typings.index", language="typescript")
    typings.cls("Command", methods={"option": [], "parse": [], "action": []})
    typings.cls("Option", methods={"flags": [], "default": []})
    typings.var("program")
    typings.cls("OptionValues")
    analysis = analyze([f.facts() for f in (command, option, index, typings)])
    assert concept_of(analysis, "typings.index.Command.option") == concept_of(analysis, "lib.command.Command.option")
    assert concept_of(analysis, "typings.index.Option") == concept_of(analysis, "lib.option.Option")
    assert concept_of(analysis, "typings.index.program") == concept_of(analysis, "index.createCommand")
    assert all(c.files != ("typings/index.d.ts",) for c in analysis.concepts)


def test_a_go_package_comment_teaches_like_a_readme_when_there_are_no_docs():
    """Debian's Go packages ship no README: the ``Package flags ...`` comment is the docs, and it teaches
    defining flags before the parser they are built on."""
    doc = "Package flags parses command lines.\n\nDefine flags with flags.Define(), then call flags.Parse().\n"
    parser = FileBuilder("parse.go", "flags", language="go", lines=200)
    parser.cls("Parser", methods={f"step{i}": [] for i in range(6)} | {"Parse": ["flags.Parser.step0"]})
    define = FileBuilder("define.go", "flags", language="go", doc=doc, lines=200)
    for i in range(6):
        define.func(f"helper{i}", "flags.Parser.Parse", f"flags.Parser.step{i}")
    define.func("Define", "flags.Parser.Parse", "flags.Parser", "flags.helper0")
    analysis = analyze([parser.facts(), define.facts()])
    assert concept_of(analysis, "flags.Parser") in by_id(analysis)[concept_of(analysis, "flags.Define")].related
    path = list(analysis.learning_path)
    assert path.index(concept_of(analysis, "flags.Define")) < path.index(concept_of(analysis, "flags.Parser.Parse"))


def test_parallel_plugin_files_are_named_by_their_shared_ending():
    files = []
    for stem in ("Banner", "Progress", "Define", "Provide", "Ignore"):
        f = FileBuilder(f"lib/{stem}Plugin.js", f"lib.{stem}Plugin", language="javascript")
        f.cls(f"{stem}Plugin", methods={"constructor": [], "apply": []})
        files.append(f)
    analysis = analyze([f.facts() for f in files])
    owners = {concept_of(analysis, f"lib.{stem}Plugin.{stem}Plugin") for stem in ("Banner", "Progress", "Ignore")}
    assert len(owners) == 1
    assert by_id(analysis)[owners.pop()].title == "Plugins"


def test_a_god_class_splits_by_the_calls_between_its_methods_and_keeps_its_biggest_group():
    """FlagSet's methods share few words (PrintDefaults, FlagUsages; Lookup, ShorthandLookup) but call each
    other: what the word families leave splits by those calls, the biggest group staying the class."""
    f = FileBuilder("flag.go", "flags", language="go", lines=1200)
    s = "flags.FlagSet"
    methods = {
        "PrintDefaults": [f"{s}.FlagUsages"], "FlagUsages": [f"{s}.FlagUsagesWrapped"],
        "FlagUsagesWrapped": [f"{s}.wrapUsage"], "wrapUsage": [],
        "Lookup": [f"{s}.lookup"], "ShorthandLookup": [f"{s}.lookup"], "lookup": [f"{s}.normalize"], "normalize": [],
        "Init": [f"{s}.setup", f"{s}.reset"], "setup": [f"{s}.reset"], "reset": [], "Name": [f"{s}.setup"],
        "Output": [f"{s}.setup"], "SetOutput": [f"{s}.setup", f"{s}.reset"],
    }  # fmt: skip
    methods |= {f"Other{i}": [] for i in range(30)}
    f.cls("FlagSet", methods=methods)
    analysis = analyze([f.facts()])
    usage = {concept_of(analysis, f"{s}.{m}") for m in ("PrintDefaults", "FlagUsages", "FlagUsagesWrapped")}
    lookup = {concept_of(analysis, f"{s}.{m}") for m in ("Lookup", "ShorthandLookup", "lookup")}
    assert len(usage) == 1 and len(lookup) == 1 and usage != lookup
    assert concept_of(analysis, s) == concept_of(analysis, f"{s}.Init")  # the biggest group stays the class
    assert by_id(analysis)[usage.pop()].title == "Flag set usages"


def test_a_tiny_unit_folds_into_what_it_uses_not_into_the_errors_it_raises():
    names = [f"Stream{kind}Error" for kind in ("Read", "Write", "Closed", "Consumed", "Timeout", "Decode")]
    errors = FileBuilder("pkg/errors.py", "pkg.errors")
    for name in names:
        errors.cls(name, bases=("Exception",))
    stream = FileBuilder("pkg/stream.py", "pkg.stream", lines=300)
    stream.cls("Stream", methods={f"read{i}": [] for i in range(8)})
    tiny = FileBuilder("pkg/iterate.py", "pkg.iterate", lines=20)
    tiny.imp("pkg.errors", *names).imp("pkg.stream", "Stream")
    raised = [f"pkg.errors.{name}" for name in names]
    tiny.func("iter_all", "pkg.stream.Stream.read0", *raised)
    tiny.func("iter_raw", "pkg.stream.Stream", *raised)
    analysis = analyze([f.facts() for f in (errors, stream, tiny)])
    assert concept_of(analysis, "pkg.iterate.iter_all") == concept_of(analysis, "pkg.stream.Stream")


def test_the_concept_budget_grows_with_the_square_root_of_the_code():
    from compiler.analysis.concepts.units import BASE_CONCEPTS, concept_budget

    assert concept_budget(0) == concept_budget(20_000) == BASE_CONCEPTS
    assert concept_budget(80_000) == 2 * BASE_CONCEPTS  # four times the code, twice the concepts
    assert concept_budget(320_000) == 4 * BASE_CONCEPTS


def test_coarsening_a_flat_package_keeps_its_files_when_there_is_room():
    from compiler.analysis.concepts.units import Cluster, coarsen

    def unit(path):
        return Cluster(key=path, symbols=[path], paths=[path], size=10, lines=100)

    flat = [unit(f"pkg/mod{i:02d}.py") for i in range(40)] + [unit(f"pkg/sub/part{i}.py") for i in range(30)]
    # 70 files over a target of 3 * 20 parts: the sub-folder is one part, the flat package's files stay files
    parts = coarsen(flat, {}, 20)
    assert len(parts) <= 60
    assert sum(1 for p in parts if p.key.startswith("dir:")) == 1
    assert {p.key for p in parts if not p.key.startswith("dir:")} == {f"pkg/mod{i:02d}.py" for i in range(40)}
    # no room at all: folders, as before
    assert len(coarsen(flat, {}, 1)) == 2


def test_a_big_cohesive_folder_is_a_subsystem_of_several_concepts():
    files = []
    for i in range(12):  # orm/: twelve files that call each other, no one else
        module = FileBuilder(f"pkg/orm/part{i:02d}.py", f"pkg.orm.part{i:02d}")
        for j in range(6):
            module.func(f"orm{i}_{j}", f"pkg.orm.part{(i + 1) % 12:02d}.orm{(i + 1) % 12}_{j}")
        module.imp(f"pkg.orm.part{(i + 1) % 12:02d}")
        files.append(module)
    for i in range(20):  # the rest of the library, chained
        module = FileBuilder(f"pkg/mod{i:02d}.py", f"pkg.mod{i:02d}")
        for j in range(15):
            module.func(f"work{i}_{j}", *([f"pkg.mod{i + 1:02d}.work{i + 1}_{j}"] if i < 19 else []))
        if i < 19:
            module.imp(f"pkg.mod{i + 1:02d}")
        files.append(module)
    analysis = analyze([f.facts() for f in files])
    orm = {concept_of(analysis, f"pkg.orm.part{i:02d}.orm{i}_0") for i in range(12)}
    # 72 of 372 symbols: more than an idea's share (3 / 24 concepts), so not one concept for being a folder
    assert len(orm) > 1


def test_python_code_out_of_the_front_doors_reach_ranks_like_support_code():
    init = FileBuilder("pkg/__init__.py", "pkg").imp(".api", "Client")
    api = FileBuilder("pkg/api.py", "pkg.api").imp("._engine", "run")
    api.cls("Client", methods={f"call{i}": ["pkg._engine.run"] for i in range(8)})
    engine = FileBuilder("pkg/_engine.py", "pkg._engine")
    for i in range(8):
        engine.func(f"step{i}")
    engine.func("run", *[f"step{i}" for i in range(8)])
    analysis = analyze([f.facts() for f in (init, api, engine)])
    importance = {c.id: c.importance for c in analysis.concepts}
    # everything flows into the engine, but a user never names it: the client comes first
    assert importance[concept_of(analysis, "pkg.api.Client")] > importance[concept_of(analysis, "pkg._engine.run")]


def test_a_file_and_its_kinds_beside_it_are_one_idea_named_in_the_plural():
    base = FileBuilder("formatter.py", "formatter")
    base.cls("Formatter", methods={"format": [], "escape": [], "quote": []})
    files = [base]
    for kind in ("text", "json"):
        f = FileBuilder(f"{kind}_formatter.py", f"{kind}_formatter")
        f.imp("formatter", "Formatter")
        f.cls(f"{kind.title()}Formatter", bases=("Formatter",), methods={"format": ["self.escape"], "escape": []})
        files.append(f)
    logger = FileBuilder("logger.py", "logger")
    logger.imp("text_formatter", "TextFormatter")
    logger.cls("Logger", methods={"log": ["TextFormatter"], "info": ["self.log"], "warn": ["self.log"]})
    lone = FileBuilder("json_writer.py", "json_writer")  # the kind of a base no file is named after: no family
    lone.imp("logger", "Logger")
    lone.cls("JsonWriter", methods={"write": ["Logger"], "flush": [], "close": ["self.flush"]})
    files += [logger, lone]
    analysis = analyze([f.facts() for f in files])
    formatters = concept_of(analysis, "formatter.Formatter")
    assert concept_of(analysis, "text_formatter.TextFormatter") == formatters
    assert concept_of(analysis, "json_formatter.JsonFormatter") == formatters
    assert by_id(analysis)[formatters].title == "Formatters"
    assert concept_of(analysis, "logger.Logger") != formatters
    assert concept_of(analysis, "json_writer.JsonWriter") != formatters


def test_parts_of_one_file_are_told_apart_by_their_own_class_or_the_class_they_add_to():
    big = FileBuilder("pkg/runtime.py", "pkg.runtime", lines=900)
    big.cls("Context", methods={f"resolve_{i}": ["self.resolve_0"] for i in range(24)})
    big.cls("Undefined", methods={f"fail_{i}": ["self.fail_0"] for i in range(24)})
    other = FileBuilder("pkg/other.py", "pkg.other")
    other.func("go", "pkg.runtime.Context", "pkg.runtime.Undefined", "pkg.runtime.Undefined")
    other.imp("pkg.runtime")
    analysis = analyze([big.facts(), other.facts()])
    titles = {by_id(analysis)[concept_of(analysis, f"pkg.runtime.{name}")].title for name in ("Context", "Undefined")}
    assert titles in ({"Runtime", "Context"}, {"Runtime", "Undefined"})


def test_a_go_package_symbol_ties_no_importer_to_the_file_that_holds_it():
    """``doc.go`` holds logrus's package symbol: every importer of the package points at it, which must not
    pull the syslog hook into a concept with the package comment."""
    doc = FileBuilder("doc.go", "logs", language="go", doc="Package logs writes logs.")
    logger = FileBuilder("logger.go", "logs", language="go")
    logger.symbols = logger.symbols[1:]  # one package symbol, in the first file
    logger.cls("Logger", methods={name: [] for name in ("Info", "Warn", "Error", "Debug", "Print")})
    entry = FileBuilder("entry.go", "logs", language="go")
    entry.symbols = entry.symbols[1:]
    entry.cls("Entry", methods={"Log": ["logs.Logger.Info"], "Dup": []})
    hook = FileBuilder("hooks/syslog/syslog.go", "hooks.syslog", language="go")
    hook.imp("logs")
    hook.cls("SyslogHook", methods={"Fire": ["logs.Entry.Dup"], "Levels": []})
    analysis = analyze([f.facts() for f in (doc, logger, entry, hook)])
    assert concept_of(analysis, "logs") == concept_of(analysis, "logs.Logger")  # the package's biggest concept
    assert concept_of(analysis, "hooks.syslog.SyslogHook") != concept_of(analysis, "logs")


def test_files_named_like_kinds_that_define_other_things_are_not_kinds():
    # testify: http_assertions.go holds HTTPSuccess..., forward_assertions.go the Assertions type: own ideas
    base = FileBuilder("assertions.py", "assertions")
    base.func("equal", "fail", *[f"equal_step{i}" for i in range(4)])
    base.func("fail")
    for i in range(4):
        base.func(f"equal_step{i}")
    files = [base]
    for kind, names in (("http", ("http_success", "http_error")), ("forward", ("forward_object", "new"))):
        f = FileBuilder(f"{kind}_assertions.py", f"{kind}_assertions")
        f.imp("assertions", "fail")
        for name in names:
            f.func(name, "fail", *[f"{name}_step{i}" for i in range(4)])
            for i in range(4):
                f.func(f"{name}_step{i}")
        files.append(f)
    analysis = analyze([f.facts() for f in files])
    assertions = concept_of(analysis, "assertions.equal")
    assert concept_of(analysis, "http_assertions.http_success") != assertions
    assert concept_of(analysis, "forward_assertions.forward_object") != assertions


def test_a_small_library_gives_each_public_class_of_its_big_file_an_idea():
    # tenacity: BaseRetrying (the retry loop) and RetryCallState (one attempt's state) share __init__.py
    init = FileBuilder("retrylib/__init__.py", "retrylib", lines=700)
    init.cls("Retrying", methods={m: ["RetryState"] for m in ("call", "wraps", "copy", "begin", "iter", "stats")})
    init.cls("RetryState", methods={m: [] for m in ("prepare", "set_result", "set_exception", "since", "repr", "x")})
    init.cls("_Helper", methods={m: [] for m in ("a", "b", "c", "d", "e", "f")})
    init.func("retry", "Retrying")
    stop = FileBuilder("retrylib/stop.py", "retrylib.stop")
    stop.func("stop_after_attempt")
    analysis = analyze([init.facts(), stop.facts()])
    retrying = concept_of(analysis, "retrylib.Retrying")
    assert concept_of(analysis, "retrylib.RetryState") != retrying
    assert concept_of(analysis, "retrylib.Retrying.wraps") == retrying
    assert "helper" not in concept_of(analysis, "retrylib._Helper")  # a private class is no idea of its own
