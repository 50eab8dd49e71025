"""What a tutor backend returns: the conversation turn, the draft as it streams, the finished Answer.

In: text chunks and citations produced by a backend (offline, Anthropic, OpenAI-compatible).
Out: ``Reply`` (iterate it for text; ``draft`` holds citations and usage when done) and ``Answer``
(the checked result the session hands to the CLI, the REPL and MCP). ``Backend`` is the protocol
every backend follows. This module imports no backend, so backends import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from compiler.tutor.citations import Citation, RejectedCitation
from compiler.tutor.plan import Plan


@dataclass(frozen=True)
class Turn:
    """One message of the conversation so far."""

    role: str  # user | assistant
    text: str


@dataclass(frozen=True)
class Answer:
    """A finished answer: text with only checked references, its citations, and what was rejected."""

    text: str
    citations: tuple[Citation, ...]
    rejected_citations: tuple[RejectedCitation, ...]
    backend: str
    model: str
    plan: Plan | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    covered: bool = True  # False: not about this codebase, or nothing retrieved supports an answer

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "rejected_citations": [r.to_dict() for r in self.rejected_citations],
            "backend": self.backend,
            "model": self.model,
            "plan": self.plan.to_dict() if self.plan else None,
            "usage": self.usage,
            "covered": self.covered,
        }


@dataclass
class Draft:
    """What a backend has produced so far; the backend fills it while its generator runs."""

    parts: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    model: str = ""  # the model that actually answered, when only the server knew it in advance

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Reply:
    """A backend's answer as it arrives: iterate for text chunks; ``text``/``citations`` once done."""

    def __init__(self, produce: Callable[[Draft], Iterator[str]], *, backend: str, model: str) -> None:
        self.backend = backend
        self.model = model
        self.draft = Draft()
        self._chunks = produce(self.draft)
        self.done = False

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            if chunk:
                self.draft.parts.append(chunk)
                yield chunk
        self.done = True

    def finish(self) -> Draft:
        """Consume whatever has not been read yet; the complete draft."""
        for _ in self:
            pass
        return self.draft


class Backend(Protocol):
    """What the tutor needs from a model (or from no model at all)."""

    name: str
    model: str

    def answer(self, corpus: Any, plan: Plan, history: Sequence[Turn] = (), *, stream: bool = False) -> Reply:
        """Write the answer ``plan`` describes; stream=True asks the server for incremental text."""
        ...

    def complete(self, system: str, prompt: str) -> str:
        """A plain completion: ``system`` instructions, one user ``prompt``, the text back."""
        ...
