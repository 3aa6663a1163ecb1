/* The admin's autocomplete (select2) draws, for a multiple choice, a search box with no
 * label of its own; it gets the field's, so that screen readers name it (axe: "label").
 * The admin's autocomplete.js draws the pickers when jQuery is ready, which may come
 * after this script runs, and select2 may draw the box anew: so every picker's box is
 * labelled whenever the picker changes. A file of its own: the CSP allows no inline script. */
(function () {
  "use strict";

  function labelSearchBoxes() {
    document.querySelectorAll("select.admin-autocomplete[multiple]").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      var search = container && container.querySelector(".select2-search__field");
      if (label && search && !search.hasAttribute("aria-label")) {
        search.setAttribute("aria-label", label.textContent.trim().replace(/[:：]$/, ""));
      }
    });
  }

  function start() {
    labelSearchBoxes();
    document.querySelectorAll("select.admin-autocomplete[multiple]").forEach(function (select) {
      new MutationObserver(labelSearchBoxes).observe(select.parentNode, {
        childList: true,
        subtree: true,
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
