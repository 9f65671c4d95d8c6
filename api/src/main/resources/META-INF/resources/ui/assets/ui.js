// Longhaul dashboard: the few things a server-rendered page cannot do alone.
"use strict";

// A job's page follows the job over server-sent events until it ends, then loads once more to show
// its outcome (files, attempts, buttons).
function followJob(bar) {
  const source = new EventSource(bar.dataset.live);
  const fill = document.getElementById("progress-fill");
  const text = document.getElementById("progress-text");
  const state = document.getElementById("job-state");
  const cancelRequested = document.getElementById("cancel-requested");
  source.onmessage = (message) => {
    const live = JSON.parse(message.data);
    if (live.percent === null) {
      bar.removeAttribute("aria-valuenow");
    } else {
      bar.setAttribute("aria-valuenow", String(live.percent));
      fill.setAttribute("width", String(live.percent));
    }
    text.textContent = live.progress;
    state.textContent = live.state;
    state.className = "state state-" + live.state;
    cancelRequested.hidden = !live.cancelRequested;
    if (live.cancelRequested) {
      const cancel = document.getElementById("cancel-form");
      if (cancel) cancel.hidden = true;
    }
    if (live.finished) {
      source.close();
      window.location.reload();
    }
  };
}

// "Select all" ticks every row of the page.
function selectAll(box) {
  box.addEventListener("change", () => {
    for (const row of document.querySelectorAll("input[name=ids]")) row.checked = box.checked;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("[data-live]");
  if (bar) followJob(bar);
  const all = document.getElementById("select-all");
  if (all) selectAll(all);
});
