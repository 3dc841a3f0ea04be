/* The lesson player's progress queue: xAPI statements wait in localStorage while the phone is offline and are sent
   when the connection returns, in any order. Each statement carries the id the page gave it, so a repeat is
   harmless: the server stores it once. Progress shown on the pages always comes from the server.
   Without JavaScript the same "mark as done" form posts to the server, which writes the same statement. */
(function () {
  "use strict";
  // One queue per person: on a shared phone, one worker's saved steps are sent only with that worker signed in.
  var owner = document.querySelector("[data-xapi-user]");
  if (!owner) { return; }
  var KEY = "lms.xapi.queue.v1." + owner.getAttribute("data-xapi-user");
  var BATCH = 500;
  var sending = false;
  var statusEl = document.querySelector("[data-queue-status]");

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { window.localStorage.setItem(KEY, JSON.stringify(queue)); return true; } catch (e) { return false; }
  }
  function enqueue(statement) {
    var queue = load();
    for (var i = 0; i < queue.length; i++) { if (queue[i].id === statement.id) { return true; } }
    queue.push(statement);
    return save(queue);
  }
  function drop(ids) {
    var gone = {};
    ids.forEach(function (id) { gone[id] = true; });
    save(load().filter(function (s) { return !gone[s.id]; }));
  }
  function say(kind, extra) {
    if (!statusEl) { return; }
    var text = statusEl.getAttribute("data-" + kind) || "";
    statusEl.textContent = extra === undefined ? text : text + " " + extra;
  }
  function showStatus() {
    var waiting = load().length;
    if (waiting) { say("waiting", waiting); } else if (statusEl && statusEl.textContent) { say("sent"); }
  }
  // The session cookie signs the request in, so the service also wants the page's CSRF token (every page has one in
  // its language form).
  function csrfToken() {
    var field = document.querySelector("input[name=_csrf_token]");
    return field ? field.value : "";
  }
  function post(statements) {
    return window.fetch("/xapi/statements", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(statements)
    });
  }
  // A refused batch (one bad or conflicting statement refuses all) is retried one by one, so one bad statement
  // never blocks the rest. A statement the server refuses for good (400, 409) is dropped; a wrong phone clock
  // (timestamp in the future) is retried once without the timestamp, and the server's time is used.
  function sendOneByOne(batch) {
    return batch.reduce(function (chain, statement) {
      return chain.then(function () {
        return post([statement]).then(function (r) {
          if (r.ok || r.status === 409) { drop([statement.id]); return; }
          if (r.status === 400 && statement.timestamp) {
            var retry = JSON.parse(JSON.stringify(statement));
            delete retry.timestamp;
            return post([retry]).then(function (r2) {
              if (r2.ok || r2.status === 400 || r2.status === 409) { drop([statement.id]); }
            });
          }
          if (r.status === 400 || r.status === 403 || r.status === 404) { drop([statement.id]); }
        });
      });
    }, Promise.resolve());
  }
  function flush() {
    if (sending) { return Promise.resolve(); }
    var queue = load();
    if (!queue.length) { showStatus(); return Promise.resolve(); }
    if (navigator.onLine === false) { showStatus(); return Promise.resolve(); }
    sending = true;
    var batch = queue.slice(0, BATCH);
    return post(batch).then(function (r) {
      if (r.ok) { drop(batch.map(function (s) { return s.id; })); return; }
      if (r.status === 401) { say("signin"); throw new Error("signed out"); }
      if (r.status === 400 || r.status === 409) { return sendOneByOne(batch); }
    }).then(function () {
      sending = false;
      showStatus();
      if (load().length && load().length < queue.length) { return flush(); }
    }, function () {
      sending = false;
      showStatus();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-xapi-statement]"), function (form) {
    form.addEventListener("submit", function (event) {
      var statement;
      try { statement = JSON.parse(form.getAttribute("data-xapi-statement")); } catch (e) { return; }
      event.preventDefault();
      statement.timestamp = new Date().toISOString();
      if (!enqueue(statement)) { form.submit(); return; }  // no storage (private mode): post the form instead
      var button = form.querySelector("button");
      if (button) { button.disabled = true; }
      flush().then(function () {
        var sent = !load().some(function (s) { return s.id === statement.id; });
        if (sent) {
          window.location.assign(form.getAttribute("data-next") || window.location.href);
        } else {
          say("saved");
          var next = document.querySelector("[data-offline-next]");
          if (next) { next.hidden = false; }
        }
      });
    });
  });

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  window.setInterval(flush, 30000);
  flush();
}());
