"""Time, profile and check the front end's parse stage on a sample of a large tree.

    python bench/parse_profile.py time    [--step 10] [--repeat 3]   # parse_stage, fresh cache each run
    python bench/parse_profile.py profile [--step 10] [--sort tottime]
    python bench/parse_profile.py dump  OUT.pkl [--step 10] [--offset 0]  # parse_file facts of the sample
    python bench/parse_profile.py check OUT.pkl [--step 10] [--offset 0]  # same facts, byte for byte?

The tree defaults to ``bench/work/compile/tree-incremental`` (``--tree`` to change it; that
tree gets one file appended to by ``bench/compile.py``, so a private copy makes a steadier
baseline). ``dump`` stores the sampled file list with the facts; ``check`` parses those same
files again and compares ``parse_file`` output by ``==``, ``repr``, pickle bytes and the
redacted text the parser saw, so an optimisation of the front end can be proved not to
change a single fact. Dump with the old code, change it, check.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pickle
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compiler.build import parse_stage, scan_stage  # noqa: E402
from compiler.config import load_settings  # noqa: E402

DEFAULT_TREE = Path(__file__).resolve().parent / "work" / "compile" / "tree-incremental"


def _sample(tree: Path, step: int, offset: int):
    settings = load_settings(None, default_excludes=False, cache_dir=tempfile.mkdtemp(), max_file_bytes=5_000_000)
    scanned = scan_stage(tree, settings, Path(tempfile.mkdtemp()))
    return scanned.files, scanned.files[offset::step]


def _fresh_settings():
    # A fresh cache dir each time: nothing may come from the facts cache.
    return load_settings(None, default_excludes=False, cache_dir=tempfile.mkdtemp(), max_file_bytes=5_000_000)


def _time(args) -> None:
    _, files = _sample(args.tree, args.step, args.offset)
    times = []
    for _ in range(args.repeat):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        parse_stage(args.tree, files, Path(tempfile.mkdtemp()), _fresh_settings(), lambda *a: None)
        times.append(time.perf_counter() - start)
        gc.enable()
    print(
        f"{len(files)} files; parse_stage seconds: {', '.join(f'{t:.2f}' for t in times)}; "
        f"median {statistics.median(times):.2f}"
    )


def _profile(args) -> None:
    _, files = _sample(args.tree, args.step, args.offset)
    gc.disable()
    profiler = cProfile.Profile()
    profiler.enable()
    parse_stage(args.tree, files, Path(tempfile.mkdtemp()), _fresh_settings(), lambda *a: None)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)


def _facts(tree: Path, files: list, repo_paths: frozenset) -> list:
    from compiler.frontend import parse_file

    out = []
    for source in files:
        facts = parse_file(source, (tree / source.path).read_bytes(), repo_paths=repo_paths)
        out.append((facts, repr(facts), getattr(facts, "_clean_text", None), pickle.dumps(facts)))
    return out


def _dump(args) -> None:
    every, files = _sample(args.tree, args.step, args.offset)
    repo_paths = frozenset(f.path for f in every)
    facts = _facts(args.tree, files, repo_paths)
    # The file list travels with the facts: a change to the scanner must not change the sample.
    with open(args.out, "wb") as handle:
        pickle.dump((files, repo_paths, facts), handle, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(facts)} files dumped to {args.out}")


def _check(args) -> None:
    with open(args.out, "rb") as handle:
        files, repo_paths, before = pickle.load(handle)
    after = _facts(args.tree, files, repo_paths)
    if len(before) != len(after):
        sys.exit(f"file count differs: {len(before)} before, {len(after)} after")
    differ = 0
    for (old, old_repr, old_text, old_pickle), (new, new_repr, new_text, new_pickle) in zip(before, after):
        if old != new or old_repr != new_repr or old_text != new_text or old_pickle != new_pickle:
            differ += 1
            if differ <= 5:
                print(f"differs: {old.path}")
    if differ:
        sys.exit(f"{differ} of {len(after)} files differ")
    print(f"identical: {len(after)} files (==, repr, pickle and redacted text)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("time", "profile", "dump", "check"))
    parser.add_argument("out", nargs="?", default="/tmp/facts_before.pkl")
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    parser.add_argument("--step", type=int, default=10)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    args.tree = args.tree.resolve()
    {"time": _time, "profile": _profile, "dump": _dump, "check": _check}[args.mode](args)


if __name__ == "__main__":
    main()
