"""The worked example a how-to answer leads with: the real call closest to the question.

In: an opened corpus, a ``Plan`` and the answer's main symbols (best first). Out: one ``Example``
(compiler.analysis.examples) or None when the answer should lead with its main symbol's own call.

The order of evidence: the main symbol's own real uses when users call it or its name says what was
asked; else, among every symbol the plan found, the real use whose words and surrounding docs (the
section's title, the prose just before the code block, the test's name) say most of what was asked,
from a symbol users call; else the old rule (a lead named for the question keeps its own call).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from compiler.analysis.examples import Example, code_blocks, examples_for, user_call_count
from compiler.roles import is_test_path
from compiler.tutor.goals import goal_kind
from compiler.tutor.material import attributes_read, can_call, usage
from compiler.tutor.plan import EXAMPLE_PATH, Plan
from compiler.tutor.rank import name_score
from compiler.tutor.words import QUESTION_FILLER, tokens

EXAMPLES_BEST = 8  # real uses, best by origin and receiver first, among which the answer's example is chosen
EXAMPLES_READ = 40  # uses read for an object users read from (``request`` has dozens): the asked attribute's
CANDIDATES = 12  # symbols of the plan whose real uses may lead, when the main symbol has none users write
PROSE_BEFORE = 4  # prose lines before a docs code block that say what the block does


def asked_words(question: str) -> set[str]:
    """The question's own words: filler dropped, but a word written in capitals (``GET``, ``JSON``) is a
    term the user typed on purpose, kept even where its lower-case form is filler."""
    filler = set(tokens(" ".join(QUESTION_FILLER)))
    capitals = set(tokens(" ".join(re.findall(r"\b[A-Z]{2,}\b", question))))
    return (set(tokens(question)) - filler) | capitals


def example_context(corpus: Any, example: Example) -> str:
    """The words around a real use that say what it does: a docs block's section title and the prose just
    before the block; a code example's enclosing function name (``test_stream_response``)."""
    for section in corpus.core.sections:
        if section.path != example.path or not section.lines[0] <= example.lines[0] <= section.lines[1]:
            continue
        text = section.text.rstrip("\n")
        line = example.lines[0] - (section.lines[1] - text.count("\n"))  # offset in the stored text
        lines = text.split("\n")
        start, previous_end = 0, 0
        for offset, block in code_blocks(text):  # the block holding the example, and the one before it
            if offset > line:
                break
            if offset + len(block) <= line:
                previous_end = offset + len(block) + 1
            else:
                start = offset
        prose = [
            row
            for row in lines[previous_end : max(previous_end, start - 1)]
            if row.strip() and not row.lstrip().startswith(("```", "~~~", ".. "))
        ]
        return " ".join([section.title, *prose[-PROSE_BEFORE:]])
    enclosing = [
        s
        for s in corpus.symbols_by_path.get(example.path, [])
        if s.kind != "module" and s.lines[0] <= example.lines[0] <= s.lines[1]
    ]
    return min(enclosing, key=lambda s: s.lines[1] - s.lines[0]).name if enclosing else ""


def closeness(corpus: Any, example: Example, asked: set[str]) -> float:
    """How much of the question a real use says: its calling line counts most, then its docs context."""
    call = len(asked & set(tokens(example.call)))
    context = len(asked & set(tokens(example_context(corpus, example))))
    code = len(asked & set(tokens(example.code)))
    return 2 * call + context + 0.5 * code + (0.5 if example.origin == "docs" else 0.0)


def best_of(symbol: Any, found: list[Example], read: list[Example], asked: set[str]) -> Example:
    """Of one symbol's best real uses, the one that says what was asked (``request.form`` for "a form",
    ``404`` for "not found" stays a tie), then the shortest calling line: the call itself, not a test's assert."""
    best = max(
        found,
        key=lambda e: (
            len(asked & set(tokens(e.call))),
            len(asked & set(tokens(e.code))),
            -len(e.call),
            -found.index(e),
        ),
    )
    # An object users read from: a later use that reads the asked attribute wins (``request.form[``).
    later = [e for e in read[EXAMPLES_BEST:] if asked & attributes_read(e.call, symbol)]
    if symbol.kind == "variable" and not asked & attributes_read(best.call, symbol):
        best = next((e for e in later if can_call(e.call, symbol)), best)
    return best


def uses(corpus: Any, symbol: Any) -> tuple[list[Example], list[Example]]:
    """(the best real uses that can call ``symbol``, every use read)."""
    read = examples_for(corpus, symbol, limit=EXAMPLES_READ)
    return [e for e in read[:EXAMPLES_BEST] if can_call(e.call, symbol)], read


def closest_use(corpus: Any, plan: Plan, asked: set[str]) -> Example | None:
    """Among the plan's library symbols that users call, the real use written for users (docs, docstrings,
    examples; never a test) closest to the question;
    None when no use shares a word with it beyond the symbol's own popularity."""
    ids = [*plan.target_symbols, *(i for step in plan.steps if step.role != "prerequisite" for i in step.symbols)]
    scored: list[tuple[float, int, bool, int, Example]] = []
    for position, symbol_id in enumerate(list(dict.fromkeys(ids))[:CANDIDATES]):
        symbol = corpus.symbols.get(symbol_id)
        if (
            symbol is None
            or symbol.kind == "module"
            or is_test_path(symbol.path)
            or EXAMPLE_PATH.search(symbol.path)
            or not user_call_count(corpus, symbol)
        ):
            continue
        found, read = uses(corpus, symbol)
        # Its best uses, and the one its own rule picks (for an object users read from, the use that reads the
        # asked attribute, however late it comes: ``request.form[`` for "a form").
        pick = best_of(symbol, found, read, asked) if found else None
        for example in dict.fromkeys([*found, *([pick] if pick else [])]):
            if example.origin == "test":
                continue  # taking the lead from the plan wants a use written for users, not a test's
            scored.append((closeness(corpus, example, asked), -position, example is pick, -len(example.call), example))
    if not scored:
        return None
    best = max(scored, key=lambda item: item[:4])
    return best[4] if best[0] >= 2 else None


def choose_example(corpus: Any, plan: Plan, main: Sequence[Any]) -> Example | None:
    """The closest worked example for a how-to answer: real code that calls one of the answer's symbols."""
    asked = asked_words(plan.question)
    # A learner who uses the library is shown the closest API with a real use; one who extends, fixes or
    # contributes to it keeps the code the plan leads with, and sees a use of that code only.
    users = goal_kind(plan.goal) in {"", "use"}
    if users and main:
        first = main[0]
        # A lead users never call gives way to the closest real use of any symbol the plan found that users
        # call (``reply.code(200).send(`` over the getter ``reply.statusCode``), unless its name says what was
        # asked and it has a real use or a call of its own (``res.json(obj)``).
        named = name_score(corpus, plan.question, first.id) > 0
        own = bool(uses(corpus, first)[0]) or usage(corpus, first).endswith(")")
        if not user_call_count(corpus, first) and not (named and own):
            closest = closest_use(corpus, plan, asked)
            if closest is not None:
                return closest
    for symbol in main[: 3 if users else 1]:
        found, read = uses(corpus, symbol)
        if found:
            return best_of(symbol, found, read, asked)
        if usage(corpus, symbol) and (
            name_score(corpus, plan.question, symbol.id) > 0 or user_call_count(corpus, symbol)
        ):
            return None  # a lead named for the question, or called by users: its own call beats another's example
    return None
