"""Scan: find the files of a repository worth compiling, and say why the others were left out.

Inside a git work tree the file list comes from ``git ls-files --cached --others
--exclude-standard`` (tracked plus untracked-but-not-ignored files, exactly what a
developer sees); elsewhere the directory is walked with the ``.gitignore`` files it
contains, nested ones included. Git-ignored files are not part of the source and are
not reported. Everything else that is left out is recorded as a ``SkippedFile`` with
one of these reasons:

* ``excluded``: matches ``config.DEFAULT_EXCLUDES``, ``settings.exclude`` or is the output folder
* ``vendored``: third-party code (``node_modules/``, ``vendor/``, ``site-packages/``, a virtualenv ...)
* ``binary``: a known binary extension, or a NUL byte in the first 8 KB
* ``too-large (N bytes > MAX)``: over ``settings.max_file_bytes``
* ``symlink-outside``: a symbolic link that leads out of the root
* ``symlink-dangling``: a symbolic link whose target does not exist
* ``unreadable``: the file could not be read (permissions, vanished, I/O error)

An excluded or vendored directory is reported once, as ``dir/``, not file by file.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
from dataclasses import dataclass, field
from fnmatch import translate
from pathlib import Path, PurePosixPath

import pathspec

from compiler.config import DEFAULT_EXCLUDES, Settings
from compiler.model import SkippedFile, SourceFile

__all__ = ["ScanResult", "scan", "language_of", "read_source"]

LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".md": "markdown", ".markdown": "markdown",
}

# Extensions whose content is never text worth compiling; checked before reading the file.
BINARY_EXTENSIONS = frozenset(
    """
    .png .jpg .jpeg .gif .bmp .ico .icns .webp .tif .tiff .psd .svgz .avif .heic
    .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp .epub
    .zip .tar .gz .tgz .bz2 .xz .7z .rar .zst .lz4 .jar .war .ear .whl .egg .deb .rpm .apk .dmg .iso
    .exe .dll .so .dylib .a .o .obj .lib .bin .class .pyc .pyo .pyd .wasm .node
    .mp3 .mp4 .m4a .wav .ogg .flac .avi .mov .mkv .webm
    .ttf .otf .woff .woff2 .eot
    .sqlite .sqlite3 .db .pkl .pickle .npy .npz .pt .pth .onnx .h5 .parquet .feather .arrow .safetensors
    """.split()
)

# Directory names whose content is third-party code rather than the project's own.
VENDORED_DIRS = frozenset(
    {"node_modules", "vendor", "third_party", "site-packages", "bower_components", ".venv", "venv", "env"}
)

SNIFF_BYTES = 8192


@dataclass
class ScanResult:
    """The files kept (sorted by path) and the ones left out, with reasons."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def language_of(path: str) -> str:
    """The language name the front end dispatches on, from the file extension."""
    return LANGUAGES.get(PurePosixPath(path).suffix.lower(), "text")


def read_source(root: Path, source: SourceFile) -> bytes:
    """The bytes of a scanned file (the parsers read them again after the scan)."""
    return (Path(root) / source.path).read_bytes()


def scan(root: Path, settings: Settings, out_dir: Path | None = None) -> ScanResult:
    """List the files under ``root`` worth compiling, with their language and hash."""
    root = Path(root).resolve()
    excluder = _Excluder(settings.exclude, _output_prefix(root, out_dir), defaults=settings.default_excludes)
    result = ScanResult()
    listed = _git_files(root)
    if listed is None:
        listed = _walk_files(root, excluder, result.skipped)
    seen_dirs: set[str] = set()
    for rel in listed:
        verdict = excluder.excluded_dir(rel)
        if verdict:
            directory, reason = verdict
            if directory not in seen_dirs:
                seen_dirs.add(directory)
                result.skipped.append(SkippedFile(directory + "/", reason))
            continue
        if excluder.excluded_file(rel):
            result.skipped.append(SkippedFile(rel, "excluded"))
            continue
        kept = _inspect(root, rel, settings.max_file_bytes)
        if isinstance(kept, SourceFile):
            result.files.append(kept)
        elif kept is not None:
            result.skipped.append(SkippedFile(rel, kept))
    result.files.sort(key=lambda f: f.path)
    result.skipped.sort(key=lambda s: s.path)
    return result


def _output_prefix(root: Path, out_dir: Path | None) -> str | None:
    """The output folder relative to root, when it lies inside root (so a rebuild never reads its own output)."""
    if out_dir is None:
        return None
    try:
        rel = Path(out_dir).resolve().relative_to(root)
    except ValueError:
        return None
    return rel.as_posix() if rel.parts else None


class _Excluder:
    """Decides, from the path alone, whether a file or directory is excluded or vendored."""

    def __init__(self, user_patterns: tuple[str, ...], output_prefix: str | None, defaults: bool = True) -> None:
        # DEFAULT_EXCLUDES are written "name/**"; they mean a directory of that name at any depth.
        default_patterns = DEFAULT_EXCLUDES if defaults else ()
        names = [p[:-3] for p in default_patterns if p.endswith("/**") and "/" not in p[:-3]]
        self._dir_name = re.compile("|".join(translate(n) for n in names) or r"(?!)")
        others = [p for p in default_patterns if p[:-3] not in names]
        self._spec = pathspec.GitIgnoreSpec.from_lines([*others, *user_patterns])
        self._output_prefix = output_prefix
        self._dir_cache: dict[str, tuple[str, str] | None] = {}

    def excluded_dir(self, rel: str) -> tuple[str, str] | None:
        """``(directory, reason)`` when an enclosing directory of ``rel`` is left out, else None."""
        parent = rel.rpartition("/")[0]
        return self._dir_verdict(parent) if parent else None

    def _dir_verdict(self, directory: str) -> tuple[str, str] | None:
        """The outermost excluded directory among ``directory`` and its ancestors (cached per folder)."""
        cached = self._dir_cache.get(directory, False)
        if cached is not False:
            return cached
        parent = directory.rpartition("/")[0]
        verdict = (self._dir_verdict(parent) if parent else None) or self._check_dir(directory)
        self._dir_cache[directory] = verdict
        return verdict

    def _check_dir(self, directory: str) -> tuple[str, str] | None:
        name = directory.rpartition("/")[2]
        if directory == self._output_prefix:
            return directory, "excluded"
        if self._dir_name.fullmatch(name) or self._spec.match_file(directory + "/"):
            return directory, "vendored" if name in VENDORED_DIRS else "excluded"
        return None

    def excluded_file(self, rel: str) -> bool:
        return bool(self._spec.match_file(rel))


def _git_files(root: Path) -> list[str] | None:
    """Paths (relative to root) git would show, or None when root is not in a git work tree."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, timeout=120, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    paths = sorted({p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p})
    # An ignored folder inside a checkout lists nothing; walk it as a plain folder instead.
    return paths or None


def _walk_files(root: Path, excluder: _Excluder, skipped: list[SkippedFile]) -> list[str]:
    """Walk root honouring every .gitignore on the way; excluded directories are pruned and recorded."""
    found: list[str] = []
    ignores: dict[str, pathspec.GitIgnoreSpec] = {}  # directory ("" = root) -> its .gitignore
    for current, dirnames, filenames in os.walk(root):
        rel_dir = Path(current).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        if ".gitignore" in filenames:
            ignores[rel_dir] = _read_gitignore(Path(current) / ".gitignore")
        prefix = rel_dir + "/" if rel_dir else ""
        keep_dirs = []
        for name in sorted(dirnames):
            rel = prefix + name
            if name == ".git" or _git_ignored(ignores, rel + "/"):
                continue
            full = Path(current) / name
            if full.is_symlink():
                reason = _symlink_problem(root, full)
                if reason:
                    skipped.append(SkippedFile(rel, reason))
                continue  # a link to a folder inside root: its files are scanned where they live
            verdict = excluder.excluded_dir(rel + "/_")
            if verdict:
                skipped.append(SkippedFile(verdict[0] + "/", verdict[1]))
                continue
            keep_dirs.append(name)
        dirnames[:] = keep_dirs
        found.extend(prefix + name for name in filenames if not _git_ignored(ignores, prefix + name))
    return sorted(found)


def _read_gitignore(path: Path) -> pathspec.GitIgnoreSpec:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _git_ignored(ignores: dict[str, pathspec.GitIgnoreSpec], rel: str) -> bool:
    """Gitignore semantics: the deepest .gitignore with an opinion about ``rel`` decides."""
    parts = rel.rstrip("/").split("/")
    for depth in range(len(parts) - 1, -1, -1):
        base = "/".join(parts[:depth])
        spec = ignores.get(base)
        if spec is None:
            continue
        result = spec.check_file(rel[len(base) + 1:] if base else rel)
        if result.include is not None:
            return bool(result.include)
    return False


def _symlink_problem(root: Path, path: Path) -> str | None:
    """Why a symbolic link must be skipped, or None when it stays inside root."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "symlink-dangling"
    if not target.is_relative_to(root):
        return "symlink-outside"
    return None


def _inspect(root: Path, rel: str, max_bytes: int) -> SourceFile | str | None:
    """A SourceFile for a file worth keeping, a skip reason, or None for a path that is not a file."""
    full = root / rel
    try:
        info = os.lstat(full)
    except FileNotFoundError:
        return None  # tracked by git but deleted in the work tree
    except OSError:
        return "unreadable"
    if stat.S_ISLNK(info.st_mode):
        problem = _symlink_problem(root, full)
        if problem:
            return problem
        try:
            info = os.stat(full)
        except OSError:
            return "unreadable"
    if not stat.S_ISREG(info.st_mode):
        return None  # a submodule or a link to a folder: not a file
    if PurePosixPath(rel).suffix.lower() in BINARY_EXTENSIONS:
        return "binary"
    if info.st_size > max_bytes:
        return f"too-large ({info.st_size} bytes > {max_bytes})"
    try:
        data = full.read_bytes()
    except OSError:
        return "unreadable"
    if b"\0" in data[:SNIFF_BYTES] and not _is_utf16(data):
        return "binary"
    return SourceFile(path=rel, language=language_of(rel), size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _is_utf16(data: bytes) -> bool:
    """UTF-16 text has NULs but a byte-order mark; treat it as text (the decoder reports it)."""
    return data[:2] in (b"\xff\xfe", b"\xfe\xff")
