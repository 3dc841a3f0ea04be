"""Two small SCORM packages for the tests, one SCO each, written here: a SCORM 1.2 SCO and a SCORM 2004 SCO that find
the API in a parent window, initialize, show how they were entered (and her saved place), and offer two buttons:
"Suspend" (keeps her place, exit suspend) and "Finish" (passes with a score, normal exit), each committing and
terminating as authoring tools' output does."""

from __future__ import annotations

from tests.package_zips import build_zip, scorm12_manifest, scorm2004_manifest

_FIND_API = """
function findAPI(name) {
  var win = window;
  for (var hops = 0; win && hops < 10; hops++) {
    try { if (win[name]) { return win[name]; } } catch (e) { return null; }
    if (win.parent === win) { break; }
    win = win.parent;
  }
  return null;
}
"""

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ font: 18px sans-serif; margin: 1rem; }} button {{ font-size: 1.2rem; margin: .5rem 0; display: block; }}</style>
</head><body>
<h1>{title}</h1>
<p id="api">no API</p>
<p id="entry"></p>
<p id="place"></p>
<button id="suspend" type="button">Suspend</button>
<button id="finish" type="button">Finish</button>
<script>{find}{script}</script>
</body></html>"""

SCO12_SCRIPT = """
var api = findAPI("API");
if (api && api.LMSInitialize("") === "true") {
  document.getElementById("api").textContent = "API found";
  document.getElementById("entry").textContent = "entry=" + api.LMSGetValue("cmi.core.entry");
  document.getElementById("place").textContent = "place=" + api.LMSGetValue("cmi.suspend_data") + "@" +
    api.LMSGetValue("cmi.core.lesson_location");
  if (api.LMSGetValue("cmi.core.lesson_status") === "not attempted") {
    api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  }
}
document.getElementById("suspend").onclick = function () {
  api.LMSSetValue("cmi.core.lesson_location", "page-2");
  api.LMSSetValue("cmi.suspend_data", "answers=b,c");
  api.LMSSetValue("cmi.core.exit", "suspend");
  api.LMSSetValue("cmi.core.session_time", "00:02:30");
  api.LMSCommit("");
  api.LMSFinish("");
};
document.getElementById("finish").onclick = function () {
  api.LMSSetValue("cmi.core.score.raw", "90");
  api.LMSSetValue("cmi.core.lesson_status", "passed");
  api.LMSSetValue("cmi.core.exit", "");
  api.LMSSetValue("cmi.core.session_time", "00:01:15");
  api.LMSCommit("");
  api.LMSFinish("");
};
"""

SCO2004_SCRIPT = """
var api = findAPI("API_1484_11");
if (api && api.Initialize("") === "true") {
  document.getElementById("api").textContent = "API found";
  document.getElementById("entry").textContent = "entry=" + api.GetValue("cmi.entry");
  var saved = api.GetValue("cmi.suspend_data");
  document.getElementById("place").textContent = "place=" + saved + "@" + api.GetValue("cmi.location");
  api.SetValue("cmi.completion_status", "incomplete");
}
document.getElementById("suspend").onclick = function () {
  api.SetValue("cmi.location", "page-2");
  api.SetValue("cmi.suspend_data", "answers=b,c");
  api.SetValue("cmi.progress_measure", "0.5");
  api.SetValue("cmi.exit", "suspend");
  api.SetValue("cmi.session_time", "PT2M30S");
  api.Commit("");
  api.Terminate("");
};
document.getElementById("finish").onclick = function () {
  api.SetValue("cmi.score.scaled", "0.9");
  api.SetValue("cmi.score.raw", "9");
  api.SetValue("cmi.score.min", "0");
  api.SetValue("cmi.score.max", "10");
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.success_status", "passed");
  api.SetValue("cmi.exit", "normal");
  api.SetValue("cmi.session_time", "PT1M15S");
  api.Commit("");
  api.Terminate("");
};
"""

UNIT_12, UNIT_2004 = "sco-bp", "sco-sterile"


def scorm12_course() -> bytes:
    page = _PAGE.format(title="Taking blood pressure", find=_FIND_API, script=SCO12_SCRIPT)
    manifest = scorm12_manifest(
        identifier="org.example.bp12",
        title="Blood pressure",
        item=UNIT_12,
        item_title="Taking blood pressure",
        resource="res-bp",
    )
    return build_zip({"imsmanifest.xml": manifest, "sco/index.html": page})


def scorm2004_course() -> bytes:
    page = _PAGE.format(title="Keeping a sterile field", find=_FIND_API, script=SCO2004_SCRIPT)
    manifest = scorm2004_manifest(
        "content/sco.html",
        identifier="org.example.sterile2004",
        title="Sterile field",
        item=UNIT_2004,
        item_title="Keeping a sterile field",
        resource="res-sterile",
        objective="sterile",
    )
    return build_zip({"imsmanifest.xml": manifest, "content/sco.html": page})


async def publish_scorm_course(client, conn, code: str) -> dict[str, str]:
    """An instructor's course with the two SCOs as its only activities (imported through the API, attached to one
    module, published as version 1): activity key by unit id."""
    from tests.helpers import make_user, token_for

    owner = await make_user(conn, f"owner-{code.lower()}@example.org", "instructor")
    headers = await token_for(conn, owner.id)
    draft = {
        "code": code,
        "track": "MA",
        "languages": ["en"],
        "title": {"en": "Vital signs online"},
        "summary": {"en": "Two short SCORM units."},
        "modules": [{"key": "units", "title": {"en": "Units"}, "activities": []}],
    }
    created = await client.put(f"/api/v1/authoring/courses/{code}/draft", json=draft, headers=headers)
    assert created.status_code == 200, created.text
    for data, unit, name in ((scorm12_course(), UNIT_12, "bp12.zip"), (scorm2004_course(), UNIT_2004, "sterile.zip")):
        imported = await client.post(
            f"/api/v1/courses/{code}/packages",
            headers=headers,
            files={"file": (name, data, "application/zip")},
            data={"language": "en"},
        )
        assert imported.status_code == 201, imported.text
        attached = await client.post(
            f"/api/v1/courses/{code}/packages/{imported.json()['id']}/activities",
            headers=headers,
            json={"module": "units", "minutes": {unit: 20}},
        )
        assert attached.status_code == 200, attached.text
    published = await client.post(f"/api/v1/authoring/courses/{code}/publish", headers=headers)
    assert published.status_code in (200, 201), published.text
    rows = await conn.fetch("""SELECT vp.unit_id, a.key FROM version_activity_packages vp
                               JOIN version_activities a ON a.id = vp.activity_id""")
    return {r["unit_id"]: r["key"] for r in rows}
