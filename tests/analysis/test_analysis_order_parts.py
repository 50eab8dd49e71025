"""Concepts split from the methods of a class the front door names follow that class in the teaching order."""

from compiler.analysis.order import parts_follow_their_class
from compiler.model import Symbol


def sym(sid, kind="method", parent=None):
    return Symbol(id=sid, name=sid.rsplit(".", 1)[-1], kind=kind, path="cmd.go", lines=(1, 2), parent=parent)


SYMBOLS = {
    s.id: s
    for s in (
        sym("cmd.Command", kind="class", parent="cmd"),
        sym("cmd.Command.Execute", parent="cmd.Command"),
        sym("cmd.Command.Help", parent="cmd.Command"),
        sym("cmd.Command.Usage", parent="cmd.Command"),
        sym("cmd.Gen", kind="class", parent="cmd"),
        sym("cmd.Gen.visit", parent="cmd.Gen"),
        sym("cmd.Gen.write", parent="cmd.Gen"),
        sym("cmd.Hooks", kind="function", parent="cmd"),
    )
}
MEMBERS = [
    ["cmd.Command", "cmd.Command.Execute"],  # the class
    ["cmd.Command.Help", "cmd.Command.Usage"],  # its help part
    ["cmd.Hooks"],
    ["cmd.Gen"],
    ["cmd.Gen.visit", "cmd.Gen.write"],
]


def test_a_part_of_a_front_door_class_moves_towards_it_and_others_stay():
    weights = [0.81, 0.01, 0.05, 0.64, 0.01]
    out = parts_follow_their_class(MEMBERS, SYMBOLS, weights, [True] * 5, frozenset({"cmd.Command", "cmd.Hooks"}))
    assert out[1] == 0.09  # halfway on a log scale: now before Hooks
    assert out[1] > out[2] and out[0] > out[1]
    assert out[2:] == weights[2:]  # Gen is no front-door class: its parts get no lift
    assert parts_follow_their_class(MEMBERS, SYMBOLS, weights, [True] * 5) == weights  # no front door known
