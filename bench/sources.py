"""Real open-source codebases for the benchmarks, fetched from the package registries into bench/work/src.

In: a codebase name. Out: the path of its unpacked source tree. Nothing here wrote them: PyPI sdists,
npm tarballs and Debian's golang-*-dev source packages (under /usr/share/gocode). Which version each
codebase is pinned to is read from the reference files (bench/concepts, bench/questions, bench/tutor),
so the pin is written once, next to the answers that were written from it. ``KC_BENCH_WORK`` moves the
download cache (default bench/work).

``python bench/sources.py [name ...]`` fetches them (all by default); ``--split tuning|held-out`` lists them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORK = Path(os.environ.get("KC_BENCH_WORK") or BENCH / "work")
SRC = WORK / "src"
REFERENCE_SETS = ("concepts", "questions", "tutor")

# Extra codebases used only by the compile/site benchmarks (no reference answers of their own).
EXTRA = {
    "koa": {"kind": "npm", "package": "koa", "version": "2.15.3"},
    "commander": {"kind": "npm", "package": "commander", "version": "12.1.0"},
}


def catalogue() -> dict[str, dict]:
    """name -> {"source": {...}, "split": "tuning"|"held-out"|None, "language": ...} from the reference files."""
    found: dict[str, dict] = {name: {"source": src, "split": None, "language": None} for name, src in EXTRA.items()}
    for folder in REFERENCE_SETS:
        for path in sorted((BENCH / folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if "source" not in data:
                continue
            name = data.get("codebase") or path.stem
            entry = found.setdefault(name, {"source": data["source"], "split": None, "language": None})
            entry["split"] = entry["split"] or data.get("split")
            entry["language"] = entry["language"] or data.get("language")
    return found


def _pins(kind: str) -> dict[str, str]:
    return {n: e["source"]["version"] for n, e in catalogue().items() if e["source"]["kind"] == kind}


PYPI, NPM = _pins("pypi-sdist"), _pins("npm")
DEBIAN_GO = _pins("debian-go")


def origin(name: str) -> str:
    """Where ``name`` came from, in words, for benchmark tables."""
    src = catalogue()[name]["source"]
    return {
        "pypi-sdist": f"PyPI sdist {src['package']}=={src['version']}",
        "npm": f"npm {src['package']}@{src['version']}",
        "debian-go": f"Debian {src['package']} {src['version']}",
    }[src["kind"]]


def split_of(name: str) -> str | None:
    return catalogue().get(name, {}).get("split")


def names(split: str | None = None) -> list[str]:
    return [n for n, e in catalogue().items() if split is None or e["split"] == split]


def _sudo() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo"]


def ensure_source(name: str) -> Path:
    """The unpacked source tree of ``name``, downloading it on first use."""
    entry = catalogue().get(name)
    if entry is None:
        raise SystemExit(f"unknown benchmark source {name!r}; known: {', '.join(catalogue())}")
    src = entry["source"]
    kind, package, version = src["kind"], src["package"], src["version"]
    SRC.mkdir(parents=True, exist_ok=True)
    if kind == "pypi-sdist":
        target = SRC / f"{name}-{version}"
        if not target.is_dir():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    f"{package}=={version}",
                    "-d",
                    str(SRC),
                ],
                check=True,
            )
            archive = next(p for p in SRC.glob("*.tar.gz") if p.name.lower().startswith(f"{package.lower()}-{version}"))
            with tarfile.open(archive) as tar:
                top = tar.getnames()[0].split("/")[0]
                tar.extractall(SRC, filter="data")
            if (SRC / top) != target:
                (SRC / top).rename(target)
        return target
    if kind == "npm":
        target = SRC / name
        if not target.is_dir():
            subprocess.run(["npm", "pack", "-q", f"{package}@{version}"], cwd=SRC, check=True, capture_output=True)
            archive = SRC / f"{package}-{version}.tgz"
            target.mkdir()
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    member.name = member.name.split("/", 1)[1] if "/" in member.name else member.name
                tar.extractall(target, filter="data")
        return target
    if kind == "debian-go":
        path = Path(src["path"])
        if not path.is_dir():
            subprocess.run([*_sudo(), "apt-get", "install", "-y", "-qq", package], check=True)
        target = SRC / name
        if not target.is_dir():
            shutil.copytree(path, target, symlinks=False)
        return target
    raise SystemExit(f"{name}: unknown source kind {kind!r}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--split"]:
        print("\n".join(names(args[1] if len(args) > 1 else None)))
        raise SystemExit(0)
    for arg in args or names():
        print(ensure_source(arg))
