/* The dashboard's charts (Apache ECharts, served by the app). The data come from the
   page (json_script "chart-data"); a click on a bar or slice opens the list behind it. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  // Tooltips are HTML: names are escaped, and each formatter returns plain text, because
  // ECharts's own tooltip layout writes style="…" attributes, which the Content-Security-Policy
  // (style-src 'self') refuses.
  function esc(text) { return echarts.format.encodeHTML(String(text)); }
  var font = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var charts = [];

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.textStyle = { fontFamily: font };
    option.animation = false;
    chart.setOption(option);
    if (onClick) { chart.on("click", onClick); }
    el.setAttribute("data-rendered", "true");
    charts.push(chart);
  }

  var categories = data.categories.slice().reverse();
  var catEl = document.getElementById("chart-categories");
  if (catEl) { catEl.style.height = Math.max(160, 30 * categories.length + 40) + "px"; }
  make("chart-categories", {
    grid: { left: 8, right: 64, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + "：" + p.value + "（" + categories[p.dataIndex].pct + "）"; } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: categories.map(function (r) { return r.name; }), axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ type: "bar", data: categories.map(function (r) { return r.value; }), itemStyle: { color: "#b71c1c" },
               label: { show: true, position: "right", formatter: function (p) { return p.value + "  " + categories[p.dataIndex].pct; } },
               cursor: "pointer" }]
  }, function (p) { window.location.href = categories[p.dataIndex].url; });

  var results = data.results;
  make("chart-results", {
    tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + "：" + p.value + "（" + results[p.dataIndex].pct + "）"; } },
    legend: { bottom: 0, type: "scroll" },
    color: ["#1b7f3b", "#1d5fbf", "#5b8def", "#8a5a00", "#5f6b7a", "#5b2ea6", "#0d6e6e"],
    series: [{ type: "pie", radius: ["38%", "66%"], center: ["50%", "44%"], avoidLabelOverlap: true,
               label: { formatter: "{c}" }, cursor: "pointer",
               data: results.map(function (r) { return { name: r.name, value: r.value }; }) }]
  }, function (p) { window.location.href = results[p.dataIndex].url; });

  var sat = data.satisfaction;
  var colors = ["#1b7f3b", "#8fc79a", "#b71c1c", "#c9ced6"];
  make("chart-satisfaction", {
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + " · " + esc(p.seriesName) + "：" + p.value; } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: sat.rows.map(function (r) { return r.name; }) },
    series: sat.series.map(function (name, i) {
      return { name: name, type: "bar", stack: "all", itemStyle: { color: colors[i] }, cursor: "pointer",
               label: { show: true, formatter: function (p) { return p.value || ""; } },
               data: sat.rows.map(function (r) { return r.values[i]; }) };
    })
  }, function (p) { window.location.href = sat.rows[p.dataIndex].urls[p.seriesIndex]; });

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();
