"""Front matter is written without PyYAML for plain values: it must read back exactly as PyYAML writes it."""

from __future__ import annotations

import pytest
import yaml

from compiler.backend.docs import _YAML_DUMPER, front_matter

VALUES = [
    "minihttp.client",
    "lib/router/index.js",
    "__init__",
    "a-b",
    "_x.y/z-",
    "Client.send",
    # YAML would read these bare words back as booleans, null or numbers: they must be quoted
    "yes",
    "No",
    "null",
    "NULL",
    "~",
    "y",
    "n",
    "on",
    "OFF",
    "true",
    "False",
    "1e3",
    "0x1",
    ".inf",
    "-a",
    # and these need quoting or escaping for other reasons
    "a b",
    "x: y",
    "a #b",
    "é",
    "'quoted'",
    "",
    "line\nbreak",
]


def pyyaml(key, value) -> str:
    style = None if isinstance(value, (list, dict)) else False
    return yaml.dump(
        {key: value}, Dumper=_YAML_DUMPER, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=style
    )


@pytest.mark.parametrize("value", VALUES)
def test_a_scalar_is_written_as_pyyaml_writes_it(value):
    assert front_matter({"title": value}) == f"---\n{pyyaml('title', value)}---\n\n"
    assert yaml.safe_load(front_matter({"title": value}).split("---\n")[1]) == {"title": value}


def test_lists_short_and_long_are_written_as_pyyaml_writes_them():
    for value in (VALUES, ["a.b", "c.d"], [f"pkg.module.symbol_{i}" for i in range(200)], []):
        assert front_matter({"symbols": value}) == f"---\n{pyyaml('symbols', value)}---\n\n"
        assert yaml.safe_load(front_matter({"symbols": value}).split("---\n")[1]) == {"symbols": value}
