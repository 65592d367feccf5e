/* Autosave of a draft suggestion: while the deputy types, the text is sent (without the files)
   a few seconds after the last keystroke, one request at a time. The first save of a new draft
   creates it; the page then carries on as that draft's edit page. */
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var timer = null, busy = false, again = false, dirty = false, leaving = false, held = null;

  function say(text) { if (status) status.textContent = text; }

  function save(urgent) {
    if (leaving) return;
    if (busy) { again = true; return; }
    busy = true; dirty = false;
    var data = new FormData(form);
    data.delete("attachments");
    data.set("autosave", "1");
    data.delete("action");
    // keepalive lets the request outlive the page; browsers allow it up to 64 KB.
    var size = 0;
    data.forEach(function (value) { if (typeof value === "string") size += value.length * 3; });
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST", body: data, credentials: "same-origin", keepalive: !!urgent && size < 60000,
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      // Logged out meanwhile: the request lands on the login page instead of the draft.
      var type = response.headers.get("content-type") || "";
      if (response.redirected || type.indexOf("json") < 0) return { expired: true };
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.expired) {
        dirty = true;
        say(form.dataset.expiredText);
      } else if (result.ok && result.body.empty) {
        say(form.dataset.emptyText);
      } else if (result.ok) {
        say(form.dataset.savedText.replace("{time}", result.body.saved_at));
        if (result.body.edit_url && form.getAttribute("action") !== result.body.edit_url) {
          form.setAttribute("action", result.body.edit_url);
          if (window.history && history.replaceState) history.replaceState(null, "", result.body.edit_url);
        }
      } else {
        dirty = true;
        say(form.dataset.failedText + (result.body.error ? " " + result.body.error : ""));
      }
    }).catch(function () {
      dirty = true;
      say(form.dataset.offlineText);
    }).then(function () {
      busy = false;
      if (held) { submitHeld(); return; }
      if (again) { again = false; save(); }
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "file") return;
    dirty = true;
    say(form.dataset.typingText);
    clearTimeout(timer);
    timer = setTimeout(save, 2500);
  });
  form.addEventListener("change", function (event) {
    if (event.target && (event.target.tagName === "SELECT" || event.target.type === "radio")) {
      clearTimeout(timer);
      timer = setTimeout(save, 500);
    }
  });
  // A phone may drop a page in the background (a call, another app) before the timer fires:
  // what was typed is sent as soon as the page is hidden.
  function flush() {
    if (!dirty || leaving) return;
    clearTimeout(timer);
    save(true);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", flush);
  // A press on a button while an autosave is on its way waits for it, so that a new draft is
  // created once, and then goes to the address the autosave returned.
  function submitHeld() {
    var button = held; held = null;
    if (button && button.name) {
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
      form.appendChild(hidden);
    }
    form.submit();
  }
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (busy) { event.preventDefault(); held = event.submitter || true; leaving = true; return; }
    leaving = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !leaving) { event.preventDefault(); event.returnValue = ""; }
  });
})();
