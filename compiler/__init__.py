"""Knowledge Compiler: compile a codebase into a knowledge core, then search it, learn from it, serve it.

The map of the package, in pipeline order::

    source repo ─scan─▶ files ─parse─▶ facts ─link─▶ code graph ─distill─▶ concept map ─emit─▶ corpus/
                                                                                           │
          search (index/) ◀──────────── chunks → embeddings + BM25 ◀──────────────────────┤
              ├─▶ tutor (tutor/)         explanations at the learner's level, with checked citations
              └─▶ MCP server             small, precise context for coding agents      site (backend/site.py)

* ``frontend/``  scan.py (what to read), secrets.py + secret_rules.py (what never to keep), python.py, treesitter/,
  markdown.py (files → ``FileFacts``)
* ``analysis/``  graph.py, rank.py, concepts.py, notes.py (CONCEPTS.md), path.py, summarize.py
* ``backend/``   docs.py, llmstxt.py, report.py (core → corpus files), site.py, conceptmap.py
* ``build.py``   the pipeline as a recipe: incremental, deterministic, atomic; beside it ``cache.py``
  (facts cache, parse pool, code digest), ``incremental.py`` (patching after small edits),
  ``swap.py`` (the atomic swap), ``freshness.py`` (``check``: consumers ask here, never the pipeline)
* ``model.py``   the frozen dataclasses every stage passes on; ``core.json`` is ``Core.to_json()``
* ``corpus.py``  ``open_corpus()``: how every consumer reads a corpus (never the source)

The public API, importable without loading anything heavy::

    from compiler import build, check, open_corpus, search, Tutor
    build("path/to/repo", "corpus")                 # compile (and index)
    hits = search("corpus", "where are retries decided?", k=5)
    from compiler.tutor import make_backend
    tutor = Tutor(open_corpus("corpus"), backend=make_backend("offline"))
    print(tutor.ask("how are retries decided?").result().text)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "build": "compiler.build",
    "check": "compiler.freshness",
    "open_corpus": "compiler.corpus",
    "Corpus": "compiler.corpus",
    "Core": "compiler.model",
    "Settings": "compiler.config",
    "load_settings": "compiler.config",
    "search": "compiler.index.search",
    "Searcher": "compiler.index.search",
    "index_corpus": "compiler.index",
    "Tutor": "compiler.tutor",
    "KcError": "compiler.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load each export on first use, so ``import compiler`` (and ``kc --help``) stays fast."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'compiler' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
