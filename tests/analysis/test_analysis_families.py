"""A god-class's methods split into the ideas their names share."""

from collections import Counter

from compiler.analysis.concepts.families import CLASS_MIN, method_families, unnamed_classes
from compiler.model import Symbol


def method(name, parent="pkg.Command"):
    return Symbol(id=f"{parent}.{name}", name=name, kind="method", path="command.go", lines=(1, 2), parent=parent)


def test_a_big_class_yields_families_and_a_small_one_does_not():
    names = ["Flags", "LocalFlags", "PersistentFlags", "ParseFlags", "Usage", "UsageString", "SetUsageTemplate",
             "UsageFunc", "GetName", "SetName", "LocalNonPersistent", "LocalArgs", "LocalCommands"]  # fmt: skip
    names += [f"Other{i}" for i in range(CLASS_MIN - len(names))]
    owner = Symbol(id="pkg.Command", name="Command", kind="class", path="command.go", lines=(1, 500), parent="pkg")
    symbols = {owner.id: owner, **{m.id: m for m in map(method, names)}}
    rest, families = method_families(list(symbols), symbols)
    by_word = {word: set(ids) for word, ids in families}
    assert by_word["flags"] == {f"pkg.Command.{n}" for n in ("Flags", "LocalFlags", "PersistentFlags", "ParseFlags")}
    assert len(by_word["usage"]) == 4
    assert "local" not in by_word  # LocalFlags is a flags method: the other three make no idea of their own
    assert "name" not in by_word  # get/set name: verbs and generic words make no idea
    assert "pkg.Command" in rest and "pkg.Command.GetName" in rest
    small = {k: v for k, v in symbols.items() if not k.endswith(tuple(str(i) for i in range(10)))}
    assert method_families(list(small), small)[1] == []


def test_an_object_literal_splits_by_the_calls_between_its_methods():
    from compiler.analysis.concepts.families import OBJECT_MIN, object_families, sibling_calls
    from compiler.model import Edge

    owner = Symbol(id="lib.app.app", name="app", kind="variable", path="lib/app.js", lines=(1, 1), parent="lib.app")
    names = ["set", "enable", "disable", "enabled", "lazyrouter", "use", "route", "param", "listen"]
    names += [f"other{i}" for i in range(OBJECT_MIN - len(names))]
    methods = [Symbol(id=f"lib.app.app.{n}", name=n, kind="method", path="lib/app.js", lines=(i + 2, i + 2),
                      parent="lib.app.app") for i, n in enumerate(names)]  # fmt: skip
    symbols = {owner.id: owner, **{m.id: m for m in methods}}
    calls = [("enable", "set"), ("disable", "set"), ("enabled", "set"), ("use", "lazyrouter"),
             ("route", "lazyrouter"), ("param", "lazyrouter")]  # fmt: skip
    edges = [Edge(f"lib.app.app.{a}", f"lib.app.app.{b}", "calls") for a, b in calls]
    rest, groups = object_families(list(symbols), symbols, sibling_calls(edges, symbols))
    by_head = {head: {symbols[sid].name for sid in ids} for head, ids in groups}
    assert by_head == {
        "set": {"set", "enable", "disable", "enabled"},
        "lazyrouter": {"lazyrouter", "use", "route", "param"},
    }
    assert "lib.app.app" in rest and "lib.app.app.listen" in rest
    python_class = {k: Symbol(**{**v.__dict__, "path": "lib/app.py"}) for k, v in symbols.items()}
    assert object_families(list(python_class), python_class, sibling_calls(edges, python_class))[1] == []


def test_a_package_function_named_like_a_family_method_joins_the_family():
    """Go's ``Parse()`` over the default ``CommandLine`` set is the idea of ``FlagSet.Parse``."""
    names = ["Parse", "ParseAll", "parseArgs", "parseLongArg"] + [f"Other{i}" for i in range(CLASS_MIN)]
    owner = Symbol(id="pkg.FlagSet", name="FlagSet", kind="class", path="flag.go", lines=(1, 500), parent="pkg")
    mirror = Symbol(id="pkg.Parse", name="Parse", kind="function", path="flag.go", lines=(600, 602), parent="pkg")
    other = Symbol(id="pkg.Usage", name="Usage", kind="function", path="flag.go", lines=(603, 605), parent="pkg")
    symbols = {owner.id: owner, mirror.id: mirror, other.id: other}
    symbols |= {m.id: m for m in (method(n, "pkg.FlagSet") for n in names)}
    rest, families = method_families(list(symbols), symbols)
    by_word = {word: set(ids) for word, ids in families}
    assert "pkg.Parse" in by_word["parse"] and "pkg.Parse" not in rest
    assert "pkg.Usage" in rest


def test_a_class_whose_methods_span_files_counts_them_all():
    names = ["Usage", "UsageString", "UsageFunc", "SetUsageTemplate"] + [f"Other{i}" for i in range(CLASS_MIN // 2)]
    owner = Symbol(id="pkg.Command", name="Command", kind="class", path="command.go", lines=(1, 500), parent="pkg")
    symbols = {owner.id: owner, **{m.id: m for m in map(method, names)}}
    assert method_families(list(symbols), symbols)[1] == []  # this file alone holds too few methods
    sizes = Counter({"pkg.Command": CLASS_MIN + 10})  # ... but the type has more in other files
    rest, families = method_families(list(symbols), symbols, sizes)
    assert [word for word, _ in families] == ["usage"]


def test_only_a_god_class_whose_names_say_little_splits_by_calls():
    names = [f"Flag{i}" for i in range(8)] + [f"Other{i}" for i in range(6)]
    owner = Symbol(id="pkg.Command", name="Command", kind="class", path="command.go", lines=(1, 500), parent="pkg")
    symbols = {owner.id: owner, **{m.id: m for m in map(method, names)}}
    before = list(symbols)
    named = [sid for sid in before if "Flag" not in sid]  # word families took the eight Flag methods
    calls = {"pkg.Command": [("pkg.Command.Other0", "pkg.Command.Other1")]}
    assert unnamed_classes(before, named, symbols, calls) == {}
    assert unnamed_classes(before, before, symbols, calls) == calls


def test_methods_of_one_shape_across_stems_are_one_family():
    """logrus's Logger: Info/Infof/Infoln, Warn/Warnf/Warnln, ... and Log/Logf/Logln are one idea, not seven."""
    from compiler.analysis.concepts.families import variant_families

    stems = ["Log", "Trace", "Debug", "Info", "Warn", "Error", "Fatal"]
    names = [s + suffix for s in stems for suffix in ("", "f", "ln")] + ["Self", "Buf", "SetLevel", "WithField"]
    names += [f"Other{i}" for i in range(CLASS_MIN - len(names))]
    owner = Symbol(id="pkg.Logger", name="Logger", kind="class", path="logger.go", lines=(1, 500), parent="pkg")
    symbols = {owner.id: owner, **{m.id: m for m in (method(n, "pkg.Logger") for n in names)}}
    rest, families = variant_families(list(symbols), symbols)
    assert [word for word, _ in families] == ["log"]
    assert {symbols[sid].name for sid in families[0][1]} == {s + x for s in stems for x in ("", "f", "ln")}
    assert {"pkg.Logger", "pkg.Logger.Self", "pkg.Logger.SetLevel"} <= set(rest)  # Self is no Sel + f
    few = {k: v for k, v in symbols.items() if not v.name.startswith(("Trace", "Debug", "Info", "Warn"))}
    assert variant_families(list(few), few, Counter({"pkg.Logger": CLASS_MIN}))[1] == []  # three stems: no idea
