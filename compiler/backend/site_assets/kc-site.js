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

  function init() {
    document.querySelectorAll("svg.kc-map").forEach(wire);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
