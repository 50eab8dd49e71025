"""Which symbols answer a question, best first: retrieval lists fused, docs, names, real use, the goal.

In: an opened corpus, the question, its intent, the symbol ids each retrieval returned (best first), the
docs sections it found, and the kind of the learner's goal. Out: ``rank_symbols``, the ids best first.
The signals, each general (nothing here knows a codebase):

- agreement: a symbol high in both the index's hits and the core's word search beats one high in either
  (reciprocal-rank fusion);
- docs: a guide section the search found votes for the API its code blocks call (how-to questions);
- facades: a same-named public function or method stands in for the one found (``app.use`` for the
  router's ``proto.use``), and a what-question gets the base class its candidates share;
- the name: a symbol whose own name says what the question asks (``render_template`` for "render a
  template") goes up;
- declarations: a TypeScript ``.d.ts`` file answers only a question about types;
- real use: the calls user code writes (README and docs code blocks, docstring examples, tests, example
  apps: ``app.use(``, ``httpx.get(``, ``request.form``) mark the API a user calls; it counts most for a
  how-to asked by a learner who uses the library, and not at all for one who fixes or contributes to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from compiler.analysis.examples import (
    called_symbols,
    section_calls,
    symbols_named,
    user_call_count,
    user_calls,
    user_reads,
    user_receiver_count,
)
from compiler.roles import file_role, is_declaration_path, is_test_path, unasked_side_roles
from compiler.tutor.words import ASKS_ABOUT_TYPES, EXAMPLE_PATH, QUESTION_FILLER, is_private, name_words, tokens

# Weight of each list of symbol ids: (ids best first, weight). Concept hits point at members less surely.
Ranked = Sequence[tuple[Sequence[str], float]]
# How much real use counts for each kind of goal: the API for a user, the machinery for the others.
GOAL_USE_WEIGHT = {"use": 1.5, "extend": 0.25, "fix": 0.0, "contribute": 0.0}
NAME_WEIGHT = 0.5  # how much a name that says what the question asks multiplies the score, per word
SIDE_WEIGHT = 0.3  # score factor of benchmark and tooling code the question does not ask about (roles.SIDE_ROLES)
PRIVATE_WEIGHT = 0.5  # score factor of a private helper (words.is_private) for a how or what question
MACHINERY_INTENTS = {"where", "why"}  # questions about how the code works inside, not about the API a user calls


def name_score(corpus: Any, question: str, symbol_id: str) -> float:
    """How much a symbol's own name says what the question asks; 0 when it is no evidence."""
    wanted = set(tokens(question)) - set(tokens(" ".join(QUESTION_FILLER)))
    symbol = corpus.symbols.get(symbol_id)
    if symbol is None or not wanted:
        return 0.0
    parts = set(name_words(symbol.name))
    matched = parts & wanted
    # Two words of the name, or the whole of a distinctive one-word name ("json", "client"): one shared
    # word of a longer name ("handle_request" for "a handler for every request") is no evidence.
    if len(matched) >= 2 or (matched == parts and len(next(iter(parts), "")) >= 4):
        return len(matched) - 0.25 * len(parts - wanted)
    return 0.0


def asked_evidence(corpus: Any, question: str, symbol: Any) -> float:
    """Share of the question's own words that the symbol's name, its owner's name or its docstring uses: evidence
    tied to this question, as opposed to how popular the symbol is."""
    wanted = set(tokens(question)) - set(tokens(" ".join(QUESTION_FILLER)))
    if not wanted:
        return 0.0
    owner = corpus.symbols.get(symbol.parent) if symbol.parent else None
    text = " ".join([symbol.name, owner.name if owner is not None else "", symbol.doc or ""])
    if symbol.kind == "variable" and (owner is None or owner.kind == "module"):
        # A module-level object is known by what user code does with it: ``request.form`` says "form".
        text += " " + " ".join(attribute_names(corpus, symbol.name))
    return len(wanted & set(tokens(text))) / len(wanted)


def attribute_names(corpus: Any, receiver: str) -> list[str]:
    """The names user code reads or calls on ``receiver`` (``form``, ``args`` on ``request``)."""
    wanted = receiver.lower()
    return sorted({name for (held, name) in (*user_calls(corpus), *user_reads(corpus)) if held == wanted and name})


def use_prior(corpus: Any, symbol: Any) -> float:
    """How surely ``symbol`` is API a user calls: calls of it in user code, or its owner used there at all."""
    if is_test_path(symbol.path) or is_private(symbol):
        return 0.0
    calls = user_call_count(corpus, symbol)
    if calls:
        return 0.5 + 0.25 * math.log1p(calls)
    return 0.25 if user_receiver_count(corpus, symbol) else 0.0


def front_door(corpus: Any, symbol: Any) -> bool:
    """A module-level function user code calls (``httpx.stream(``, ``url_for(``): no object to make first."""
    parent = corpus.symbols.get(symbol.parent) if symbol.parent else None
    return symbol.kind == "function" and (parent is None or parent.kind == "module") and use_prior(corpus, symbol) > 0


def users_prefer(corpus: Any, twin: Any, found: Any) -> bool:
    """Whether users call ``twin`` rather than its same-named ``found``: the front-door function over a method
    (``httpx.stream`` over ``Client.stream``, whatever the tests call more), else the one user code calls more."""
    if front_door(corpus, twin) != front_door(corpus, found) and {twin.kind, found.kind} == {"function", "method"}:
        return front_door(corpus, twin)
    return use_prior(corpus, twin) > use_prior(corpus, found)


def _twins(corpus: Any, symbol: Any) -> list[Any]:
    """Other public functions and methods of the same name outside tests: facades and the code behind them."""
    if (
        symbol.kind not in {"function", "method"}
        or symbol.name.startswith("_")
        or len(symbol.name) < 3
        or "property" in " ".join(symbol.decorators or ())
    ):
        return []
    return [
        other
        for other in symbols_named(corpus, symbol.name)
        if other.id != symbol.id
        and other.name == symbol.name
        and other.kind in {"function", "method"}
        and "property" not in " ".join(other.decorators or ())
        and not is_test_path(other.path)
    ]


def _shared_bases(corpus: Any, fused: dict[str, float]) -> dict[str, float]:
    """Classes of the corpus that two or more candidate classes inherit from, with their candidates' summed score."""
    children: dict[str, list[float]] = {}
    for symbol_id, value in fused.items():
        symbol = corpus.symbols[symbol_id]
        for base in symbol.bases if symbol.kind == "class" else ():
            name = base.split(".")[-1].split("[")[0]
            for found in symbols_named(corpus, name):
                if found.kind == "class" and found.name == name and not is_test_path(found.path):
                    children.setdefault(found.id, []).append(value)
    return {base: sum(values) for base, values in children.items() if len(values) >= 2}


def rank_symbols(
    corpus: Any,
    question: str,
    intent: str,
    ranked: Ranked,
    docs: Sequence[tuple[str, tuple[int, int]]] = (),
    doc_weight: float = 1.0,
    goal_kind: str = "",
) -> list[str]:
    """Symbol ids best first; ``docs`` are the (path, lines) of docs sections the search found, best first;
    ``goal_kind`` is the learner's goal (use, extend, fix, contribute): one who uses the library is shown the
    API they call, one who extends, fixes or contributes to it the code behind that API."""
    fused: dict[str, float] = {}
    for ids, weight in ranked:
        for rank, symbol_id in enumerate(dict.fromkeys(i for i in ids if i in corpus.symbols), start=1):
            fused[symbol_id] = fused.get(symbol_id, 0.0) + weight / (rank + 1)
    # A docs section the search found votes for the API its code blocks call ("Custom Error Pages" shows
    # ``@app.errorhandler(404)``): each section's weight is shared among the symbols it calls, by count.
    for rank, (path, lines) in enumerate(dict.fromkeys(docs), start=1):
        called: dict[str, float] = {}
        for (receiver, name), count in section_calls(corpus, path, lines).items():
            for symbol in called_symbols(corpus, receiver, name):
                called[symbol.id] = called.get(symbol.id, 0.0) + count
        total = sum(called.values())
        for symbol_id, count in called.items():
            fused[symbol_id] = fused.get(symbol_id, 0.0) + doc_weight * count / total / (rank + 1)
    # A where or why question asks about the machinery, which users do not call: real use counts less.
    use_weight = {"how": 1.0, "what": 1.0}.get(intent, 0.4) * GOAL_USE_WEIGHT.get(goal_kind, 1.0)
    # A facade the user calls (``app.use``) is found as well as the code it delegates to (``proto.use``):
    # a same-named function or method stands in with the score of the one retrieval found. Only for
    # questions about using the code: a where or why question is about the code retrieval found.
    for symbol_id, value in list(fused.items()) if intent in {"how", "what"} and use_weight else []:
        found = corpus.symbols[symbol_id]
        for twin in _twins(corpus, found):
            # The facade users call takes the found one's place; another twin comes just after it.
            share = 1.05 if users_prefer(corpus, twin, found) else 0.9
            fused[twin.id] = max(fused.get(twin.id, 0.0), share * value)

    # "What is a transport?": the class the candidates share as a base is the idea asked about.
    for base_id, value in (_shared_bases(corpus, fused) if intent == "what" else {}).items():
        fused[base_id] = fused.get(base_id, 0.0) + value

    unasked = unasked_side_roles(question)

    def score(symbol_id: str) -> float:
        symbol = corpus.symbols[symbol_id]
        named = name_score(corpus, question, symbol_id)
        side = SIDE_WEIGHT if file_role(symbol.path) in unasked else 1.0
        if is_declaration_path(symbol.path) and not ASKS_ABOUT_TYPES.search(question):
            side *= SIDE_WEIGHT
        if intent in {"how", "what"} and is_private(symbol):
            side *= PRIVATE_WEIGHT  # a how or what question asks about the API, not the helpers behind it
        # Popularity (real use) only promotes a candidate the question's own words point at.
        popular = use_weight * use_prior(corpus, symbol) if use_weight else 0.0
        if popular and not asked_evidence(corpus, question, symbol):
            popular = 0.0
        return side * fused[symbol_id] * (1 + popular) * (1 + NAME_WEIGHT * max(named, 0.0))

    order = list(fused)
    ranked_ids = sorted(order, key=lambda i: (-score(i), order.index(i)))
    return _front_doors_first(corpus, question, ranked_ids) if intent in {"how", "what"} and use_weight else ranked_ids


def _front_doors_first(corpus: Any, question: str, symbol_ids: list[str]) -> list[str]:
    """A front-door function comes just before the same-named method it stands for, however often tests call
    the method (``httpx.stream`` before ``Client.stream``), unless the question's words point at the method's
    owner ("from async code": ``AsyncClient.request``)."""
    result = list(symbol_ids)
    for symbol_id in symbol_ids:
        method = corpus.symbols[symbol_id]
        if method.kind != "method":
            continue
        for twin in _twins(corpus, method):
            if (
                twin.id in result
                and result.index(twin.id) > result.index(symbol_id)
                and users_prefer(corpus, twin, method)
                and asked_evidence(corpus, question, twin) >= asked_evidence(corpus, question, method)
            ):
                result.remove(twin.id)
                result.insert(result.index(symbol_id), twin.id)
    return result


def search_first(corpus: Any, hits: Sequence[dict[str, Any]], question: str = "", intent: str = "") -> str | None:
    """The search's own best code symbol: the first hit's symbol that an answer can lead with, or None
    when a docs section ranks above it (the docs' calls then speak for the search, through ``rank_symbols``).
    A where or why question asks about the machinery: a private helper may lead it."""
    private_ok = intent in MACHINERY_INTENTS
    for hit in hits:
        symbol = corpus.symbols.get(hit["symbol"]) if hit.get("symbol") else None
        if symbol is None:
            if hit.get("kind") != "concept" and hit.get("path"):
                return None
            continue
        if not can_lead(symbol, private_ok) or (
            is_declaration_path(symbol.path) and not ASKS_ABOUT_TYPES.search(question)
        ):
            continue  # a concept hit names its best-matching member: that counts as the search's pick too
        return symbol.id
    return None


def can_lead(symbol: Any, private_ok: bool = False) -> bool:
    """Whether an answer may lead with ``symbol``: not a module, a test, a sample app, or a private helper
    (unless ``private_ok``: a where or why question about the machinery)."""
    return not (
        symbol.kind == "module"
        or is_test_path(symbol.path)
        or EXAMPLE_PATH.search(symbol.path)
        or (not private_ok and is_private(symbol))
    )


def keep_search_lead(
    corpus: Any, question: str, first: str | None, symbols: Sequence[str], use_counts: bool = False, intent: str = ""
) -> list[str]:
    """The search's best symbol leads unless the tutor's pick has more evidence tied to this question: more of
    its words in the name or docstring, a name that says it, or it is the same-named facade users call. With
    ``use_counts`` (a how-to asked by a learner who uses the library), a pick with as much evidence that user
    code calls more also keeps the lead."""
    symbols = list(symbols)
    private_ok = intent in MACHINERY_INTENTS
    leading = [s for s in symbols if s in corpus.symbols and can_lead(corpus.symbols[s], private_ok)]
    if first is None or not leading or leading[0] == first or first not in corpus.symbols:
        return symbols
    pick, found = corpus.symbols[leading[0]], corpus.symbols[first]
    # When the pick wins, it leads: a helper no answer may lead with does not stay in front of it.
    picked = [pick.id] + [s for s in symbols if s != pick.id]
    if pick.name == found.name and users_prefer(corpus, pick, found):
        return picked  # the facade users call, for the code behind it (``app.use`` for ``proto.use``)
    # A name that says what is asked ("render_template") is evidence for the API a user calls; a where or why
    # question is about the machinery, whose names rarely spell the question ("split_template_path").
    if not private_ok and name_score(corpus, question, pick.id) > name_score(corpus, question, found.id):
        return picked
    evidence, against = asked_evidence(corpus, question, pick), asked_evidence(corpus, question, found)
    if evidence > against or (
        use_counts and evidence and evidence == against and use_prior(corpus, pick) > use_prior(corpus, found)
    ):
        return picked
    return [first] + [s for s in symbols if s != first]


def lead_in_targets(corpus: Any, targets: Sequence[str], symbols: Sequence[str]) -> list[str]:
    """The answer's lead agrees with its heading: when the best symbol lies outside every target concept,
    a symbol the target concept's own prose names in backticks (the author's or the docs' key piece) leads,
    the best retrieved one first."""
    symbols = list(symbols)
    wanted = set(targets)
    top = corpus.symbols.get(symbols[0]) if symbols else None
    if not wanted or (top is not None and top.concept in wanted):
        return symbols
    named = _named_in_prose(corpus, targets)
    lead = next((s for s in symbols if s in named), named[0] if named else None)
    if lead is None:
        return symbols
    return [lead] + [s for s in symbols if s != lead]


def _named_in_prose(corpus: Any, targets: Sequence[str]) -> list[str]:
    found: list[str] = []
    for concept_id in targets:
        concept = corpus.concepts.get(concept_id)
        if concept is None:
            continue
        for name in _BACKTICKED.findall(f"{concept.summary}\n{concept.body}"):
            for symbol in symbols_named(corpus, name.rsplit(".", 1)[-1]):  # `try_patch` or `Corpus.symbol`
                if (
                    symbol.concept == concept_id
                    and symbol.kind != "module"
                    and (symbol.id == name or symbol.id.endswith("." + name))
                    and symbol.id not in found
                ):
                    found.append(symbol.id)
                    break
    return found


_BACKTICKED = re.compile(r"`([A-Za-z_][\w.]*)(?:\(\))?`")
