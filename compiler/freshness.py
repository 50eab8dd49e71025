"""Freshness: is a corpus still what its source tree compiles to? Consumers ask here, never the pipeline.

In: a source tree, a corpus folder and the settings. Out: the tree's scan (``scan_tree``), the
paths whose content differs from what the corpus was built from (``check``, [] when fresh), and
the identity of the source: its project name and the last git commit that touched it. core.json
is never decoded in full for this: its ``schema`` and ``source`` records are found by a byte search.
"""

from __future__ import annotations

import json
import mmap
import subprocess
from pathlib import Path
from typing import Any

from compiler.config import Settings, cache_dir, load_settings
from compiler.errors import CorpusError, SourceError
from compiler.model import Core

SCAN_CACHE = "scan.cache"


def scan_tree(root: Path, settings: Settings, out_dir: Path):
    """Every file worth compiling, and every skipped one with its reason.

    Other kc corpora inside the tree (a folder whose ``core.json`` has our schema) are compiled
    output, not source: they are left out, so building with ``--out`` elsewhere never compiles
    an old corpus into the new one.
    """
    from compiler.frontend.scan import scan
    from compiler.model import SkippedFile

    # the stat cache lives beside the facts cache: unchanged files are not read or hashed again
    result = scan(root, settings, out_dir=out_dir, stat_cache=cache_dir(out_dir, settings) / SCAN_CACHE)
    folders = {f.path.rpartition("/")[0] for f in result.files}
    corpora = tuple(
        sorted(f"{folder}/" for folder in folders if folder and _is_corpus_file(root / folder / "core.json"))
    )
    if corpora:
        result.files = [f for f in result.files if not f.path.startswith(corpora)]
        result.skipped = sorted(
            [
                *(s for s in result.skipped if not s.path.startswith(corpora)),
                *(SkippedFile(prefix, "kc-corpus") for prefix in corpora),
            ],
            key=lambda s: s.path,
        )
    return result


def _is_corpus_file(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return b'"schema": "kc-core/' in handle.read(1 << 20)
    except OSError:
        return False


def check(source: str | Path, corpus: str | Path | None = None, settings: Settings | None = None) -> list[str]:
    """Paths whose content differs from what the corpus was built from; [] when fresh."""
    root = source_root(source)
    out_dir = Path(corpus).resolve() if corpus else root / "corpus"
    settings = settings or load_settings(root)
    if not (out_dir / "core.json").is_file():
        raise CorpusError(f"{out_dir}: no core.json here; build it with 'kc build {source} --out {out_dir}'")
    return stale_paths(root, out_dir, scan_tree(root, settings, out_dir), settings)


def stale_paths(root: Path, out_dir: Path, scanned, settings: Settings) -> list[str]:
    """What changed between ``scanned`` (the tree now) and the corpus's record of its source; [] when fresh."""
    try:
        schema, built = recorded_source(out_dir / "core.json")
    except (OSError, ValueError, KeyError, TypeError):
        return ["core.json (unreadable)"]
    if schema != Core.__dataclass_fields__["schema"].default:
        return [f"core.json (schema {schema!r})"]
    old: dict[str, str] = built.get("files", {})
    new = {f.path: f.sha256 for f in scanned.files}
    changed = sorted(
        [f"{p} (changed)" for p in new if p in old and old[p] != new[p]]
        + [f"{p} (added)" for p in new if p not in old]
        + [f"{p} (removed)" for p in old if p not in new]
    )
    if built.get("config_hash") != settings.output_hash():
        changed.append("settings (kc.toml / [tool.kc] changed)")
    return changed


def recorded_commit(out_dir: Path) -> str | None:
    """The source commit the corpus at ``out_dir`` records, or None."""
    try:
        return recorded_source(out_dir / "core.json")[1].get("commit")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recorded_source(core_json: Path) -> tuple[Any, dict]:
    """The schema and the ``source`` record of a core.json, without decoding the whole file.

    core.json puts each top-level key at the start of a line (raw newlines never occur inside
    JSON strings), so the two fields are found by a byte search: a 500 MB core is checked in
    milliseconds. A file laid out otherwise is decoded in full.
    """
    with core_json.open("rb") as handle:
        try:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            raise ValueError(f"{core_json} is empty") from None
        with data:
            schema_at = data.find(b'\n "schema": ')
            source_at = data.find(b'\n "source": {\n')
            source_end = data.find(b"\n }", source_at + 1) if source_at >= 0 else -1
            if schema_at < 0 or source_end < 0:
                recorded = json.loads(data[:].decode("utf-8"))
                return recorded.get("schema"), recorded["source"]
            schema_line = data[schema_at + 1 : data.find(b"\n", schema_at + 1)].decode("utf-8").rstrip().rstrip(",")
            schema = json.loads("{" + schema_line + "}")["schema"]
            block = data[source_at + 1 : source_end + 3].decode("utf-8")
            return schema, json.loads("{" + block + "}")["source"]


def source_root(source: str | Path) -> Path:
    """``source`` resolved, or a ``SourceError`` saying why it is not a repository root."""
    root = Path(source).resolve()
    if not root.exists():
        raise SourceError(f"{source}: no such directory")
    if not root.is_dir():
        raise SourceError(f"{source}: not a directory; pass the root of a repository")
    return root


def project_name(root: Path) -> str:
    """The project's own name: pyproject, package.json, go.mod, else the folder name."""
    import tomllib

    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            name = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name")
            if name:
                return str(name)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            pass
    package_json = root / "package.json"
    if package_json.is_file():
        try:
            name = json.loads(package_json.read_text(encoding="utf-8")).get("name")
            if isinstance(name, str) and name:
                return name
        except (ValueError, UnicodeDecodeError):
            pass
    go_mod = root / "go.mod"
    if go_mod.is_file():
        for line in go_mod.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("module "):
                return line.split()[1]
    return root.name


def source_commit(root: Path, out_dir: Path) -> str | None:
    """The last commit that touched the compiled files (not HEAD: committing the corpus must not make it stale)."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if top.returncode != 0:
            return None
        spec = ["."]
        if out_dir.is_relative_to(root):
            spec.append(f":(exclude){out_dir.relative_to(root).as_posix()}")
        log = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *spec], cwd=root, capture_output=True, text=True, timeout=30
        )
        commit = log.stdout.strip() or None
        if commit:
            dirty = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no", "--", *spec],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if dirty.stdout.strip():
                commit += "+dirty"
        return commit
    except (OSError, subprocess.SubprocessError):
        return None
