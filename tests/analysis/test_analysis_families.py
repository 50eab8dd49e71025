"""A god-class's methods split into the ideas their names share."""

from compiler.analysis.concepts.families import CLASS_MIN, method_families
from compiler.model import Symbol


def method(name, parent="pkg.Command"):
    return Symbol(id=f"{parent}.{name}", name=name, kind="method", path="command.go", lines=(1, 2), parent=parent)


def test_a_big_class_yields_families_and_a_small_one_does_not():
    names = ["Flags", "LocalFlags", "PersistentFlags", "ParseFlags", "Usage", "UsageString", "SetUsageTemplate",
             "UsageFunc", "GetName", "SetName"]  # fmt: skip
    names += [f"Other{i}" for i in range(CLASS_MIN - len(names))]
    owner = Symbol(id="pkg.Command", name="Command", kind="class", path="command.go", lines=(1, 500), parent="pkg")
    symbols = {owner.id: owner, **{m.id: m for m in map(method, names)}}
    rest, families = method_families(list(symbols), symbols)
    by_word = {word: set(ids) for word, ids in families}
    assert by_word["flags"] == {f"pkg.Command.{n}" for n in ("Flags", "LocalFlags", "PersistentFlags", "ParseFlags")}
    assert len(by_word["usage"]) == 4
    assert "name" not in by_word  # get/set name: verbs and generic words make no idea
    assert "pkg.Command" in rest and "pkg.Command.GetName" in rest
    small = {k: v for k, v in symbols.items() if not k.endswith(tuple(str(i) for i in range(10)))}
    assert method_families(list(small), small)[1] == []
