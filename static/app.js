// Lanshelf: small progressive enhancements. Every page works without this file (and without
// htmx); with it, "/" focuses the search box and the search box keeps its focus across updates.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = document.getElementById("q") || document.querySelector("input[type=search]");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Filters and page links are inside #results: after a swap started from one of them, move the
  // focus to the result summary so keyboard and screen-reader users land on the new results.
  document.addEventListener("htmx:afterSwap", function (event) {
    var source = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || source.id === "q" || source.id === "search") return;
    var summary = document.getElementById("summary");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus({ preventScroll: true });
    }
  });
})();
