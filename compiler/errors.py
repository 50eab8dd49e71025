"""The small exception hierarchy. Messages point at what is wrong and where.

``Diagnostic`` (a problem found in the source, never fatal) lives in ``compiler.model``.
"""

from __future__ import annotations


class KcError(Exception):
    """Base of every error kc raises on purpose; the CLI prints it and exits 2."""

    exit_code = 2


class ConfigError(KcError):
    """A setting in kc.toml, [tool.kc] or the environment is wrong."""


class SourceError(KcError):
    """The source repository cannot be read (missing, not a directory, ...)."""


class CorpusError(KcError):
    """A corpus directory is missing, incomplete or from an incompatible kc."""


class SearchIndexError(KcError):
    """The search index is missing, locked or built with another model."""


class LLMError(KcError):
    """An LLM backend failed after its retries (rate limit, server error, timeout)."""


class NotFound(KcError):
    """An id (concept, symbol, learner) that the corpus or store does not have."""
