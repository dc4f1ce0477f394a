// myoclonus web: recording upload (raw body to the JSON API) and live analysis progress (polling).
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function setupUpload() {
  const box = document.querySelector(".upload[data-case]");
  if (!box) return;
  const input = box.querySelector("#recording-file");
  const button = box.querySelector("#upload-button");
  const bar = box.querySelector("#upload-progress");
  const error = box.querySelector("#upload-error");
  button.addEventListener("click", () => {
    const file = input.files[0];
    error.hidden = true;
    if (!file) { error.textContent = "Choose a file first."; error.hidden = false; return; }
    const url = "/api/cases/" + encodeURIComponent(box.dataset.case) + "/recording?filename=" + encodeURIComponent(file.name);
    const xhr = new XMLHttpRequest();  // XHR (not fetch) for upload progress
    xhr.open("PUT", url);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) { bar.hidden = false; bar.value = e.loaded / e.total; } };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) { window.location.reload(); return; }
      let message = "Upload failed (HTTP " + xhr.status + ").";
      try { message = JSON.parse(xhr.responseText).error || message; } catch (e) { /* keep the generic text */ }
      error.textContent = message; error.hidden = false; bar.hidden = true; button.disabled = false;
    };
    xhr.onerror = () => { error.textContent = "Upload failed: the server could not be reached."; error.hidden = false; button.disabled = false; };
    button.disabled = true;
    xhr.send(file);
  });
}

function setupProgress() {
  const panel = document.querySelector("#analysis-panel[data-status-url]");
  if (!panel || !["queued", "running"].includes(panel.dataset.status)) return;
  const bar = document.querySelector("#progress");
  const stage = document.querySelector("#stage");
  const percent = document.querySelector("#percent");
  const badge = document.querySelector("#case-status");
  const poll = async () => {
    try {
      const response = await fetch(panel.dataset.statusUrl, { headers: { Accept: "application/json" } });
      const status = await response.json();
      if (bar) bar.value = status.progress;
      if (percent) percent.textContent = Math.round(status.progress * 100) + "%";
      if (stage) stage.textContent = status.stage;
      if (badge) { badge.textContent = status.status; badge.className = "status status-" + status.status; }
      if (status.status === "done" || status.status === "failed") { window.location.reload(); return; }
    } catch (e) { /* server busy or restarting: try again */ }
    window.setTimeout(poll, 700);
  };
  window.setTimeout(poll, 400);
}

document.addEventListener("DOMContentLoaded", () => { setupUpload(); setupProgress(); });
