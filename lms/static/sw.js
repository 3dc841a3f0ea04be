/* The service worker (served as /sw.js so that it may answer for every page): keeps the lessons of the courses a
   worker is enrolled in, so she can read them, answer quizzes and mark progress with no connection.
   - Pages: network first; a learner's page that loads is kept, and served from here when the network fails. A page
     never kept answers with the "needs a connection" page (written in her language by offline.js).
   - Lesson files from the media store (images, captions, and videos she chose to keep) are kept under their address
     without the signature, which changes with every page, and served from here first: they never change.
   - A form posted while the network fails is kept in the outbox (one entry per form, the same body every time) and
     sent by offline.js when the connection returns; the server takes each submission once (its id is in the form).
   Nothing here is sent to the server but what the worker did; signing out empties every cache (offline.js). */
"use strict";
var PAGES = "lms-pages-v1", MEDIA = "lms-media-v1", STATIC = "lms-static-v1", OUTBOX = "lms-outbox-v1";
var KEPT_PAGES = /^\/(courses\/[^/]+(\/v\/\d+\/[^/]+)?|quiz\/[^/]+\/v\/\d+\/[^/]+|my)$/;
var QUEUED_POSTS = /^\/(quiz\/[^/]+\/v\/\d+\/[^/]+|learn\/[^/]+\/v\/\d+\/[^/]+\/done)$/;
var FALLBACK = "/offline-fallback";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function mediaKey(url) {
  var u = new URL(url);
  return u.origin + u.pathname;
}

// A kept video answers the player's Range requests from the file kept whole.
function ranged(request, response) {
  var range = request.headers.get("range");
  if (!range || !/^bytes=\d*-\d*$/.test(range)) { return Promise.resolve(response); }
  return response.blob().then(function (blob) {
    var parts = range.slice(6).split("-");
    var start = parts[0] ? parseInt(parts[0], 10) : Math.max(0, blob.size - parseInt(parts[1], 10));
    var end = parts[0] && parts[1] ? Math.min(parseInt(parts[1], 10), blob.size - 1) : blob.size - 1;
    if (start > end || start >= blob.size) {
      return new Response("", { status: 416, headers: { "Content-Range": "bytes */" + blob.size } });
    }
    return new Response(blob.slice(start, end + 1), {
      status: 206,
      headers: { "Content-Type": response.headers.get("content-type") || blob.type, "Content-Length": String(end - start + 1),
                 "Content-Range": "bytes " + start + "-" + end + "/" + blob.size, "Accept-Ranges": "bytes" }
    });
  });
}

function fromStore(request) {
  return caches.open(MEDIA).then(function (cache) {
    return cache.match(mediaKey(request.url)).then(function (kept) {
      return kept ? ranged(request, kept) : fetch(request);
    });
  });
}

// The files a kept lesson shows: images and caption tracks always, the video only when she asked (kind "video").
function keepFilesOf(html, withVideo) {
  var found = [], pattern = /<(img|track|video)\b[^>]*?\ssrc="([^"]+)"/g, m;
  while ((m = pattern.exec(html))) {
    if (m[1] !== "video" || withVideo) { found.push({ url: m[2].replace(/&amp;/g, "&"), cors: m[1] !== "img" }); }
  }
  return caches.open(MEDIA).then(function (cache) {
    return Promise.all(found.map(function (f) {
      return cache.match(mediaKey(f.url)).then(function (kept) {
        if (kept) { return; }
        return fetch(f.url, { mode: f.cors ? "cors" : "no-cors" }).then(function (r) {
          if (r.ok || r.type === "opaque") { return cache.put(mediaKey(f.url), r); }
        }, function () {});
      });
    }));
  });
}

function keepPage(url, response) {
  var copy = response.clone();
  return caches.open(PAGES).then(function (cache) { return cache.put(url, response.clone()); })
    .then(function () { return copy.text(); })
    .then(function (html) { return keepFilesOf(html, false); });
}

function page(event) {
  var request = event.request, path = new URL(request.url).pathname;
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && KEPT_PAGES.test(path)) { event.waitUntil(keepPage(request.url, response.clone())); }
    return response;
  }, function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request.url).then(function (kept) {
        return kept || cache.match(request.url, { ignoreSearch: true }).then(function (near) {
          return near || caches.match(FALLBACK).then(function (fallback) {
            return fallback || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
          });
        });
      });
    });
  });
}

// A form posted with no connection: kept in the outbox, and the page it came from is shown again, marked saved.
function post(event) {
  var request = event.request, copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      var action = new URL(request.url).pathname;
      return caches.open(OUTBOX).then(function (cache) {
        // filed under the signed-in worker (offline.js notes who that is), so only she ever sends it
        return cache.match("/whoami").then(function (who) { return who ? who.text() : "unknown"; }).then(function (user) {
          return cache.put("/outbox/" + user + "/" + Date.now(), new Response(body, { headers: { "X-Lms-Action": action } }));
        });
      }).then(function () {
        var back = request.referrer && new URL(request.referrer).origin === self.location.origin ? request.referrer : action;
        return Response.redirect(back.split("#")[0] + "#saved-on-this-phone", 303);
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin && request.mode === "navigate" && QUEUED_POSTS.test(url.pathname)) {
    event.respondWith(post(event));
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.origin !== self.location.origin) { event.respondWith(fromStore(request)); return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(STATIC).then(function (cache) {
      var fresh = fetch(request).then(function (r) { if (r.ok) { cache.put(request, r.clone()); } return r; });
      return cache.match(request).then(function (kept) { return kept || fresh; });
    }));
    return;
  }
  if (request.mode === "navigate") { event.respondWith(page(event)); }
});

// offline.js asks: keep these pages (and their files; videos only when asked).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep") { return; }
  var port = event.ports && event.ports[0];
  var work = Promise.all((data.urls || []).map(function (url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { return false; }
      var copy = response.clone();
      return caches.open(PAGES).then(function (cache) { return cache.put(url, response); })
        .then(function () { return copy.text(); })
        .then(function (html) { return keepFilesOf(html, !!data.video); })
        .then(function () { return true; });
    }, function () { return false; });
  })).then(function (kept) {
    if (port) { port.postMessage({ kept: kept.filter(Boolean).length, asked: kept.length }); }
  });
  event.waitUntil(work);
});
