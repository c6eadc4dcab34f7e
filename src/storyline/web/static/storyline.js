// storyline web UI: a source panel for citations, and #c-START-END article links.
// Article content only ever goes into the page through textContent, never as HTML.
(function () {
  "use strict";

  function text(element, value) {
    element.textContent = value == null ? "" : String(value);
  }

  // An article link of the form /articles/ID#c-START-END highlights that passage too.
  function followSpanFragment() {
    var match = /^#c-(\d+)-(\d+)$/.exec(window.location.hash);
    if (!match || !document.body.classList.contains("page-article")) return;
    var params = new URLSearchParams(window.location.search);
    if (params.get("start") === match[1] && params.get("end") === match[2]) return;
    params.set("start", match[1]);
    params.set("end", match[2]);
    window.location.replace(window.location.pathname + "?" + params.toString() + "#passage");
  }

  var panel = null;
  var active = null;

  function closePanel() {
    if (!panel) return;
    panel.hidden = true;
    if (active) {
      active.classList.remove("active");
      active.focus();
      active = null;
    }
  }

  function showPassage(link, data) {
    text(panel.querySelector(".panel-meta"), [data.source, data.published].filter(Boolean).join(" · "));
    text(panel.querySelector(".panel-title"), data.title || data.article_id);
    var quote = panel.querySelector(".panel-text");
    quote.replaceChildren();
    var before = document.createElement("span");
    before.className = "ctx";
    text(before, (data.clipped_before ? "… " : "") + data.before);
    var mark = document.createElement("mark");
    mark.className = "cited";
    text(mark, data.passage);
    var after = document.createElement("span");
    after.className = "ctx";
    text(after, data.after + (data.clipped_after ? " …" : ""));
    quote.append(before, mark, after);
    panel.querySelector(".panel-open").setAttribute("href", data.href);
    panel.hidden = false;
    panel.focus();
    mark.scrollIntoView({ block: "center" });
  }

  function openCitation(event) {
    var link = event.target.closest("a.cite[data-passage]");
    if (!link || !panel || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    if (active) active.classList.remove("active");
    active = link;
    link.classList.add("active");
    fetch(link.getAttribute("data-passage"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { showPassage(link, data); })
      .catch(function () { window.location.href = link.getAttribute("href"); });
  }

  // A link to an entry inside a closed <details> (a timeline entry, a claim) opens it.
  function revealTarget() {
    var id = window.location.hash.slice(1);
    var target = id && document.getElementById(decodeURIComponent(id));
    if (!target) return;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    target.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    followSpanFragment();
    window.addEventListener("hashchange", revealTarget);
    if (window.location.hash) revealTarget();
    panel = document.getElementById("source-panel");
    if (!panel) return;
    document.addEventListener("click", openCitation);
    panel.querySelector(".panel-close").addEventListener("click", closePanel);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closePanel();
    });
  });
})();
