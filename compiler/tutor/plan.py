"""Plan an answer before writing it: which concepts to teach, in which order, how deep.

``make_plan`` is pure data work, no model: it retrieves the concepts and symbols the
question is about, adds the prerequisites this learner has not covered (all of them
for a novice, the direct ones for an intermediate, only failed ones for an expert),
drops what the learner proved they know (a passed quiz), orders the rest along the
learning path, and picks depth and length for the learner's level. Every backend,
the offline one included, writes its answer from the ``Plan``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from compiler.roles import is_test_path
from compiler.tutor.coverage import assess
from compiler.tutor.goals import goal_concepts, goal_kind, learning_order, path_index
from compiler.tutor.learner import LEVELS, ConceptState, Profile
from compiler.tutor.rank import keep_search_lead, lead_in_targets, rank_symbols, search_first
from compiler.tutor.retrieve import Retrieve, core_retrieve, index_retrieve
from compiler.tutor.words import EXAMPLE_PATH, HOW_TO, QUESTION_FILLER, tokens

MAX_NOVICE_PREREQUISITES = 2
# Concepts a learner never needs first: private helpers and compatibility shims.
_NOT_A_PREREQUISITE = re.compile(r"(^|[-_ ])(compat|compatibility|internal|private|_)|^_", re.IGNORECASE)
RETRIEVE_K = 8


@dataclass(frozen=True)
class Depth:
    """How much to say: target length, code excerpts and their size, and the register."""

    words: int
    excerpts: int
    excerpt_lines: int
    style: str  # plain | standard | deep
    call_graph: bool  # show callers/callees in full
    rationale: bool  # discuss design decisions and edge cases
    analogies: bool  # relate to the learner's background languages
    next_steps: bool  # say what to read next


DEPTHS: dict[str, Depth] = {
    "novice": Depth(
        words=450,
        excerpts=2,
        excerpt_lines=12,
        style="plain",
        call_graph=False,
        rationale=False,
        analogies=True,
        next_steps=True,
    ),
    "intermediate": Depth(
        words=600,
        excerpts=3,
        excerpt_lines=20,
        style="standard",
        call_graph=True,
        rationale=False,
        analogies=False,
        next_steps=True,
    ),
    "expert": Depth(
        words=800,
        excerpts=4,
        excerpt_lines=40,
        style="deep",
        call_graph=True,
        rationale=True,
        analogies=False,
        next_steps=False,
    ),
}


@dataclass(frozen=True)
class Step:
    """One concept in the answer, in teaching order."""

    concept: str
    title: str
    role: str  # prerequisite | target | recap (a target the learner already passed a quiz on)
    reason: str  # why it is in the plan, in words the learner can read (/why)
    symbols: tuple[str, ...] = ()  # symbol ids to show for it, most relevant first


@dataclass(frozen=True)
class Skipped:
    """A concept the planner considered and left out, and why."""

    concept: str
    reason: str


@dataclass(frozen=True)
class Source:
    """A piece of the corpus handed to the writer: the only text an answer may cite."""

    index: int  # 0-based, the document index an LLM cites
    path: str
    lines: tuple[int, int]
    symbol: str | None
    concept: str | None
    title: str
    text: str  # the lines path:lines (code), or a summary of them when ``exact`` is False
    exact: bool = True  # text is exactly those lines, so a span of it maps to line numbers

    @property
    def ref(self) -> str:
        return f"{self.path}:{self.lines[0]}-{self.lines[1]}"


@dataclass(frozen=True)
class Plan:
    """What to teach for one question, to one learner: data, testable without a model, JSON-serialisable."""

    question: str
    corpus: str
    learner: str
    level: str
    background: tuple[str, ...]
    goal: str
    language: str
    intent: str  # debug | why | how | where | what
    targets: tuple[str, ...]  # concept ids the question is about
    target_symbols: tuple[str, ...]  # symbol ids the question is about, best first
    prerequisites: tuple[str, ...]  # concept ids to teach first, in order
    steps: tuple[Step, ...]  # prerequisites then targets, in learning-path order
    skipped: tuple[Skipped, ...]
    sources: tuple[Source, ...]
    depth: Depth
    covered: bool = True  # False: the question is not about this codebase; no answer is composed
    closest: tuple[str, ...] = ()  # concept ids nearest to the question, named when it is not covered

    @property
    def taught(self) -> tuple[str, ...]:
        """Concept ids this answer teaches (recaps are not taught again)."""
        return tuple(s.concept for s in self.steps if s.role != "recap")

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            **{
                k: tuple(v) if isinstance(v, list) else v
                for k, v in data.items()
                if k not in {"steps", "skipped", "sources", "depth"}
            },
            steps=tuple(
                Step(**{k: tuple(v) if isinstance(v, list) else v for k, v in s.items()}) for s in data["steps"]
            ),
            skipped=tuple(Skipped(**s) for s in data["skipped"]),
            sources=tuple(Source(**{**s, "lines": tuple(s["lines"])}) for s in data["sources"]),
            depth=Depth(**data["depth"]),
        )


# ---- the planner -------------------------------------------------------------
def make_plan(
    corpus: Any,
    question: str,
    profile: Profile,
    progress: Mapping[str, ConceptState] | None = None,
    *,
    retrieve: Retrieve | None = None,
    level: str | None = None,
    k: int = RETRIEVE_K,
    context: Sequence[str] = (),
) -> Plan:
    """Plan the answer to ``question`` for ``profile`` given what they covered (``progress``).

    Args:
        corpus: an opened ``compiler.corpus.Corpus``.
        retrieve: ``retrieve(query, k) -> hits``; defaults to a lexical search over the core.
        level: overrides the profile's level for this answer only.
        context: concept ids the conversation is about (earlier targets), used when the
            question leans on them ("and who calls it?").
    """
    progress = progress or {}
    level = level or profile.level
    if level not in LEVELS:
        level = "intermediate"
    depth = DEPTHS[level]
    lexical = core_retrieve(corpus)
    on_goal = goal_concepts(corpus, profile.goal)
    # A question with no words of its own ("where do I start?") is about the learner's goal, when there is one.
    about_goal = bool(on_goal) and not (set(tokens(question)) - set(tokens(" ".join(QUESTION_FILLER))))
    query = profile.goal if about_goal else question
    hits = [_hit(h) for h in (retrieve or lexical)(query, k)]
    # The core's own word search is a second opinion next to the index: it sharpens which concept
    # and which code to show when the index has only pages or coarse hits.
    second = [_hit(h) for h in lexical(query, k)] if retrieve else []

    targets, target_symbols = _targets(
        corpus,
        hits,
        query,
        level,
        context,
        second,
        on_goal,
        goal_weight=3.0 if about_goal else 0.6,
        kind=goal_kind(profile.goal),
    )
    prerequisites, reasons, skipped = _prerequisites(corpus, targets, level, progress)
    steps = _steps(corpus, targets, prerequisites, reasons, target_symbols, progress, depth)
    sources = _sources(corpus, steps, hits, depth)
    # A follow-up ("and who calls it?") is about what the conversation was already about.
    verdict = assess(corpus, question, named=bool(context) or about_goal or bool(_named_symbols(corpus, question)))
    return Plan(
        question=question,
        corpus=corpus.core.source.name,
        learner=profile.name,
        level=level,
        background=profile.background,
        goal=profile.goal,
        language=profile.language,
        intent=detect_intent(question, profile.goal),
        targets=tuple(targets),
        target_symbols=tuple(target_symbols),
        prerequisites=tuple(prerequisites),
        steps=steps,
        skipped=tuple(skipped),
        sources=sources,
        depth=depth,
        covered=verdict.covered,
        closest=tuple(targets),
    )


_INTENTS = (
    (
        "debug",
        r"\b(bugs?|fix|fixing|broken|fails|failing|crash(es|ing)?|doesn'?t work|traceback|debug(ging)?|regression)\b",
    ),
    ("why", r"\b(why|rationale|design|trade-?offs?|decision|instead of|reason)"),
    ("where", r"\b(where|which file|which function|locate|find)\b"),
    ("how", r"\b(how|flow|works?|steps?|happens)\b"),
)


def detect_intent(question: str, goal: str = "") -> str:
    """What kind of answer the question wants: debug, why, where, how, or what."""
    lead = re.match(r"\s*(how|where|why)\b", question.lower())
    if lead and not re.search(_INTENTS[0][1], question.lower()):
        return lead.group(1)  # "how do I ... instead of ..." asks how, whatever words follow
    for text in (question, goal):
        for intent, pattern in _INTENTS:
            if re.search(pattern, text.lower()):
                return intent
    return "what"


def _targets(
    corpus: Any,
    hits: list[dict[str, Any]],
    question: str,
    level: str,
    context: Sequence[str],
    second: Sequence[dict[str, Any]] = (),
    on_goal: Sequence[str] = (),
    goal_weight: float = 0.6,
    kind: str = "",
) -> tuple[list[str], list[str]]:
    """Concepts the question is about (voted by hit rank) and the symbols it is about, best first;
    ``kind`` is the kind of the learner's goal (``goals.goal_kind``)."""
    votes: Counter[str] = Counter()
    direct: list[str] = []  # symbols hit as themselves
    lexical: list[str] = []  # symbols the second opinion hit
    via_concept: list[str] = []  # the member a concept hit points at: a weaker signal
    for hit_list, scale, found in ((hits, 1.0, direct), (second, 0.5, lexical)):
        for rank, hit in enumerate(hit_list, start=1):
            symbol = corpus.symbols.get(hit["symbol"]) if hit["symbol"] else None
            concept = hit["concept"] or (symbol.concept if symbol else None)
            # A module matches many words of any question about its package: it counts half.
            breadth = 0.5 if (symbol is not None and symbol.kind == "module") else 1.0
            if concept in corpus.concepts:
                votes[concept] += scale * breadth / rank
            if symbol and symbol.kind != "module":
                (via_concept if hit.get("kind") == "concept" else found).append(symbol.id)
    # Docs sections the search found (README, guides) vote for the API their code blocks call.
    docs = [
        (hit["path"], hit["lines"])
        for hit in [*hits, *second]
        if not hit["symbol"] and hit.get("kind") != "concept" and hit["path"] and hit["lines"]
    ]
    symbols = rank_symbols(
        corpus,
        question,
        detect_intent(question),
        [(direct, 1.0), (lexical, 1.0), (via_concept, 0.2)],
        docs,
        # Docs show how to use the API: their calls answer a how-to, say less about what it is, and nothing
        # about where or why the machinery does what it does.
        doc_weight={"how": 1.0, "what": 0.5}.get(detect_intent(question), 0.0),
        goal_kind=kind,
    )
    if second:  # the retriever's own ranking leads unless the rules have evidence from this question
        use_counts = detect_intent(question) == "how" and kind in {"", "use"}
        intent = detect_intent(question)
        first = search_first(corpus, hits, question, intent)
        symbols = keep_search_lead(corpus, question, first, symbols, use_counts, intent)
    # A symbol or concept named outright in the question wins over fuzzy retrieval.
    for named in _named_symbols(corpus, question):
        if named.id not in symbols:
            symbols.insert(0, named.id)
        if named.concept in corpus.concepts:
            votes[named.concept] += 2.0
    lowered = question.lower()
    asked = set(tokens(question))
    for concept in corpus.core.concepts:
        # Concept titles are the codebase's own names for its ideas: "Retries and backoff" named in full
        # means it; a word of a title ("secret" in "Scanning and secret redaction") leans towards it.
        if re.search(rf"\b{re.escape(concept.title.lower())}\b", lowered) and " " in concept.title.strip():
            votes[concept.id] += 1.0
        else:
            shared = asked & set(tokens(concept.title))
            if shared:
                votes[concept.id] += min(1.0, 0.5 * len(shared))
    for position, concept_id in enumerate(context):
        if concept_id in corpus.concepts:  # a follow-up question is about what was just discussed
            votes[concept_id] += 2.0 / (position + 1)
    for position, concept_id in enumerate(on_goal):
        # The learner's goal leans towards its concepts: it decides between close readings of the question.
        votes[concept_id] += goal_weight / (position + 1)
    if not votes and corpus.core.learning_path:
        votes[corpus.core.learning_path[0]] = 0.1  # nothing matched: start where the path starts
    ranked = [c for c, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))]
    best = votes[ranked[0]] if ranked else 0
    limit = 1 if level == "novice" else 2
    targets = [c for c in ranked[:limit] if votes[c] >= 0.6 * best]
    if not HOW_TO.search(lowered):  # a how-to leads with the call the learner writes, wherever it lives
        symbols = lead_in_targets(corpus, targets, symbols)
    return targets, symbols[:8]


def _named_symbols(corpus: Any, question: str) -> list[Any]:
    """Symbols the question names as code: `backticked`, dotted, snake_case, CamelCase or called()."""
    found = []
    candidates = re.findall(r"`([^`\s]+)`|([A-Za-z_][\w.]*\w)(\(\))?", question)
    for quoted, word, called in candidates:
        name = (quoted or word).rstrip("()")
        looks_like_code = bool(quoted or called or "_" in name or "." in name or re.search(r"[a-z][A-Z]", name))
        if not looks_like_code or len(name) < 3:
            continue
        matches = [s for s in corpus.find_symbols(name) if s.kind != "module" or "." in name]
        if matches and matches[0] not in found:
            found.append(matches[0])
    return found


def _prerequisites(
    corpus: Any, targets: list[str], level: str, progress: Mapping[str, ConceptState]
) -> tuple[list[str], dict[str, str], list[Skipped]]:
    """Prerequisites to teach, why each one, and the ones left out with the reason."""
    reasons: dict[str, str] = {}
    skipped: dict[str, str] = {}
    depth_of: dict[str, int] = {}
    # Breadth-first over prerequisite edges: depth 1 = direct prerequisites of a target.
    frontier = [(t, 0) for t in targets]
    while frontier:
        concept_id, depth = frontier.pop(0)
        concept = corpus.concepts.get(concept_id)
        if concept is None:
            continue
        for prereq in concept.prerequisites:
            if prereq in targets or prereq in depth_of or prereq not in corpus.concepts:
                continue
            depth_of[prereq] = depth + 1
            state = progress.get(prereq)
            if not (state and state.covered):  # a concept the learner knows brought its own prerequisites along
                frontier.append((prereq, depth + 1))

    chosen: list[str] = []
    taught_fresh = 0  # prerequisites added for being uncovered (failed quizzes come on top)
    for prereq, depth in sorted(depth_of.items(), key=lambda kv: (kv[1], path_index(corpus, kv[0]))):
        state = progress.get(prereq)
        title = corpus.concepts[prereq].title
        if state and state.passed:
            skipped[prereq] = f"you passed the quiz on {title} (score {state.quiz_score:.0%})"
            continue
        if state and state.failed:
            chosen.append(prereq)
            reasons[prereq] = (
                f"you did not pass the quiz on {title} yet (score {state.quiz_score or 0:.0%}), so it comes first"
            )
            continue
        if state and state.covered:
            skipped[prereq] = f"{title} was explained to you before"
            continue
        if _NOT_A_PREREQUISITE.search(prereq) or _NOT_A_PREREQUISITE.search(title):
            skipped[prereq] = f"{title} is an internal or compatibility part, not something to learn first"
        elif level == "expert":
            skipped[prereq] = f"{title} is a prerequisite, left out for an expert"
        elif level == "intermediate" and depth > 1:
            skipped[prereq] = f"{title} is an indirect prerequisite, left out at intermediate level"
        elif level == "novice" and (depth > 1 or taught_fresh >= MAX_NOVICE_PREREQUISITES):
            skipped[prereq] = f"{title} is further away; kept for later to keep this answer short"
        else:
            chosen.append(prereq)
            taught_fresh += 1
            needed_by = [corpus.concepts[t].title for t in _needed_by(corpus, prereq, targets + chosen)]
            reasons[prereq] = f"{', '.join(needed_by) or 'the topic'} builds on {title}, which you have not covered yet"
    ordered = learning_order(corpus, chosen)
    return ordered, reasons, [Skipped(c, r) for c, r in skipped.items()]


def _needed_by(corpus: Any, prereq: str, among: list[str]) -> list[str]:
    return [c for c in among if c != prereq and prereq in corpus.concepts[c].prerequisites]


def _steps(
    corpus: Any,
    targets: list[str],
    prerequisites: list[str],
    reasons: dict[str, str],
    target_symbols: list[str],
    progress: Mapping[str, ConceptState],
    depth: Depth,
) -> tuple[Step, ...]:
    steps = []
    for concept_id in prerequisites:
        concept = corpus.concepts[concept_id]
        steps.append(
            Step(concept_id, concept.title, "prerequisite", reasons[concept_id], _key_symbols(corpus, concept, [], 1))
        )
    for concept_id in learning_order(corpus, targets):
        concept = corpus.concepts[concept_id]
        state = progress.get(concept_id)
        if state and state.passed:
            role, reason = (
                "recap",
                f"your question is about {concept.title}; you passed its quiz, so this is a short recap",
            )
        else:
            role, reason = "target", f"your question is about {concept.title}"
        steps.append(
            Step(concept_id, concept.title, role, reason, _key_symbols(corpus, concept, target_symbols, depth.excerpts))
        )
    return tuple(steps)


def _key_symbols(corpus: Any, concept: Any, preferred: Sequence[str], count: int) -> tuple[str, ...]:
    """Symbols to show for a concept: the ones the question hit first, then its most important members."""
    members = [m for m in concept.members if m in corpus.symbols]
    chosen = [s for s in preferred if corpus.symbols.get(s) and corpus.symbols[s].concept == concept.id]
    for member in sorted(
        members, key=lambda m: (corpus.symbols[m].kind == "module", -corpus.symbols[m].importance, members.index(m))
    ):
        if member not in chosen:
            chosen.append(member)
    return tuple(chosen[: max(count, 1)])


def _sources(corpus: Any, steps: tuple[Step, ...], hits: list[dict[str, Any]], depth: Depth) -> tuple[Source, ...]:
    """The documents an answer may cite: each step's key symbols and sources, then the other hits."""
    found: list[Source] = []
    seen: set[tuple[str, int, int]] = set()

    def add(
        path: str,
        lines: tuple[int, int],
        symbol: str | None,
        concept: str | None,
        title: str,
        text: str,
        exact: bool = True,
    ) -> None:
        key = (path, lines[0], lines[1])
        if not text.strip() or key in seen or not corpus.valid_range(path, lines[0], lines[1]):
            return
        seen.add(key)
        found.append(Source(len(found), path, lines, symbol, concept, title, text, exact))

    def add_symbol(symbol: Any, concept: str | None, title: str) -> None:
        text, lines = symbol_text(symbol)
        if text:
            add(symbol.path, lines, symbol.id, concept, title, text)
        else:  # a core without excerpts: the signature and docstring still say what is there
            add(symbol.path, tuple(symbol.lines), symbol.id, concept, title, symbol_summary(symbol), exact=False)

    for step in steps:
        for symbol_id in step.symbols:
            add_symbol(corpus.symbols[symbol_id], step.concept, f"{symbol_id} ({step.title})")
        concept = corpus.concepts[step.concept]
        for ref in concept.sources[:2]:
            symbol = corpus.symbols.get(ref.symbol) if ref.symbol else None
            if symbol is not None:
                add_symbol(symbol, step.concept, f"{symbol.id} ({step.title})")
    for hit in hits:
        symbol = corpus.symbols.get(hit["symbol"]) if hit["symbol"] else None
        if symbol is not None and symbol.kind != "module":
            add_symbol(symbol, symbol.concept, symbol.id)
        elif hit["path"] and hit["lines"] and hit["text"]:
            lines = (int(hit["lines"][0]), int(hit["lines"][1]))
            add(hit["path"], lines, None, hit["concept"], hit["title"] or hit["path"], hit["text"], exact=False)
    return tuple(found[: max(6, depth.excerpts * 3)])


def symbol_summary(symbol: Any) -> str:
    """What the core says about a symbol when it has no excerpt: signature and docstring."""
    return "\n".join(part for part in (symbol.signature, symbol.doc) if part)


def symbol_text(symbol: Any) -> tuple[str, tuple[int, int]]:
    """A symbol's excerpt and the exact lines it covers (the excerpt may be shorter than the symbol)."""
    excerpt = symbol.excerpt.rstrip("\n")
    if not excerpt:
        return "", tuple(symbol.lines)
    count = excerpt.count("\n") + 1
    start = symbol.lines[0]
    return excerpt, (start, min(symbol.lines[1], start + count - 1) if symbol.lines[1] >= start else start + count - 1)


def _hit(hit: Any) -> dict[str, Any]:
    """A search hit (object or dict) as a plain dict with the contract's fields."""
    get = hit.get if isinstance(hit, Mapping) else (lambda name, default=None: getattr(hit, name, default))
    lines = get("lines")
    return {
        "path": get("path"),
        "symbol": get("symbol"),
        "concept": get("concept"),
        "title": get("title") or "",
        "lines": tuple(lines) if lines else None,
        "text": get("text") or get("snippet") or "",
        "kind": get("kind"),
        "score": get("score", 0.0),
    }


__all__ = [
    "DEPTHS",
    "Depth",
    "Plan",
    "Retrieve",
    "Skipped",
    "Source",
    "Step",
    "core_retrieve",
    "detect_intent",
    "EXAMPLE_PATH",
    "index_retrieve",
    "is_test_path",
    "make_plan",
    "symbol_summary",
    "symbol_text",
    "tokens",
]
