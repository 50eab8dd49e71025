"""Titles and ids for clusters: author notes, folder or module names (expanded when abbreviated,
refined by the dominant classes), made unique.

In: a ``Cluster``, the graph, the ranking. Out: a title (``cluster_title``), unique titles and ids.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict

from compiler.analysis.concepts.clustering import GENERIC_STEMS, kind_families
from compiler.analysis.concepts.units import SPECIAL_ROLES, Cluster, by_importance, file_stem
from compiler.analysis.graph import CodeGraph
from compiler.analysis.rank import Ranking
from compiler.model import Symbol
from compiler.text import slugify, split_words

_MEANINGLESS_DIRS = frozenset({"", "src", "lib", "pkg", "internal", "impl", "base", "source", "sources", "code"})
_GENERIC_DIRS = frozenset({"", "src", "lib", "pkg", "internal", "source", "sources", "app", "code"})
_ACRONYMS = frozenset(
    """api cli css csv db dns ftp grpc html http https id io ip js json jwt kv ldap orm os rpc sdk smtp
    sql ssh ssl tcp tls toml ui uri url utf uuid wsgi asgi xml yaml yml ast gui http2 mime wal gdal geos""".split()
)
_EXPANSIONS = {
    "ctx": "context",
    "cfg": "configuration",
    "conf": "configuration",
    "config": "configuration",
    "configs": "configuration",
    "settings": "settings",
    "auth": "authentication",
    "authn": "authentication",
    "authz": "authorization",
    "req": "request",
    "res": "response",
    "resp": "response",
    "msg": "messages",
    "msgs": "messages",
    "util": "utilities",
    "utils": "utilities",
    "env": "environment",
    "fmt": "formatting",
    "cmd": "commands",
    "cmds": "commands",
    "err": "errors",
    "errs": "errors",
    "exc": "errors",
    "exceptions": "errors",
    "mw": "middleware",
    "impl": "implementation",
    "tmpl": "templates",
    "tpl": "templates",
    "conn": "connections",
    "app": "application",
    "mgr": "manager",
    "srv": "server",
    "svc": "service",
    "repo": "repository",
    "sched": "scheduler",
    "cb": "callbacks",
    "evt": "events",
    "ev": "events",
    "str": "strings",
    "num": "numbers",
    "params": "parameters",
    "deps": "dependencies",
    "init": "initialization",
}
_COMMON_WORDS = frozenset(
    """helper helpers util utils tool tools store manager handler handlers client server loader parser
    builder factory registry config router request response session cache queue worker event events
    stream buffer format codes status types base core common data file files path text debug error
    errors log time date key value map list set table model models view views form field query user
    token string node tree graph task job plugin hook hooks signal signals context template templates
    render static asset parse parser middleware backend backends frontend database namespace timezone
    keyword password username filesystem endpoint callback metadata workflow widget widgets validator
    validators serializer serializers migration migrations locale locales translation storage upload route routes app application command commands option options
    provider transport transports proxy auth memory disk network socket message messages storage
    """.split()
)


def _humanize(name: str, expand: bool = True, vocabulary: frozenset[str] = frozenset()) -> str:
    """A title from an identifier: ``status_codes`` -> "Status codes", ``cli`` -> "CLI".

    A run-together name (``debughelpers``) is split into words the codebase itself uses.
    """
    words = split_words(name)
    if len(words) == 1 and vocabulary:
        words = segment_word(words[0], vocabulary)
    if expand and len(words) == 1 and words[0] in _EXPANSIONS:
        words = _EXPANSIONS[words[0]].split()
    shown = [_word_case(w) for w in words]
    if not shown:
        return name
    text = " ".join(shown)
    return text[0].upper() + text[1:]


def _word_case(word: str) -> str:
    """Acronyms upper-case, plural acronyms too (``urls`` -> URLs)."""
    if word in _ACRONYMS:
        return word.upper()
    if word.endswith("s") and word[:-1] in _ACRONYMS and len(word) > 2:
        return word[:-1].upper() + "s"
    return word


def segment_word(word: str, vocabulary: frozenset[str]) -> list[str]:
    """``debughelpers`` -> [debug, helpers] when both are known words; else [word]."""
    if len(word) < 7 or word in _COMMON_WORDS or word.rstrip("s") in _COMMON_WORDS:
        return [word]
    # fewest pieces, each a known word of 3+ letters or an acronym
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(end):
            piece = word[start:end]
            if (
                len(piece) == len(word)
                or best[start] is None
                or not (piece in _ACRONYMS or (len(piece) >= 3 and _known(piece, vocabulary)))
            ):
                continue
            candidate = best[start] + [piece]
            if best[end] is None or len(candidate) < len(best[end]):
                best[end] = candidate
    found = best[len(word)]
    return found if found and 2 <= len(found) <= 3 else [word]


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    return word in vocabulary or word.rstrip("s") in vocabulary or word in _COMMON_WORDS


def code_vocabulary(symbols: dict[str, Symbol]) -> frozenset[str]:
    """Words the codebase's identifiers are built from (``DebugFilesKeyError`` -> debug, files, key, error).

    Only names of two or more words count: a one-word name (``urlparse``) may itself be run together.
    """
    words: set[str] = set()
    seen: set[str] = set()  # names repeat (``__init__``, ``run``): split each once
    for sym in symbols.values():
        name = sym.name
        if sym.kind == "module" or name in seen:
            continue
        seen.add(name)
        if "_" not in name and name.islower() and name.isidentifier():
            continue  # one word (``request``): split_words would say so, slowly
        parts = split_words(name)
        if len(parts) >= 2:
            words.update(w for w in parts if len(w) >= 3)
    return frozenset(words)


def _is_abbreviation(stem: str, word: str) -> bool:
    """``ctx`` abbreviates ``context``: its letters appear in order and it starts the same."""
    stem, word = stem.lower(), word.lower()
    if not stem or stem == word or stem[0] != word[0] or len(stem) >= len(word):
        return stem == word
    position = 0
    for letter in word:
        if position < len(stem) and letter == stem[position]:
            position += 1
    return position == len(stem)


def plural(word: str) -> str:
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es" if not word.endswith("s") else word
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def cluster_title(
    cluster: Cluster, graph: CodeGraph, ranking: Ranking, roles: dict[str, str], vocabulary: frozenset[str]
) -> str:
    """A human title for a cluster (see the module docstring for the rules)."""
    symbols = graph.symbols

    def humanize(name: str, expand: bool = True) -> str:
        return _humanize(name, expand, vocabulary)

    if cluster.note is not None:
        return cluster.note.note.title
    if cluster.role in SPECIAL_ROLES:
        return SPECIAL_ROLES[cluster.role][1]
    if cluster.family:  # "Class" for a big class of its own, "Class word" for one idea among its methods
        owner, _, word = cluster.family.partition(" ")
        return f"{humanize(owner, False).replace('_', ' ')} {word}".strip()
    file_weight: dict[str, float] = defaultdict(float)
    for sid in cluster.symbols:
        file_weight[symbols[sid].path] += ranking.raw.get(sid, 0.0)
    files = sorted(file_weight, key=lambda p: (-file_weight[p], p))
    if not files:
        return "Concept"
    classes = [
        sid
        for sid in cluster.symbols
        if symbols[sid].kind in ("class", "interface", "type") and not symbols[sid].name.startswith("_")
    ]
    top_classes = [symbols[sid] for sid in by_importance(classes, ranking.symbols)[:6]]

    # a folder of its own: the cluster's main files all sit in one specific folder
    main_files = [p for p in files if file_weight[p] >= 0.25 * file_weight[files[0]]] or files
    directory = _common_dir(main_files)
    if directory and len(main_files) >= 2:
        all_code = [p for p, r in roles.items() if r == "code" and graph.path_module.get(p)]
        under = [p for p in all_code if p.startswith(directory + "/")]
        parts = [part.strip("_") for part in directory.split("/")]
        while parts and parts[-1].lower() in _MEANINGLESS_DIRS:
            parts.pop()  # django/db/backends/base -> Backends
        if parts and len(under) <= 0.5 * len(all_code):
            return humanize(parts[-1])

    command = _command_title(files[0], cluster, symbols)
    if command:
        return command
    stems = [file_stem(p).strip("_") or file_stem(p) for p in files]
    named = [(p, s) for p, s in zip(files, stems) if s not in GENERIC_STEMS]
    if not named:
        # __init__.py / index.js / main.go: the folder names it, else the top definition
        base = posixpath.basename(posixpath.dirname(files[0])).lstrip("_")
        if base and base.lower() not in _GENERIC_DIRS:
            return humanize(base)
        if top_classes:
            return humanize(top_classes[0].name, expand=False)
        return humanize(file_stem(files[0]).strip("_") or "package")
    top_path, top_stem = named[0]
    for base, variants in kind_families(files, graph):  # formatter.go and its kinds: "Formatters"
        if top_path == base or top_path in variants:
            return humanize(plural(file_stem(base).strip("_")))
    title = _refine_with_classes(top_stem, top_classes) or humanize(top_stem)
    # a second file of comparable weight and another name joins the title
    for path, stem in named[1:]:
        if stem != top_stem and file_weight[path] >= 0.5 * file_weight[top_path]:
            second = _refine_with_classes(stem, top_classes) or humanize(stem)
            if second.lower() != title.lower():
                title = f"{title} and {second[0].lower() + second[1:] if second.split()[0].lower() not in _ACRONYMS else second}"
            break
    return title


def _command_title(path: str, cluster: Cluster, symbols: dict[str, Symbol]) -> str | None:
    """``main.py``/``__main__.py``/``cmd/x/main.go`` with a ``main`` function: a command-line concept."""
    if file_stem(path).strip("_") not in ("main", "cmd", "command"):
        return None
    if not any(symbols[s].name == "main" and symbols[s].path == path for s in cluster.symbols):
        return None
    parts = posixpath.dirname(path).split("/")
    if len(parts) >= 2 and parts[-2] == "cmd":
        return f"The {parts[-1]} command"
    return "CLI"


def _refine_with_classes(stem: str, classes: list[Symbol]) -> str | None:
    """``ctx`` + AppContext, RequestContext -> "App and request contexts"."""
    by_last: dict[str, list[Symbol]] = defaultdict(list)
    for cls in classes:
        words = split_words(cls.name)
        if len(words) >= 2:
            by_last[words[-1]].append(cls)
    stem_words = split_words(stem)
    if not stem_words:
        return None
    head = stem_words[-1]
    for last, group in sorted(by_last.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(group) < 2:
            continue
        # only a skeleton abbreviation (ctx, cfg) reads worse than the classes; auth -> Authentication is fine
        if not _is_abbreviation(head, last) or last.startswith(head):
            continue
        firsts = []
        for cls in group[:2]:
            words = split_words(cls.name)[:-1]
            firsts.append(" ".join(w.upper() if w in _ACRONYMS else w for w in words))
        if firsts[0].lower() == firsts[1].lower():
            continue
        text = f"{firsts[0]} and {firsts[1]} {plural(last)}"
        return text[0].upper() + text[1:]
    return None


def _common_dir(paths: list[str]) -> str:
    dirs = [posixpath.dirname(p).split("/") if posixpath.dirname(p) else [] for p in paths]
    common: list[str] = []
    for parts in zip(*dirs):
        if all(part == parts[0] for part in parts):
            common.append(parts[0])
        else:
            break
    return "/".join(common)


def own_names(
    clusters: list[Cluster], titles: list[str], symbols: dict[str, Symbol], ranking: Ranking, vocabulary: frozenset[str]
) -> list[str]:
    """What each cluster holds in the code's own words, for a title another cluster already bears: the public class
    that is its most important member (``runtime.py``'s parts: "Undefined", "Context"), else the class most of its methods are added to and its
    title (``writer.go``'s methods on ``Logger``: "Logger writer"); "" when neither, and for notes, tests and a
    god-class's ideas (their titles name their owner already)."""
    found = []
    for cluster, title in zip(clusters, titles):
        if cluster.note is not None or cluster.role in SPECIAL_ROLES or cluster.family:
            found.append("")
            continue
        classes = [
            s for s in cluster.symbols if symbols[s].kind in ("class", "interface", "type") and symbols[s].public
        ]
        classes = [s for s in classes if not symbols[s].name.startswith("_")]
        inside = set(cluster.symbols)
        owners = Counter(  # the classes its methods are added to from outside
            symbols[s].parent
            for s in cluster.symbols
            if symbols[s].kind == "method" and symbols[s].parent in symbols and symbols[s].parent not in inside
        )
        top = next((s for s in by_importance(cluster.symbols, ranking.symbols) if symbols[s].kind != "module"), None)
        if top in classes:  # the cluster is about its class, not a bag of helpers beside one
            found.append(_humanize(symbols[top].name, False, vocabulary))
        elif owners:
            owner = symbols[min(owners, key=lambda o: (-owners[o], o))].name
            found.append(f"{_humanize(owner, False, vocabulary)} {title[0].lower()}{title[1:]}")
        else:
            found.append("")
    return found


def unique_titles(
    titles: list[str], clusters: list[Cluster], importance: list[float], alternatives: list[str] | None = None
) -> list[str]:
    """Disambiguate equal titles: the most important keeps it, the others take their ``alternatives`` (``own_names``)
    or name a telling folder."""
    result = list(titles)
    seen: set[str] = set()
    taken = {t.lower() for t in titles}
    for i in sorted(range(len(titles)), key=lambda i: (-importance[i], clusters[i].key)):
        title = titles[i]
        other = alternatives[i] if alternatives else ""
        if title.lower() in seen and other and other.lower() not in seen | taken:
            title = other
        elif title.lower() in seen and clusters[i].paths:
            words = set(split_words(title))
            folders = [f for f in reversed(posixpath.dirname(clusters[i].paths[0]).split("/")) if f]
            telling = next((f for f in folders if not set(split_words(f)) <= words), "")
            if telling:
                title = f"{title} ({humanize(telling.strip('_'), expand=False)})"
        base, count = title, 2
        while title.lower() in seen:
            title = f"{base} {count}"
            count += 1
        seen.add(title.lower())
        result[i] = title
    return result


def unique_ids(clusters: list[Cluster], titles: list[str]) -> list[str]:
    ids: list[str] = []
    used: set[str] = set()
    for cluster, title in zip(clusters, titles):
        if cluster.note is not None:
            base = cluster.note.note.id
        elif cluster.role in SPECIAL_ROLES:
            base = SPECIAL_ROLES[cluster.role][0]
        else:
            base = slugify(title)
        candidate, count = base, 2
        while candidate in used:
            candidate = f"{base}-{count}"
            count += 1
        used.add(candidate)
        ids.append(candidate)
    return ids


def cluster_named(
    concept_id: str, title: str, clusters: list[Cluster], graph: CodeGraph, ranking: Ranking
) -> Cluster | None:
    """The computed code cluster a memberless note refers to, by title words and file names."""
    wanted = set(split_words(concept_id)) | set(split_words(title))
    wanted |= {w.rstrip("s") for w in wanted}
    best: tuple[float, str] | None = None
    match = None
    for cluster in clusters:
        if cluster.role != "code":
            continue
        names = set()
        for path in cluster.paths:
            names.update(split_words(file_stem(path).strip("_")))
            names.update(split_words(posixpath.basename(posixpath.dirname(path))))
        names |= {n.rstrip("s") for n in names} | {_EXPANSIONS.get(n, n) for n in names}
        overlap = len(wanted & names)
        if overlap == 0:
            continue
        score = (overlap, sum(ranking.raw.get(s, 0.0) for s in cluster.symbols))
        candidate = (-score[0], -score[1])
        if best is None or (candidate, cluster.key) < (best, match.key):
            best, match = candidate, cluster
    return match


def humanize(name: str, expand: bool = True, vocabulary: frozenset[str] = frozenset()) -> str:
    """A title from an identifier: ``status_codes`` -> "Status codes", ``cli`` -> "CLI"."""
    return _humanize(name, expand, vocabulary)
