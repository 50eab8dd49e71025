// Concept map hover: highlight the arrows of the concept under the pointer or keyboard focus.
// Its prerequisites and the concepts that build on it stay bright; clicking follows the link.
(function () {
  "use strict";

  function wire(svg) {
    var nodes = svg.querySelectorAll(".kc-map-node");
    var edges = svg.querySelectorAll(".kc-map-edge");

    function clear() {
      svg.classList.remove("kc-map-focus");
      svg.querySelectorAll(".kc-map-active, .kc-map-near").forEach(function (el) {
        el.classList.remove("kc-map-active", "kc-map-near");
      });
    }

    function focus(node) {
      var id = node.getAttribute("data-concept");
      clear();
      svg.classList.add("kc-map-focus");
      node.classList.add("kc-map-active");
      edges.forEach(function (edge) {
        var from = edge.getAttribute("data-from");
        var to = edge.getAttribute("data-to");
        if (from !== id && to !== id) return;
        edge.classList.add("kc-map-active");
        var other = from === id ? to : from;
        nodes.forEach(function (n) {
          if (n.getAttribute("data-concept") === other) n.classList.add("kc-map-near");
        });
      });
    }

    nodes.forEach(function (node) {
      node.addEventListener("mouseenter", function () { focus(node); });
      node.addEventListener("focus", function () { focus(node); });
      node.addEventListener("mouseleave", clear);
      node.addEventListener("blur", clear);
    });
  }

  // Cited lines: a reference page opened with ?kc-ref=path:start-end (a tutor citation) scrolls to the
  // entry of the symbol that holds them and marks those lines in its source excerpt.
  function markCited() {
    var ref = new URLSearchParams(window.location.search).get("kc-ref");
    var match = ref && /^(.+):(\d+)-(\d+)$/.exec(ref);
    if (!match) return;
    var path = match[1], start = Number(match[2]), end = Number(match[3]);
    var anchor = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
    if (!anchor) return;
    var begin = anchor.closest("p") || anchor;
    var heading = null, first = null;
    for (var el = begin; el; el = el.nextElementSibling) {  // the entry: up to the next symbol's anchor
      if (el !== begin && el.querySelector("a[id^='sym-']")) break;
      if (!heading && /^H[1-6]$/.test(el.tagName)) heading = el;
      var at = el.tagName === "P" && /^Source: /.test(el.textContent) ? el.textContent.indexOf(path + ":") : -1;
      var lines = at >= 0 ? /^:(\d+)-(\d+)/.exec(el.textContent.slice(at + path.length)) : null;
      var code = lines && el.nextElementSibling ? el.nextElementSibling.querySelector("pre code") : null;
      if (code) first = markLines(code, Number(lines[1]), start, end) || first;
    }
    if (heading) { heading.classList.add("kc-cited"); heading.setAttribute("data-kc", "cited"); }
    (first || heading || anchor).scrollIntoView({ block: "center" });
  }

  // Wrap the text of lines start..end (numbered from firstLine) of a code block in <mark>.
  function markLines(code, firstLine, start, end) {
    var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    var texts = [], first = null, line = firstLine;
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach(function (text) {
      var pieces = text.nodeValue.split("\n");
      var fragment = document.createDocumentFragment();
      pieces.forEach(function (piece, i) {
        if (i > 0) { fragment.appendChild(document.createTextNode("\n")); line += 1; }
        if (!piece) return;
        if (line >= start && line <= end) {
          var mark = document.createElement("mark");
          mark.className = "kc-cited-line";
          mark.setAttribute("data-kc", "cited-line");
          mark.setAttribute("data-line", String(line));
          mark.textContent = piece;
          fragment.appendChild(mark);
          if (!first) first = mark;
        } else {
          fragment.appendChild(document.createTextNode(piece));
        }
      });
      text.parentNode.replaceChild(fragment, text);
    });
    return first;
  }

  function init() {
    document.querySelectorAll("svg.kc-map").forEach(wire);
    markCited();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
