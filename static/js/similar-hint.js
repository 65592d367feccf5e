// The drafting hint: after a title and some text, ask for similar suggestions, waiting for a
// pause in typing (debounce) and never holding the form up; only the latest answer is shown.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-url]");
  var form = document.getElementById("draft-form");
  if (!box || !form) return;
  var title = form.querySelector("[name=title]");
  var body = form.querySelector("[name=body]");
  if (!title || !body) return;
  var timer = null;
  var asked = "";
  var latest = 0;
  function ask() {
    // Not for a page in the background (the phone switched to another app): asked again on return.
    if (document.visibilityState === "hidden") return;
    var t = title.value.trim();
    var b = body.value.trim();
    if (t.length < 4 || b.length < 10) return;
    var query = t + "\n" + b.slice(0, 4000);
    if (query === asked) return;
    asked = query;
    var data = new FormData();
    data.append("title", t);
    data.append("body", b.slice(0, 4000));
    data.append("exclude", box.getAttribute("data-exclude") || "");
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    if (token) data.append("csrfmiddlewaretoken", token.value);
    var mine = ++latest;
    fetch(box.getAttribute("data-similar-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (mine !== latest) return;
        // Our own server-rendered fragment, parsed inertly (no script runs) and put in place.
        var parsed = new DOMParser().parseFromString(html, "text/html");
        box.replaceChildren.apply(box, Array.prototype.slice.call(parsed.body.childNodes));
        box.hidden = !html.trim();
      })
      .catch(function () {});
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 700);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") later();
  });
  title.addEventListener("input", later);
  body.addEventListener("input", later);
  ask();
})();
