// The media library's upload form, enhanced: the file goes straight from the browser to the object store (one
// presigned POST, or presigned parts for large files), then the service checks what arrived. Without this script
// the same form still works in two steps. Messages come translated from the form's data-msg-* attributes.
(function () {
  "use strict";
  var form = document.querySelector("form[data-media-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.Promise || !window.JSON) { return; }
  var api = form.getAttribute("data-api");
  var multipartFrom = Number(form.getAttribute("data-multipart-from")) || Infinity;  // bytes; the service also decides
  var fileInput = form.querySelector("input[type=file]");
  var kindSelect = form.querySelector("select[name=kind]");
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("media-status");
  var progress = document.getElementById("media-progress");

  function message(name, fallback) { return form.getAttribute("data-msg-" + name) || fallback; }
  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "";
  }
  function showProgress(done, total) {
    progress.hidden = false;
    progress.value = total ? Math.round((done / total) * 100) : 0;
  }

  function send(method, url, body, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url, true);
      Object.keys(headers || {}).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (event) { if (event.lengthComputable) { onProgress(event.loaded); } };
      }
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { reject(new Error(message("network", "The connection failed. Check it and try again."))); };
      xhr.send(body);
    });
  }

  function problem(xhr) {
    // The service answers problem-details JSON; the store answers XML with a <Message>.
    try { return JSON.parse(xhr.responseText).detail; } catch (ignore) { /* not JSON */ }
    var found = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText || "");
    return found ? message("store-refused", "The media store refused the file:") + " " + found[1] : xhr.status + " " + xhr.statusText;
  }

  function callService(url, payload) {
    var csrf = form.querySelector("input[name=_csrf_token]");
    return send("POST", url, JSON.stringify(payload), {
      "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : ""
    })
      .then(function (xhr) {
        if (xhr.status < 200 || xhr.status > 299) { throw new Error(problem(xhr)); }
        return JSON.parse(xhr.responseText);
      });
  }

  function postWhole(ticket, file) {
    var data = new FormData();
    Object.keys(ticket.post.fields).forEach(function (name) { data.append(name, ticket.post.fields[name]); });
    data.append("file", file);  // S3 wants the file last
    return send("POST", ticket.post.url, data, {}, function (loaded) { showProgress(loaded, file.size); })
      .then(function (xhr) {
        if (xhr.status < 200 || xhr.status > 299) { throw new Error(problem(xhr)); }
        return [];
      });
  }

  function putParts(ticket, file) {
    var plan = ticket.multipart;
    var done = [];
    var sent = 0;
    return plan.parts.reduce(function (previous, part) {
      return previous.then(function () {
        var start = (part.part_number - 1) * plan.part_size;
        var chunk = file.slice(start, Math.min(start + plan.part_size, file.size));
        return send("PUT", part.url, chunk, {}, function (loaded) { showProgress(sent + loaded, file.size); })
          .then(function (xhr) {
            if (xhr.status < 200 || xhr.status > 299) { throw new Error(problem(xhr)); }
            sent += chunk.size;
            done.push({ part_number: part.part_number, etag: xhr.getResponseHeader("ETag") || "" });
          });
      });
    }, Promise.resolve()).then(function () { return done; });
  }

  function guessKind(file) {
    var type = file.type || "";
    var name = file.name.toLowerCase();
    if (type === "text/vtt" || /\.vtt$/.test(name)) { return "captions"; }
    if (type === "application/pdf" || /\.pdf$/.test(name)) { return "pdf"; }
    var family = type.split("/")[0];
    return ["video", "audio", "image"].indexOf(family) >= 0 ? family : null;
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    var kind = file && guessKind(file);
    if (kind) { kindSelect.value = kind; }
  });

  form.addEventListener("submit", function (event) {
    var file = fileInput.files && fileInput.files[0];
    if (!file) { return; }
    event.preventDefault();
    var request = {
      filename: file.name, size: file.size, kind: kindSelect.value, content_type: file.type || "",
      multipart: file.size > multipartFrom
    };
    if (request.kind === "captions") {
      request.language = form.elements.language.value.trim() || null;
      request.video_id = form.elements.video_id.value || null;
    }
    button.disabled = true;
    say(message("uploading", "Uploading…"));
    showProgress(0, file.size);
    var ticket;
    callService(api + "/uploads", request)
      .then(function (answer) {
        ticket = answer;
        return ticket.method === "post" ? postWhole(ticket, file) : putParts(ticket, file);
      })
      .then(function (parts) {
        say(message("checking", "Checking the file…"));
        return callService(ticket.complete_url, { parts: parts });
      })
      .then(function (media) {
        window.location.assign(window.location.pathname + "?done=" + encodeURIComponent(media.id));
      })
      .catch(function (error) {
        say(error.message, true);
        progress.hidden = true;
        button.disabled = false;
      });
  });
}());
