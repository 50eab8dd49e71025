"""Draw the concept map as a static, clickable SVG: concepts as boxes, prerequisites as arrows.

The layout is a small Sugiyama-style layered drawing computed at build time, so the map
needs no JavaScript and no network:

0. ``_prerequisite_edges``: the arrows are the transitive reduction of the prerequisites
   (no arrow A -> C when A -> B -> C is drawn), which keeps every "must come before" readable
   while dropping the clutter; the concept pages still list every prerequisite.
1. ``_layers``: a concept sits one row below its deepest prerequisite; a concept with no
   prerequisites sits just above the first concept that needs it; standalone concepts go
   on top.
2. ``_wrap_rows``: a layer wider than the page is split into several rows (concepts in
   one layer never depend on each other, so any split keeps every arrow pointing down).
3. ``_add_waypoints``: an arrow that skips rows gets a narrow waypoint slot in each row it
   crosses, so it never runs through a box.
4. ``_order_rows``: barycenter sweeps reduce crossings.
5. ``_place``: boxes move towards the mean of their neighbours without overlapping.

Output is deterministic (sorted inputs, no sets iterated, fixed rounding): the same core
gives byte-identical SVG. The SVG holds no blank line, so it stays one HTML block in any
markdown engine; ``concept_map_block`` wraps it in a ``<div>`` ready to paste into a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from compiler.model import Concept, Core
from compiler.text import first_sentence_flat

MAX_ROW_WIDTH = 1080.0  # user units; the SVG scales down to the page width
MIN_READABLE_WIDTH = 640.0  # below this a wide map scrolls sideways instead of shrinking further
NODE_MIN_WIDTH = 136.0
NODE_EXTRA_WIDTH = 56.0  # added in proportion to importance
NODE_GAP = 26.0
WAYPOINT_WIDTH = 14.0
ROW_GAP = 58.0
MARGIN = 12.0
FONT_SIZE = 13.0
LINE_HEIGHT = 16.0
CHAR_WIDTH = 0.62 * FONT_SIZE  # average glyph width of a wide sans-serif face (DejaVu) in bold
MAX_LABEL_LINES = 3
LEGEND_FONT_SIZE = 11.0
LEGEND_LINE_HEIGHT = 14.0
LEGEND = (
    "Arrow: prerequisite → the concept that builds on it. Bigger, darker box: more central. Click a box to open it."
)
ORDER_SWEEPS = 8

# (minimum importance, css tier, fill, stroke, text colour); CSS on the site may override.
TIERS = (
    (0.66, 3, "#3949ab", "#283593", "#ffffff"),
    (0.33, 2, "#c5cae9", "#3949ab", "#1a237e"),
    (0.0, 1, "#eef0fa", "#7986cb", "#1a237e"),
)
EDGE_COLOUR = "#7986cb"

# Characters a markdown engine could read as markup if the SVG ever lands inside a paragraph.
_MARKDOWN_SAFE = str.maketrans({"*": "&#42;", "_": "&#95;", "`": "&#96;", "[": "&#91;", "]": "&#93;", "\\": "&#92;"})


def default_link(concept_id: str) -> str:
    """Relative link from the corpus root (index.md) to a concept page."""
    return f"concepts/{concept_id}.md"


@dataclass
class _Item:
    """A slot in a row: a concept box or an arrow's waypoint."""

    key: str  # concept id, or "\0edge-index:row" for a waypoint
    width: float
    height: float
    concept: Concept | None = None
    lines: tuple[str, ...] = ()
    x: float = 0.0  # centre


def concept_map_svg(core: Core, link: Callable[[str], str] = default_link) -> str:
    """The concept map of ``core`` as an SVG string; each box links to ``link(concept.id)``."""
    concepts = sorted(core.concepts, key=lambda c: c.id)
    if not concepts:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" class="kc-map" viewBox="0 0 320 40" width="320" height="40" role="img">'
            '<text x="10" y="25" font-size="13" fill="#555">No concepts in this corpus.</text></svg>'
        )
    by_id = {c.id: c for c in concepts}
    edges = _prerequisite_edges(concepts, by_id)
    layers = _layers(concepts, edges)
    rows = _wrap_rows(layers, by_id, edges)
    items = {c.id: _concept_item(c) for c in concepts}
    row_items, edge_paths = _add_waypoints(rows, edges, items)
    _order_rows(row_items, edge_paths, by_id)
    width = _place(row_items, edge_paths)
    row_tops, height = _row_tops(row_items)
    legend = _wrap_words(LEGEND, int((width - 2 * MARGIN) / (0.56 * LEGEND_FONT_SIZE)), max_lines=4)
    return _render(core, row_items, row_tops, edge_paths, edges, width, height, legend, link)


def concept_map_block(core: Core, link: Callable[[str], str] = default_link) -> str:
    """The SVG wrapped in a ``<div>`` so every markdown engine keeps it as one raw HTML block."""
    return f'<div class="kc-concept-map">\n{concept_map_svg(core, link)}\n</div>'


# ---- graph ------------------------------------------------------------------


def _prerequisite_edges(concepts: list[Concept], by_id: dict[str, Concept]) -> list[tuple[str, str]]:
    """(prerequisite, concept) arrows to draw: no cycles, no arrow implied by a longer path."""
    candidates = sorted({(p, c.id) for c in concepts for p in c.prerequisites if p in by_id and p != c.id})
    acyclic: list[tuple[str, str]] = []
    successors: dict[str, list[str]] = {c.id: [] for c in concepts}
    for source, target in candidates:
        if _reaches(successors, target, source):
            continue  # a cycle in the author's notes; the page still lists it, the map stays a DAG
        successors[source].append(target)
        acyclic.append((source, target))
    return [(s, t) for s, t in acyclic if not _reaches(successors, s, t, skip_direct=True)]


def _reaches(successors: dict[str, list[str]], start: str, goal: str, *, skip_direct: bool = False) -> bool:
    """Whether ``goal`` is reachable from ``start`` (with ``skip_direct``: by a path of two or more arrows)."""
    first = [n for n in successors[start] if not (skip_direct and n == goal)]
    if start == goal and not skip_direct:
        return True
    stack, seen = list(first), set(first)
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in successors[node]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _layers(concepts: list[Concept], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Layer per concept: one below its deepest prerequisite; sources pulled down next to their users."""
    prerequisites: dict[str, list[str]] = {c.id: [] for c in concepts}
    dependents: dict[str, list[str]] = {c.id: [] for c in concepts}
    for source, target in edges:
        prerequisites[target].append(source)
        dependents[source].append(target)
    layer: dict[str, int] = {}

    def depth(node: str) -> int:
        if node not in layer:
            layer[node] = 0  # provisional; the graph is acyclic so it is never read early
            layer[node] = max((depth(p) + 1 for p in prerequisites[node]), default=0)
        return layer[node]

    for c in concepts:
        depth(c.id)
    # A concept without prerequisites sits right above the first concept that needs it, so its
    # arrows stay short (its dependents all have a prerequisite, so they sit in layer 1 or below).
    for node in sorted(layer):
        if not prerequisites[node] and dependents[node]:
            layer[node] = min(layer[d] for d in dependents[node]) - 1
    # Standalone concepts (no arrows at all) stay in the top layer.
    return layer


def _wrap_rows(layers: dict[str, int], by_id: dict[str, Concept], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Rows of concept ids; a layer too wide for the page becomes several consecutive rows."""
    has_prerequisite = {t for _, t in edges}
    has_dependent = {s for s, _ in edges}
    rows: list[list[str]] = []
    for layer in sorted(set(layers.values())):
        members = [n for n in layers if layers[n] == layer]
        # Concepts that only look up go first, concepts that feed the next layer go last,
        # so after a split every arrow crosses as few rows as possible.
        members.sort(key=lambda n: (n in has_dependent, n not in has_prerequisite, -by_id[n].importance, n))
        row: list[str] = []
        used = 0.0
        for node in members:
            width = _node_width(by_id[node]) + NODE_GAP
            if row and used + width > MAX_ROW_WIDTH:
                rows.append(row)
                row, used = [], 0.0
            row.append(node)
            used += width
        rows.append(row)
    return rows


def _add_waypoints(
    rows: list[list[str]], edges: list[tuple[str, str]], items: dict[str, _Item]
) -> tuple[list[list[_Item]], list[list[_Item]]]:
    """Items per row (boxes plus waypoints) and, per edge, the items its arrow passes through."""
    row_of = {node: index for index, row in enumerate(rows) for node in row}
    row_items = [[items[node] for node in row] for row in rows]
    edge_paths: list[list[_Item]] = []
    for index, (source, target) in enumerate(edges):
        path = [items[source]]
        for row in range(row_of[source] + 1, row_of[target]):
            waypoint = _Item(key=f"\0{index:05d}:{row:04d}", width=WAYPOINT_WIDTH, height=0.0)
            row_items[row].append(waypoint)
            path.append(waypoint)
        path.append(items[target])
        edge_paths.append(path)
    return row_items, edge_paths


# ---- ordering and placement --------------------------------------------------


def _neighbours(edge_paths: list[list[_Item]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Keys of the items directly above and below each item, along the arrows."""
    above: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    for path in edge_paths:
        for upper, lower in zip(path, path[1:]):
            below.setdefault(upper.key, []).append(lower.key)
            above.setdefault(lower.key, []).append(upper.key)
    return above, below


def _order_rows(row_items: list[list[_Item]], edge_paths: list[list[_Item]], by_id: dict[str, Concept]) -> None:
    """Reorder each row in place to reduce arrow crossings (barycenter heuristic, best of sweeps)."""
    above, below = _neighbours(edge_paths)

    def rank_key(item: _Item) -> tuple:
        concept = by_id.get(item.key)
        return (-(concept.importance if concept else 0.0), item.key)

    for row in row_items:
        row.sort(key=rank_key)
    best = [list(row) for row in row_items]
    best_crossings = _crossings(row_items, below)
    for sweep in range(ORDER_SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(row_items)) if downward else range(len(row_items) - 2, -1, -1)
        for r in indices:
            fixed = row_items[r - 1] if downward else row_items[r + 1]
            position = {item.key: i for i, item in enumerate(fixed)}
            links = above if downward else below
            current = {item.key: i for i, item in enumerate(row_items[r])}

            def barycenter(item: _Item) -> float:
                linked = [position[k] for k in links.get(item.key, ()) if k in position]
                return sum(linked) / len(linked) if linked else float(current[item.key])

            row_items[r].sort(key=lambda item: (barycenter(item), current[item.key]))
        crossings = _crossings(row_items, below)
        if crossings < best_crossings:
            best, best_crossings = [list(row) for row in row_items], crossings
    # Standalone concepts (no arrows) go to the end of their row, out of the way of the arrows.
    row_items[:] = [
        [item for item in row if item.key in above or item.key in below]
        + [item for item in row if item.key not in above and item.key not in below]
        for row in best
    ]


def _crossings(row_items: list[list[_Item]], below: dict[str, list[str]]) -> int:
    total = 0
    for upper, lower in zip(row_items, row_items[1:]):
        lower_position = {item.key: i for i, item in enumerate(lower)}
        segments = [
            (i, lower_position[k])
            for i, item in enumerate(upper)
            for k in below.get(item.key, ())
            if k in lower_position
        ]
        for a in range(len(segments)):
            for b in range(a + 1, len(segments)):
                if (segments[a][0] - segments[b][0]) * (segments[a][1] - segments[b][1]) < 0:
                    total += 1
    return total


def _place(row_items: list[list[_Item]], edge_paths: list[list[_Item]]) -> float:
    """Set each item's centre x; returns the drawing width."""
    width = max(sum(item.width for item in row) + NODE_GAP * (len(row) - 1) for row in row_items)
    for row in row_items:
        used = sum(item.width for item in row) + NODE_GAP * (len(row) - 1)
        x = (width - used) / 2
        for item in row:
            item.x = x + item.width / 2
            x += item.width + NODE_GAP
    above, below = _neighbours(edge_paths)
    centre = {item.key: item for row in row_items for item in row}
    for sweep in range(4):
        for row in row_items if sweep % 2 == 0 else reversed(row_items):
            desired = []
            for item in row:
                linked = [centre[k].x for k in above.get(item.key, []) + below.get(item.key, [])]
                # A box without arrows has no place to be: it packs against its left neighbour.
                desired.append(sum(linked) / len(linked) if linked else float("-inf"))
            _fit_row(row, desired, width)
    return width + 2 * MARGIN


def _fit_row(row: list[_Item], desired: list[float], width: float) -> None:
    """Move items towards ``desired`` centres, keeping their order, gaps and the drawing width."""
    previous_right = None
    for item, want in zip(row, desired):
        low = item.width / 2 if previous_right is None else previous_right + NODE_GAP + item.width / 2
        item.x = max(want, low)
        previous_right = item.x + item.width / 2
    next_left = None
    for item in reversed(row):
        high = width - item.width / 2 if next_left is None else next_left - NODE_GAP - item.width / 2
        item.x = min(item.x, high)
        next_left = item.x - item.width / 2


def _row_tops(row_items: list[list[_Item]]) -> tuple[list[float], float]:
    tops, y = [], MARGIN
    for row in row_items:
        tops.append(y)
        y += _row_height(row) + ROW_GAP
    return tops, y - ROW_GAP + MARGIN


def _row_height(row: list[_Item]) -> float:
    return max((item.height for item in row), default=0.0) or LINE_HEIGHT


# ---- boxes --------------------------------------------------------------------


def _node_width(concept: Concept) -> float:
    return round(NODE_MIN_WIDTH + NODE_EXTRA_WIDTH * _clamp(concept.importance), 1)


def _concept_item(concept: Concept) -> _Item:
    width = _node_width(concept)
    lines = _wrap_label(concept.title or concept.id, width - 18)
    height = max(38.0 + 14.0 * _clamp(concept.importance), len(lines) * LINE_HEIGHT + 16.0)
    return _Item(key=concept.id, width=width, height=round(height, 1), concept=concept, lines=lines)


def _wrap_label(title: str, inner_width: float) -> tuple[str, ...]:
    """Split a title into at most MAX_LABEL_LINES lines that fit the box, with an ellipsis if cut."""
    return _wrap_words(title, int(inner_width / CHAR_WIDTH), MAX_LABEL_LINES)


def _wrap_words(text: str, per_line: int, max_lines: int) -> tuple[str, ...]:
    """Greedy word wrap to ``per_line`` characters; over-long words are broken, extra lines cut with '…'."""
    per_line = max(6, per_line)
    words: list[str] = []
    for word in text.split():
        while len(word) > per_line:  # a long identifier: hard-break it
            words.append(word[:per_line])
            word = word[per_line:]
        words.append(word)
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = kept[-1][: per_line - 1].rstrip() + "…"
        lines = kept
    return tuple(lines) or ("?",)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value or 0.0)))


def _tier(importance: float) -> tuple[int, str, str, str]:
    for threshold, tier, fill, stroke, text in TIERS:
        if _clamp(importance) >= threshold:
            return tier, fill, stroke, text
    return TIERS[-1][1:]


# ---- rendering ----------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate with one decimal, without a trailing '.0', so output is stable and short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(value: str) -> str:
    return escape(value, quote=True).translate(_MARKDOWN_SAFE)


def _render(
    core: Core,
    row_items: list[list[_Item]],
    row_tops: list[float],
    edge_paths: list[list[_Item]],
    edges: list[tuple[str, str]],
    width: float,
    drawing_height: float,
    legend: tuple[str, ...],
    link: Callable[[str], str],
) -> str:
    height = drawing_height + 6 + LEGEND_LINE_HEIGHT * len(legend)
    centre_y: dict[str, float] = {}
    for row, top in zip(row_items, row_tops):
        middle = top + _row_height(row) / 2
        for item in row:
            centre_y[item.key] = middle
    row_bounds = {item.key: (top, top + _row_height(row)) for row, top in zip(row_items, row_tops) for item in row}
    name = core.source.name or "this codebase"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kc-map" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" style="max-width:100%;min-width:{_n(min(width, MIN_READABLE_WIDTH))}px;height:auto" '
        f'role="group" aria-labelledby="kc-map-title" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f'<title id="kc-map-title">Concept map of {_text(name)}: arrows point from a prerequisite to the concept that builds on it</title>',
        '<defs><marker id="kc-map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE_COLOUR}"/></marker></defs>',
        '<g class="kc-map-edges">',
    ]
    exits, entries = _ports(edge_paths)
    for index, ((source, target), path) in enumerate(zip(edges, edge_paths)):
        out.append(
            f'<path class="kc-map-edge" data-from="{_text(source)}" data-to="{_text(target)}" '
            f'd="{_edge_path(path, centre_y, row_bounds, exits[index], entries[index])}" fill="none" '
            f'stroke="{EDGE_COLOUR}" stroke-width="1.5" marker-end="url(#kc-map-arrow)"/>'
        )
    out.append("</g>")
    out.append('<g class="kc-map-nodes">')
    for row in row_items:
        for item in row:
            if item.concept is not None:
                out.extend(_render_node(item, centre_y[item.key], link))
    out.append("</g>")
    for index, line in enumerate(legend):
        out.append(
            f'<text class="kc-map-legend" x="{_n(MARGIN)}" y="{_n(drawing_height + 6 + LEGEND_LINE_HEIGHT * index)}" '
            f'font-size="{_n(LEGEND_FONT_SIZE)}" fill="#6b6f80">{_text(line)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _ports(edge_paths: list[list[_Item]]) -> tuple[list[float], list[float]]:
    """Where each arrow leaves its prerequisite and enters its concept: spread along the box edge.

    Arrows sharing a box get their own points, ordered by where the arrow comes from or goes
    to, so arrowheads never pile up and neighbouring arrows do not cross at the box.
    """
    exits = [path[0].x for path in edge_paths]
    entries = [path[-1].x for path in edge_paths]
    for end, ports in ((0, exits), (-1, entries)):
        sharing: dict[str, list[int]] = {}
        for index, path in enumerate(edge_paths):
            sharing.setdefault(path[end].key, []).append(index)
        for indices in sharing.values():
            if len(indices) < 2:
                continue
            box = edge_paths[indices[0]][end]
            other_end = 1 if end == 0 else -2
            indices.sort(key=lambda i: (edge_paths[i][other_end].x, i))
            spacing = min(16.0, box.width * 0.7 / (len(indices) - 1))
            for rank, index in enumerate(indices):
                ports[index] = box.x + (rank - (len(indices) - 1) / 2) * spacing
    return exits, entries


def _edge_path(
    path: list[_Item],
    centre_y: dict[str, float],
    row_bounds: dict[str, tuple[float, float]],
    exit_x: float,
    entry_x: float,
) -> str:
    """An arrow from the bottom of the prerequisite, straight through waypoints, to the top of the concept."""
    points: list[tuple[float, float]] = []
    first, last = path[0], path[-1]
    points.append((exit_x, centre_y[first.key] + first.height / 2))
    for waypoint in path[1:-1]:
        top, bottom = row_bounds[waypoint.key]
        points.append((waypoint.x, top))
        points.append((waypoint.x, bottom))
    points.append((entry_x, centre_y[last.key] - last.height / 2 - 2))
    parts = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for index in range(1, len(points)):
        (x0, y0), (x1, y1) = points[index - 1], points[index]
        if x0 == x1 and index % 2 == 0 and index < len(points) - 1:
            parts.append(f"L{_n(x1)},{_n(y1)}")  # straight down through a waypoint's row
            continue
        bend = (y1 - y0) / 2
        parts.append(f"C{_n(x0)},{_n(y0 + bend)} {_n(x1)},{_n(y1 - bend)} {_n(x1)},{_n(y1)}")
    return " ".join(parts)


def _render_node(item: _Item, middle: float, link: Callable[[str], str]) -> list[str]:
    concept = item.concept
    assert concept is not None
    tier, fill, stroke, text_colour = _tier(concept.importance)
    left, top = item.x - item.width / 2, middle - item.height / 2
    tooltip = concept.title if not concept.summary else f"{concept.title}: {first_sentence_flat(concept.summary)}"
    lines = [
        f'<a class="kc-map-node kc-map-tier-{tier}" href="{_text(link(concept.id))}" data-concept="{_text(concept.id)}" '
        f'aria-label="{_text(concept.title)}">',
        f"<title>{_text(tooltip)}</title>",
        f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(item.width)}" height="{_n(item.height)}" rx="8" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{_n(1 + 1.5 * _clamp(concept.importance))}"/>',
    ]
    first_baseline = middle - (len(item.lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
    weight = ' font-weight="600"' if tier >= 2 else ""
    for index, line in enumerate(item.lines):
        lines.append(
            f'<text x="{_n(item.x)}" y="{_n(first_baseline + index * LINE_HEIGHT)}" text-anchor="middle" '
            f'font-size="{_n(FONT_SIZE)}"{weight} fill="{text_colour}">{_text(line)}</text>'
        )
    lines.append("</a>")
    return lines
