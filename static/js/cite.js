// The cite block of a paper's page: a "Copy" button for each format (the text
// itself is readable and selectable without JavaScript).
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("pre.cite-text").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cite-copy";
    button.textContent = pre.dataset.copyLabel;
    button.setAttribute("aria-describedby", pre.id);
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(pre.textContent).then(function () {
        button.textContent = pre.dataset.copiedLabel;
        setTimeout(function () { button.textContent = pre.dataset.copyLabel; }, 2000);
      });
    });
    pre.insertAdjacentElement("afterend", button);
  });
})();
