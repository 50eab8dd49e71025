"""Compile throughput: `kc build --no-index` against bare `ast.parse`, on this machine's Python library.

Prints one table: for about 1 %, 10 % and 100 % of the tree, the Python lines of code per second of a
cold `kc build --no-index` beside bare `ast.parse` over the same files (the floor any Python front end
pays), the ratio, the build's peak memory, and, on the full tree, an incremental rebuild after touching
one file as a fraction of the cold build.

    .venv/bin/python bench/compile.py [--tree DIR] [--fractions 0.01,0.1,1] [--baseline CODE_DIR]
    .venv/bin/python bench/compile.py --rebuilds [--codebases self,flask]

``--baseline`` also builds every sample with the kc code of another checkout (for example a
``git worktree`` of main), cold and in its own process, alternating with this code, and prints
both throughputs. ``--rebuilds`` measures what a user waits for with the index on: ``kc build``
cold, then again with nothing changed (no-op), then after one file changed, on this repository and
on tuning codebases from ``bench/sources.py`` (``KC_BENCH_WORK`` shares their download cache).

Each build runs in its own process (`/usr/bin/time`-style peak RSS from `resource.getrusage` of the
child) with a fresh cache, so runs do not warm each other.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "compile"

CHILD = r"""
import json, sys, time, resource
from pathlib import Path
from compiler.build import build
from compiler.config import load_settings
source, out, cache = sys.argv[1], sys.argv[2], sys.argv[3]
settings = load_settings(None, default_excludes=False, cache_dir=cache, max_file_bytes=5_000_000)
started = time.perf_counter()
result = build(source, out, settings=settings, index=False, force=sys.argv[4] == "force")
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024,
                  "files": result.files, "parsed": result.parsed,
                  "patched": result.patched,
                  "timings": result.timings, "symbols": len(result.core.symbols) if result.core else None,
                  "concepts": len(result.core.concepts) if result.core else None}))
"""


def python_files(tree: Path) -> list[Path]:
    files = []
    for path in sorted(tree.rglob("*.py")):
        if "__pycache__" in path.parts or path.is_symlink() or not path.is_file():
            continue
        files.append(path)
    return files


def all_files(tree: Path) -> list[Path]:
    """Every regular file a build would look at (Python or not), bytecode caches left out."""
    return [p for p in sorted(tree.rglob("*")) if "__pycache__" not in p.parts and not p.is_symlink() and p.is_file()]


def sample_tree(tree: Path, files: list[Path], fraction: float) -> Path:
    """A copy (hard links) of every n-th file of the tree, Python or not, keeping the folder layout,
    so that each sample holds the same mix of files as the whole tree."""
    if fraction >= 1:
        return tree
    target = WORK / f"sample-{fraction:g}"
    if target.is_dir():
        return target
    step = max(1, round(1 / fraction))
    for path in files[::step]:
        dest = target / path.relative_to(tree)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)
    return target


def bare_parse(files: list[Path]) -> tuple[float, int]:
    """Seconds for read + ast.parse of every file, and the lines they hold: in a fresh process, as
    each build runs, so neither side carries the other's heap (or its garbage collector's work)."""
    listing = WORK / "bare-parse-files.txt"
    listing.write_text("\n".join(str(p) for p in files), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", BARE, str(listing)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bare parse failed:\n{proc.stderr[-3000:]}")
    seconds, lines = json.loads(proc.stdout.strip().splitlines()[-1])
    return seconds, lines


BARE = r"""
import ast, json, sys, time, warnings
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
lines = 0
started = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        lines += data.count(b"\n")
        try:
            ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
print(json.dumps([time.perf_counter() - started, lines]))
"""


def run_build(source: Path, label: str, force: bool, fresh_cache: bool, code: Path = HERE.parent) -> dict:
    out = WORK / f"corpus-{label}"
    cache = WORK / f"cache-{label}"
    if fresh_cache:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(code)}
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(source), str(out), str(cache), "force" if force else "incremental"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        sampler = _TreeMemory(proc.pid)
        sampler.start()
        stdout, stderr = proc.communicate()
        sampler.stop()
    if proc.returncode != 0:
        raise SystemExit(f"build of {source} failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["tree_peak_mb"] = sampler.peak_kb / 1024
    return result


class _TreeMemory(threading.Thread):
    """Peak of the summed resident memory of a process and its descendants (the parse workers),
    sampled every 50 ms from /proc. Pages a fork shares are counted once per process: an upper bound."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _descendants(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    queue.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tree", default=sysconfig.get_paths()["stdlib"], help="tree to compile (default: this Python's library)"
    )
    parser.add_argument("--fractions", default="0.01,0.1,1")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="after the incremental rebuild, build the touched tree cold and check the corpora are byte-identical",
    )
    parser.add_argument(
        "--baseline", help="another checkout's root: build each sample with its kc code too, for a before/after"
    )
    parser.add_argument(
        "--rebuilds", action="store_true", help="measure cold, no-op and one-file builds with the index instead"
    )
    parser.add_argument(
        "--codebases", default="self,flask", help="for --rebuilds: 'self' (this repository) and bench/sources.py names"
    )
    args = parser.parse_args()
    if args.rebuilds:
        rebuilds([name for name in args.codebases.split(",") if name])
        return
    tree = Path(args.tree).resolve()
    WORK.mkdir(parents=True, exist_ok=True)
    files = python_files(tree)
    everything = all_files(tree)
    print(f"tree: {tree} ({len(everything)} files, {len(files)} of them Python)\n")
    rows = []
    touched = sorted(files, key=lambda p: p.stat().st_size)[len(files) // 2]
    for fraction in (float(f) for f in args.fractions.split(",")):
        if fraction >= 1:  # the whole tree, as a hard-linked copy in which one file can be touched afterwards
            sample = _touchable_copy(tree, touched)
            sample_files = python_files(sample)
            label = "incr"
        else:
            sample = sample_tree(tree, everything, fraction)
            sample_files = python_files(sample)
            label = f"{fraction:g}"
        for path in all_files(sample):  # warm the page cache: neither side should pay for the disk
            path.read_bytes()
        parse_seconds, lines = bare_parse(sample_files)
        if args.baseline:  # before this code, alternating, so both see the same machine
            baseline = run_build(
                sample, f"{label}-baseline", force=True, fresh_cache=True, code=Path(args.baseline).resolve()
            )
        cold = run_build(sample, label, force=True, fresh_cache=True)
        row = {
            "fraction": fraction,
            "files": len(sample_files),
            "lines": lines,
            "parse_loc_s": lines / parse_seconds,
            "build_loc_s": lines / cold["seconds"],
            "build_s": cold["seconds"],
            "peak_mb": cold["peak_mb"],
            "tree_peak_mb": cold["tree_peak_mb"],
            "timings": cold["timings"],
            "symbols": cold["symbols"],
            "concepts": cold["concepts"],
        }
        if args.baseline:
            row["baseline_loc_s"] = lines / baseline["seconds"]
        if fraction >= 1:
            # never touch the real library: append a comment to one file of the copy just compiled
            incremental_source = sample
            _touch(incremental_source / touched.relative_to(tree))
            incremental = run_build(incremental_source, "incr", force=False, fresh_cache=False)
            row["incremental_s"] = incremental["seconds"]
            row["incremental_parsed"] = incremental["parsed"]
            row["incremental_patched"] = incremental["patched"]
            row["incremental_timings"] = incremental["timings"]
            if args.verify:
                run_build(incremental_source, "verify", force=True, fresh_cache=True)
                row["verified"] = _same_tree(WORK / "corpus-incr", WORK / "corpus-verify")
                shutil.rmtree(WORK / "corpus-verify", ignore_errors=True)
                shutil.rmtree(WORK / "cache-verify", ignore_errors=True)
        rows.append(row)
        print(
            f"  {fraction:>5.0%}: {len(sample_files)} Python files, build {cold['seconds']:.1f}s, parse {parse_seconds:.1f}s",
            flush=True,
        )
    print()
    print(
        "| tree | Python files | Python lines | bare ast.parse LOC/s | kc build --no-index LOC/s | ratio | build s | peak MB | peak MB, workers included |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['fraction']:.0%} | {row['files']} | {row['lines']:,} | {row['parse_loc_s']:,.0f} | {row['build_loc_s']:,.0f} "
            f"| {row['build_loc_s'] / row['parse_loc_s']:.0%} | {row['build_s']:.1f} | {row['peak_mb']:,.0f} | {row['tree_peak_mb']:,.0f} |"
        )
    if args.baseline:
        print()
        print(f"| tree | baseline ({args.baseline}) LOC/s | this code LOC/s | change |")
        print("| --- | ---: | ---: | ---: |")
        for row in rows:
            change = row["build_loc_s"] / row["baseline_loc_s"] - 1
            print(
                f"| {row['fraction']:.0%} | {row['baseline_loc_s']:,.0f} | {row['build_loc_s']:,.0f} | {change:+.1%} |"
            )
    full = rows[-1]
    if "incremental_s" in full:
        print()
        print(
            "| incremental rebuild (one file touched) | seconds | files parsed | analysis | fraction of cold | same bytes as a cold build |"
        )
        print("| --- | ---: | ---: | --- | ---: | --- |")
        analysis = "skipped (corpus patched)" if full["incremental_patched"] else "re-run"
        verified = {True: "yes", False: "NO"}.get(full.get("verified"), "not checked (--verify)")
        print(
            f"| full tree | {full['incremental_s']:.1f} | {full['incremental_parsed']} | {analysis} "
            f"| {full['incremental_s'] / full['build_s']:.1%} | {verified} |"
        )
    print()
    print("stage seconds (cold, full):", json.dumps({k: round(v, 1) for k, v in full["timings"].items()}))
    if "incremental_timings" in full:
        print(
            "stage seconds (incremental):", json.dumps({k: round(v, 1) for k, v in full["incremental_timings"].items()})
        )


def rebuilds(codebases: list[str]) -> None:
    """Cold, no-op and one-file-changed ``kc build`` (index included), each a fresh ``kc`` process."""
    rows = []
    for name in codebases:
        tree = _rebuild_tree(name)
        out = WORK / f"rebuild-{name}" / "corpus"
        shutil.rmtree(out.parent / ".kc", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        cold = _kc_build(tree, out, force=True)
        noop = _kc_build(tree, out)
        python = sorted(python_files(tree), key=lambda p: p.stat().st_size)
        changed = python[len(python) // 2]
        original = changed.read_bytes()
        try:
            changed.write_bytes(original + b"\n\ndef _bench_added_function():\n    return 'one more function'\n")
            one = _kc_build(tree, out)
        finally:
            changed.write_bytes(original)
        rows.append((name, len(all_files(tree)), cold, noop, one, changed.relative_to(tree).as_posix()))
        print(f"  {name}: cold {cold[0]:.1f}s, no-op {noop[0]:.2f}s, one file {one[0]:.2f}s", flush=True)
    print()
    print(
        "Wall seconds, then CPU seconds (user + system, the process and its children: what a loaded machine does not inflate)."
    )
    print()
    print(
        "| codebase | files | cold build with index s | no-op build s | one file changed s | one file / cold "
        "| CPU s: cold / no-op / one file | CPU one file / cold | file changed |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, files, cold, noop, one, changed in rows:
        print(
            f"| {name} | {files} | {cold[0]:.1f} | {noop[0]:.2f} | {one[0]:.2f} | {one[0] / cold[0]:.1%} "
            f"| {cold[1]:.1f} / {noop[1]:.2f} / {one[1]:.2f} | {one[1] / cold[1]:.1%} | {changed} |"
        )


def _rebuild_tree(name: str) -> Path:
    """A private copy of the codebase (its tracked files for 'self'), so one file can be changed."""
    target = WORK / f"rebuild-{name}" / "src"
    shutil.rmtree(target, ignore_errors=True)
    if name == "self":
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=HERE.parent, capture_output=True, check=True).stdout
        for rel in listed.decode().split("\0"):
            if not rel or rel.startswith("corpus/"):
                continue
            source = HERE.parent / rel
            if source.is_file() and not source.is_symlink():
                dest = target / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest)
        return target
    sys.path.insert(0, str(HERE))
    from sources import ensure_source

    shutil.copytree(ensure_source(name), target, symlinks=True)
    return target


def _kc_build(tree: Path, out: Path, force: bool = False) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``kc build`` process, interpreter start-up included."""
    import resource
    import time

    kc = Path(sys.executable).with_name("kc")
    command = [
        str(kc) if kc.exists() else sys.executable,
        *([] if kc.exists() else ["-m", "compiler.cli"]),
        "build",
        str(tree),
        "--out",
        str(out),
        "-q",
        *(["--force"] if force else []),
    ]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"kc build {tree} failed:\n{proc.stderr[-3000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _touchable_copy(tree: Path, touched: Path) -> Path:
    """A hard-linked copy of the tree in which the one file we change is a real copy."""
    target = WORK / "tree-incremental"
    if not target.is_dir():
        shutil.copytree(
            tree, target, copy_function=_link_or_copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    dest = target / touched.relative_to(tree)
    dest.unlink()
    dest.write_bytes(touched.read_bytes())  # a real copy, with the original content (earlier runs appended)
    return target


def _same_tree(a: Path, b: Path) -> bool:
    """Whether two corpora hold the same files with the same bytes."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return False
    return all((a / rel).read_bytes() == (b / rel).read_bytes() for rel in files_a)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _touch(path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n# touched by bench/compile.py\n")


if __name__ == "__main__":
    main()
