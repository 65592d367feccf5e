// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // A "select all" checkbox: <input type="checkbox" data-check-all="ids">
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-check-all]")) return;
    var form = box.closest("form") || document;
    form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (other) {
      if (!other.disabled) other.checked = box.checked;
    });
  });

  // Filter panels open by themselves on a wide screen; on a phone they stay folded.
  if (window.matchMedia("(min-width: 800px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) {
      panel.open = true;
    });
  }

  // A filter box narrows a long checklist as one types; the chosen boxes stay chosen:
  // <input type="search" data-filter-labels="#list"> filters the labels in #list.
  document.querySelectorAll("[data-filter-labels]").forEach(function (box) {
    var list = document.querySelector(box.dataset.filterLabels);
    if (!list) return;
    box.addEventListener("input", function () {
      var words = box.value.trim();
      list.querySelectorAll("label").forEach(function (label) {
        label.hidden = words !== "" && label.textContent.indexOf(words) === -1;
      });
    });
  });

  // "Back to the previous page" (error pages): shown only when there is a page to go back to.
  if (window.history.length > 1) {
    document.querySelectorAll("[data-history-back]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.history.back(); });
    });
  }

  // The assignment form: show the units for the chosen way of assigning.
  document.querySelectorAll("[data-assign-form]").forEach(function (form) {
    function sync() {
      var chosen = form.querySelector('input[name="mode"]:checked');
      var mode = chosen ? chosen.value : "lead";
      form.querySelectorAll("[data-mode]").forEach(function (part) {
        part.hidden = part.dataset.mode !== mode;
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "mode") sync();
    });
    sync();
  });
})();
