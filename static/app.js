// Lanshelf: small progressive enhancements. Every page works without this file (and without
// htmx); with it, "/" focuses the search box, the search box keeps its focus across updates,
// a search typed in several pauses is one history entry, and the filters are open on wide
// screens.
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

  // Search as you type: the first search of a typing spell adds a history entry, the next ones
  // replace it (the server answers with HX-Replace-Url), so Back leaves the search in one step.
  var typing = false;
  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail && event.detail.triggeringEvent;
    if (trigger && trigger.type === "input") {
      if (typing) event.detail.headers["X-Lanshelf-History"] = "replace";
      typing = true;
    } else {
      typing = false;
    }
  });

  // The filters are a <details>: a button on phones and beside the table view (which takes
  // the whole width), a sidebar (open) on wide screens.
  function openFilters() {
    var filters = document.getElementById("filters");
    if (filters && !filters.closest(".layout.wide") && window.matchMedia("(min-width: 52.01rem)").matches) filters.open = true;
  }
  document.addEventListener("DOMContentLoaded", openFilters);
  document.addEventListener("htmx:afterSwap", openFilters);
})();
