"""The learner store: who is learning, and what each learner has covered, in one SQLite file.

One row per learner (profile) and one row per learner, corpus and concept (progress:
seen, explained, quiz result). The file is opened in WAL mode with a busy timeout,
and every write is a short ``BEGIN IMMEDIATE`` transaction, so a ``kc tutor`` and a
``kc ask`` writing at the same moment both succeed instead of failing with
"database is locked".
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from compiler.errors import ConfigError, KcError, NotFound

LEVELS = ("novice", "intermediate", "expert")
DEFAULT_LEARNER = "default"
DEFAULT_LEVEL = "intermediate"
DB_FILENAME = "learners.sqlite3"
PASS_MARK = 0.66  # share of quiz questions answered right to pass a concept (two of three)

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS learners (
    name TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    background TEXT NOT NULL DEFAULT '',
    goal TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'en',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS progress (
    learner TEXT NOT NULL REFERENCES learners(name) ON DELETE CASCADE,
    corpus TEXT NOT NULL,
    concept TEXT NOT NULL,
    seen_at REAL,
    seen_count INTEGER NOT NULL DEFAULT 0,
    explained_at REAL,
    explained_count INTEGER NOT NULL DEFAULT 0,
    quiz_result TEXT,
    quiz_score REAL,
    quiz_attempts INTEGER NOT NULL DEFAULT 0,
    checked_at REAL,
    PRIMARY KEY (learner, corpus, concept)
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner TEXT NOT NULL REFERENCES learners(name) ON DELETE CASCADE,
    corpus TEXT NOT NULL,
    question TEXT NOT NULL,
    concepts TEXT NOT NULL DEFAULT '',
    asked_at REAL NOT NULL
);
"""

_NAME_RE = re.compile(r"^[\w][\w.@-]{0,63}$")


@dataclass(frozen=True)
class Profile:
    """Who the learner is: level, what they already know, what they want, which language to answer in."""

    name: str
    level: str = DEFAULT_LEVEL
    background: tuple[str, ...] = ()  # languages and tools the learner knows: ("java", "spring")
    goal: str = ""  # "fix a bug in routing"
    language: str = "en"  # language of the answers
    created_at: float = 0.0
    updated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["background"] = list(self.background)
        return data


@dataclass(frozen=True)
class ConceptState:
    """What one learner has done with one concept of one corpus."""

    concept: str
    seen_at: float | None = None
    seen_count: int = 0
    explained_at: float | None = None
    explained_count: int = 0
    quiz_result: str | None = None  # "passed" | "failed" | None
    quiz_score: float | None = None
    quiz_attempts: int = 0
    checked_at: float | None = None

    @property
    def passed(self) -> bool:
        return self.quiz_result == "passed"

    @property
    def failed(self) -> bool:
        return self.quiz_result == "failed"

    @property
    def covered(self) -> bool:
        """Passed a quiz, or had it explained and not failed a quiz since."""
        return self.passed or (self.explained_count > 0 and not self.failed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_db_path(settings: Any = None) -> Path:
    """Where learner state lives: ``Settings.learner_db``, ``KC_LEARNER_DB``, else the user data dir."""
    configured = getattr(settings, "learner_db", "") or os.environ.get("KC_LEARNER_DB", "")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("kc", appauthor=False)) / DB_FILENAME


def parse_background(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"Java, Spring"`` -> ``("java", "spring")``: lower case, no duplicates, order kept."""
    if text is None:
        return ()
    items = re.split(r"[,;]", text) if isinstance(text, str) else list(text)
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip().lower()
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def check_level(level: str) -> str:
    """The level, normalised; a ConfigError naming the valid ones otherwise."""
    normal = (level or "").strip().lower()
    aliases = {"beginner": "novice", "newcomer": "novice", "advanced": "expert", "intermediate": "intermediate"}
    normal = aliases.get(normal, normal)
    if normal not in LEVELS:
        raise ConfigError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    return normal


class LearnerStore:
    """Profiles and per-concept progress in one SQLite file, safe for concurrent writers."""

    def __init__(self, path: str | Path | None = None, *, settings: Any = None) -> None:
        self.path = Path(path).expanduser() if path else default_db_path(settings)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"{self.path}: cannot create the learner store folder ({exc}); set KC_LEARNER_DB or --learner-db"
            ) from exc
        with self._connect() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise KcError(
                    f"{self.path}: learner store written by a newer kc (schema {version}); upgrade kc or use another --learner-db"
                )
            if version < _SCHEMA_VERSION:
                # Every statement is idempotent, so two processes creating the store at once is harmless.
                db.executescript(_SCHEMA + f"PRAGMA user_version = {_SCHEMA_VERSION};")

    # ---- connection --------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise ConfigError(
                f"{self.path}: cannot open the learner store ({exc}); set KC_LEARNER_DB or --learner-db"
            ) from exc
        try:
            db.row_factory = sqlite3.Row
            # busy_timeout makes a second writer wait for the first instead of failing at once.
            db.execute("PRAGMA busy_timeout = 30000")
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            yield db
        except sqlite3.DatabaseError as exc:
            raise KcError(f"{self.path}: learner store error: {exc}") from exc
        finally:
            db.close()

    @staticmethod
    def _write(db: sqlite3.Connection, action) -> Any:
        """Run ``action`` in one immediate transaction (takes the write lock up front, so no deadlock on upgrade)."""
        db.execute("BEGIN IMMEDIATE")
        try:
            result = action()
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result

    # ---- profiles ----------------------------------------------------------
    def create(
        self,
        name: str,
        *,
        level: str = DEFAULT_LEVEL,
        background: str | Iterable[str] | None = None,
        goal: str = "",
        language: str = "en",
        exist_ok: bool = False,
    ) -> Profile:
        """Create a learner; a KcError if the name is taken (unless ``exist_ok``)."""
        name = _check_name(name)
        now = time.time()
        profile = Profile(
            name, check_level(level), parse_background(background), goal.strip(), (language or "en").strip(), now, now
        )
        with self._connect() as db:

            def insert() -> bool:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO learners (name, level, background, goal, language, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (name, profile.level, ",".join(profile.background), profile.goal, profile.language, now, now),
                )
                return cursor.rowcount == 1

            created = self._write(db, insert)
        if not created:
            if exist_ok:
                return self.get(name)
            raise KcError(
                f"learner {name!r} already exists in {self.path}; use 'kc learner update {name}' or another name"
            )
        return profile

    def get(self, name: str) -> Profile:
        """The learner's profile, or NotFound."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM learners WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(
                f"no learner {name!r} in {self.path}; create one with 'kc learner create {name} --level novice'"
            )
        return _profile(row)

    def get_or_create(self, name: str, **defaults: Any) -> Profile:
        """The learner's profile, created with ``defaults`` on first use."""
        try:
            return self.get(name)
        except NotFound:
            return self.create(name, exist_ok=True, **defaults)

    def update(
        self,
        name: str,
        *,
        level: str | None = None,
        background: str | Iterable[str] | None = None,
        goal: str | None = None,
        language: str | None = None,
    ) -> Profile:
        """Change some fields of a profile; fields left ``None`` keep their value."""
        profile = self.get(name)
        changes: dict[str, Any] = {}
        if level is not None:
            changes["level"] = check_level(level)
        if background is not None:
            changes["background"] = parse_background(background)
        if goal is not None:
            changes["goal"] = goal.strip()
        if language is not None:
            changes["language"] = language.strip() or "en"
        updated = replace(profile, **changes, updated_at=time.time())
        with self._connect() as db:
            self._write(
                db,
                lambda: db.execute(
                    "UPDATE learners SET level = ?, background = ?, goal = ?, language = ?, updated_at = ? WHERE name = ?",
                    (
                        updated.level,
                        ",".join(updated.background),
                        updated.goal,
                        updated.language,
                        updated.updated_at,
                        name,
                    ),
                ),
            )
        return updated

    def list(self) -> list[Profile]:
        """Every learner, by name."""
        with self._connect() as db:
            return [_profile(row) for row in db.execute("SELECT * FROM learners ORDER BY name")]

    def delete(self, name: str) -> None:
        """Remove a learner and everything recorded about them."""
        self.get(name)
        with self._connect() as db:
            self._write(
                db,
                lambda: (
                    db.execute("DELETE FROM progress WHERE learner = ?", (name,)),
                    db.execute("DELETE FROM questions WHERE learner = ?", (name,)),
                    db.execute("DELETE FROM learners WHERE name = ?", (name,)),
                ),
            )

    def reset(self, name: str, corpus: str | None = None) -> int:
        """Forget a learner's progress (in one corpus, or all); the profile stays. Returns rows removed."""
        self.get(name)
        where, params = ("learner = ?", (name,)) if corpus is None else ("learner = ? AND corpus = ?", (name, corpus))
        with self._connect() as db:

            def clear() -> int:
                removed = db.execute(f"DELETE FROM progress WHERE {where}", params).rowcount
                db.execute(f"DELETE FROM questions WHERE {where}", params)
                return removed

            return self._write(db, clear)

    # ---- progress ----------------------------------------------------------
    def progress(self, name: str, corpus: str) -> dict[str, ConceptState]:
        """Concept id -> state, for what this learner has touched in ``corpus``."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM progress WHERE learner = ? AND corpus = ?", (name, corpus)).fetchall()
        return {row["concept"]: _state(row) for row in rows}

    def corpora(self, name: str) -> list[str]:
        """Corpus names this learner has progress in."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT DISTINCT corpus FROM progress WHERE learner = ? ORDER BY corpus", (name,)
            ).fetchall()
        return [row[0] for row in rows]

    def mark_seen(self, name: str, corpus: str, concepts: Iterable[str]) -> None:
        """Record that these concepts came up (cited or mentioned) in an answer."""
        self._touch(name, corpus, concepts, "seen")

    def mark_explained(self, name: str, corpus: str, concepts: Iterable[str]) -> None:
        """Record that these concepts were taught in an answer."""
        self._touch(name, corpus, concepts, "explained")

    def _touch(self, name: str, corpus: str, concepts: Iterable[str], what: str) -> None:
        concepts = sorted(set(concepts))
        if not concepts:
            return
        now = time.time()
        with self._connect() as db:
            self._write(
                db,
                lambda: db.executemany(
                    f"INSERT INTO progress (learner, corpus, concept, {what}_at, {what}_count) VALUES (?, ?, ?, ?, 1)"
                    f" ON CONFLICT (learner, corpus, concept) DO UPDATE SET {what}_at = excluded.{what}_at,"
                    f" {what}_count = {what}_count + 1",
                    [(name, corpus, concept, now) for concept in concepts],
                ),
            )

    def record_quiz(
        self, name: str, corpus: str, concept: str, *, score: float, passed: bool | None = None
    ) -> ConceptState:
        """Store a quiz result (score 0..1); passed defaults to ``score >= PASS_MARK``."""
        score = max(0.0, min(1.0, float(score)))
        result = "passed" if (score >= PASS_MARK if passed is None else passed) else "failed"
        now = time.time()
        with self._connect() as db:
            self._write(
                db,
                lambda: db.execute(
                    "INSERT INTO progress (learner, corpus, concept, quiz_result, quiz_score, quiz_attempts, checked_at)"
                    " VALUES (?, ?, ?, ?, ?, 1, ?)"
                    " ON CONFLICT (learner, corpus, concept) DO UPDATE SET quiz_result = excluded.quiz_result,"
                    " quiz_score = excluded.quiz_score, quiz_attempts = quiz_attempts + 1, checked_at = excluded.checked_at",
                    (name, corpus, concept, result, score, now),
                ),
            )
        return self.progress(name, corpus)[concept]

    def log_question(self, name: str, corpus: str, question: str, concepts: Iterable[str]) -> None:
        """Remember a question and the concepts its answer taught."""
        with self._connect() as db:
            self._write(
                db,
                lambda: db.execute(
                    "INSERT INTO questions (learner, corpus, question, concepts, asked_at) VALUES (?, ?, ?, ?, ?)",
                    (name, corpus, question, ",".join(concepts), time.time()),
                ),
            )

    def questions(self, name: str, corpus: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The learner's latest questions, newest first."""
        sql = "SELECT corpus, question, concepts, asked_at FROM questions WHERE learner = ?"
        params: tuple[Any, ...] = (name,)
        if corpus is not None:
            sql += " AND corpus = ?"
            params += (corpus,)
        sql += " ORDER BY id DESC LIMIT ?"
        with self._connect() as db:
            rows = db.execute(sql, params + (limit,)).fetchall()
        return [
            {
                "corpus": r["corpus"],
                "question": r["question"],
                "concepts": [c for c in r["concepts"].split(",") if c],
                "asked_at": r["asked_at"],
            }
            for r in rows
        ]


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise ConfigError(f"learner name {name!r} is not valid: use letters, digits, '.', '_', '-' or '@' (at most 64)")
    return name


def _profile(row: sqlite3.Row) -> Profile:
    return Profile(
        name=row["name"],
        level=row["level"],
        background=tuple(b for b in row["background"].split(",") if b),
        goal=row["goal"],
        language=row["language"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _state(row: sqlite3.Row) -> ConceptState:
    return ConceptState(
        concept=row["concept"],
        seen_at=row["seen_at"],
        seen_count=row["seen_count"],
        explained_at=row["explained_at"],
        explained_count=row["explained_count"],
        quiz_result=row["quiz_result"],
        quiz_score=row["quiz_score"],
        quiz_attempts=row["quiz_attempts"],
        checked_at=row["checked_at"],
    )
