// The package player (packages/player.html.jinja2): back to the course when the package says it is done, and, for
// a SCORM launch, the exit control first asks the launch page to suspend and finish the SCO so her place is kept.
(function () {
  "use strict";
  var frame = document.querySelector(".player-frame");
  var exit = document.querySelector(".player-exit");
  if (!frame || !exit) {
    return;
  }
  var source = new URL(frame.src, window.location.href);
  var contentOrigin = source.origin;
  var scorm = source.pathname.indexOf("/content/scorm/") === 0;
  var leaving = false;
  function leave() {
    if (!leaving) {
      leaving = true;
      window.location.assign(exit.href);
    }
  }
  window.addEventListener("message", function (event) {
    if (event.origin === contentOrigin && event.data && event.data.lms === "exit") {
      leave();
    }
  });
  if (scorm) {
    exit.addEventListener("click", function (event) {
      event.preventDefault();
      frame.contentWindow.postMessage({ lms: "exit-request" }, contentOrigin);
      window.setTimeout(leave, 3000);  // a launch page that cannot answer does not keep her here
    });
  }
})();
