"""Sites built from corpora the real compiler wrote: every fixture repository, and this repository."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from kctest.corpus import REPO

from compiler.backend.site import build_site

FIXTURE_CORPORA = ("pyapp", "jsapp", "goapp", "broken", "secrets", "injection")


@pytest.mark.parametrize("name", FIXTURE_CORPORA)
def test_fixture_corpus_builds_strictly(compiled, name, tmp_path):
    corpus = compiled(name)
    result = build_site(corpus, tmp_path / "site")
    assert result.warnings == ()
    site = tmp_path / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'<a class="kc-map-node[^"]*" href="([^"]+)"', home):
        assert (site / href / "index.html").is_file(), href
    for page in corpus.rglob("*.md"):
        assert (site / page.relative_to(corpus)).read_bytes() == page.read_bytes()


def test_secrets_stay_out_of_the_site(compiled, tmp_path):
    """The planted fake secrets are not in the corpus, so they must not appear anywhere in the site."""
    planted = (REPO / "tests" / "fixtures" / "repos" / "secrets.planted.txt").read_text(encoding="utf-8")
    secrets = [line.strip() for line in planted.splitlines() if line.strip() and not line.startswith("#")]
    assert secrets
    build_site(compiled("secrets"), tmp_path / "site")
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file() and path.suffix in {".html", ".md", ".txt", ".json", ".xml"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            for secret in secrets:
                assert secret not in text, f"{path}: planted secret leaked"


def test_this_repository_site_builds_with_mkdocs_strict(tmp_path):
    """`mkdocs build --strict` with the top-level mkdocs.yml, from corpus/ (this repository's corpus)."""
    assert (REPO / "corpus" / "core.json").is_file(), "corpus/ is this repository compiled by itself: run 'make corpus'"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "llms.txt").is_file()
