// Progress of a bulk quoting job: polls its status and updates the bar until it is done or failed.
(function () {
  "use strict";
  var panel = document.querySelector(".bulk-job");
  if (!panel) { return; }
  var url = panel.getAttribute("data-status-url");
  function show(selector, visible) {
    var el = panel.querySelector(selector);
    if (el) { el.hidden = !visible; }
  }
  function text(selector, value) {
    var el = panel.querySelector(selector);
    if (el) { el.textContent = value; }
  }
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        panel.querySelector(".job-progress").value = job.percent;
        panel.querySelector(".job-progress").textContent = job.percent + "%";
        panel.setAttribute("data-status", job.status);
        text(".job-status-text", panel.getAttribute("data-label-" + job.status) || job.status);
        text(".job-stage", panel.getAttribute("data-stage-" + job.stage) || "");
        text(".job-done", job.done);
        text(".job-total", job.total);
        text(".job-clients", job.clients);
        text(".job-bad", job.bad_rows);
        text(".job-error", job.error);
        show(".job-error", !!job.error);
        show(".job-result", job.status === "done");
        show(".job-retry", job.retryable);
        if (job.status === "queued" || job.status === "running") {
          window.setTimeout(poll, 700);
        } else {
          // the rows not taken in, the retry form and what comes after a finished job are drawn by the server
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  var status = panel.getAttribute("data-status");
  if (status === "queued" || status === "running") { poll(); }
}());
