"""The docs site behind ``kc serve``: built on demand into a cache folder, and where a citation lands on it.

In: a ``CorpusView``. Out: ``SiteCache.ensure(view)``, the folder of a site built from exactly
that corpus (built with ``compiler.backend.site.build_site`` when missing or stale, into a
staging folder swapped in by rename, so readers never see half a site); ``citation_url(view,
path, start, end)``, the site URL of the reference entry holding those lines, with
``?kc-ref=path:start-end`` so the page's script highlights them.

A site is stale when its stamp (core.json's size and mtime, and the site assets' mtimes) differs
from the corpus's. Default folder: ``<corpus parent>/.kc/site/<corpus name>``, beside the index.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from compiler.backend.docs import anchor
from compiler.backend.site import SITE_ASSETS, build_site, read_front_matter
from compiler.service import CorpusView

STAMP_FILE = ".kc-serve-stamp"
SITE_PREFIX = "/site/"


def default_site_dir(corpus_root: Path) -> Path:
    root = Path(corpus_root).resolve()
    return root.parent / ".kc" / "site" / root.name


def site_stamp(view: CorpusView) -> str:
    """What the site was built from: the corpus's core.json and the site's own assets."""
    parts = [repr(view.stamp)]
    for asset in sorted(SITE_ASSETS.iterdir()):
        if asset.is_file():
            parts.append(f"{asset.name}:{asset.stat().st_mtime_ns}:{asset.stat().st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


class SiteCache:
    """One built site per corpus stamp; one build at a time."""

    def __init__(self, folder: Path, progress: Callable[[str], None] | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.progress = progress or (lambda line: None)
        self._lock = threading.Lock()
        self._ready_stamp = self._read_stamp()

    def _read_stamp(self) -> str:
        try:
            return (self.folder / STAMP_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def fresh(self, view: CorpusView) -> bool:
        return self._ready_stamp == site_stamp(view) and (self.folder / "index.html").is_file()

    @property
    def ready(self) -> bool:
        return (self.folder / "index.html").is_file()

    def ensure(self, view: CorpusView) -> Path:
        """The site folder, built from ``view`` first when missing or stale."""
        if self.fresh(view):
            return self.folder
        with self._lock:
            if self.fresh(view):
                return self.folder
            stamp = site_stamp(view)
            reason = "first run" if not self.ready else "the corpus changed"
            self.progress(f"kc serve: building the docs site of {view.root} into {self.folder} ({reason}) ...")
            started = time.perf_counter()
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            staging = self.folder.with_name(f"{self.folder.name}.new")
            shutil.rmtree(staging, ignore_errors=True)
            result = build_site(view.root, staging)
            (staging / STAMP_FILE).write_text(stamp + "\n", encoding="utf-8")
            old = self.folder.with_name(f"{self.folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            if self.folder.exists():
                self.folder.rename(old)
            staging.rename(self.folder)
            shutil.rmtree(old, ignore_errors=True)
            self._ready_stamp = stamp
            self.progress(f"kc serve: site ready, {result.pages} pages in {time.perf_counter() - started:.1f} s")
            return self.folder


class CitationLinks:
    """Site URLs of cited lines: the reference page of the file, at the entry of the smallest enclosing symbol."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: object = None
        self._pages: dict[str, str] = {}  # source path -> reference page name
        self._on_page: set[str] = set()  # symbol ids that have an entry on a reference page

    def _load(self, view: CorpusView) -> None:
        with self._lock:
            if self._key == view.stamp and self._pages:
                return
            pages: dict[str, str] = {}
            on_page: set[str] = set()
            for module, relpath in view.reference_pages.items():
                meta = read_front_matter(view.root / relpath)
                path = meta.get("path")
                if isinstance(path, str):
                    pages.setdefault(path, module)
                on_page.update(str(s) for s in meta.get("symbols", []) or [])
            self._pages, self._on_page, self._key = pages, on_page, view.stamp

    def url(self, view: CorpusView, path: str, start: int, end: int) -> str | None:
        """``/site/reference/<page>/?kc-ref=path:start-end#sym-...``, or None when the file has no page."""
        self._load(view)
        page = self._pages.get(path)
        if page is None:
            return None
        entries = [s for s in view.corpus.symbols_by_path.get(path, []) if s.kind != "module" and s.id in self._on_page]
        enclosing = [s for s in entries if s.lines[0] <= start and end <= s.lines[1]] or [
            s for s in entries if s.lines[0] <= start <= s.lines[1]
        ]
        best = min(enclosing, key=lambda s: (s.lines[1] - s.lines[0], s.id), default=None)
        ref = quote(f"{path}:{start}-{end}", safe="/:-")
        fragment = f"#{anchor(best.id)}" if best else ""
        return f"{SITE_PREFIX}reference/{quote(page)}/?kc-ref={ref}{fragment}"
