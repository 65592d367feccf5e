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

  // A form that posts is sent once: a second tap while the first is on its way (a slow phone
  // network) is ignored, rather than arriving as a second post that the first made stale.
  // Allowed again after a few seconds, or when the page is shown again from the history.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Read as attributes: a field named "method" or "target" would shadow the properties.
    var posts = (form.getAttribute("method") || "").toLowerCase() === "post";
    if (event.defaultPrevented || !posts || form.getAttribute("target") === "_blank") return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    window.setTimeout(function () { delete form.dataset.sending; }, 8000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) { delete form.dataset.sending; });
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
