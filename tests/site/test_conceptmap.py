"""The concept map SVG: valid, deterministic, readable (no overlaps), linked, sized by importance."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from kctest import synthetic

from compiler.backend.conceptmap import concept_map_block, concept_map_svg

SVG = "{http://www.w3.org/2000/svg}"


def _boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """concept id -> (left, top, right, bottom) of its box."""
    root = ET.fromstring(svg)
    boxes = {}
    for link in root.iter(f"{SVG}a"):
        rect = link.find(f"{SVG}rect")
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        boxes[link.get("data-concept")] = (x, y, x + w, y + h)
    return boxes


def test_every_concept_is_a_box_linking_to_its_page():
    core = synthetic.small_core()
    root = ET.fromstring(concept_map_svg(core))
    links = {a.get("data-concept"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert links == {c.id: f"concepts/{c.id}.md" for c in core.concepts}
    custom = ET.fromstring(concept_map_svg(core, link=lambda cid: f"../c/{cid}.html"))
    assert {a.get("href") for a in custom.iter(f"{SVG}a")} == {f"../c/{c.id}.html" for c in core.concepts}


def test_arrows_point_down_from_prerequisite_to_concept_without_implied_ones():
    core = synthetic.small_core()
    svg = concept_map_svg(core)
    boxes = _boxes(svg)
    drawn = {(p.get("data-from"), p.get("data-to")) for p in ET.fromstring(svg).iter(f"{SVG}path") if p.get("data-from")}
    # retries needs configuration and requests, and requests needs configuration: the direct
    # configuration -> retries arrow is implied, so it is left out.
    assert ("requests", "retries") in drawn and ("configuration", "requests") in drawn
    assert ("configuration", "retries") not in drawn
    assert drawn == {
        ("configuration", "requests"), ("requests", "auth"), ("requests", "retries"),
        ("auth", "client"), ("retries", "client"), ("client", "cli"),
    }
    for source, target in drawn:
        assert boxes[source][3] < boxes[target][1], f"{source} -> {target} does not point down"


def test_no_two_boxes_overlap_on_a_25_concept_map():
    boxes = list(_boxes(concept_map_svg(synthetic.wide_core(25))).values())
    assert len(boxes) == 25
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"boxes overlap: {a} {b}"


def test_more_important_concepts_get_bigger_boxes():
    core = synthetic.small_core()
    boxes = _boxes(concept_map_svg(core))
    by_importance = sorted(core.concepts, key=lambda c: c.importance)
    widths = [boxes[c.id][2] - boxes[c.id][0] for c in by_importance]
    assert widths == sorted(widths) and widths[-1] > widths[0]


def test_output_is_byte_identical_across_processes():
    """Same core, different hash seeds: same bytes (nothing depends on set or dict order)."""
    script = (
        "import sys; from kctest import synthetic; "
        "from compiler.backend.conceptmap import concept_map_svg; "
        "sys.stdout.write(concept_map_svg(synthetic.wide_core(25)))"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parents[1])}
        outputs.add(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout)
    assert len(outputs) == 1
    assert outputs.pop() == concept_map_svg(synthetic.wide_core(25))


def test_svg_survives_any_markdown_engine():
    """No blank line (which ends an HTML block) and no markdown emphasis characters in the text."""
    core = synthetic.small_core()
    tricky = dataclasses.replace(core.concepts[0], title="The <b>*star*</b> & __init__ [x]")
    core = dataclasses.replace(core, concepts=(tricky, *core.concepts[1:]))
    svg = concept_map_svg(core)
    ET.fromstring(svg)  # still well-formed XML
    assert "\n\n" not in svg
    label = "".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert "*star*" in label and "__init__" in label  # entities decode back to the title
    assert not re.search(r"[*_`\[\]]", re.sub(r"<[^>]*>", "", svg)), "markdown characters left in SVG text"
    block = concept_map_block(core)
    assert block.startswith('<div class="kc-concept-map">\n<svg') and block.endswith("</svg>\n</div>")


def test_cycles_and_unknown_prerequisites_do_not_break_the_map():
    core = synthetic.small_core()
    concepts = list(core.concepts)
    concepts[0] = dataclasses.replace(concepts[0], prerequisites=("cli", "no-such-concept"))  # cli needs config: a cycle
    svg = concept_map_svg(dataclasses.replace(core, concepts=tuple(concepts)))
    assert len(_boxes(svg)) == len(concepts)


def test_a_core_without_concepts_gives_a_small_valid_svg():
    core = dataclasses.replace(synthetic.small_core(), concepts=(), learning_path=())
    root = ET.fromstring(concept_map_svg(core))
    assert root.tag == f"{SVG}svg" and "No concepts" in "".join(root.itertext())
