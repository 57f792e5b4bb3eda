// The inspector's finding form. Every finding goes into a queue kept in localStorage first, with
// the inspection_id the phone gives it; the queue is sent now if there is a network, else when it
// returns ("online"). The service treats a re-sent inspection_id as a no-op, so a finding whose
// answer was lost is sent again safely. A refusal (4xx) leaves the queue and is shown; an outage keeps it.
(function () {
  "use strict";
  var KEY = "landgrade.inspector.queue";
  var form = document.getElementById("finding");
  if (!form) { return; }
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  var sending = false;
  // Findings are dated by the server's clock, carried forward by the phone's own since the page loaded.
  var offset = form.dataset.now ? Number(form.dataset.now) - Date.now() : 0;

  function load() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(q) { localStorage.setItem(KEY, JSON.stringify(q)); document.getElementById("queue-count").textContent = String(q.length); }
  function newId() {
    var rnd = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + "-" + Math.random().toString(16).slice(2);
    return "APP-" + rnd;
  }
  function readPhoto(file) {
    return new Promise(function (resolve) {
      if (!file) { resolve(null); return; }
      var reader = new FileReader();
      reader.onload = function () { resolve({ name: file.name, type: file.type, data: reader.result }); };
      reader.onerror = function () { resolve(null); };
      reader.readAsDataURL(file);
    });
  }
  function dataUrlBlob(photo) {
    var parts = photo.data.split(","), bytes = atob(parts[1]), buf = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { buf[i] = bytes.charCodeAt(i); }
    return new Blob([buf], { type: photo.type || "application/octet-stream" });
  }
  function refused(text) { var p = document.getElementById("refused"); p.hidden = false; p.textContent = text; }

  function sendOne(item) {
    return fetch("/inspector/inspections", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(item.inspection)
    }).then(function (r) {
      if (r.status >= 400 && r.status < 500) { return r.json().then(function (p) { throw { permanent: true, problem: p }; }); }
      if (!r.ok) { throw { permanent: false }; }
      if (!item.photo) { return; }
      var body = new FormData();
      body.append("file", dataUrlBlob(item.photo), item.photo.name || "photo.jpg");
      return fetch("/inspector/inspections/" + encodeURIComponent(item.inspection.inspection_id) + "/evidence", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }, body: body
      }).then(function (e) { if (e.status >= 500) { throw { permanent: false }; } });
    });
  }

  function flush() {
    if (sending || !navigator.onLine) { return Promise.resolve(); }
    var queue = load();
    if (!queue.length) { return Promise.resolve(); }
    sending = true;
    var item = queue[0];
    return sendOne(item).then(function () {
      save(load().filter(function (q) { return q.inspection.inspection_id !== item.inspection.inspection_id; }));
      var sent = document.getElementById("sent-state");
      sent.hidden = false; document.getElementById("sent-id").textContent = item.inspection.inspection_id;
      sending = false; return flush();
    }, function (err) {
      sending = false;
      if (err && err.permanent) {
        save(load().filter(function (q) { return q.inspection.inspection_id !== item.inspection.inspection_id; }));
        refused(item.inspection.parcel_id + ": " + ((err.problem && (err.problem.detail || err.problem.title)) || "refused"));
        return flush();
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var f = new FormData(form), finding = { type: f.get("type"), holder_attitude: f.get("holder_attitude") };
    if (f.get("tenant_uscc")) { finding.tenant_uscc = f.get("tenant_uscc"); }
    if (f.get("note")) { finding.note = f.get("note"); }
    var inspection = { inspection_id: newId(), parcel_id: String(f.get("parcel_id") || "").trim(),
                       inspected_at: new Date(Date.now() + offset).toISOString(), inspector: form.dataset.inspector || "inspector",
                       findings: [finding] };
    var photoInput = form.querySelector('input[name="photo"]');
    readPhoto(photoInput.files && photoInput.files[0]).then(function (photo) {
      var queue = load(); queue.push({ inspection: inspection, photo: photo }); save(queue);
      form.reset(); document.getElementById("refused").hidden = true;
      flush();
    });
  });
  document.querySelectorAll("button.pick").forEach(function (b) {
    b.addEventListener("click", function () { form.querySelector('input[name="parcel_id"]').value = b.dataset.parcel; });
  });
  window.addEventListener("online", flush);
  save(load());
  flush();
})();
