// kc serve chat. Every piece of repository or model text is escaped before it reaches the page:
// the markdown renderer escapes first and only then adds its own tags; everything else is textContent.
(function () {
  "use strict";

  var $ = function (hook) { return document.querySelector('[data-kc="' + hook + '"]'); };
  var conversation = $("conversation");
  var busy = false;
  var learner = "";

  // ---- safe markdown ---------------------------------------------------------------
  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(text) { return String(text).replace(/[&<>"']/g, function (c) { return ESC[c]; }); }

  function inline(text) {
    // Code spans become placeholders first, so emphasis may wrap them; everything is escaped before any tag is added.
    var spans = [];
    var html = esc(text.replace(/\u0000/g, "").replace(/`([^`\n]+)`/g, function (_, code) {
      spans.push("<code>" + esc(code) + "</code>");
      return "\u0000" + (spans.length - 1) + "\u0000";
    }));
    html = html.replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>");
    html = html.replace(/(^|[^*\w])\*([^*\n]+)\*(?![\w*])/g, "$1<em>$2</em>");
    html = html.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, "$1");  // links show their text; citations are links below
    return html.replace(/\u0000(\d+)\u0000/g, function (_, i) { return spans[Number(i)]; });
  }

  function markdown(source) {
    var out = [], para = [], list = null, fence = null, code = [];
    function flushPara() { if (para.length) { out.push("<p>" + inline(para.join(" ")) + "</p>"); para = []; } }
    function flushList() { if (list) { out.push("<" + list.tag + ">" + list.items.join("") + "</" + list.tag + ">"); list = null; } }
    source.split("\n").forEach(function (line) {
      if (fence !== null) {
        if (/^\s*(```|~~~)/.test(line)) { out.push("<pre><code>" + esc(code.join("\n")) + "</code></pre>"); fence = null; code = []; }
        else { code.push(line); }
        return;
      }
      var m;
      if (/^\s*(```|~~~)/.test(line)) { flushPara(); flushList(); fence = line; return; }
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flushPara(); flushList();
        var level = Math.min(6, m[1].length + 2);
        out.push("<h" + level + ">" + inline(m[2]) + "</h" + level + ">");
        return;
      }
      if ((m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line))) {
        flushPara();
        var tag = /\d/.test(m[1]) ? "ol" : "ul";
        if (!list || list.tag !== tag) { flushList(); list = { tag: tag, items: [] }; }
        list.items.push("<li>" + inline(m[2]) + "</li>");
        return;
      }
      if (!line.trim()) { flushPara(); flushList(); return; }
      if (list && /^\s+/.test(line)) { list.items[list.items.length - 1] = list.items[list.items.length - 1].replace(/<\/li>$/, " " + inline(line.trim()) + "</li>"); return; }
      flushList();
      para.push(line.trim());
    });
    if (fence !== null) { out.push("<pre><code>" + esc(code.join("\n")) + "</code></pre>"); }
    flushPara(); flushList();
    return out.join("\n");
  }

  // ---- small DOM helpers -----------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function scrollDown() { conversation.scrollTop = conversation.scrollHeight; }
  function turn(questionText) {
    var box = el("div", { "class": "kc-turn", "data-kc": "turn" });
    if (questionText) box.appendChild(el("div", { "class": "kc-question", "data-kc": "asked" }, questionText));
    conversation.appendChild(box);
    scrollDown();
    return box;
  }
  function showError(box, message) { box.appendChild(el("p", { "class": "kc-error", "data-kc": "error" }, message)); scrollDown(); }
  function setBusy(value) {
    busy = value;
    ["send", "quiz", "path"].forEach(function (hook) { $(hook).disabled = value; });
  }

  async function api(method, url, body) {
    var options = { method: method, headers: {} };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    var response = await fetch(url, options);
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) throw new Error((data && data.error) || ("HTTP " + response.status));
    return data;
  }

  // ---- the concept map -------------------------------------------------------------
  function showMap(path) {
    var list = $("map-list");
    list.textContent = "";
    (path || []).forEach(function (entry) {
      var item = el("li", { "data-kc": "concept", "data-concept": entry.concept, "data-status": entry.status });
      item.appendChild(el("span", { "class": "kc-concept-title" }, entry.title));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", { "class": "kc-meta" }, entry.status));
      list.appendChild(item);
    });
  }
  async function refreshProgress() {
    var data = await api("GET", "/api/progress?learner=" + encodeURIComponent(learner));
    showMap(data.path);
    return data;
  }

  // ---- learners --------------------------------------------------------------------
  async function loadLearners(selected) {
    var data = await api("GET", "/api/learners");
    var select = $("learner-select");
    select.textContent = "";
    var names = data.learners.map(function (p) { return p.name; });
    var wanted = selected || localStorage.getItem("kc-learner") || names[0] || "default";
    if (names.indexOf(wanted) < 0) names.push(wanted);
    names.forEach(function (name) { select.appendChild(el("option", { value: name }, name)); });
    select.value = wanted;
    useLearner(wanted);
  }
  function useLearner(name) {
    learner = name;
    localStorage.setItem("kc-learner", name);
    conversation.textContent = "";
    refreshProgress().catch(function (e) { showError(turn(""), e.message); });
  }

  $("learner-select").addEventListener("change", function (event) { useLearner(event.target.value); });
  $("profile-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var profile = { name: $("profile-name").value.trim(), level: $("profile-level").value,
                    background: $("profile-background").value, goal: $("profile-goal").value };
    try {
      var saved = await api("POST", "/api/learners", profile);
      $("profile-editor").open = false;
      await loadLearners(saved.learner.name);
    } catch (e) { showError(turn(""), e.message); }
  });

  // ---- asking: server-sent events over a POST --------------------------------------
  function renderPlan(box, plan) {
    var details = el("details", { "class": "kc-plan", "data-kc": "plan" });
    var steps = plan.steps || [];
    details.appendChild(el("summary", {}, "Plan: " + steps.length + " step(s), level " + plan.level + ", intent " + plan.intent));
    var list = el("ol");
    steps.forEach(function (step) { list.appendChild(el("li", { "data-kc": "plan-step" }, step.title + " (" + step.role + "): " + step.reason)); });
    details.appendChild(list);
    if ((plan.skipped || []).length) {
      details.appendChild(el("div", {}, "Left out:"));
      var skipped = el("ul");
      // One line per reason: "A, B, C — an indirect prerequisite, left out at intermediate level".
      var groups = [], byReason = {};
      plan.skipped.forEach(function (s) {
        var title = (plan.titles || {})[s.concept] || s.concept;
        var reason = s.reason.indexOf(title) === 0 ? s.reason.slice(title.length).replace(/^\s*(is|was)\s+/, "") : s.reason;
        if (!byReason.hasOwnProperty(reason)) { byReason[reason] = []; groups.push(reason); }
        byReason[reason].push(title);
      });
      groups.forEach(function (reason) { skipped.appendChild(el("li", {}, byReason[reason].join(", ") + " — " + reason)); });
      details.appendChild(skipped);
    }
    box.appendChild(details);
  }
  function renderCitations(box, citations) {
    if (!citations.length) return;
    var wrap = el("div", { "class": "kc-citations", "data-kc": "citations" }, "Sources: ");
    citations.forEach(function (c, i) {
      var ref = c.path + ":" + c.start + "-" + c.end;
      var link;
      if (c.url && c.url.indexOf("/site/") === 0) {
        link = el("a", { "data-kc": "citation", "data-ref": ref, href: c.url }, ref);
      } else {
        link = el("span", { "data-kc": "citation-unlinked", "data-ref": ref }, ref);
      }
      if (i) wrap.appendChild(document.createTextNode(" · "));
      wrap.appendChild(link);
    });
    box.appendChild(wrap);
  }

  async function ask(question) {
    var box = turn(question);
    var answer = el("div", { "class": "kc-answer", "data-kc": "answer" });
    var text = "";
    setBusy(true);
    try {
      var response = await fetch("/api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
                                               body: JSON.stringify({ learner: learner, question: question }) });
      if (!response.ok) {
        var problem = null;
        try { problem = await response.json(); } catch (e) { problem = null; }
        throw new Error((problem && problem.error) || ("HTTP " + response.status));
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      var handle = function (name, data) {
        if (name === "plan") { renderPlan(box, data); box.appendChild(answer); }
        else if (name === "delta") { text += data.text; answer.innerHTML = markdown(text); }
        else if (name === "citations") { renderCitations(box, data.citations); }
        else if (name === "done") {
          box.appendChild(el("div", { "class": "kc-meta", "data-kc": "done" }, "answered by " + data.backend + (data.rejected ? ", " + data.rejected + " citation(s) removed" : "")));
          showMap(data.path);
        } else if (name === "error") { showError(box, data.message); }
        scrollDown();
      };
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
        var cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          var block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          var name = "message", data = [];
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event:") === 0) name = line.slice(6).trim();
            else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
          });
          if (data.length) handle(name, JSON.parse(data.join("\n")));
        }
      }
    } catch (e) {
      showError(box, e.message);
    } finally {
      setBusy(false);
    }
  }

  $("ask-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var question = $("question").value.trim();
    if (!question || busy) return;
    $("question").value = "";
    ask(question);
  });
  $("question").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("ask-form").requestSubmit(); }
  });

  // ---- /quiz and /path ---------------------------------------------------------------
  $("quiz").addEventListener("click", async function () {
    if (busy) return;
    var box = turn("/quiz");
    setBusy(true);
    try {
      var quiz = await api("POST", "/api/quiz", { learner: learner });
      var form = el("form", { "class": "kc-quiz", "data-kc": "quiz-form" });
      form.appendChild(el("div", { "class": "kc-question" }, "Quiz: " + quiz.title));
      quiz.questions.forEach(function (q, qi) {
        var set = el("fieldset", { "data-kc": "quiz-question" });
        set.appendChild(el("legend", {}, (qi + 1) + ". " + q.prompt));
        q.choices.forEach(function (choice, ci) {
          var label = el("label");
          var input = el("input", { type: "radio", name: "q" + qi, value: String(ci), "data-kc": "quiz-choice" });
          label.appendChild(input);
          label.appendChild(document.createTextNode(" " + choice));
          set.appendChild(label);
        });
        form.appendChild(set);
      });
      form.appendChild(el("button", { type: "submit", "data-kc": "quiz-submit" }, "Check answers"));
      form.addEventListener("submit", async function (event) {
        event.preventDefault();
        var answers = quiz.questions.map(function (q, qi) {
          var picked = form.querySelector('input[name="q' + qi + '"]:checked');
          return picked ? Number(picked.value) : null;
        });
        try {
          var result = await api("POST", "/api/quiz/grade", { learner: learner, answers: answers });
          var summary = el("div", { "class": "kc-quiz-result", "data-kc": "quiz-result", "data-passed": String(result.passed) },
                           "Score " + result.correct + "/" + result.total + (result.passed ? ": passed" : ": not yet"));
          var feedback = el("ul");
          result.feedback.forEach(function (line) { feedback.appendChild(el("li", {}, line)); });
          summary.appendChild(feedback);
          form.querySelector("button").disabled = true;
          box.appendChild(summary);
          showMap(result.path);
          scrollDown();
        } catch (e) { showError(box, e.message); }
      });
      box.appendChild(form);
      scrollDown();
    } catch (e) {
      showError(box, e.message);
    } finally {
      setBusy(false);
    }
  });

  $("path").addEventListener("click", async function () {
    var box = turn("/path");
    try {
      var data = await refreshProgress();
      var list = el("ol", { "data-kc": "path-view" });
      data.path.forEach(function (entry) { list.appendChild(el("li", { "data-status": entry.status }, entry.title + " (" + entry.status + ")")); });
      box.appendChild(list);
      scrollDown();
    } catch (e) { showError(box, e.message); }
  });

  // ---- start -----------------------------------------------------------------------
  api("GET", "/api/health").then(function (health) { $("corpus-name").textContent = health.corpus; }).catch(function () {});
  loadLearners().catch(function (e) { showError(turn(""), e.message); });
})();
