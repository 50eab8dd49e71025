"""Repository text is untrusted: find sentences in it that try to instruct an AI, so they are shown as data."""

from __future__ import annotations

import re

# Phrases that address a model rather than a reader of the code.
_INSTRUCTION_PATTERNS = (
    r"\b(ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(instructions?|prompts?|rules|context|everything)\b",
    r"\b(reply|respond|answer)\s+only\b",
    r"\b(reply|respond|answer|output|say)\s+(only\s+)?(with|exactly)\s+[\"'`“]?(?-i:[A-Z]{2,})\b",
    r"\byou are now\b",
    r"\b(new|updated|real) (system )?instructions?\b",
    r"\bsystem prompt\b",
    r"\b(ai|language models?|llms?|chatbots?)\s*(assistants?|agents?)?\s*[:,]\s",
    r"\bas an ai\b",
    r"\bdo not (tell|inform) the (user|learner)\b",
)
_INSTRUCTION_RE = re.compile("|".join(_INSTRUCTION_PATTERNS), re.IGNORECASE)
_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)


def looks_like_instruction(text: str) -> bool:
    """True when ``text`` reads like an instruction to an AI model (a prompt injection attempt)."""
    return bool(_INSTRUCTION_RE.search(text or ""))


def split_instructions(text: str) -> tuple[str, list[str]]:
    """``text`` without its instruction-like sentences, and those sentences (for a warning)."""
    if not looks_like_instruction(text):
        return text, []
    kept: list[str] = []
    flagged: list[str] = []
    for line in (text or "").split("\n"):
        parts = _SENTENCE_RE.findall(line) or [line]
        line_kept = [p for p in parts if not looks_like_instruction(p)]
        flagged += [p.strip() for p in parts if looks_like_instruction(p)]
        kept.append("".join(line_kept).rstrip())
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return cleaned, flagged


def quote_flagged(sentence: str, words: int = 6) -> str:
    """A short, defanged quote of a flagged sentence: the first few words, then an ellipsis."""
    head = " ".join(sentence.split()[:words])
    return head.replace("`", "'") + ("…" if len(sentence.split()) > words else "")
