"""Real open-source codebases for the benchmarks, fetched from the package registries into bench/work/src.

Nothing here wrote them: flask and httpx are PyPI sdists, express and koa are npm tarballs, and cobra
is Debian's golang-github-spf13-cobra-dev source package (under /usr/share/gocode).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work"
SRC = WORK / "src"

PYPI = {"flask": "3.1.2", "httpx": "0.28.1"}
NPM = {"express": "4.21.2", "koa": "2.15.3", "commander": "12.1.0"}
DEBIAN_GO = {"cobra": ("golang-github-spf13-cobra-dev", "/usr/share/gocode/src/github.com/spf13/cobra")}


def ensure_source(name: str) -> Path:
    """The unpacked source tree of ``name``, downloading it on first use."""
    SRC.mkdir(parents=True, exist_ok=True)
    if name in PYPI:
        target = SRC / f"{name}-{PYPI[name]}"
        if not target.is_dir():
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                 f"{name}=={PYPI[name]}", "-d", str(SRC)],
                check=True,
            )
            archive = next(SRC.glob(f"{name}-{PYPI[name]}.tar.gz"))
            with tarfile.open(archive) as tar:
                tar.extractall(SRC, filter="data")
        return target
    if name in NPM:
        target = SRC / name
        if not target.is_dir():
            subprocess.run(["npm", "pack", "-q", f"{name}@{NPM[name]}"], cwd=SRC, check=True, capture_output=True)
            archive = SRC / f"{name}-{NPM[name]}.tgz"
            target.mkdir()
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    member.name = member.name.split("/", 1)[1] if "/" in member.name else member.name
                tar.extractall(target, filter="data")
        return target
    if name in DEBIAN_GO:
        package, path = DEBIAN_GO[name]
        if not Path(path).is_dir():
            sudo = [] if shutil.which("id") and subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0" else ["sudo"]
            subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", package], check=True)
        target = SRC / name
        if not target.is_dir():
            shutil.copytree(path, target, symlinks=False)
        return target
    raise SystemExit(f"unknown benchmark source {name!r}; known: {', '.join([*PYPI, *NPM, *DEBIAN_GO])}")


if __name__ == "__main__":
    for arg in sys.argv[1:] or [*PYPI, *NPM, *DEBIAN_GO]:
        print(ensure_source(arg))
