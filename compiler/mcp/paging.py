"""Fitting answers into an agent's context: clipping, sentences, pages of items, pages of text.

In: text, item costs and a page number. Out: clipped text, ``range`` pages of item indices,
``Paging`` records with the next page to ask for, and one page of a long corpus page. A page
that does not exist is an ``McpRequestError`` that names the pages there are.
"""

from __future__ import annotations

from collections.abc import Sequence

from compiler.mcp.schema import RESOURCE_PAGE_CHARS, McpRequestError, Paging
from compiler.text import clip


def split_pages(costs: Sequence[int], budget: int, first_overhead: int = 0) -> list[range]:
    """Greedy pages of item indices whose costs fit ``budget`` (page 1 also carries ``first_overhead``)."""
    pages: list[range] = []
    start, used = 0, first_overhead
    for i, cost in enumerate(costs):
        if i > start and used + cost > budget:
            pages.append(range(start, i))
            start, used = i, 0
        used += cost
    pages.append(range(start, len(costs)))
    return pages


def pick_page(pages: Sequence[Sequence[int]], page: int, call: str) -> Sequence[int]:
    if page > len(pages):
        raise McpRequestError(
            f"page {page} does not exist: {call} has {len(pages)} page(s); pass page between 1 and {len(pages)}"
        )
    return pages[page - 1]


def paging(page: int, pages: int) -> Paging:
    return Paging(page=page, pages=pages, next_page=page + 1 if page < pages else None)


def more_hint(where: Paging, call: str) -> str:
    if where.next_page is None:
        return ""
    return f"\nPage {where.page} of {where.pages}. More: {call}\n"


def resource_page(text: str, uri: str, page: int | str = 1) -> str:
    """A corpus page's text, one ``RESOURCE_PAGE_CHARS`` chunk at a time (``?page=N`` for the rest)."""
    try:
        number = int(page)
    except (TypeError, ValueError):
        raise McpRequestError(
            f"page must be a whole number, got {clip(str(page), 40)!r}; read {uri}?page=2 for the second page"
        ) from None
    chunks = _chunks(text, RESOURCE_PAGE_CHARS)
    if not 1 <= number <= len(chunks):
        raise McpRequestError(f"page {number} does not exist: {uri} has {len(chunks)} page(s)")
    chunk = chunks[number - 1]
    if number < len(chunks):
        chunk += f"\n\n<!-- kc: page {number} of {len(chunks)}; read {uri}?page={number + 1} for more -->\n"
    return chunk


def _chunks(text: str, size: int) -> list[str]:
    """``text`` split at line ends into pieces of at most ``size`` characters."""
    if len(text) <= size:
        return [text]
    chunks, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:  # a single giant line (minified code): hard split
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:size])
            line = line[size:]
        if len(current) + len(line) > size:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    return chunks
