// Lookup fields (templates/_lookup.html): choosing one of thousands (a unit, a deputy) by typing.
// <span class="lookup" data-lookup="URL"> holds a hidden input with the chosen id and a box with
// its name; URL?q=words answers {"results": [{"value": id, "label": name}]}, at most a screenful.
// Without this script the box shows the chosen name, read-only, and the form keeps the choice.
(function () {
  "use strict";

  document.querySelectorAll("[data-lookup]").forEach(function (field) {
    var hidden = field.querySelector("input[type=hidden]");
    var box = field.querySelector("input[type=search]");
    if (!hidden || !box) return;
    var list = document.createElement("ul");
    list.className = "lookup-list";
    list.id = box.id + "-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    field.appendChild(list);
    box.readOnly = false;
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");

    var chosenLabel = box.value;
    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      hidden.value = item.value;
      box.value = chosenLabel = item.label;
      close();
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.classList.toggle("active", i === active);
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      box.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function show(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.textContent = item.label;
        // mousedown, not click: it comes before the box loses the focus.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
        });
        list.appendChild(option);
      });
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "lookup-none";
        none.textContent = field.dataset.lookupNone || "—";
        list.appendChild(none);
      }
      active = -1;
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function ask() {
      var mine = ++asked;
      var url = field.dataset.lookup + "?q=" + encodeURIComponent(box.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === asked && document.activeElement === box) show(data.results || []); })
        .catch(function () { /* the field keeps its value; the form still works */ });
    }

    box.addEventListener("input", function () {
      // What is typed is not a choice until one is picked: the filter is off meanwhile.
      if (box.value !== chosenLabel) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    box.addEventListener("focus", function () {
      if (!hidden.value) ask();
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { ask(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0 && results[active]) {
        event.preventDefault();  // choose, do not submit the form yet
        choose(results[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    box.addEventListener("blur", function () {
      close();
      // Leave the box showing what the form will send: the chosen name, or nothing.
      box.value = hidden.value ? chosenLabel : "";
      if (!hidden.value) chosenLabel = "";
    });
  });
})();
