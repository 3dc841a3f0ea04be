"""A small real cmi5 AU for the browser tests: a page whose script speaks the launch protocol as exported content
does (launch URL, one-time fetch, LMS.LaunchData, learner preferences, initialized / completed / terminated), shows
what happened, and leaves through LMS.LaunchData's returnURL when "Exit" is tapped."""

from __future__ import annotations

from tests.package_zips import build_zip, cmi5_xml

AU_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unit</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Unit</h1><p id="status">starting</p><p id="language"></p>
<button id="exit" type="button" hidden>Exit</button>
<script>
(async () => {
  const uuid = () => "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
    (c ^ (Math.random() * 16) >> (c / 4)).toString(16));
  const status = (text) => { document.getElementById("status").textContent = text; };
  try {
    const params = new URL(document.location.href).searchParams;
    const endpoint = params.get("endpoint"), actor = JSON.parse(params.get("actor"));
    const registration = params.get("registration"), activityId = params.get("activityId");
    const token = (await (await fetch(params.get("fetch"), {method: "POST"})).json())["auth-token"];
    const headers = {"Authorization": "Basic " + token, "X-Experience-API-Version": "1.0.3"};
    const query = (values) => new URLSearchParams(values).toString();
    const data = await (await fetch(endpoint + "/activities/state?" + query({stateId: "LMS.LaunchData", activityId,
      agent: JSON.stringify(actor), registration}), {headers})).json();
    const prefs = await (await fetch(endpoint + "/agents/profile?" + query({profileId: "cmi5LearnerPreferences",
      agent: JSON.stringify(actor)}), {headers})).json();
    document.getElementById("language").textContent = prefs.languagePreference;
    const send = async (verb, result, moveOn) => {
      const context = JSON.parse(JSON.stringify(data.contextTemplate));
      context.registration = registration;
      context.contextActivities.category = [{id: "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]
        .concat(moveOn ? [{id: "https://w3id.org/xapi/cmi5/context/categories/moveon"}] : []);
      const statement = {id: uuid(), timestamp: new Date().toISOString(), actor,
        verb: {id: "http://adlnet.gov/expapi/verbs/" + verb}, object: {id: activityId}, context};
      if (result) statement.result = result;
      const answer = await fetch(endpoint + "/statements?" + query({statementId: statement.id}), {method: "PUT",
        headers: {...headers, "Content-Type": "application/json"}, body: JSON.stringify(statement)});
      if (answer.status !== 204) throw new Error(verb + ": " + answer.status);
    };
    await send("initialized");
    await send("completed", {completion: true, duration: "PT30S"}, true);
    await send("terminated", {duration: "PT31S"});
    const exit = document.getElementById("exit");  // leaving as AUs do: to the LMS's returnURL, in this frame
    exit.addEventListener("click", () => { window.location.href = data.returnURL; });
    exit.hidden = false;
    status("finished");
  } catch (error) {
    status("failed: " + error);
  }
})();
</script></body></html>"""


def cmi5_course_zip(lang: str = "en") -> bytes:
    """Two AUs (moveOn Completed) in one block, each the page above."""
    files: dict[str, bytes | str] = {"cmi5.xml": cmi5_xml(2, lang=lang, move_on="Completed")}
    for n in (1, 2):
        files[f"au{n}/index.html"] = AU_PAGE
    return build_zip(files)
