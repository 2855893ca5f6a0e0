// HTMX settings for MSOIC Insight, read before the document finishes loading (htmx applies
// them when the DOM is ready). No indicator <style> element (the CSP forbids inline styles),
// no eval or script tags in swapped content, and no page snapshots in localStorage (pages
// hold force data).
(function () {
  "use strict";
  if (!window.htmx) {
    return;
  }
  window.htmx.config.includeIndicatorStyles = false;
  window.htmx.config.allowEval = false;
  window.htmx.config.allowScriptTags = false;
  window.htmx.config.historyCacheSize = 0;
  window.htmx.config.refreshOnHistoryMiss = true;
})();
