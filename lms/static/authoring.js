// The authoring forms, enhanced: a draft saves itself a few seconds after the author stops typing (the same post as
// the Save button, answered in JSON with the new revision), a lesson's Markdown shows as learners will see it, and
// removing asks first. Without this script every form still works with its buttons.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) { return; }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  var form = document.querySelector("form[data-autosave]");
  if (form) {
    var status = document.getElementById("autosave-status");
    var stopped = !!document.getElementById("conflict");  // after a conflict the author decides, then saves
    var pending = false;
    var sending = false;
    var waiting = false;  // a Save button pressed during an autosave
    var submitter = null;
    var say = function (text, isError) {
      if (!status) { return; }
      status.textContent = text;
      status.className = isError ? "error" : "muted";
    };
    var save = function () {
      if (stopped || sending) { pending = !stopped; return; }
      sending = true;
      pending = false;
      var body = new FormData(form);
      body.append("autosave", "1");
      var csrf = form.querySelector("input[name=_csrf_token]");
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                           headers: { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" } })
        .then(function (response) {
          return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
        })
        .then(function (result) {
          if (result.status === 200) {
            form.querySelector("input[name=revision]").value = result.answer.revision;
            form.querySelector("input[name=base]").value = result.answer.base;
            say(form.getAttribute("data-msg-saved"), false);
          } else {
            if (result.status === 409) { stopped = true; }
            say(result.answer.message || result.answer.detail || "", true);
          }
        })
        .catch(function () { say(form.getAttribute("data-msg-failed"), true); })
        .then(function () {
          sending = false;
          if (waiting) {  // a Save button was pressed while this was on its way: send it now, with the new revision
            waiting = false;
            if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
          } else if (pending) { save(); }
        });
    };
    var later = debounce(save, 2500);
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (event) {  // the button's own post takes over from autosaving
      if (sending) {
        event.preventDefault();
        waiting = true;
        submitter = event.submitter || null;
      }
      stopped = true;
    });
  }

  var previewUrl = form && form.getAttribute("data-markdown-url");
  if (previewUrl) {
    var token = form.querySelector("input[name=_csrf_token]");
    form.querySelectorAll("textarea[data-markdown-preview]").forEach(function (area) {
      var target = document.getElementById(area.getAttribute("data-markdown-preview"));
      if (!target) { return; }
      var render = function () {
        var body = new FormData();
        body.append("text", area.value);
        if (token) { body.append("_csrf_token", token.value); }
        fetch(previewUrl, { method: "POST", body: body, credentials: "same-origin",
                            headers: { "X-CSRFToken": token ? token.value : "" } })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (html) { target.innerHTML = html; })  // sanitised on the server, as publishing does
          .catch(function () { /* the preview waits for the connection; the text is safe in the form */ });
      };
      area.addEventListener("input", debounce(render, 500));
      render();
    });
  }

  var newCourse = document.querySelector("form[data-new-course]");
  if (newCourse) {
    var columns = function () {
      newCourse.querySelectorAll("[data-language-column]").forEach(function (box) {
        var column = newCourse.querySelector("[data-language='" + box.value + "']");
        if (column) { column.hidden = !box.checked; }
      });
    };
    newCourse.addEventListener("change", columns);
    columns();
  }
}());
