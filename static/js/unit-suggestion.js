// "Use" beside a suggested unit fills the assignment form's lead unit (and co-handlers); the
// staff member still checks and confirms it on the next page.
(function () {
  "use strict";
  var form = document.querySelector("[data-assign-form]");
  if (!form) return;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-unit]");
    if (!button) return;
    var lead = form.querySelector("[name=lead_unit]");
    var mode = form.querySelector("[name=mode][value=lead]");
    if (mode) { mode.checked = true; mode.dispatchEvent(new Event("change", { bubbles: true })); }
    if (lead) { lead.value = button.getAttribute("data-pick-unit"); lead.dispatchEvent(new Event("change", { bubbles: true })); }
    var co = (button.getAttribute("data-pick-co") || "").split(",").filter(Boolean);
    form.querySelectorAll("[name=co_units]").forEach(function (box) { box.checked = co.indexOf(box.value) >= 0; });
    if (lead) lead.focus();
  });
})();
