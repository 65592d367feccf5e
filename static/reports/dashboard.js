/* The dashboard's charts are SVG drawn by the server (reports/charts.py): each bar, part or
   slice is a link to the list behind it, with its text in data-tip. This shows that text in a
   tooltip under the pointer (or the keyboard's focus); positioned through the CSSOM, which
   the Content-Security-Policy allows (it refuses style="…" attributes). */
(function () {
  "use strict";
  var charts = document.querySelectorAll(".chart");
  Array.prototype.forEach.call(charts, function (chart) {
    var tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.hidden = true;
    tip.setAttribute("role", "tooltip");
    chart.appendChild(tip);

    function show(target, x, y) {
      var link = target.closest ? target.closest("a[data-tip]") : null;
      if (!link || !chart.contains(link)) { tip.hidden = true; return; }
      tip.textContent = link.getAttribute("data-tip");
      tip.hidden = false;
      var box = chart.getBoundingClientRect();
      var left = Math.min(x - box.left + 12, Math.max(0, box.width - tip.offsetWidth));
      tip.style.left = Math.max(0, left) + "px";
      tip.style.top = Math.max(0, y - box.top - tip.offsetHeight - 8) + "px";
    }
    chart.addEventListener("mousemove", function (e) { show(e.target, e.clientX, e.clientY); });
    chart.addEventListener("mouseleave", function () { tip.hidden = true; });
    chart.addEventListener("focusin", function (e) {
      var r = e.target.getBoundingClientRect();
      show(e.target, r.left + r.width / 2, r.top);
    });
    chart.addEventListener("focusout", function () { tip.hidden = true; });
    chart.setAttribute("data-rendered", "true");
  });
})();
