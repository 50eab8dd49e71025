"""A hostile source tree for the reliability benchmark (``bench/robustness.py``) and its tests.

``make_hostile_tree(root, files, seed)`` writes about ``files`` files under ``root`` (not a git
checkout, so the scanner walks it and reads its ``.gitignore`` files) and returns what it made, by kind.
One of each pathological case is always there: call chains ``f()()()`` x8000 and ``a.b()`` x4000 in
JavaScript, Go and Python, 50,000 chained calls in 100 KB, deep nesting, a 900 KB line, binary junk
behind source extensions, odd encodings (Latin-1 with a cookie, UTF-16, broken UTF-8, a BOM),
CR-only and CRLF markdown, a markdown file of 5,000 headings, names of 250 bytes, module paths and
a CONCEPTS.md heading past 255, names that are not UTF-8, a folder nobody may list, a FIFO,
symbolic-link loops, dangling and escaping links, an ignore line holding only ``\\`` (in ``.gitignore`` and in ``kc.toml``'s
``exclude``). The rest are random small modules and documents with a hostile streak (deep folders,
long chains, nesting, mixed line ends, junk bytes). Same seed, same tree.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

__all__ = ["make_hostile_tree"]

SEGMENT = "s" * 60


def _put(root: Path, rel: str | bytes, data: bytes, made: Counter, kind: str) -> None:
    path = os.path.join(os.fsencode(root), os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    made[kind] += 1


def _fixed(root: Path, made: Counter) -> None:
    """One of each pathological case."""
    put = lambda rel, data, kind: _put(root, rel, data, made, kind)  # noqa: E731
    put("chains/calls.js", ("x = f" + "()" * 8000 + ";\n").encode(), "chain")
    put("chains/calls.go", ("package chains\nfunc F() { f" + "()" * 8000 + " }\n").encode(), "chain")
    put("chains/calls.py", ("x = f" + "()" * 8000 + "\n").encode(), "chain")
    put("chains/dotted.js", ("x = a" + ".b()" * 4000 + ";\n").encode(), "chain")
    put("chains/dotted.go", ("package chains\nfunc G() { a" + ".b()" * 4000 + " }\n").encode(), "chain")
    put("chains/dotted.py", ("x = a" + ".b()" * 4000 + "\n").encode(), "chain")
    put("chains/fifty_thousand.js", ("x = f" + "()" * 50000 + ";\n").encode(), "chain")
    put("deep/braces.js", ("function f(){" * 5000 + "}" * 5000 + "\n").encode(), "nesting")
    put("deep/parens.ts", ("x = " + "(" * 20000 + "1" + ")" * 20000 + ";\n").encode(), "nesting")
    deep_py = "def f():\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(150)) + "    " * 151 + "pass\n"
    put("deep/nested.py", deep_py.encode(), "nesting")
    put("deep/lists.py", ("x = " + "[" * 3000 + "]" * 3000 + "\n").encode(), "nesting")
    put("huge/line.js", ("var x = '" + "y" * 900_000 + "';\n").encode(), "huge-line")
    put("huge/line.py", ("X = " + "+".join(["1"] * 200_000) + "\n").encode(), "huge-line")
    put("huge/headings.md", "".join(f"## Heading {i}\n\ntext {i}\n\n" for i in range(5000)).encode(), "huge-line")
    put("junk/random.py", random.Random(1).randbytes(50_000), "binary")
    put("junk/nul.js", b"function f() {}\n\0\0\0binary\n", "binary")
    put("junk/elf.go", b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 40, "binary")
    put("enc/latin1.py", "# -*- coding: latin-1 -*-\nNAME = 'Köln'\n".encode("latin-1"), "encoding")
    put("enc/utf16.py", "def f():\n    return 'é'\n".encode("utf-16"), "encoding")
    put("enc/broken.py", b"def f():\n    return '\xff\xfe'\n", "encoding")
    put("enc/bom.js", b"\xef\xbb\xbffunction bom() { return 1; }\n", "encoding")
    put("enc/bad_cookie.py", b"# coding: no-such-codec\nx = 1\n", "encoding")
    put("docs/cr_only.md", b"# Title\r\rIntro.\r\r## Usage\r\rCall `run()`.\r", "cr-only")
    put("docs/crlf.md", b"# Title\r\n\r\nIntro.\r\n\r\n## Usage\r\n", "cr-only")
    put("docs/only_cr.md", b"\r" * 1000, "cr-only")
    put("long/" + "n" * 250 + ".py", b"def far():\n    return 1\n", "long-name")
    put("long/" + "/".join([SEGMENT] * 8) + "/" + "m" * 200 + ".py", b'"""Far."""\ndef far():\n    pass\n', "long-name")
    notes = "# Concepts\n\n## " + "A concept named at great length " * 12 + "\n\nfiles: chains/\n\nText.\n"
    put("CONCEPTS.md", notes.encode(), "long-name")
    put(b"names/bad_\xff.py", b"def bad():\n    return 2\n", "non-utf8-name")
    put(b"names/dir_\xfe\xfd/mod.py", b"def inner():\n    return 3\n", "non-utf8-name")
    put("locked/inner/x.py", b"x = 1\n", "unreadable-dir")
    os.chmod(root / "locked", 0)  # root may still list it; the bench says so
    os.mkfifo(root / "special.fifo")
    made["fifo"] += 1
    links = root / "links"
    links.mkdir()
    os.symlink("loop_b", links / "loop_a")
    os.symlink("loop_a", links / "loop_b")
    os.symlink("..", links / "parent")  # a folder loop
    os.symlink("missing.py", links / "dangling.py")
    os.symlink("/etc/passwd", links / "outside.py")
    made["symlink"] += 5
    put(".gitignore", b"# an ignore line git takes and pathspec does not\n\\\n*.log\n", "ignore-pattern")
    put("kc.toml", b'exclude = ["\\\\", "*.tmp"]\n', "ignore-pattern")
    put("syntax/bad.py", b"def f(:\n    return\n", "syntax")
    put("syntax/bad.js", b"const s = `unterminated ${\n", "syntax")
    put("syntax/bad.go", b"package p\nfunc {\n", "syntax")
    put("empty/empty.py", b"", "empty")
    put("empty/empty.md", b"", "empty")


def _random_file(rng: random.Random, index: int) -> tuple[str | bytes, bytes, str]:
    kind = rng.choice(("python", "python", "javascript", "go", "markdown", "markdown", "junk", "deep-dir"))
    folder = "/".join(f"d{rng.randrange(8)}" for _ in range(rng.randrange(1, 4)))
    if kind == "python":
        depth = rng.randrange(1, 40)
        body = "".join("    " * (i + 1) + f"for v{i} in range({i}):\n" for i in range(depth)) + "    " * (depth + 1)
        body += "pass\n"
        chain = "x" + ".y()" * rng.randrange(1, 300)
        text = f'"""Module {index}."""\n\n\ndef fn_{index}():\n    """Doc {index}."""\n{body}\n\nZ = {chain}\n'
        return f"{folder}/mod_{index}.py", text.encode(), kind
    if kind == "javascript":
        chain = "f" + "()" * rng.randrange(1, 400)
        text = f"/** Doc {index}. */\nfunction fn{index}() {{ return {chain}; }}\nmodule.exports = fn{index};\n"
        return f"{folder}/mod_{index}.js", text.encode(), kind
    if kind == "go":
        chain = "a" + ".b()" * rng.randrange(1, 300)
        text = f"package p{index % 7}\n\n// Fn{index} does things.\nfunc Fn{index}() {{ {chain} }}\n"
        return f"{folder}/mod_{index}.go", text.encode(), kind
    if kind == "markdown":
        end = rng.choice(("\n", "\r\n", "\r"))
        text = end.join([f"# Doc {index}", "", "Some text.", "", f"## Part {index}", "", "More."]) + end
        return f"{folder}/doc_{index}.md", text.encode(), kind
    if kind == "junk":
        return f"{folder}/junk_{index}.{rng.choice(('py', 'js', 'go', 'md', 'txt'))}", rng.randbytes(200), kind
    deep = "/".join(f"x{i}" for i in range(rng.randrange(20, 60)))
    return f"{deep}/leaf_{index}.py", f"def leaf_{index}():\n    return {index}\n".encode(), kind


def make_hostile_tree(root: Path, files: int = 10_000, seed: int = 15) -> Counter:
    """Write the hostile tree under ``root`` (created; must not exist); returns how many of each kind."""
    root = Path(root)
    root.mkdir(parents=True)
    made: Counter = Counter()
    _fixed(root, made)
    rng = random.Random(seed)
    for index in range(max(0, files - sum(made.values()))):  # bounded: the rest of the count
        rel, data, kind = _random_file(rng, index)
        _put(root, rel, data, made, kind)
    return made
