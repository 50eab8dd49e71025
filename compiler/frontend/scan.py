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
* ``unreadable``: the file could not be read (permissions, vanished, I/O error); a folder that
  cannot be listed is reported as ``dir/``
* ``undecodable-name``: the file name is not valid UTF-8, so it could not be written into the corpus
  (its path is shown with ``\\xNN`` escapes; a folder with such a name is reported once, as ``dir/``)

An excluded or vendored directory is reported once, as ``dir/``, not file by file.

An ignore pattern git would accept but ``pathspec`` cannot read (a ``.gitignore`` line holding only
``\\``, or the same in ``exclude``) is left out and reported as an ``invalid-ignore-pattern`` warning
at its file and line (``ScanResult.diagnostics``); the scan goes on.

With ``stat_cache`` (a file path), a rebuild does not read or hash a regular file
whose ``lstat`` signature (size, mtime, inode, ctime, mode) is unchanged since the
last scan: its verdict is taken from the cache. As in git's index, an entry whose
mtime or ctime is less than ``RACY_WINDOW_NS`` older than the moment the cache was
written is "racy" (the file could have changed within the timestamp's granularity
after it was read) and is read again. Symbolic links are never cached.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import stat
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from fnmatch import translate
from pathlib import Path, PurePosixPath

import pathspec

from compiler.config import DEFAULT_EXCLUDES, Settings, setting_location
from compiler.model import Diagnostic, SkippedFile, SourceFile

__all__ = ["ScanResult", "scan", "language_of", "read_source"]

LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".md": "markdown",
    ".markdown": "markdown",
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
    """The files kept (sorted by path), the ones left out with reasons, and warnings about the tree."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def language_of(path: str) -> str:
    """The language name the front end dispatches on, from the file extension."""
    return LANGUAGES.get(_suffix(path).lower(), "text")


def _suffix(path: str) -> str:
    """``PurePosixPath(path).suffix`` without building a path object."""
    name = path[path.rfind("/") + 1 :]
    if not name or name == ".":  # "dir/", "dir/.", "": let pathlib normalise
        return PurePosixPath(path).suffix
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def read_source(root: Path, source: SourceFile) -> bytes:
    """The bytes of a scanned file (the parsers read them again after the scan)."""
    return (Path(root) / source.path).read_bytes()


def scan(root: Path, settings: Settings, out_dir: Path | None = None, *, stat_cache: Path | None = None) -> ScanResult:
    """List the files under ``root`` worth compiling, with their language and hash.

    ``stat_cache``: a file where the verdicts of the files read are kept with their stat
    signature, so the next scan reads only the files that changed (created when missing;
    a missing, corrupt or outdated one is ignored and rewritten).
    """
    root = Path(root).resolve()
    cache = _StatCache.load(Path(stat_cache), root, settings.max_file_bytes) if stat_cache is not None else None
    result = ScanResult()
    exclude = _valid_patterns(
        list(settings.exclude), lambda i: setting_location(root, "exclude", settings.exclude[i]), result.diagnostics
    )
    excluder = _Excluder(tuple(exclude), _output_prefix(root, out_dir), defaults=settings.default_excludes)
    listed = _git_files(root, result.skipped)
    if listed is None:
        listed = _walk_files(root, excluder, result.skipped, result.diagnostics)
    seen_dirs: set[str] = set()
    for rel in listed:
        if not rel.isascii() and not _is_utf8(rel):
            skip = _undecodable(rel)
            if skip.path not in seen_dirs:
                seen_dirs.add(skip.path)
                result.skipped.append(skip)
            continue
        verdict = excluder.excluded_dir(rel)
        if verdict:
            directory, reason = verdict
            if directory not in seen_dirs and reason != STAGING:
                seen_dirs.add(directory)
                result.skipped.append(SkippedFile(directory + "/", reason))
            continue
        if excluder.excluded_file(rel):
            result.skipped.append(SkippedFile(rel, "excluded"))
            continue
        kept = _inspect(root, rel, settings.max_file_bytes, cache)
        if isinstance(kept, SourceFile):
            result.files.append(kept)
        elif kept is not None:
            result.skipped.append(SkippedFile(rel, kept))
    if cache is not None:
        cache.save_if_changed()
    result.files.sort(key=lambda f: f.path)
    result.skipped.sort(key=lambda s: s.path)
    result.diagnostics.sort(key=lambda d: (d.path, d.line or 0))
    return result


def _is_utf8(name: str) -> bool:
    """Whether a path decoded with ``surrogateescape`` came from valid UTF-8 (no lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _undecodable(rel: str) -> SkippedFile:
    """The skip record of a path whose name is not UTF-8: its outermost such folder (``dir/``), or the file,
    shown with ``\\xNN`` escapes so the record itself is valid text."""
    parts = rel.split("/")
    for depth, part in enumerate(parts[:-1]):
        if not _is_utf8(part):
            rel = "/".join(parts[: depth + 1]) + "/"
            break
    shown = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return SkippedFile(shown, "undecodable-name")


def _valid_patterns(lines: list[str], where, diagnostics: list[Diagnostic]) -> list[str]:
    """The gitignore ``lines`` pathspec can compile; each other one becomes an ``invalid-ignore-pattern``
    warning at ``where(index)`` (a ``(path, line)`` pair). Blank lines are kept, so indexes stay line numbers."""
    try:
        pathspec.GitIgnoreSpec.from_lines(lines)
        return lines
    except (ValueError, TypeError):
        pass
    kept = []
    for index, line in enumerate(lines):
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except (ValueError, TypeError) as exc:
            path, number = where(index)
            message = f"ignore pattern {line!r} left out: {exc}"
            diagnostics.append(Diagnostic(path, number, "warning", "invalid-ignore-pattern", message))
            kept.append("")
        else:
            kept.append(line)
    return kept


def _output_prefix(root: Path, out_dir: Path | None) -> str | None:
    """The output folder relative to root, when it lies inside root (so a rebuild never reads its own output)."""
    if out_dir is None:
        return None
    try:
        rel = Path(out_dir).resolve().relative_to(root)
    except ValueError:
        return None
    return rel.as_posix() if rel.parts else None


# The reason given to a build's own staging folder or backup beside its output (``.corpus.new-*``,
# ``.corpus.old``): left out and not reported, since whether one exists (a build running, an old
# corpus still being deleted in the background) must not change the next corpus.
STAGING = "kc-staging"


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
        if output_prefix is not None:  # a build's staging folder and backup sit beside its output
            self._output_parent, _, output_name = output_prefix.rpartition("/")
            self._staging_prefix, self._backup_name = f".{output_name}.new-", f".{output_name}.old"
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
        parent, _, name = directory.rpartition("/")
        if directory == self._output_prefix:
            return directory, "excluded"
        if (
            self._output_prefix is not None
            and parent == self._output_parent
            and (name.startswith(self._staging_prefix) or name == self._backup_name)
        ):
            return directory, STAGING
        if self._dir_name.fullmatch(name) or self._spec.match_file(directory + "/"):
            return directory, "vendored" if name in VENDORED_DIRS else "excluded"
        return None

    def excluded_file(self, rel: str) -> bool:
        return bool(self._spec.match_file(rel))


def _git_files(root: Path, skipped: list[SkippedFile]) -> list[str] | None:
    """Paths (relative to root) git would show, or None when root is not in a git work tree.

    A folder git could not open (it warns and goes on) is added to ``skipped`` as ``unreadable``.
    """
    try:
        proc = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root,
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    paths = sorted({p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p})
    if paths:
        skipped.extend(git_unreadable(proc.stderr.decode("utf-8", "backslashreplace")))
    # An ignored folder inside a checkout lists nothing; walk it as a plain folder instead.
    return paths or None


_GIT_UNREADABLE = re.compile(r"^warning: could not open directory '(.+?)/?': ", re.MULTILINE)


def git_unreadable(stderr: str) -> list[SkippedFile]:
    """The folders ``git ls-files`` warned it could not open, as ``unreadable`` skips (``dir/``)."""
    return [SkippedFile(match.group(1) + "/", "unreadable") for match in _GIT_UNREADABLE.finditer(stderr)]


def _walk_files(
    root: Path, excluder: _Excluder, skipped: list[SkippedFile], diagnostics: list[Diagnostic]
) -> list[str]:
    """Walk root honouring every .gitignore on the way; excluded directories are pruned and recorded.

    A top-down walk like ``os.walk(root)``, on ``os.scandir`` so that a folder's entry types cost no
    extra system call. A folder that cannot be listed is skipped as ``unreadable``.
    """
    found: list[str] = []
    ignores: dict[str, pathspec.GitIgnoreSpec] = {}  # directory ("" = root) -> its .gitignore
    stack = [(os.fspath(root), "")]
    while stack:
        current, rel_dir = stack.pop()
        dir_entries: dict[str, os.DirEntry] = {}
        filenames: list[str] = []
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if is_dir:
                        dir_entries[entry.name] = entry
                    else:
                        filenames.append(entry.name)
        except OSError:  # a folder that cannot be listed (or fails mid-listing) is left out, and said so
            if rel_dir and _is_utf8(rel_dir):
                skipped.append(SkippedFile(rel_dir + "/", "unreadable"))
            elif rel_dir:
                skipped.append(_undecodable(rel_dir + "/_"))
            continue
        if ".gitignore" in filenames:
            ignores[rel_dir] = _read_gitignore(
                Path(current) / ".gitignore", (rel_dir + "/" if rel_dir else "") + ".gitignore", diagnostics
            )
        prefix = rel_dir + "/" if rel_dir else ""
        keep_dirs = []
        for name in sorted(dir_entries):
            rel = prefix + name
            if name == ".git" or (ignores and _git_ignored(ignores, rel + "/")):
                continue
            try:
                is_link = dir_entries[name].is_symlink()
            except OSError:
                is_link = False
            if is_link:
                reason = _symlink_problem(root, Path(current) / name)
                if reason:
                    skipped.append(SkippedFile(rel, reason))
                continue  # a link to a folder inside root: its files are scanned where they live
            verdict = excluder.excluded_dir(rel + "/_")
            if verdict:
                if verdict[1] != STAGING:
                    skipped.append(SkippedFile(verdict[0] + "/", verdict[1]))
                continue
            keep_dirs.append(name)
        stack.extend((os.path.join(current, name), prefix + name) for name in reversed(keep_dirs))
        if ignores:
            found.extend(prefix + name for name in filenames if not _git_ignored(ignores, prefix + name))
        else:
            found.extend(prefix + name for name in filenames)
    return sorted(found)


def _read_gitignore(path: Path, rel: str, diagnostics: list[Diagnostic]) -> pathspec.GitIgnoreSpec:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        lines = []
    lines = [line.removesuffix("\r") for line in lines]
    shown = rel if _is_utf8(rel) else os.fsencode(rel).decode("utf-8", "backslashreplace")
    return pathspec.GitIgnoreSpec.from_lines(_valid_patterns(lines, lambda i: (shown, i + 1), diagnostics))


def _git_ignored(ignores: dict[str, pathspec.GitIgnoreSpec], rel: str) -> bool:
    """Gitignore semantics: the deepest .gitignore with an opinion about ``rel`` decides."""
    parts = rel.rstrip("/").split("/")
    for depth in range(len(parts) - 1, -1, -1):
        base = "/".join(parts[:depth])
        spec = ignores.get(base)
        if spec is None:
            continue
        result = spec.check_file(rel[len(base) + 1 :] if base else rel)
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


def _inspect(root: Path, rel: str, max_bytes: int, cache: _StatCache | None = None) -> SourceFile | str | None:
    """A SourceFile for a file worth keeping, a skip reason, or None for a path that is not a file."""
    base = os.fspath(root)
    full = (base if base.endswith("/") else base + "/") + rel
    if rel.endswith("/"):  # as pathlib would: "sub/" names "sub" itself, even when it is a link
        full = full.rstrip("/")
    try:
        info = os.lstat(full)
    except FileNotFoundError:
        return None  # tracked by git but deleted in the work tree
    except OSError:
        return "unreadable"
    if stat.S_ISLNK(info.st_mode):
        problem = _symlink_problem(Path(root), Path(full))
        if problem:
            return problem
        try:
            info = os.stat(full)
        except OSError:
            return "unreadable"
        cache = None  # a link's verdict follows its target: never cached
    if not stat.S_ISREG(info.st_mode):
        return None  # a submodule or a link to a folder: not a file
    if _suffix(rel).lower() in BINARY_EXTENSIONS:
        return "binary"
    if info.st_size > max_bytes:
        return f"too-large ({info.st_size} bytes > {max_bytes})"
    if cache is not None:
        signature = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, info.st_mode)
        known = cache.lookup(rel, signature)
        if known is not None:
            return known
    try:
        data = _read_bytes(full)
    except OSError:
        return "unreadable"
    if b"\0" in data[:SNIFF_BYTES] and not _is_utf16(data):
        verdict: SourceFile | str = "binary"
    else:
        verdict = SourceFile(
            path=rel, language=language_of(rel), size=len(data), sha256=hashlib.sha256(data).hexdigest()
        )
    if cache is not None:
        cache.store(rel, signature, verdict)
    return verdict


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


# Stat cache file: magic (8 bytes), CRC-32 of the rest (4 bytes, big-endian), then
# marshal.dumps((CACHE_VERSION, key, written_ns, entries)) with
# entries = {rel: ((size, mtime_ns, ino, ctime_ns, mode), verdict)} and verdict either
# (language, size, sha256) or a skip reason string ("binary").
_CACHE_MAGIC = b"KCSCAN\x00\x01"
CACHE_VERSION = 1
RACY_WINDOW_NS = 2_000_000_000
_clock_ns = time.time_ns  # a seam for the tests


class _StatCache:
    """Verdicts of the files read by the previous scan, keyed by path and checked by stat signature."""

    def __init__(self, path: Path, key: tuple, old: dict, written_ns: int, valid: bool) -> None:
        self.path = path
        self.key = key
        self.old = old
        self.trusted_before = written_ns - RACY_WINDOW_NS  # mtime and ctime must both be at most this
        self.new: dict[str, tuple] = {}
        self.changed = not valid

    @classmethod
    def load(cls, path: Path, root: Path, max_bytes: int) -> _StatCache:
        key = (str(root), max_bytes)
        try:
            with open(path, "rb") as handle:
                blob = handle.read()
            if blob[:8] != _CACHE_MAGIC or int.from_bytes(blob[8:12], "big") != zlib.crc32(blob[12:]):
                raise ValueError("not a scan cache")
            version, stored_key, written_ns, entries = marshal.loads(blob[12:])
            if (
                version != CACHE_VERSION
                or stored_key != key
                or type(written_ns) is not int
                or type(entries) is not dict
            ):
                raise ValueError("outdated scan cache")
        except Exception:  # missing, unreadable, corrupt, other version or settings: start afresh
            return cls(path, key, {}, 0, valid=False)
        return cls(path, key, entries, written_ns, valid=True)

    def lookup(self, rel: str, signature: tuple) -> SourceFile | str | None:
        """The cached verdict when ``signature`` matches and is not racy, else None (read the file)."""
        entry = self.old.get(rel)
        if entry is None or signature[1] > self.trusted_before or signature[3] > self.trusted_before:
            return None
        try:
            cached_signature, verdict = entry
            if cached_signature != signature:
                return None
            if type(verdict) is str:
                result: SourceFile | str = verdict
            else:
                language, size, sha256 = verdict
                result = SourceFile(path=rel, language=language, size=size, sha256=sha256)
        except (TypeError, ValueError):  # a malformed entry: read the file
            return None
        self.new[rel] = entry
        return result

    def store(self, rel: str, signature: tuple, verdict: SourceFile | str) -> None:
        if isinstance(verdict, SourceFile):
            self.new[rel] = (signature, (verdict.language, verdict.size, verdict.sha256))
        else:
            self.new[rel] = (signature, verdict)
        self.changed = True  # a new, changed or racy entry (rewriting refreshes the racy reference time)

    def save_if_changed(self) -> None:
        """Write the cache (atomically) when an entry was added, changed, re-read or dropped."""
        if not self.changed and len(self.new) == len(self.old):
            return  # every entry was reused, none dropped: the file on disk is already right
        blob = marshal.dumps((CACHE_VERSION, self.key, _clock_ns(), self.new))
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_CACHE_MAGIC + zlib.crc32(blob).to_bytes(4, "big") + blob)
            os.replace(tmp, self.path)
        except OSError:  # the cache only saves time: a read-only cache folder must not fail the scan
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _is_utf16(data: bytes) -> bool:
    """UTF-16 text has NULs but a byte-order mark; treat it as text (the decoder reports it)."""
    return data[:2] in (b"\xff\xfe", b"\xfe\xff")
