/* The check-in code on the instructor's screen: the QR code changes every 30 seconds, so the code and the count of
   workers checked in are fetched again and put in place. The page itself never reloads (a page that refreshes on
   its own loses a screen reader's place and the instructor's scroll). */
(function () {
  "use strict";
  var qr = document.querySelector("[data-refresh]");
  if (!qr || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(qr.getAttribute("data-refresh"), 10) || 30;
  function renew() {
    window.fetch(window.location.href, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html) { return; }
      var fresh = new DOMParser().parseFromString(html, "text/html");
      ["[data-refresh]", ".checkin-code", "[data-checked-in]"].forEach(function (selector) {
        var now = document.querySelector(selector), next = fresh.querySelector(selector);
        if (now && next) { now.innerHTML = next.innerHTML; }
      });
    }).catch(function () {});
  }
  window.setInterval(renew, seconds * 1000);
}());
