"""The offline backend: a structured explanation composed from the plan and the core, no model needed.

Prerequisites first, in plain words, then the target concept: what it is for, the key
symbols with their signatures and the lines that matter, where decisions are taken,
how it connects to the rest (callers, callees, neighbouring concepts), and what to
read next. The level shapes it: a novice gets plain words, short excerpts and
analogies to the languages they know; an expert gets the design rationale, the call
graph and the edge cases. Repository text is quoted as data: a docstring that tries
to instruct an AI is flagged, never obeyed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from typing import Any

from compiler.roles import is_test_path
from compiler.tutor.analogies import analogies
from compiler.tutor.citations import Citation
from compiler.tutor.howto import choose_example
from compiler.tutor.material import Material, usage
from compiler.tutor.plan import EXAMPLE_PATH, Plan, Step, symbol_text
from compiler.tutor.prose import (
    decision_lines,
    demote_headings,
    display_name,
    kind_words,
    language_of,
    rationale_sentences,
    ref,
    same_text,
)
from compiler.tutor.reply import Draft, Reply, Turn
from compiler.tutor.words import HOW_TO
from compiler.untrusted import quote_flagged


class OfflineBackend:
    """Writes answers from the plan and the core alone; the default when no model is configured."""

    name = "offline"
    model = "kc-offline"

    def answer(self, corpus: Any, plan: Plan, history: Sequence[Turn] = (), *, stream: bool = False) -> Reply:
        def produce(draft: Draft) -> Iterator[str]:
            sections = Composer(corpus, plan).sections()
            for text, citations in sections:
                draft.citations.extend(citations)
                yield text

        return Reply(produce, backend=self.name, model=self.model)

    def complete(self, system: str, prompt: str) -> str:
        from compiler.errors import LLMError

        raise LLMError(
            "the offline backend has no model to complete prompts; configure an LLM (KC_LLM=anthropic or openai)"
        )


# ---- the composer ------------------------------------------------------------------------
class Composer(Material):
    """Builds the offline answer section by section; each section carries its citations."""

    def __init__(self, corpus: Any, plan: Plan) -> None:
        super().__init__(corpus, plan)
        # "How do I ...?" asks for the code the learner writes; "how does it work?" for the mechanism.
        self.how_to = bool(HOW_TO.search(plan.question.lower()))
        self._example = self.example() if plan.covered else None

    # -- sections -------------------------------------------------------------------------
    def sections(self) -> list[tuple[str, list[Citation]]]:
        """Answer first (by intent), then the key lines, then context at the learner's depth."""
        plan = self.plan
        if not plan.covered:
            return [self.not_covered()]
        out: list[tuple[str, list[Citation]]] = [self.heading()]
        prerequisites = [s for s in plan.steps if s.role == "prerequisite"]
        targets = [s for s in plan.steps if s.role != "prerequisite"]
        out.append(self.key_lines())
        if prerequisites:
            out.append(self.prerequisites(prerequisites))
        for step in targets:
            if step.role == "recap":
                out.append(self.recap(step))
            else:
                out += self.target(step)
        if self.flagged:
            out.append(self.warning())
        if self.depth.next_steps:
            out.append(self.next_steps(targets))
        return [(text, citations) for text, citations in out if text.strip()]

    def not_covered(self) -> tuple[str, list[Citation]]:
        """Honest limits: the question is not about this codebase, so no answer is composed."""
        corpus = self.corpus
        closest = [self.t(corpus.concepts[c]) for c in self.plan.closest if c in corpus.concepts][:3]
        name = corpus.core.source.name
        text = (
            f"## Not covered by this codebase\n\nI could not find anything in {name} that answers this question, "
            "so I will not make an answer up. Ask about the code of this project instead"
        )
        text += (
            (": the closest topics here are " + ", ".join(f"**{t}**" for t in closest) + ".\n") if closest else ".\n"
        )
        return text, []

    def main_symbols(self) -> list[Any]:
        """The symbols the answer is about, best first: asked for directly, public, not tests."""
        plan = self.plan
        symbols = self.resolved(plan.target_symbols) or [
            self.corpus.symbols[i]
            for step in plan.steps
            if step.role != "prerequisite"
            for i in step.symbols
            if i in self.corpus.symbols
        ]
        symbols = [s for s in symbols if s.kind != "module"] or symbols
        return sorted(
            symbols,
            key=lambda s: (
                is_test_path(s.path) or bool(EXAMPLE_PATH.search(s.path)),
                s.name.startswith("_") and not s.name.startswith("__"),
            ),
        )

    def example(self) -> Any:
        """The closest worked example for a how-to answer (compiler.tutor.howto), None for other questions."""
        return choose_example(self.corpus, self.plan, self.main_symbols()) if self.how_to else None

    def heading(self) -> tuple[str, list[Citation]]:
        plan = self.plan
        citations: list[Citation] = []
        titles = [
            self.t(self.corpus.concepts[s.concept])
            for s in plan.steps
            if s.role != "prerequisite" and s.concept in self.corpus.concepts
        ]
        lines = [f"## {' and '.join(titles) or 'Where to start'}", ""]
        short = self.short_answer(citations)
        if short:
            lines += [f"**Answer.** {short}", ""]
        worked = self.worked_example(citations)
        if worked:
            lines += [worked, ""]
        if plan.language and plan.language.lower() not in {"en", "english"}:
            lines += [
                f"_(The offline tutor writes in English; configure an LLM backend for answers in {plan.language}.)_",
                "",
            ]
        return "\n".join(lines) + "\n", citations

    def worked_example(self, citations: list[Citation]) -> str:
        example = self._example
        if example is None:
            return ""
        citations.append(Citation(example.path, example.lines[0], example.lines[1]))
        where = ref(example.path, *example.lines)
        fence = "````" if "```" in example.code else "```"
        language = {"typescript": "ts", "javascript": "js"}.get(example.language, example.language)
        if example.language in {"markdown", "text", "restructuredtext", "rst", ""}:  # a docs page's code block
            language = self.language_of_symbol()
        code = textwrap.dedent(example.code)  # an indented reStructuredText block, shown flush left
        return f"A real example, from `{where}`:\n\n{fence}{language}\n{code}\n{fence}"

    def language_of_symbol(self) -> str:
        main = self.main_symbols()
        return language_of(self.corpus, main[0].path) if main else ""

    def short_answer(self, citations: list[Citation]) -> str:
        """Two to four sentences that answer the question directly, by intent, with the place to look."""
        plan = self.plan
        targets = [self.corpus.concepts[c] for c in plan.targets if c in self.corpus.concepts]
        symbols = self.main_symbols()
        if not symbols and not targets:
            return "nothing in this corpus matches the question closely; here is where the learning path starts."
        parts = []
        if symbols:
            main = symbols[0]
            if self._example is not None:
                main = self.corpus.symbols[self._example.symbol]
            name = display_name(self.corpus, main)
            doc = self.symbol_doc(main, 2)
            where = self.cite_symbol(main, citations)
            example = self._example
            if example is not None:
                parts.append(
                    f"write `{example.call}`: that calls `{display_name(self.corpus, self.corpus.symbols[example.symbol])}` "
                    f"({ref(self.corpus.symbols[example.symbol].path, *self.corpus.symbols[example.symbol].lines)})."
                )
                if example.symbol != main.id:
                    where = self.cite_symbol(self.corpus.symbols[example.symbol], citations)
                else:
                    where = ""
                if doc:
                    parts.append(doc)
            elif self.how_to and usage(self.corpus, main):
                parts.append(
                    f"call `{usage(self.corpus, main)}`: that is `{name}` ({where})." + (f" {doc}" if doc else "")
                )
            elif plan.intent in {"where", "debug"}:
                parts.append(f"`{name}` in `{main.path}` ({where})" + (f". {doc}" if doc else "."))
            elif plan.intent == "why":
                reasons = [
                    r for r in rationale_sentences(self, next(s for s in plan.steps if s.role != "prerequisite"), 2)
                ]
                parts.append(f"the answer is in `{name}` ({where}).")
                for sentence, _origin, citation in reasons[:2]:
                    if citation is not None:
                        citations.append(citation)
                        parts.append(f"“{sentence}” ({ref(citation.path, citation.start, citation.end)})")
                    else:
                        parts.append(f"“{sentence}”")
                if not reasons and doc:
                    parts.append(doc)
            else:
                signature = f" `{main.signature}`" if main.signature and len(main.signature) < 90 else ""
                parts.append(
                    f"`{name}` ({where}) is {kind_words(self.corpus, main)}{signature}." + (f" {doc}" if doc else "")
                )
            shown_ids = {main.id, example.symbol if example is not None else None}
            others = [o for o in symbols[1:] if o.id not in shown_ids][:2]
            if others:
                parts.append(
                    "See also "
                    + " and ".join(
                        f"`{display_name(self.corpus, o)}` ({self.cite_symbol(o, citations)})" for o in others
                    )
                    + "."
                )
        if targets and len(parts) < 3:
            summary = self.concept_summary(targets[0], 1)
            if summary and not any(same_text(summary, p) for p in parts):
                parts.append(summary)
        text = " ".join(parts)
        return text[0].upper() + text[1:] if text else ""

    def key_lines(self) -> tuple[str, list[Citation]]:
        """The few lines that decide the behaviour (a branch, a call, an assignment) in the main symbols."""
        citations: list[Citation] = []
        found: list[tuple[Any, int, str]] = []
        for symbol in [s for s in self.main_symbols() if s.kind in {"function", "method"}][:2]:
            for line, code in decision_lines(symbol, 3):
                found.append((symbol, line, code))
        if not found:
            return "", citations
        lines = ["### Key lines", ""]
        for symbol, line, code in found[:4]:
            citations.append(Citation(symbol.path, line, line, symbol=symbol.id))
            lines.append(f"- `{code}` in `{display_name(self.corpus, symbol)}` ({ref(symbol.path, line, line)})")
        return "\n".join(lines) + "\n\n", citations

    def prerequisites(self, steps: Sequence[Step]) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        count = len(steps)
        if self.level == "novice":
            intro = (
                f"### First, {'one idea' if count == 1 else f'{count} ideas'} this builds on\n\n"
                "You have not covered these yet, and the answer relies on them:\n"
            )
        else:
            intro = "### Builds on\n"
        lines = [intro]
        for step in steps:
            concept = self.corpus.concepts[step.concept]
            summary = self.concept_summary(concept, 2 if self.level == "novice" else 1)
            key = self.resolved(step.symbols)
            where = ""
            if key:
                where = f" Key piece: `{display_name(self.corpus, key[0])}` ({self.cite_symbol(key[0], citations)})."
            if self.level == "novice" and key:
                doc = self.symbol_doc(key[0], 1)
                if doc:
                    where += f" In its own words: “{doc}”"
            why = f" _({step.reason}.)_" if self.level == "novice" else ""
            lines.append(f"- **{self.t(concept)}** — {summary or 'no summary in the corpus.'}{where}{why}")
        return "\n".join(lines) + "\n\n", citations

    def recap(self, step: Step) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        concept = self.corpus.concepts[step.concept]
        lines = [
            f"### {self.t(concept)} (recap)",
            "",
            f"You passed the quiz on {self.t(concept)}, so only the direct answer: {self.concept_summary(concept, 1)}",
        ]
        for symbol in self.resolved(step.symbols[:2]):
            doc = self.symbol_doc(symbol, 1)
            lines.append(
                f"- `{display_name(self.corpus, symbol)}` ({self.cite_symbol(symbol, citations)})"
                + (f": {doc}" if doc else "")
            )
        return "\n".join(lines) + "\n\n", citations

    def target(self, step: Step) -> list[tuple[str, list[Citation]]]:
        out = [self.concept_intro(step)]
        if self.plan.intent == "why":
            out.append(self.rationale(step))
        out.append(self.code_walk(step))
        if self.plan.intent == "debug" or self.depth.rationale:
            out.append(self.decisions(step))
        out.append(self.connections(step))
        return out

    def concept_intro(self, step: Step) -> tuple[str, list[Citation]]:
        concept = self.corpus.concepts[step.concept]
        citations: list[Citation] = []
        lines = [f"### {self.t(concept)}", ""]
        if self.level == "expert":
            body = self.prose(concept.body, f"the notes on {self.t(concept)}")
            lines.append(
                "**Design.** " + (demote_headings(body).strip() if body else self.derived_design(concept, citations))
            )
            lines.append("")
            structure = self.structure(concept, citations)
            if structure:
                lines += [structure, ""]
        else:
            summary = self.concept_summary(concept, 3)
            if summary:
                lines += [summary, ""]
            body = self.prose(concept.body, f"the notes on {self.t(concept)}")
            first = demote_headings(body.strip().split("\n\n")[0]) if body else ""
            if first and not same_text(first, summary):
                lines += ([f"The author explains: {first}"] if self.level == "novice" else [first]) + [""]
        files = ", ".join(f"`{f}`" for f in concept.files[:3])
        if files and self.level != "expert":
            lines += [f"It lives in {files}.", ""]
        return "\n".join(lines) + "\n", citations

    def derived_design(self, concept: Any, citations: list[Citation]) -> str:
        """When the author wrote no notes: what the structure of the code says about the design."""
        members = self.resolved(concept.members)
        kinds: dict[str, int] = {}
        for member in members:
            kinds[member.kind] = kinds.get(member.kind, 0) + 1
        counted = ", ".join(
            f"{n} {k}{'es' if k == 'class' and n > 1 else 's' if n > 1 else ''}" for k, n in sorted(kinds.items())
        )
        text = f"{self.t(concept)} is made of {counted or 'no symbols'} across {len(concept.files)} file(s)."
        entry = self.resolved(concept.entry_points)
        if entry:
            text += f" Callers come in through `{display_name(self.corpus, entry[0])}` ({self.cite_symbol(entry[0], citations)})."
        summary = self.concept_summary(concept, 2)
        return f"{summary} {text}".strip()

    def structure(self, concept: Any, citations: list[Citation]) -> str:
        """Expert view of the concept's shape: signatures of its members, inheritance, constants."""
        members = [m for m in self.resolved(concept.members) if m.kind != "module"]
        members = sorted(members, key=lambda m: (not m.public, m.name.startswith("_"), -m.importance))[:8]
        if not members:
            return ""
        lines = ["**Members** (by importance):", ""]
        for member in members:
            signature = member.signature or member.name
            lines.append(f"- `{signature}` — {self.cite_symbol(member, citations)}")
        inherits = [e for e in self.edges(concept, "inherits")]
        if inherits:
            lines.append("")
            lines.append(
                "Inheritance: "
                + "; ".join(f"`{e.source.split('.')[-1]}` extends `{e.target.split('.')[-1]}`" for e in inherits[:6])
                + "."
            )
        return "\n".join(lines)

    def edges(self, concept: Any, kind: str) -> list[Any]:
        member_ids = set(concept.members)
        return [
            e
            for m in concept.members
            for e in self.corpus.edges_from(m)
            if e.kind == kind and (e.target in self.corpus.symbols or e.source in member_ids)
        ]

    def rationale(self, step: Step) -> tuple[str, list[Citation]]:
        """For a "why" question: the sentences of the author's notes, docstrings and docs that give reasons."""
        citations: list[Citation] = []
        found = rationale_sentences(self, step)
        shown_body = self.level == "expert"  # the expert intro already quotes the author's notes in full
        lines = []
        for sentence, origin, citation in found:
            if shown_body and origin == "notes":
                continue
            if citation is not None:
                citations.append(citation)
                lines.append(f"- “{sentence}” ({ref(citation.path, citation.start, citation.end)})")
            else:
                lines.append(f"- “{sentence}” (the author's notes on {self.t(self.corpus.concepts[step.concept])})")
        if not lines:
            return "", citations
        intro = "### Why it is built this way\n\nThe reasons the codebase itself gives:\n\n"
        return intro + "\n".join(lines) + "\n\n", citations

    def code_walk(self, step: Step) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        symbols = [s for s in self.resolved(step.symbols) if s.kind != "module"][: self.depth.excerpts]
        if not symbols:
            return "", citations
        heading = {"novice": "The code, step by step", "intermediate": "Key code", "expert": "Key code"}[self.level]
        lines = [f"### {heading}", ""]
        shown: list[tuple[str, int, int]] = []
        for symbol in symbols:
            _, (start, end) = symbol_text(symbol)
            if any(path == symbol.path and s <= start and end <= e for path, s, e in shown):
                continue  # already on screen inside an earlier excerpt
            shown.append((symbol.path, start, min(end, start + self.depth.excerpt_lines - 1)))
            name = display_name(self.corpus, symbol)
            doc = self.symbol_doc(symbol, 1 if self.level == "novice" else 2)
            if self.level == "novice":
                lines.append(
                    f"**`{name}`** is {kind_words(self.corpus, symbol)}."
                    + (f" Its docstring says: “{doc}”" if doc else "")
                )
                for language, analogy in analogies(self.corpus, symbol, self.plan.background, self.analogies_used):
                    lines.append(f"- _If you know {language}:_ {analogy}")
            else:
                signature = f" `{symbol.signature}`" if symbol.signature and self.level == "intermediate" else ""
                lines.append(f"**`{name}`**{signature}" + (f" — {doc}" if doc else ""))
            excerpt = self.excerpt(symbol, citations)
            lines += ["", excerpt] if excerpt else [""]
        return "\n".join(lines).rstrip() + "\n\n", citations

    def decisions(self, step: Step) -> tuple[str, list[Citation]]:
        """The lines where the code branches, fails or returns: where to look for a bug, and the edge cases."""
        citations: list[Citation] = []
        concept = self.corpus.concepts[step.concept]
        symbols = [s for s in self.resolved(step.symbols) if s.kind in {"function", "method"}]
        symbols += [s for s in self.resolved(concept.members) if s.kind in {"function", "method"} and s not in symbols]
        limit = 8 if self.level == "expert" else 5
        found: list[tuple[Any, int, str]] = []
        for symbol in symbols[:6]:
            for line, code in decision_lines(symbol, 4):
                found.append((symbol, line, code))
            if len(found) >= limit:
                break
        if not found:
            return "", citations
        if self.plan.intent == "debug":
            title = "Where to look for the bug"
            intro = (
                "These are the lines where the code decides what happens next. Put a breakpoint (or a print) "
                "on them and check the values against what you expect:"
                if self.level == "novice"
                else "Decision points to check first:"
            )
        else:
            title = "Edge cases and invariants"
            intro = "Where the behaviour branches or fails:"
        lines = [f"### {title}", "", intro, ""]
        for symbol, line, code in found[:limit]:
            citations.append(Citation(symbol.path, line, line, symbol=symbol.id))
            lines.append(f"- `{code}` in `{display_name(self.corpus, symbol)}` ({ref(symbol.path, line, line)})")
        constants = [s for s in self.resolved(concept.members) if s.kind == "variable"][:4]
        if constants and self.level != "novice":
            lines += [
                "",
                "Tunable values: "
                + ", ".join(f"`{c.signature or c.name}` ({self.cite_symbol(c, citations)})" for c in constants)
                + ".",
            ]
        if self.plan.intent == "debug":
            callers = self.caller_symbols(symbols[:2])
            if callers:
                lines += [
                    "",
                    "To reproduce a bug, start from a caller: "
                    + ", ".join(
                        f"`{display_name(self.corpus, c)}` ({self.cite_symbol(c, citations)})" for c in callers[:3]
                    )
                    + ".",
                ]
        return "\n".join(lines) + "\n\n", citations

    def caller_symbols(self, symbols: Sequence[Any]) -> list[Any]:
        found: list[Any] = []
        for symbol in symbols:
            for caller in self.resolved(self.corpus.callers(symbol.id)):
                if caller not in found and caller not in symbols:
                    found.append(caller)
        return found

    def connections(self, step: Step) -> tuple[str, list[Citation]]:
        """How the concept connects: callers and callees of its key symbols, and neighbouring concepts."""
        citations: list[Citation] = []
        concept = self.corpus.concepts[step.concept]
        symbols = [s for s in self.resolved(step.symbols) if s.kind != "module"][: self.depth.excerpts]
        lines = ["### How it fits together" if self.level != "expert" else "### Call graph", ""]
        per_symbol = 6 if self.depth.call_graph else 3
        for symbol in symbols:
            # a class named as a value (``cls=Option``) is used there as surely as a called one
            users = {*self.corpus.callers(symbol.id), *self.corpus.referrers(symbol.id)}
            callers = self.users(sorted(users))[:per_symbol]
            callees = self.resolved(self.corpus.callees(symbol.id))[:per_symbol]
            if not callers and not callees:
                continue
            name = display_name(self.corpus, symbol)
            if self.level == "novice":
                parts = []
                if callers:
                    parts.append("it is used by " + ", ".join(f"`{display_name(self.corpus, c)}`" for c in callers))
                if callees:
                    parts.append("it relies on " + ", ".join(f"`{display_name(self.corpus, c)}`" for c in callees))
                lines.append(f"- `{name}`: " + "; ".join(parts) + ".")
            else:
                left = (
                    ", ".join(f"`{display_name(self.corpus, c)}` ({self.cite_symbol(c, citations)})" for c in callers)
                    or f"({self.corpus.callers_unknown(symbol) or 'no callers in the corpus'})"
                )
                right = (
                    ", ".join(f"`{display_name(self.corpus, c)}`" for c in callees) or "(calls nothing in the corpus)"
                )
                lines.append(f"- {left} → **`{name}`** → {right}")
        neighbours = self.neighbours(concept)
        if neighbours:
            lines += ([""] if len(lines) > 2 else []) + [neighbours]
        if len(lines) <= 2:
            return "", citations
        return "\n".join(lines) + "\n\n", citations

    def neighbours(self, concept: Any) -> str:
        corpus = self.corpus
        needed_by = [c for c in corpus.core.concepts if concept.id in c.prerequisites]
        related = [corpus.concepts[r] for r in concept.related if r in corpus.concepts]
        builds_on = [corpus.concepts[p] for p in concept.prerequisites if p in corpus.concepts]
        parts = []
        if builds_on:
            parts.append("builds on " + ", ".join(f"**{self.t(c)}**" for c in builds_on))
        if needed_by:
            parts.append("is needed by " + ", ".join(f"**{self.t(c)}**" for c in needed_by))
        if related:
            parts.append("is related to " + ", ".join(f"**{self.t(c)}**" for c in related))
        return f"In the concept map, {self.t(concept)} " + "; ".join(parts) + "." if parts else ""

    def warning(self) -> tuple[str, list[Citation]]:
        places = sorted({where for where, _ in self.flagged})
        quotes = list(dict.fromkeys(quote_flagged(sentence) for _, sentence in self.flagged))
        quoted = "; ".join(f"“{quote}”" for quote in quotes[:3])
        text = (
            f"> **Note:** {', '.join(places)} contain{'s' if len(places) == 1 else ''} text addressed to AI assistants "
            f"({quoted}). kc treats repository text as data: it is quoted, never followed, and never used as a heading.\n\n"
        )
        return text, []

    def next_steps(self, targets: Sequence[Step]) -> tuple[str, list[Citation]]:
        corpus = self.corpus
        taught = {s.concept for s in self.plan.steps}
        path = list(corpus.core.learning_path)
        lines = ["### What to read next", ""]
        if targets:
            first = targets[0].concept
            lines.append(f"- The concept page: `concepts/{first}.md`.")
            position = path.index(first) if first in path else -1
            upcoming = [c for c in path[position + 1 :] if c not in taught and c in corpus.concepts][:2]
            for concept_id in upcoming:
                lines.append(
                    f"- Next on the learning path: **{self.t(corpus.concepts[concept_id])}** (ask about it, or `concepts/{concept_id}.md`)."
                )
            lines.append(f"- Check yourself: `/quiz {first}` in `kc tutor`.")
        elif path:
            lines.append(
                f"- Start the learning path with **{self.t(corpus.concepts[path[0]])}**: `concepts/{path[0]}.md`."
            )
        return "\n".join(lines) + "\n", []
