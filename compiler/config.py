"""Settings from ``kc.toml``, ``[tool.kc]`` in ``pyproject.toml``, and ``KC_*`` environment variables.

In: the compiled repository's root (for its settings file), the environment, keyword overrides.
Out: one frozen ``Settings``. Precedence, lowest first: defaults, the compiled repository's
``kc.toml`` or ``[tool.kc]``, environment variables, then explicit keyword overrides (CLI flags).
Every setting is a declared field: an unknown key in a settings file is a ``ConfigError`` naming
the key and the file, so a misspelled setting never passes silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from compiler.errors import ConfigError

DEFAULT_EXCLUDES = (
    "node_modules/**",
    ".venv/**",
    "venv/**",
    "/env/**",
    "dist/**",
    "/build/**",
    "__pycache__/**",
    ".git/**",
    ".hg/**",
    ".svn/**",
    ".tox/**",
    ".nox/**",
    ".mypy_cache/**",
    ".pytest_cache/**",
    ".ruff_cache/**",
    "site-packages/**",
    "vendor/**",
    "third_party/**",
    "bower_components/**",
    ".next/**",
    "coverage/**",
    "/target/**",
    "*.egg-info/**",
    ".kc/**",
    "/site/**",
)


@dataclass(frozen=True)
class Settings:
    """Every knob kc has. Fields that shape the corpus feed ``output_hash()``."""

    exclude: tuple[str, ...] = ()  # extra gitignore-style patterns to leave out
    default_excludes: bool = True  # also leave out DEFAULT_EXCLUDES (vendored and built folders)
    max_file_bytes: int = 1_000_000
    llm: str = "none"  # none | anthropic | openai  (summaries at build time)
    llm_model: str = ""
    llm_base_url: str = ""
    max_concepts: int = 0  # 0: from the code's size (units.concept_budget)
    excerpt_lines: int = 30
    # retrieval
    model_path: str = ""  # sentence-transformers model dir; "" = bundled all-MiniLM-L6-v2
    chroma_url: str = ""  # shared Chroma server (http://127.0.0.1:8000); "" = embedded PersistentClient
    index_dir: str = ""  # "" = <corpus parent>/.kc/index/<corpus name>
    cache_dir: str = ""  # "" = <corpus parent>/.kc/cache/<corpus name>
    llm_timeout: float = 120.0  # seconds to wait for one LLM reply (build summaries and tutor)
    llm_max_retries: int = 2  # retries after a timeout, a rate limit or a server error
    # retrieval
    index_lock_timeout: float = 600.0  # seconds 'kc index' waits for another to finish
    chroma_collection: str = ""  # "" = one collection per corpus, named from its project and path
    # tutor
    tutor_backend: str = ""  # offline | anthropic | openai; "" = anthropic when a key is set, else offline
    tutor_model: str = ""
    tutor_base_url: str = ""  # an OpenAI-compatible server for the tutor; "" = llm_base_url (same provider)
    learner_db: str = ""  # "" = platformdirs user data dir / learners.sqlite3

    @property
    def extra(self) -> dict[str, Any]:
        """The settings once read through a catch-all, as set (differing from their defaults).

        Kept for readers written before every setting was a field; read the field instead.
        """
        return {name: getattr(self, name) for name in _FORMERLY_EXTRA if getattr(self, name) != _DEFAULTS[name]}

    def output_hash(self) -> str:
        """Hash of the settings that change the corpus, so a changed setting makes it stale."""
        shaping = {
            k: getattr(self, k)
            for k in (
                "exclude",
                "default_excludes",
                "max_file_bytes",
                "llm",
                "llm_model",
                "max_concepts",
                "excerpt_lines",
            )
        }
        return hashlib.sha256(json.dumps(shaping, sort_keys=True, default=list).encode()).hexdigest()[:16]


_FORMERLY_EXTRA = ("tutor_base_url", "llm_timeout", "llm_max_retries", "index_lock_timeout", "chroma_collection")
_DEFAULTS = {f.name: f.default for f in fields(Settings)}

# Every environment variable kc reads for a setting (README's configuration table lists them).
_ENV = {
    "KC_LLM": "llm",
    "KC_LLM_MODEL": "llm_model",
    "KC_LLM_BASE_URL": "llm_base_url",
    "KC_LLM_TIMEOUT": "llm_timeout",
    "KC_LLM_MAX_RETRIES": "llm_max_retries",
    "KC_TUTOR_BASE_URL": "tutor_base_url",
    "KC_CHROMA_COLLECTION": "chroma_collection",
    "KC_MODEL_PATH": "model_path",
    "KC_CHROMA_URL": "chroma_url",
    "KC_INDEX_DIR": "index_dir",
    "KC_CACHE_DIR": "cache_dir",
    "KC_TUTOR_BACKEND": "tutor_backend",
    "KC_TUTOR_MODEL": "tutor_model",
    "KC_LEARNER_DB": "learner_db",
}


def load_settings(source: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings for compiling ``source`` (or the current directory), with ``overrides`` on top.

    Raises ``ConfigError`` for an unknown key (naming the file it came from), a value of the
    wrong type, or a settings file that is not valid TOML.
    """
    values: dict[str, tuple[Any, str]] = {}  # name -> (value, where it came from)
    if source is not None:
        where, found = _file_settings(Path(source))
        for key, value in found.items():
            if key not in _DEFAULTS:
                raise ConfigError(f"{where}: unknown setting {key!r}; known settings: {', '.join(sorted(_DEFAULTS))}")
            values[key] = (value, str(where))
    for env, name in _ENV.items():
        if os.environ.get(env):
            values[name] = (os.environ[env], f"environment variable {env}")
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in _DEFAULTS:
            raise ConfigError(f"unknown setting {key!r}; known settings: {', '.join(sorted(_DEFAULTS))}")
        values[key] = (value, "override")
    return Settings(**{key: _coerce(key, value, where) for key, (value, where) in values.items()})


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def _coerce(key: str, value: Any, where: str) -> Any:
    """``value`` as the type of the setting's default, or a ConfigError saying what and where."""
    default = _DEFAULTS[key]
    try:
        if isinstance(default, tuple):
            if isinstance(value, (list, tuple)):
                return tuple(str(item) for item in value)
            return tuple(part for part in str(value).split(",") if part)
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
                return value.strip().lower() in _TRUE
            raise ValueError(value)
        if isinstance(default, (int, float)) and isinstance(value, bool):
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(value, (dict, list)):
            raise ValueError(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: setting {key!r}: {value!r} is not a valid {type(default).__name__}") from exc


def _file_settings(source: Path) -> tuple[Path | None, dict[str, Any]]:
    """The settings file of ``source`` and its table: ``kc.toml`` first, else ``[tool.kc]``."""
    kc_toml = source / "kc.toml"
    pyproject = source / "pyproject.toml"
    where = kc_toml if kc_toml.is_file() else pyproject if pyproject.is_file() else None
    if where is None:
        return None, {}
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{where}: unreadable: {exc}") from exc
    if where == kc_toml:
        return where, dict(data)
    table = data.get("tool", {}).get("kc", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.kc] must be a table")
    return Path(f"{where} [tool.kc]"), dict(table)


def _derived_dir(corpus: Path, kind: str) -> Path:
    corpus = Path(corpus).resolve()
    return corpus.parent / ".kc" / kind / corpus.name


def index_dir(corpus: str | Path, settings: Settings | None = None) -> Path:
    """Where the search index of ``corpus`` lives (derived data, ignored by git)."""
    if settings and settings.index_dir:
        return Path(settings.index_dir)
    return _derived_dir(Path(corpus), "index")


def cache_dir(corpus: str | Path, settings: Settings | None = None) -> Path:
    """Where the incremental build cache for ``corpus`` lives."""
    if settings and settings.cache_dir:
        return Path(settings.cache_dir)
    return _derived_dir(Path(corpus), "cache")


def lock_file(corpus: str | Path) -> Path:
    """The lock file that lets one build at a time write ``corpus`` (beside the other derived data)."""
    corpus = Path(corpus).resolve()
    return corpus.parent / ".kc" / "locks" / f"{corpus.name}.lock"


def settings_dict(settings: Settings) -> dict[str, Any]:
    return asdict(settings)


def setting_location(source: str | Path, key: str, value: str | None = None) -> tuple[str, int | None]:
    """Where ``key`` (holding ``value``, when given) is set for ``source``: the settings file relative to
    ``source`` and the line (1-based; None when it is not found there: an environment variable, an override)."""
    where, found = _file_settings(Path(source)) if Path(source).is_dir() else (None, {})
    if where is None or key not in found:
        return "settings", None
    name = Path(str(where).removesuffix(" [tool.kc]"))
    lines = name.read_text(encoding="utf-8").splitlines()
    key_line = re.compile(rf"^\s*{re.escape(key)}\s*=")
    table = next((i for i, line in enumerate(lines) if line.strip() == "[tool.kc]"), 0) if name != where else 0
    starts = [i for i, line in enumerate(lines) if i >= table and key_line.match(line)]
    for start in starts:
        for number in range(start, len(lines)):
            if value is None or repr(value)[1:-1] in lines[number] or value in lines[number]:
                return name.name, number + 1
            if number > start and "=" in lines[number]:
                break
    return name.name, starts[0] + 1 if starts else None
