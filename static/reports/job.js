/* Shows the progress of the annual report's PDF job: polls its status until it is done. */
(function () {
  "use strict";
  var jobs = document.querySelectorAll("li.job[data-finished='0']");
  Array.prototype.forEach.call(jobs, function (item) {
    var url = item.getAttribute("data-status-url");
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          var bar = item.querySelector("progress");
          var stage = item.querySelector(".stage");
          if (bar) { bar.value = job.progress; }
          if (stage) { stage.textContent = job.status_label + " · " + job.stage + " · " + job.progress + "%"; }
          if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 800);
  });
})();
