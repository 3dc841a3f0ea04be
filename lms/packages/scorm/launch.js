// The SCORM launch page on the content origin: makes scorm-again's API for the SCO (window.API for SCORM 1.2,
// window.API_1484_11 for SCORM 2004) with the data the server gave this launch, then opens the SCO beside it.
// scorm-again does all of SCORM; this file only configures it and tells the player (the service's page around
// this one) when the SCO is done, so the worker is back in her course.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("scorm-launch").textContent);
  var scorm12 = config.format === "scorm12";
  var settings = {
    lmsCommitUrl: config.commit_url,
    dataCommitFormat: "flattened",
    // Terminate's commit says so, so the server knows the attempt's exit (suspend or not) is final for this launch.
    terminateCommitPayloadField: config.terminated_field,
    autocommit: true,
    autocommitSeconds: 10,  // a phone may lose the page at any time: what she did is on the server within seconds
    fetchMode: "same-origin",
    logLevel: 4
  };
  var api = scorm12 ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  api.loadFromFlattenedJSON(config.cmi, "");
  if (scorm12) {
    window.API = api;
  } else {
    window.API_1484_11 = api;
  }

  var told = false;
  function backToCourse() {
    if (!told) {
      told = true;
      window.parent.postMessage({ lms: "exit" }, config.app_origin);
    }
  }
  api.on(scorm12 ? "LMSFinish" : "Terminate", backToCourse);

  // The player's own exit control: the SCO is suspended (her place kept) and finished before she leaves, unless
  // it already finished itself.
  window.addEventListener("message", function (event) {
    if (event.origin !== config.app_origin || !event.data || event.data.lms !== "exit-request") {
      return;
    }
    if (api.isInitialized() && !api.isTerminated()) {
      if (scorm12) {
        api.LMSSetValue("cmi.core.exit", "suspend");
        api.LMSFinish("");
      } else {
        api.SetValue("cmi.exit", "suspend");
        api.Terminate("");
      }
    }
    backToCourse();
  });

  document.getElementById("sco").src = config.sco_url;
})();
