// The header's search box as a combobox (WAI-ARIA 1.2, list autocomplete): as the
// visitor types, vocabulary terms in both languages are suggested from
// /<lang>/publications/suggest/?q=. Arrow keys move through them, Enter or a click
// searches for one, Escape closes them. Without JavaScript the box is a plain
// search form. No inline script or style: the site's CSP allows neither.
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  if (!input || !window.fetch || !input.dataset.suggestUrl) {
    return;
  }
  var form = input.form;
  var url = input.dataset.suggestUrl;
  var maxChars = 50; // what the endpoint reads (publications/suggest.py)
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.suggestLabel || "");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");

  var active = -1;
  var timer = null;
  var latest = 0;

  function options() {
    return list.querySelectorAll('[role="option"]');
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function open() {
    if (options().length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function highlight(index) {
    var all = options();
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(option) {
    input.value = option.dataset.value;
    close();
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function render(items) {
    list.textContent = "";
    items.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = list.id + "-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.value = item.value;
      var name = document.createElement("span");
      name.lang = item.lang;
      name.textContent = item.value;
      option.appendChild(name);
      if (item.detail) {
        option.appendChild(document.createTextNode(" — "));
        var detail = document.createElement("span");
        detail.className = "detail";
        detail.lang = item.detail_lang;
        detail.textContent = item.detail;
        option.appendChild(detail);
      }
      // Keep the focus in the box while the pointer chooses.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      option.addEventListener("click", function () {
        choose(option);
      });
      list.appendChild(option);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (items.length && document.activeElement === input) {
      open();
    } else {
      close();
    }
  }

  function update() {
    var q = input.value.trim().slice(0, maxChars);
    var ticket = ++latest;
    if (!q) {
      render([]);
      return;
    }
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        if (ticket === latest) {
          render(data.suggestions || []);
        }
      })
      .catch(function () {
        // No suggestions: the box still searches.
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.isComposing) {
      return; // Enter confirms the IME's conversion, not a suggestion
    }
    var count = options().length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      open();
      highlight((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      open();
      highlight(active <= 0 ? count - 1 : active - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(options()[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", close);
})();
