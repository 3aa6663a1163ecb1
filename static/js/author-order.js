/* The Publication change form's author list (publications/admin.py, AuthorshipInline):
 * rows reordered by dragging (the ⠿ handle) or, from the keyboard, by the ↑ and ↓
 * buttons in each row. Either way the position inputs are renumbered 1, 2, 3… in the
 * rows' new order; the server renumbers again on save, so positions typed by hand
 * still work without this script. A file of its own: the CSP allows no inline script. */
(function () {
  "use strict";

  function group() {
    return document.getElementById("authorships-group");
  }

  function rows(tbody) {
    return Array.prototype.filter.call(tbody.querySelectorAll("tr.form-row"), function (row) {
      return !row.classList.contains("empty-form");
    });
  }

  function filled(row) {
    // A row with an author: an empty extra row is left alone, so that it stays unchanged
    // (a changed row without an author would be an error).
    var person = row.querySelector("select[name$='-person']");
    var id = row.querySelector("input[name$='-id']");
    return (person && person.value) || (id && id.value);
  }

  function renumber(tbody) {
    var n = 0;
    rows(tbody).forEach(function (row) {
      if (!filled(row)) return;
      var deleted = row.querySelector("input[name$='-DELETE']");
      if (deleted && deleted.checked) return;
      n += 1;
      var input = row.querySelector("input[name$='-position']");
      if (input) input.value = String(n);
    });
  }

  function announce(tbody, row) {
    var live = document.getElementById("author-order-status");
    if (!live) return;
    var position = row.querySelector("input[name$='-position']");
    var template = live.getAttribute("data-template") || "%s";
    live.textContent = template.replace("%s", position ? position.value : "");
  }

  function move(row, direction) {
    var tbody = row.parentNode;
    var list = rows(tbody);
    var index = list.indexOf(row);
    var target = direction === "up" ? list[index - 1] : list[index + 1];
    if (!target) return false;
    if (direction === "up") tbody.insertBefore(row, target);
    else tbody.insertBefore(target, row);
    renumber(tbody);
    announce(tbody, row);
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".author-order-move");
    if (!button || !group() || !group().contains(button)) return;
    event.preventDefault();
    var row = button.closest("tr");
    if (move(row, button.getAttribute("data-move"))) {
      // Keep the keyboard on the same button of the moved row, as long as it can move on.
      button.focus();
    }
  });

  var dragged = null;

  function prepare() {
    var g = group();
    if (!g) return;
    g.classList.add("author-order-ready");
    var tbody = g.querySelector("tbody");
    rows(tbody).forEach(function (row) {
      row.setAttribute("draggable", "true");
    });
    if (!document.getElementById("author-order-status")) {
      var live = document.createElement("p");
      live.id = "author-order-status";
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      var template = g.querySelector("[data-moved-template]");
      if (template) live.setAttribute("data-template", template.getAttribute("data-moved-template"));
      g.appendChild(live);
    }
  }

  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("#authorships-group tr.form-row");
    if (!row) return;
    // Only from the handle or the row itself, not while selecting text in an input.
    if (event.target.closest("input, select, textarea")) {
      event.preventDefault();
      return;
    }
    dragged = row;
    row.classList.add("author-order-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var row = event.target.closest && event.target.closest("#authorships-group tr.form-row");
    if (!row || row === dragged || row.classList.contains("empty-form")) return;
    event.preventDefault();
    var tbody = row.parentNode;
    var list = rows(tbody);
    if (list.indexOf(dragged) < list.indexOf(row)) tbody.insertBefore(dragged, row.nextSibling);
    else tbody.insertBefore(dragged, row);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("author-order-dragging");
    renumber(dragged.parentNode);
    announce(dragged.parentNode, dragged);
    dragged = null;
  });

  // Rows added with "Add another Authorship" can be dragged too.
  document.addEventListener("formset:added", function (event) {
    var row = event.target;
    if (row && row.closest && row.closest("#authorships-group")) {
      row.setAttribute("draggable", "true");
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepare);
  else prepare();
})();
