/* Offline for a signed-in worker (the service worker is lms/static/sw.js): keeps the lessons of her courses, sends
   what she did off line (forms kept in the outbox) once the connection returns, says what is saved on this phone and
   what was sent, and marks the links that need a connection while she has none. Without JavaScript, or in a browser
   without service workers, every page works as before, on line. */
(function () {
  "use strict";
  // Switching language keeps her place and her unsent answers: noted before the switch, put back on the new page.
  var PLACE = "lms.place.v1";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-keeps-place]"), function (switcher) {
    switcher.addEventListener("submit", function () {
      var fields = [];
      Array.prototype.forEach.call(document.querySelectorAll("main input, main textarea, main select"), function (el) {
        if (!el.name || el.type === "hidden" || el.type === "password") { return; }
        fields.push({ name: el.name, value: el.value, checked: el.checked, box: el.type === "radio" || el.type === "checkbox" });
      });
      try {
        window.sessionStorage.setItem(PLACE, JSON.stringify({ path: window.location.pathname, y: window.scrollY, fields: fields }));
      } catch (e) { /* no storage: the switch still works */ }
    });
  });
  (function restore() {
    var place;
    try { place = JSON.parse(window.sessionStorage.getItem(PLACE) || "null"); window.sessionStorage.removeItem(PLACE); } catch (e) { return; }
    if (!place || place.path !== window.location.pathname) { return; }
    place.fields.forEach(function (f) {
      Array.prototype.forEach.call(document.querySelectorAll("main [name=\"" + f.name.replace(/"/g, "") + "\"]"), function (el) {
        if (f.box) { if (el.value === f.value && f.checked) { el.checked = true; } } else if (el.type !== "hidden") { el.value = f.value; }
      });
    });
    window.scrollTo(0, place.y);
  }());

  var me = document.querySelector("[data-offline-user]");
  if (!me || !("serviceWorker" in navigator) || !window.caches) { return; }
  var user = me.getAttribute("data-offline-user");
  var OUTBOX = "lms-outbox-v1", PAGES = "lms-pages-v1", MEDIA = "lms-media-v1";
  var statusEl = document.querySelector("[data-outbox-status]");
  var sending = false;

  function text(name) { return me.getAttribute("data-" + name) || ""; }
  function say(message) { if (statusEl) { statusEl.textContent = message; statusEl.hidden = !message; } }

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});

  // Who the outbox belongs to, for the service worker that files posts made with no connection.
  caches.open(OUTBOX).then(function (cache) { cache.put("/whoami", new Response(user)); });

  // The page shown for a link that needs the network, in her language.
  function escapeHtml(s) { return s.replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  caches.open(PAGES).then(function (cache) {
    var html = "<!doctype html><html lang=\"" + escapeHtml(document.documentElement.lang) + "\"><head><meta charset=\"utf-8\">" +
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + escapeHtml(text("offline-title")) +
      "</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main id=\"main\"><h1>" +
      escapeHtml(text("offline-title")) + "</h1><p class=\"note\">" + escapeHtml(text("offline-body")) +
      "</p><p><a class=\"button\" href=\"/my\">" + escapeHtml(text("offline-my")) + "</a></p></main></body></html>";
    cache.put("/offline-fallback", new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
  });

  function keep(urls, video) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage({ type: "keep", urls: urls, video: !!video }, [channel.port2]);
      });
    });
  }

  // A course she is enrolled in: keep every page of it (lessons with their images and captions, quizzes).
  Array.prototype.forEach.call(document.querySelectorAll("[data-keep-offline]"), function (el) {
    var urls;
    try { urls = JSON.parse(el.getAttribute("data-keep-offline")); } catch (e) { return; }
    if (navigator.onLine === false) { return; }
    keep(urls, false).then(function (result) {
      if (result && result.kept) { el.textContent = el.getAttribute("data-kept"); el.hidden = false; }
    });
  });

  // A video is kept only when she asks: its size is on the button.
  Array.prototype.forEach.call(document.querySelectorAll("[data-keep-video]"), function (button) {
    var url = button.getAttribute("data-keep-video");
    caches.open(MEDIA).then(function (cache) {
      var u = new URL(url, window.location.href);
      return cache.match(u.origin + u.pathname);
    }).then(function (kept) {
      if (kept) { button.replaceWith(document.createTextNode(button.getAttribute("data-kept"))); return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        keep([window.location.pathname], true).then(function () {
          button.replaceWith(document.createTextNode(button.getAttribute("data-kept")));
        });
      });
    });
  });

  // A form posted with no connection at all goes to the outbox here; with a failing one, the service worker files it.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-form]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) { return; }
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form)).toString();
      caches.open(OUTBOX).then(function (cache) {
        return cache.put("/outbox/" + user + "/" + Date.now(),
                         new Response(body, { headers: { "X-Lms-Action": new URL(form.action).pathname } }));
      }).then(function () {
        Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
        showWaiting();
      });
    });
  });

  function mine() {
    return caches.open(OUTBOX).then(function (cache) {
      return cache.keys().then(function (requests) {
        return { cache: cache, requests: requests.filter(function (r) {
          return new URL(r.url).pathname.indexOf("/outbox/" + user + "/") === 0;
        }) };
      });
    });
  }

  function showWaiting() {
    return mine().then(function (box) {
      if (box.requests.length) { say(text("saved") + " (" + box.requests.length + ")"); }
      return box.requests.length;
    });
  }

  // Each kept form is sent once: a form the server takes (or refuses for good) leaves the outbox; one that meets
  // no connection or a server error stays for the next try. The server keeps a repeated submission once.
  function flush() {
    if (sending || navigator.onLine === false) { return showWaiting(); }
    sending = true;
    return mine().then(function (box) {
      var sent = 0;
      return box.requests.reduce(function (chain, request) {
        return chain.then(function () {
          return box.cache.match(request).then(function (entry) {
            var action = entry.headers.get("X-Lms-Action");
            return entry.text().then(function (body) {
              return fetch(action, { method: "POST", credentials: "same-origin", body: body,
                                     headers: { "Content-Type": "application/x-www-form-urlencoded" } });
            }).then(function (response) {
              if (response.ok || [400, 403, 404, 409].indexOf(response.status) >= 0) {
                sent += 1;
                return box.cache.delete(request);
              }
            });
          });
        });
      }, Promise.resolve()).then(function () { return sent; }, function () { return sent; });
    }).then(function (sent) {
      sending = false;
      return showWaiting().then(function (waiting) { if (sent && !waiting) { say(text("sent")); } });
    });
  }

  // While off line, a link to a page not kept here says that it needs a connection instead of failing.
  function markLinks() {
    var offline = navigator.onLine === false;
    caches.open(PAGES).then(function (cache) {
      Array.prototype.forEach.call(document.querySelectorAll("main a[href^='/']"), function (a) {
        if (!offline) {
          a.classList.remove("needs-network");
          var note = a.querySelector(".needs-network-note");
          if (note) { note.remove(); }
          return;
        }
        cache.match(a.getAttribute("href")).then(function (kept) {
          if (kept || a.classList.contains("needs-network")) { return; }
          a.classList.add("needs-network");
          var note = document.createElement("span");
          note.className = "needs-network-note";
          note.textContent = " (" + text("needs-network") + ")";
          a.appendChild(note);
        });
      });
    });
  }

  if (window.location.hash === "#saved-on-this-phone") { showWaiting(); }
  window.addEventListener("online", function () { flush(); markLinks(); });
  window.addEventListener("offline", function () { markLinks(); showWaiting(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  window.setInterval(flush, 30000);
  markLinks();
  flush();

  // Signing out empties what was kept for her on this phone (her unsent steps stay, filed under her name).
  Array.prototype.forEach.call(document.querySelectorAll("form[action='/logout']"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      Promise.all([caches.delete(PAGES), caches.delete(MEDIA)]).then(function () { form.submit(); }, function () { form.submit(); });
    });
  });
}());
