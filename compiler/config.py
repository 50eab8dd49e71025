"""Settings from ``kc.toml``, ``[tool.kc]`` in ``pyproject.toml``, and ``KC_*`` environment variables.

Precedence, lowest first: defaults, the compiled repository's ``kc.toml`` or
``[tool.kc]``, environment variables, then explicit keyword overrides (CLI flags).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from compiler.errors import ConfigError

DEFAULT_EXCLUDES = (
    "node_modules/**", ".venv/**", "venv/**", "/env/**", "dist/**", "/build/**", "__pycache__/**",
    ".git/**", ".hg/**", ".svn/**", ".tox/**", ".nox/**", ".mypy_cache/**", ".pytest_cache/**",
    ".ruff_cache/**", "site-packages/**", "vendor/**", "third_party/**", "bower_components/**",
    ".next/**", "coverage/**", "/target/**", "*.egg-info/**", ".kc/**", "/site/**",
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
    max_concepts: int = 24
    excerpt_lines: int = 30
    # retrieval
    model_path: str = ""  # sentence-transformers model dir; "" = bundled all-MiniLM-L6-v2
    chroma_url: str = ""  # shared Chroma server (http://127.0.0.1:8000); "" = embedded PersistentClient
    index_dir: str = ""  # "" = <corpus parent>/.kc/index/<corpus name>
    cache_dir: str = ""  # "" = <corpus parent>/.kc/cache/<corpus name>
    # tutor
    tutor_backend: str = ""  # offline | anthropic | openai; "" = anthropic when a key is set, else offline
    tutor_model: str = ""
    learner_db: str = ""  # "" = platformdirs user data dir / learners.sqlite3
    extra: dict[str, Any] = field(default_factory=dict)

    def output_hash(self) -> str:
        """Hash of the settings that change the corpus, so a changed setting makes it stale."""
        shaping = {k: getattr(self, k) for k in ("exclude", "default_excludes", "max_file_bytes", "llm", "llm_model", "max_concepts", "excerpt_lines")}
        return hashlib.sha256(json.dumps(shaping, sort_keys=True, default=list).encode()).hexdigest()[:16]


_ENV = {
    "KC_LLM": "llm",
    "KC_LLM_MODEL": "llm_model",
    "KC_LLM_BASE_URL": "llm_base_url",
    "KC_MODEL_PATH": "model_path",
    "KC_CHROMA_URL": "chroma_url",
    "KC_INDEX_DIR": "index_dir",
    "KC_CACHE_DIR": "cache_dir",
    "KC_TUTOR_BACKEND": "tutor_backend",
    "KC_TUTOR_MODEL": "tutor_model",
    "KC_LEARNER_DB": "learner_db",
}


def load_settings(source: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings for compiling ``source`` (or the current directory), with ``overrides`` on top."""
    values: dict[str, Any] = {}
    if source is not None:
        values.update(_file_settings(Path(source)))
    for env, name in _ENV.items():
        if os.environ.get(env):
            values[name] = os.environ[env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name: f for f in fields(Settings)}
    extra = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            extra[key] = value
            continue
        default = getattr(Settings(), key)
        try:
            if isinstance(default, tuple):
                value = tuple(value) if isinstance(value, (list, tuple)) else tuple(str(value).split(","))
            elif isinstance(default, bool):
                value = bool(value)
            elif isinstance(default, int):
                value = int(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"setting {key!r}: {value!r} is not a valid {type(default).__name__}") from exc
        clean[key] = value
    return replace(Settings(), **clean, extra=extra)


def _file_settings(source: Path) -> dict[str, Any]:
    kc_toml = source / "kc.toml"
    pyproject = source / "pyproject.toml"
    try:
        if kc_toml.is_file():
            return dict(tomllib.loads(kc_toml.read_text(encoding="utf-8")))
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            return dict(data.get("tool", {}).get("kc", {}))
    except tomllib.TOMLDecodeError as exc:
        where = kc_toml if kc_toml.is_file() else pyproject
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc
    return {}


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


def settings_dict(settings: Settings) -> dict[str, Any]:
    return asdict(settings)
