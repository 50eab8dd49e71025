"""Secret-scan throughput: MB/s of ``scan_text`` over a fixed input, this tree's code against a git revision's.

In: a folder of source files (default: this Python's standard library, ``.py .md .txt .toml .cfg .json``
files under it, sorted, up to ``--mb`` megabytes) and revisions to compare. Out: a table on stdout with the
best-of-N MB/s per version, the versions measured in alternation in one process so machine noise hits
both alike, plus how many findings each version made.

    .venv/bin/python bench/secrets_speed.py --against c1f7bf4 --rounds 5
    .venv/bin/python bench/secrets_speed.py --hostile     # seconds on inputs built to make a scanner slow
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = {".py", ".md", ".txt", ".toml", ".cfg", ".json", ".rst", ".js", ".ts", ".go", ".yaml", ".yml"}


def load_input(folder: Path, limit_mb: float) -> list[tuple[str, str]]:
    """``(relative path, text)`` of the folder's text files in sorted order, up to ``limit_mb`` MB of UTF-8."""
    files: list[tuple[str, str]] = []
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix not in SUFFIXES or "site-packages" in path.parts or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        files.append((path.relative_to(folder).as_posix(), text))
        total += len(text.encode("utf-8"))
        if total >= limit_mb * 1e6:
            break
    return files


def load_version(revision: str | None):
    """The ``scan_text`` of ``compiler/frontend/secrets.py`` at ``revision`` (None: the working tree)."""
    if revision is None:
        from compiler.frontend.secrets import scan_text

        return scan_text
    source = subprocess.run(
        ["git", "show", f"{revision}:compiler/frontend/secrets.py"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="kc-secrets-"))
    module_path = folder / f"secrets_{revision}.py"
    module_path.write_bytes(source)
    spec = importlib.util.spec_from_file_location(f"secrets_{revision}", module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.scan_text


def measure(scan_text, files: list[tuple[str, str]]) -> tuple[float, int]:
    """Seconds to scan every file once, and the number of findings."""
    start = time.perf_counter()
    found = 0
    for rel, text in files:
        found += len(scan_text(rel, text).redactions)
    return time.perf_counter() - start, found


def hostile_inputs(seed: int = 1) -> dict[str, str]:
    """Inputs that make a careless scanner quadratic: one long line of many token runs, many BEGIN lines, ..."""
    rng = random.Random(seed)
    alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    def token(n: int) -> str:
        return "".join(rng.choice(alnum) for _ in range(n))

    return {
        "one line: 60,000 runs with keywords, a context word first": "heroku "
        + " ".join(f"sk{token(30)}ac" for _ in range(60000)),
        "one line: 60,000 quoted random tokens": "token " + ",".join(f'"{token(24)}"' for _ in range(60000)),
        "one line: 60,000 'eyJ' runs without dots": " ".join("eyJ" + "x" * 30 for _ in range(60000)),
        "500,000 'key=' with no value": "key=" * 500000,
        "20,000 private key BEGIN lines, no END": "-----BEGIN RSA PRIVATE KEY-----\n" * 20000,
        "200,000 '://a:b@'": "://a:b@" * 200000,
    }


def hostile(scan_text) -> None:
    """Print seconds and MB/s per hostile input (each scanned once)."""
    print("| hostile input | MB | seconds | MB/s | findings |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, text in hostile_inputs().items():
        start = time.perf_counter()
        found = len(scan_text("hostile.js", text).redactions)
        seconds = time.perf_counter() - start
        size = len(text) / 1e6
        print(f"| {name} | {size:.1f} | {seconds:.2f} | {size / seconds:.1f} | {found} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--mb", type=float, default=30.0)
    parser.add_argument("--against", action="append", default=[], help="git revision to compare (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hostile", action="store_true", help="time the hostile inputs instead")
    args = parser.parse_args()
    if args.hostile:
        hostile(load_version(args.against[0] if args.against else None))
        return
    files = load_input(args.input, args.mb)
    size_mb = sum(len(text.encode("utf-8")) for _, text in files) / 1e6
    versions = {f"{rev}": load_version(rev) for rev in args.against}
    versions["working tree"] = load_version(None)
    best: dict[str, float] = {}
    findings: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, scan_text in versions.items():
            seconds, found = measure(scan_text, files)
            best[name] = min(best.get(name, seconds), seconds)
            findings[name] = found
    print(f"input: {args.input} ({len(files)} files, {size_mb:.1f} MB), best of {args.rounds} rounds, alternating")
    print("| version | seconds | MB/s | findings |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds in best.items():
        print(f"| {name} | {seconds:.2f} | {size_mb / seconds:.1f} | {findings[name]} |")


if __name__ == "__main__":
    main()
