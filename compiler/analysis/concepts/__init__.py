"""Distill the ranked code graph into concepts: named groups of symbols a newcomer must learn.

In: the ``CodeGraph``, its ``Ranking``, the resolved author notes, the entry points and the docs
sections. Out: ``ConceptMap`` (concepts, most important first, and symbol -> concept). The steps
live in ``units`` -> ``clustering`` -> ``naming`` -> ``links`` -> ``summaries`` (each imports only
the ones before it); ``distill`` below runs them in order.

How (each step is a function below):

1. **Units.** Author-noted concepts claim their files and symbols first. Every other
   source file is a unit, because a file is the author's own grouping; a huge file whose
   top-level definitions fall into several unconnected clusters is split into them. A big
   repository (more than three files per allowed concept) starts instead from its folder
   tree, cut into about three times as many parts as concepts, biggest folders split first,
   and a folder that cannot split further keeps its files while they fit. The number of
   concepts allowed grows with the code (``concept_budget``: 24 up to 20k lines, then with
   the square root of the size).
   A god-class splits into the ideas its method names share (``families``: "Command flags"), an
   object literal of many methods (express's ``app``, ``res``, ``req``) into the groups the calls
   between its methods form ("Application settings"), and so does what a god-class's word families
   leave, but for its biggest group, which stays the class ("Flag set lookup"). What is left still (the core, 15+
   methods) splits by the fields its methods share, their name words, docs sections naming them together and their
   calls (``cores``: "Command hook", "Command error"), a group staying when the docs teach two of its methods or one
   rare leading word names them all (``Mark*``).
   Many files of one folder with the same symbol shape (pflag's forty ``<T>Value`` files, each adding
   ``<T>``, ``<T>Var``, ``Get<T>`` to ``FlagSet``) are one idea ("Value types") plus one per group of the
   methods they add to the outside class (``parallel``).
   Tests, examples and benchmarks each become one low-importance concept
   (``tests``, ``examples``, ``benchmarks``); docs and tooling code are left out of the map.
2. **Agglomeration**, over the weight of calls, inheritance and imports between units:
   (a) twin files, same name in different folders and linked (``app.py``,
   ``sansio/app.py``), merge, and so do a file and two to eight kinds of it beside it (``formatter.go``,
   ``text_formatter.go``, ``json_formatter.go``: "Formatters"); (b) a sub-folder merges when it is small (at most eight
   files) and linked inside, or its files talk more to each other than half their talk
   outside and it is no bigger than an idea (3/max_concepts of the code: a cohesive
   subsystem such as an ORM package holds several ideas); (c) tiny units fold into their strongest neighbour (a folder prior, stronger
   the more specific the folder, breaks ties; one without a link, the biggest concept of its folder: a Go
   ``doc.go`` holding the package symbol, which importers point at as the package, not as that file); (d) while there are more than
   ``max_concepts``, the smallest concept joins the neighbour it is most tied to per unit of
   that neighbour's size (so no giant swallows the rest), favouring folder-mates. No
   voluntary merge may make a concept hold more than a quarter (or 3/max_concepts) of the code.
3. **Naming.** Author notes first; else a folder name when the concept is a folder, else
   the module names (``blueprints`` -> "Blueprints"), expanded when abbreviated and refined by
   the dominant classes (``ctx`` with AppContext, RequestContext -> "App and request contexts"). Of two
   concepts with one title, the less important takes the class it is about ("Undefined", not "Runtime 2") or
   the class its methods add to ("Logger writer").
4. **Summaries.** Author notes, else docstrings (module first, then the main classes), else the
   README/docs section that names the concept, else the main definition's docstring, else a
   sentence generated from its main definitions (never a helper's docstring).
5. **Links.** B is a prerequisite of A when A's symbols call, subclass or import B's (an
   import counts once per file pair; a package ``__init__``/``index`` that re-exports
   everything counts not at all). When both use each other comparably (within 3x), the
   less important one comes after the more important one. Error concepts (exception
   classes) and concepts far less important than their user (a quarter) are never
   prerequisites: they become related instead. Candidates are added strongest first,
   skipping any that would close a cycle (so each cycle loses its weakest edge), then
   pruned to the strongest three; the author's ``requires:`` come first and replace them.
   Related concepts are strongly linked ones, in either direction, that are not prerequisites.
6. **Importance.** The PageRank that flows into a concept's members from other code
   concepts, plus a tenth of the members' own rank, blended half and half with how many docs
   sections mention it (when the docs say enough: README, markdown and reStructuredText pages, the
   package docstring, and a Go package's own ``Example`` functions, read last);
   support code (and Python or Go code a user cannot reach from the package's front door:
   ``surface``) and data count a quarter; tests and examples rank last. The docs' mentions
   give a name several concepts define to the one the front door exports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from compiler.analysis.concepts.clustering import agglomerate
from compiler.analysis.concepts.cores import core_groups, documented_names
from compiler.analysis.concepts.declarations import declaration_twins
from compiler.analysis.concepts.families import (
    big_classes,
    class_calls,
    group_word,
    method_families,
    object_families,
    sibling_calls,
    unnamed_classes,
    variant_families,
)
from compiler.analysis.concepts.links import cluster_importance, follow_the_teaching_order, link_clusters
from compiler.analysis.concepts.mentions import example_sections, first_mentions, mention_counts, package_doc_sections
from compiler.analysis.concepts.naming import (
    cluster_named,
    cluster_title,
    code_vocabulary,
    humanize,
    own_names,
    segment_word,
    unique_ids,
    unique_titles,
)
from compiler.analysis.concepts.parallel import parallel_units
from compiler.analysis.concepts.summaries import cluster_summary, generated_summary, key_sources, ordered_files
from compiler.analysis.concepts.surface import public_surface
from compiler.analysis.concepts.units import (
    LEFT_OUT_ROLES,
    SPECIAL_ROLES,
    SPLIT_MIN_LINES,
    Cluster,
    by_importance,
    coarsen,
    concept_budget,
    file_roles,
    file_stem,
    make_cluster,
    split_file,
)
from compiler.analysis.graph import CodeGraph
from compiler.analysis.notes import NOTES_FILE, ResolvedNote
from compiler.analysis.order import parts_follow_their_class, public_share, teaching_weight
from compiler.analysis.rank import Ranking
from compiler.model import Concept, Diagnostic, Section

__all__ = ["SPLIT_MIN_LINES", "ConceptMap", "distill", "humanize", "segment_word"]

ROOMY_FILES = 2  # a map whose concepts may number this many times its code files has room to split big files


@dataclass(frozen=True)
class ConceptMap:
    """The distilled concepts and which concept each symbol belongs to."""

    concepts: tuple[Concept, ...]
    membership: dict[str, str]  # symbol id -> concept id
    diagnostics: tuple[Diagnostic, ...]
    mentions: dict[str, int] = field(default_factory=dict)  # concept id -> first mention in the docs
    weights: dict[str, float] = field(default_factory=dict)  # concept id -> teaching weight (order.teaching_weight)


def distill(
    graph: CodeGraph,
    ranking: Ranking,
    notes: list[ResolvedNote],
    entry_points: tuple[str, ...],
    sections: list[Section],
    max_concepts: int = 0,
) -> ConceptMap:
    """Group the symbols of ``graph`` into at most ``max_concepts`` named, linked concepts (0: as many as
    ``concept_budget`` gives the code's size)."""
    diagnostics: list[Diagnostic] = []
    symbols = graph.symbols
    roles = file_roles(graph)
    if max_concepts <= 0:
        max_concepts = concept_budget(sum(f.lines for f in graph.files if roles.get(f.path) == "code" and f.module))

    # 1. noted concepts claim their symbols; the rest is grouped by role
    claimed: dict[str, int] = {}
    noted: list[Cluster] = []
    for index, resolved in enumerate(notes):
        members = [sid for sid in resolved.symbols if sid not in claimed]
        for sid in members:
            claimed[sid] = index
        noted.append(make_cluster(f"note:{index:04d}", members, symbols, note=resolved))

    by_path: dict[str, list[str]] = defaultdict(list)
    for sid, sym in symbols.items():
        if sid not in claimed:
            by_path[sym.path].append(sid)

    special: dict[str, list[str]] = defaultdict(list)
    code_units: list[Cluster] = []
    file_lines = {f.path: f.lines for f in graph.files}
    object_calls = sibling_calls(graph.edges, symbols)
    vocabulary = code_vocabulary(symbols)
    code_paths = {p: m for p, m in by_path.items() if roles.get(p, "code") not in LEFT_OUT_ROLES | SPECIAL_ROLES.keys()}
    twins = declaration_twins(code_paths, symbols)  # ``index.d.ts``'s Command.option is lib/command.js's
    if twins:
        by_path = {p: [sid for sid in m if sid not in twins] for p, m in by_path.items()}
        code_paths = {p: [sid for sid in m if sid not in twins] for p, m in code_paths.items()}
    parallel_taken, parallel = parallel_units(code_paths, symbols, graph)
    for found in parallel:  # forty value-type files of one shape: one idea, not forty
        unit = make_cluster(found.key, list(found.members), symbols)
        unit.family, unit.summary = found.family, found.summary
        code_units.append(unit)
    class_sizes = Counter(  # a Go type's methods may sit in many files: its size is all of them
        symbols[sid].parent for members in code_paths.values() for sid in members if symbols[sid].kind == "method"
    )
    big_class_calls = class_calls(graph.edges, symbols, class_sizes)
    documented = documented_names(sections + package_doc_sections(symbols))  # what a user is taught to call
    roomy = ROOMY_FILES * len(code_paths) <= max_concepts  # a small library: its big files may hold several ideas
    for path in sorted(by_path):
        role = roles.get(path, "code")
        if role in LEFT_OUT_ROLES or path in parallel_taken:
            continue
        if role in SPECIAL_ROLES:
            special[role].extend(by_path[path])
            continue
        for number, part in enumerate(split_file(path, by_path[path], graph, file_lines.get(path, 0))):
            key = f"{path}#{number}" if number else path
            part, classes = big_classes(part, symbols, roomy)
            part, families = variant_families(part, symbols, class_sizes)  # Info, Infof, Infoln x 7 levels
            whole = part
            part, more = method_families(part, symbols, class_sizes)
            families += more
            part, objects = object_families(part, symbols, object_calls)
            # a god-class whose method names say little (most left unnamed) splits by its calls instead
            unnamed = unnamed_classes(whole, part, symbols, big_class_calls)
            part, called = object_families(part, symbols, unnamed, keep_core=True)
            families += [(group_word(group, head, symbols), group) for head, group in called]
            part, cored = core_groups(part, symbols, big_class_calls, documented)  # what is left: by shared state
            families += cored
            if part:
                code_units.append(make_cluster(key, part, symbols))
            for members in classes:  # several big classes in one file: one idea each
                cls_key = f"{key}@{symbols[members[0]].name}"
                members, more = variant_families(members, symbols, class_sizes)
                members, named = method_families(members, symbols, class_sizes)
                more += named
                unit = make_cluster(cls_key, members, symbols)
                unit.family = symbols[members[0]].name
                code_units.append(unit)
                families += more
            for word, family in families:  # a god-class's ideas: Command flags, Command usage
                owner = symbols[symbols[family[0]].parent]
                unit = make_cluster(f"{key}@{owner.name}.{word.replace(' ', '_')}", family, symbols)
                unit.family = f"{owner.name} {word}"
                code_units.append(unit)
            for head, group in objects:  # an object literal's ideas: "Response send file"
                owner = symbols[symbols[group[0]].parent]
                unit = make_cluster(f"{key}@{owner.name}.{head}", group, symbols)
                words = humanize(head, False, vocabulary).lower()
                unit.family = f"{humanize(file_stem(owner.path), True, vocabulary).replace(' ', '_')} {words}"
                code_units.append(unit)

    # 2. group the code units
    reserved = len(noted) + len(special)
    budget = max(1, max_concepts - reserved)
    clusters = agglomerate(coarsen(code_units, symbols, budget), graph, budget)
    clusters += [
        make_cluster(f"role:{role}", special[role], symbols, role=role) for role in SPECIAL_ROLES if special.get(role)
    ]

    # a note that names no code adopts the computed concept it names
    for cluster in noted:
        if cluster.symbols or cluster.note is None:
            continue
        match = cluster_named(cluster.note.note.id, cluster.note.note.title, clusters, graph, ranking)
        if match is not None:
            clusters.remove(match)
            cluster.symbols, cluster.paths, cluster.size, cluster.lines = (
                match.symbols,
                match.paths,
                match.size,
                match.lines,
            )
        else:
            diagnostics.append(
                Diagnostic(
                    NOTES_FILE,
                    cluster.note.note.line,
                    "info",
                    "concept-without-code",
                    f"concept {cluster.note.note.id!r} names no files or symbols; add 'files:' or 'symbols:' to tie it to code",
                )
            )
    all_clusters = noted + clusters
    if twins:  # a declaration joins the concept of what it declares (its files stay the implementation's)
        holder = {sid: c for c in all_clusters for sid in c.symbols}
        for sid, twin in sorted(twins.items()):
            cluster = holder.get(twin)
            if cluster is not None:
                cluster.symbols.append(sid)

    # 3. build the concepts
    by_index = {sid: str(i) for i, c in enumerate(all_clusters) for sid in c.symbols}
    teaching = sections + package_doc_sections(symbols) + example_sections(symbols)  # docs, docstring, examples
    surface = public_surface(graph)
    front = surface.front if surface else frozenset()
    counts = mention_counts(teaching, symbols, by_index, front)
    docs = [counts.get(str(i), 0) for i in range(len(all_clusters))]
    importance = cluster_importance(all_clusters, ranking, symbols, docs, surface)
    titles = [cluster_title(c, graph, ranking, roles, vocabulary) for c in all_clusters]
    titles = unique_titles(
        titles, all_clusters, importance, own_names(all_clusters, titles, symbols, ranking, vocabulary)
    )
    ids = unique_ids(all_clusters, titles)
    membership = {sid: ids[i] for i, c in enumerate(all_clusters) for sid in c.symbols}

    prerequisites, related, link_diagnostics = link_clusters(all_clusters, ids, titles, importance, graph, membership)
    mentions = first_mentions(teaching, symbols, membership, front)
    code = [c.role not in SPECIAL_ROLES for c in all_clusters]  # tests and examples are nothing a user names
    weights = [
        teaching_weight(importance[i], public_share(c.symbols, symbols)) if code[i] else 0.0
        for i, c in enumerate(all_clusters)
    ]
    weights = parts_follow_their_class([c.symbols for c in all_clusters], symbols, weights, code, front)
    noted = [c.note is not None for c in all_clusters]
    follow_the_teaching_order(ids, prerequisites, related, mentions, noted, importance, weights)
    diagnostics.extend(link_diagnostics)

    entry_set = set(entry_points)
    dependents: dict[str, list[str]] = defaultdict(list)
    for i, cid in enumerate(ids):
        for prerequisite in prerequisites[i]:
            dependents[prerequisite].append(cid)
    title_of = dict(zip(ids, titles))
    concepts: list[Concept] = []
    for i, cluster in enumerate(all_clusters):
        members = by_importance(cluster.symbols, ranking.symbols)
        summary, source = cluster_summary(cluster, members, titles[i], graph, sections, ranking)
        if not summary:
            users = sorted(dependents.get(ids[i], []), key=lambda cid: (-importance[ids.index(cid)], cid))
            summary = generated_summary(titles[i], members, symbols, [title_of[u] for u in users])
            source = "generated"
        note = cluster.note.note if cluster.note else None
        concepts.append(
            Concept(
                id=ids[i],
                title=titles[i],
                summary=summary,
                summary_source=source,
                members=tuple(members),
                files=tuple(ordered_files(cluster, ranking)),
                importance=importance[i],
                prerequisites=tuple(prerequisites[i]),
                related=tuple(related[i]),
                sources=tuple(key_sources(members, symbols)),
                entry_points=tuple(sid for sid in members if sid in entry_set),
                body=note.body if note else "",
            )
        )
    concepts.sort(key=lambda c: (-c.importance, c.id))
    return ConceptMap(
        concepts=tuple(concepts),
        membership=membership,
        diagnostics=tuple(diagnostics),
        mentions=mentions,
        weights={cid: w for cid, w, cluster in zip(ids, weights, all_clusters) if cluster.symbols},
    )
