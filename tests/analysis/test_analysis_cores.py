"""What word families leave of a god-class (its core) splits by the state, words, docs and calls its methods share."""

from compiler.analysis.concepts.cores import CORE_MIN, core_groups, documented_names, method_fields
from compiler.model import Section, Symbol

OWNER = "lib.command.Command"


def js_method(name, body, line):
    return Symbol(id=f"{OWNER}.{name}", name=name, kind="method", path="lib/command.js", lines=(line, line + 2),
                  parent=OWNER, excerpt=f"{name}(x) {{\n  {body}\n}}")  # fmt: skip


def command_class():
    owner = Symbol(id=OWNER, name="Command", kind="class", path="lib/command.js", lines=(1, 900), parent="lib.command")
    bodies = {
        "constructor": "this._lifeCycleHooks = {}; this._exitCallback = null; this._buffer = [];",
        "hook": "this._lifeCycleHooks[x].push(x); return this;",
        "_chainOrCallHooks": "return this._lifeCycleHooks[x].map(this._run(x));",
        "_chainOrCallSubCommandHook": "if (this._lifeCycleHooks.preSubcommand) return x;",
        "exitOverride": "this._exitCallback = x; return this;",
        "_exit": "if (this._exitCallback) this._exitCallback(x); process.exit(x);",
        "_flush": "this._buffer.forEach(write);",
        "_drain": "this._buffer.length = 0;",
        "_close": "this._buffer = null;",
    }
    fillers = {f"other{i}": f"return this._field{i};" for i in range(CORE_MIN)}
    methods = [js_method(n, b, 10 * i + 10) for i, (n, b) in enumerate({**bodies, **fillers}.items())]
    return {owner.id: owner, **{m.id: m for m in methods}}


def test_methods_that_share_a_field_and_are_taught_together_leave_the_core():
    symbols = command_class()
    docs = [
        Section(path="Readme.md", title="Life cycle hooks", level=2, lines=(1, 9), text="Use `.hook()`: see `_chainOrCallHooks`"),
        Section(path="Readme.md", title="Exit", level=2, lines=(10, 19), text="program.exitOverride();"),
    ]  # fmt: skip
    rest, groups = core_groups(list(symbols), symbols, {OWNER: []}, documented_names(docs))
    found = {frozenset(symbols[sid].name for sid in group) for _, group in groups}
    assert [word for word, _ in groups] == ["hook"]  # the word three of its names share, not "chain" (two)
    assert frozenset({"hook", "_chainOrCallHooks", "_chainOrCallSubCommandHook"}) in found  # docs name two of them
    assert not any("_flush" in group for group in found)  # shares a field, but neither taught nor one word: internals
    assert f"{OWNER}._flush" in rest and OWNER in rest and f"{OWNER}.constructor" in rest
    assert not any("exitOverride" in group for group in found)  # two methods are no idea of their own


def test_a_group_led_by_one_rare_word_needs_no_docs():
    """pflag's ``MarkHidden``, ``MarkDeprecated``, ``MarkShorthandDeprecated``: a README-less package still splits them."""
    owner = Symbol(id="pflag.FlagSet", name="FlagSet", kind="type", path="flag.go", lines=(1, 900), parent="pflag")
    names = {"MarkHidden": "flag.Hidden", "MarkDeprecated": "flag.Deprecated", "MarkShorthandDeprecated": "flag.Short"}
    symbols = {owner.id: owner}
    for i, (name, body) in enumerate([*names.items(), *((f"Other{i}", f"f.field{i}") for i in range(CORE_MIN))]):
        sym = Symbol(id=f"pflag.FlagSet.{name}", name=name, kind="method", path="flag.go", lines=(i * 5 + 5, i * 5 + 8),
                     parent=owner.id, signature=f"func (f *FlagSet) {name}(name string) error",
                     excerpt=f"func (f *FlagSet) {name}(name string) error {{\n  flag := f.Lookup(name)\n  {body} = true\n}}")  # fmt: skip
        symbols[sym.id] = sym
    calls = {owner.id: [("pflag.FlagSet.Other1", "pflag.FlagSet.Other0")]}
    rest, groups = core_groups(list(symbols), symbols, calls, [])
    assert [sorted(symbols[sid].name for sid in group) for _, group in groups] == [sorted(names)]
    assert "pflag.FlagSet.Other0" in rest


def test_fields_are_read_through_the_receiver_and_calls_are_not_fields():
    go = Symbol(id="p.FlagSet.Args", name="Args", kind="method", path="flag.go", lines=(1, 3), parent="p.FlagSet",
                signature="func (f *FlagSet) Args() []string", excerpt="return f.args; f.Lookup(x); g.other")  # fmt: skip
    assert method_fields(go) == {"args"}
    py = Symbol(id="m.C.run", name="run", kind="method", path="m.py", lines=(1, 3), parent="m.C",
                excerpt="def run(self):\n    self.state = self.compute()\n    return self._cache")  # fmt: skip
    assert method_fields(py) == {"state", "_cache"}


def test_docs_names_come_from_docs_pages_not_changelogs():
    sections = [
        Section(path="docs/usage.md", title="Usage", level=1, lines=(1, 3), text="call `cmd.Flags()` then x.Parse(y)"),
        Section(path="CHANGELOG.md", title="1.0", level=1, lines=(1, 3), text="renamed `.Oldname()`"),
    ]
    assert documented_names(sections) == [frozenset({"Flags", "Parse"})]
