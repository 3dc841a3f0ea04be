"""Packages end to end through the API and pages: an owner imports cmi5 and SCORM zips, puts their units in the draft
(a second language attaching to the same activities by unit id), publishes; a worker's unit is found in her language;
a satisfied unit completes the course and issues the certificate; bad zips are refused naming the problem and
leave nothing behind."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import pytest

from lms.packages import queries as package_queries
from lms.packages.content import content_url
from lms.packages.service import record_unit_satisfied
from lms.storage import Storage
from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.package_zips import PAGE, au_iri, build_zip, cmi5_xml, cmi5_zip, scorm12_zip, scorm2004_zip

CODE = "PKG-101"


def draft(modules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "code": CODE,
        "track": "MA",
        "languages": ["en", "es"],
        "title": {"en": "Hand hygiene", "es": "Higiene de manos"},
        "summary": {"en": "Clean hands.", "es": "Manos limpias."},
        "modules": modules
        if modules is not None
        else [{"key": "hygiene", "title": {"en": "Hygiene", "es": "Higiene"}, "activities": []}],
    }


async def upload(client, headers, data: bytes, *, language: str = "en", name: str = "course.zip"):
    return await client.post(
        f"/api/v1/courses/{CODE}/packages",
        headers=headers,
        files={"file": (name, data, "application/zip")},
        data={"language": language},
    )


async def test_cmi5_in_two_languages_published_launched_in_her_language_and_completing_the_course(
    client, conn, settings
):
    owner_headers = await owner_with_course(client, conn)
    en = await upload(client, owner_headers, cmi5_zip(2, lang="en-US"), language="en")
    assert en.status_code == 201, en.text
    en_package = en.json()
    assert en_package["format"] == "cmi5" and [u["unit_id"] for u in en_package["units"]] == [au_iri(1), au_iri(2)]

    attached = await client.post(
        f"/api/v1/courses/{CODE}/packages/{en_package['id']}/activities",
        headers=owner_headers,
        json={"module": "hygiene", "minutes": {au_iri(1): 15, au_iri(2): 20}},
    )
    assert attached.status_code == 200, attached.text
    es = (await upload(client, owner_headers, cmi5_zip(2, lang="es"), language="es")).json()
    # the Spanish package shows the same AUs: attached to the same two activities, none added
    attached = await client.post(
        f"/api/v1/courses/{CODE}/packages/{es['id']}/activities", headers=owner_headers, json={"module": "hygiene"}
    )
    assert attached.status_code == 200, attached.text
    doc = (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=owner_headers)).json()
    activities = doc["modules"][0]["activities"]
    assert [a["minutes"] for a in activities] == [15, 20] and all(a["kind"] == "package" for a in activities)
    assert activities[0]["package"] == {
        "en": {"package": en_package["id"], "unit": au_iri(1)},
        "es": {"package": es["id"], "unit": au_iri(1)},
    }
    assert activities[0]["title"] == {"en": "Unit 1", "es": "Unit 1"}

    published = await client.post(f"/api/v1/authoring/courses/{CODE}/publish", headers=owner_headers)
    assert published.status_code in (200, 201), published.text
    assert await conn.fetchval("SELECT count(*) FROM version_activity_packages") == 4
    learner = await conn.fetchval("SELECT learner FROM version_activities WHERE key = $1", activities[0]["key"])
    assert learner["package"]["es"] == {"package": es["id"], "unit": au_iri(1), "format": "cmi5"}

    await make_clinic(conn, "clinica-romero")
    worker = await make_user(conn, "lupe@example.org", "worker", clinic="clinica-romero", language="es")
    other = await make_user(conn, "ana@example.org", "worker", clinic="clinica-romero", language="en")
    enrolled = await client.post("/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, worker.id))
    enrollment_id = enrolled.json()["id"]
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM version_activities ORDER BY position")]
    page = await client.get(
        f"/courses/{CODE}/v/1/{activities[0]['key']}",
        headers={**await token_for(conn, worker.id), "accept": "text/html"},
    )
    assert (
        f'action="/learn/{CODE}/v/1/{activities[0]["key"]}/cmi5"' in page.text
    )  # her Start button, by the unit's format
    assert 'name="lang" value="es"' in page.text

    unit = await package_queries.launch_unit(conn, activity_id=ids[0], user_id=worker.id, language="es-MX")
    assert unit and unit.package_id.hex == es["id"].replace("-", "") and unit.language == "es"
    assert unit.move_on == "CompletedOrPassed" and unit.mastery_score == 0.8 and unit.entitlement_key == "key-1"
    assert (
        await package_queries.launch_unit(conn, activity_id=ids[0], user_id=worker.id, language="vi")
    ).language == "en"
    assert (
        await package_queries.launch_unit(conn, activity_id=ids[0], user_id=other.id, language="en") is None
    )  # not enrolled
    other_enrolment = (
        await client.post("/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, other.id))
    ).json()["id"]
    assert await package_queries.launch_unit(conn, activity_id=ids[0], user_id=other.id, language="en")
    await conn.execute(
        "UPDATE enrollments SET ended_at = now(), end_kind = 'unenrolled', end_reason = 'left the course' WHERE id = $1",
        other_enrolment,
    )
    assert (
        await package_queries.launch_unit(conn, activity_id=ids[0], user_id=other.id, language="en") is None
    )  # unenrolled

    async with conn.transaction():
        assert await record_unit_satisfied(
            conn,
            enrollment_id=unit.enrollment_id,
            activity_id=ids[0],
            detail={"format": "cmi5"},
            base_url=settings.public_base_url,
        )
    async with conn.transaction():  # once only
        assert not await record_unit_satisfied(
            conn,
            enrollment_id=unit.enrollment_id,
            activity_id=ids[0],
            detail={"format": "cmi5"},
            base_url=settings.public_base_url,
        )
    assert await conn.fetchval("SELECT completed_at FROM enrollments WHERE id = $1", unit.enrollment_id) is None
    async with conn.transaction():
        await record_unit_satisfied(
            conn, enrollment_id=unit.enrollment_id, activity_id=ids[1], detail={}, base_url=settings.public_base_url
        )
    assert str(await conn.fetchval("SELECT enrollment_id FROM completions")) == enrollment_id
    progress = await client.get(
        f"/api/v1/enrollments/{enrollment_id}/progress", headers=await token_for(conn, worker.id)
    )
    assert progress.status_code == 200 and progress.json()["done"] == progress.json()["total"] == 2
    assert progress.json()["enrollment"]["completed_at"]
    assert await conn.fetchval("SELECT count(*) FROM certificates WHERE user_id = $1", worker.id) == 1


async def owner_with_course(client, conn) -> dict[str, str]:
    user = await make_user(conn, "maria@example.org", "instructor")
    headers = await token_for(conn, user.id)
    created = await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=draft(), headers=headers)
    assert created.status_code == 200, created.text
    return headers


async def test_scorm_12_and_2004_units_become_activities_of_a_new_module(client, conn, settings):
    headers = await owner_with_course(client, conn)
    for data, fmt, unit in ((scorm12_zip(), "scorm12", "item-pulse"), (scorm2004_zip(), "scorm2004", "item-gloves")):
        imported = await upload(client, headers, data, language="es")
        assert imported.status_code == 201, imported.text
        body = imported.json()
        assert body["format"] == fmt and body["units"][0]["unit_id"] == unit
        attached = await client.post(
            f"/api/v1/courses/{CODE}/packages/{body['id']}/activities",
            headers=headers,
            json={"module": "new", "minutes": {unit: 30}},
        )
        assert attached.status_code == 200, attached.text
    doc = (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=headers)).json()
    assert [m["title"] for m in doc["modules"][1:]] == [{"es": "Vital signs"}, {"es": "Infection control"}]
    stored = await Storage(settings).list_keys(f"packages/{CODE}/")
    assert {k["Key"].split("/", 3)[3] for k in stored} >= {"imsmanifest.xml", "sco/index.html", "content/gloves.html"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"not a zip at all", "not a zip file"),
        (build_zip({"imsmanifest.xml": "x", "../../etc/cron.d/evil": "x"}), "climbs out of the package"),
        (build_zip({"cmi5.xml": cmi5_xml(1), "au1/index.html": PAGE, "au1/zeros.bin": b"\0" * 30_000_000}), "zip bomb"),
        (
            scorm12_zip(href="sco/missing.html"),
            "imsmanifest.xml line 15: resource res-pulse: the href 'sco/missing.html' names a file that is not in the zip",
        ),
        (build_zip({"readme.txt": "hello"}), "no cmi5.xml (cmi5) or imsmanifest.xml (SCORM) at the top of the zip"),
    ],
)
async def test_bad_packages_are_refused_with_the_reason_and_nothing_is_kept(client, conn, settings, data, expected):
    headers = await owner_with_course(client, conn)
    stored_before = await Storage(settings).list_keys(f"packages/{CODE}/")  # the store is shared by this run's tests
    refused = await upload(client, headers, data, name="export.zip")
    assert refused.status_code == 400 and expected in refused.json()["detail"], refused.text
    assert refused.json()["field"] == "file"
    assert await conn.fetchval("SELECT count(*) FROM packages") == 0
    assert await Storage(settings).list_keys(f"packages/{CODE}/") == stored_before


async def test_a_package_over_the_size_limit_or_in_another_language_or_course_is_refused(client, conn, settings, app):
    headers = await owner_with_course(client, conn)
    small = settings.replace(package_max_mb=1)
    app.state.settings = small
    big = build_zip(
        {"cmi5.xml": cmi5_xml(1), "au1/index.html": PAGE, "au1/v.bin": bytes(range(256)) * 6000}, compression=0
    )
    too_big = await upload(client, headers, big)
    assert too_big.status_code == 413 and "larger than 1 MB" in too_big.json()["detail"]
    app.state.settings = settings
    wrong_language = await upload(client, headers, cmi5_zip(1), language="fr")
    assert wrong_language.status_code == 400 and wrong_language.json()["field"] == "language"
    stranger = await token_for(conn, (await make_user(conn, "leo@example.org", "instructor")).id)
    assert (await upload(client, stranger, cmi5_zip(1))).status_code == 404
    await make_clinic(conn, "clinica-romero")
    worker = await token_for(conn, (await make_user(conn, "lupe@example.org", "worker", clinic="clinica-romero")).id)
    assert (await upload(client, worker, cmi5_zip(1))).status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM packages") == 0


async def test_the_import_page_lists_every_problem_with_its_line_and_then_asks_for_minutes(client, conn):
    await owner_with_course(client, conn)
    await sign_in(client, "maria@example.org")
    form = await client.get(f"/author/{CODE}/packages")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    xml = cmi5_xml(2).replace('moveOn="CompletedOrPassed"', 'moveOn="Whenever"')
    bad = await client.post(
        f"/author/{CODE}/packages",
        data={"_csrf_token": csrf_from(form.text), "language": "en"},
        files={"file": ("hygiene.zip", build_zip({"cmi5.xml": xml, "au1/index.html": PAGE}), "application/zip")},
    )
    assert bad.status_code == 400
    assert (
        bad.text.count("moveOn &#39;Whenever&#39;") == 2
        and "au2/index.html" in bad.text
        and "cmi5.xml</code>" in bad.text
    )
    good = await client.post(
        f"/author/{CODE}/packages",
        data={"_csrf_token": csrf_from(form.text), "language": "en"},
        files={"file": ("hygiene.zip", cmi5_zip(2), "application/zip")},
        follow_redirects=False,
    )
    assert good.status_code == 303
    units = await client.get(good.headers["location"])
    assert units.status_code == 200 and 'name="minutes.1"' in units.text and 'name="minutes.2"' in units.text
    missing = await client.post(
        good.headers["location"], data={"_csrf_token": csrf_from(units.text), "module": "hygiene", "minutes.1": "10"}
    )
    assert missing.status_code == 400 and au_iri(2) in missing.text
    done = await client.post(
        good.headers["location"],
        data={"_csrf_token": csrf_from(units.text), "module": "hygiene", "minutes.1": "10", "minutes.2": "25"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    doc = await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE)
    assert [a["minutes"] for a in doc["modules"][0]["activities"]] == [10, 25]


async def test_package_files_are_served_on_the_content_origin_only_and_set_no_cookie(client, conn, settings):
    headers = await owner_with_course(client, conn)
    package_id = UUID((await upload(client, headers, scorm12_zip())).json()["id"])
    url = urlsplit(content_url(settings, package_id=package_id, path="sco/index.html", scope="launch-1"))
    assert url.netloc == "localhost:8000" and settings.public_base_url == "http://127.0.0.1:8000"
    content_host = {"host": url.netloc}

    page = await client.get(url.path, headers=content_host)
    assert (
        page.status_code == 200 and "script ran" in page.text and page.headers["content-type"].startswith("text/html")
    )
    assert "frame-ancestors 'self' http://127.0.0.1:8000" in page.headers["content-security-policy"]
    assert "set-cookie" not in page.headers
    ranged = await client.get(url.path, headers={**content_host, "range": "bytes=0-14"})
    assert ranged.status_code == 206 and ranged.text == "<!doctype html>"

    assert (await client.get(url.path)).status_code == 404  # the service's host never serves package files
    assert (await client.get(url.path, headers={"host": "127.0.0.1:8000"})).status_code == 404
    for path in ("/", "/login", f"/author/{CODE}", "/api/v1/me", "/static/app.css"):  # nor the content host its pages
        assert (await client.get(path, headers={**headers, **content_host})).status_code == 404, path
    token = url.path.split("/")[2]
    other = content_url(settings, package_id=uuid4(), path="sco/index.html", scope="launch-1")
    for bad in (
        url.path.replace(token, token[:-2] + "xx"),
        urlsplit(other).path,
        f"/content/{token}/sco/missing.html",
        f"/content/{token}/sco/%2e%2e/%2e%2e/other/index.html",
        f"/content/{token}/",
    ):
        assert (await client.get(bad, headers=content_host)).status_code == 404, bad


def package_folder(root, unit: str) -> Any:
    folder = root / CODE
    (folder / "packages").mkdir(parents=True)
    (folder / "packages" / "hygiene-en.zip").write_bytes(cmi5_zip(1, lang="en"))
    (folder / "packages" / "hygiene-es.zip").write_bytes(cmi5_zip(1, lang="es"))
    (folder / "course.yaml").write_text(
        f"""\
code: {CODE}
track: MA
languages: [en, es]
title: {{en: "Hand hygiene", es: "Higiene de manos"}}
summary: {{en: "Clean hands.", es: "Manos limpias."}}
modules:
  - key: hygiene
    title: {{en: "Hygiene", es: "Higiene"}}
    activities:
      - key: moments
        kind: package
        minutes: 25
        title: {{en: "The five moments", es: "Los cinco momentos"}}
        package:
          en: {{file: packages/hygiene-en.zip, unit: "{unit}"}}
          es: {{file: packages/missing-es.zip, unit: "{unit}"}}
""",
        encoding="utf-8",
    )
    return folder


async def test_a_course_folder_names_its_zips_and_publishing_it_again_stores_them_once(conn, settings, tmp_path):
    from lms.catalog.course_file import CourseFolderError, read_course_folder
    from lms.catalog.loader import publish_folder
    from lms.packages.folder import register

    register()  # as the `lms` command and the app do
    folder = package_folder(tmp_path, "https://example.org/not-a-unit")
    with pytest.raises(CourseFolderError) as caught:
        read_course_folder(folder)
    found = [str(p) for p in caught.value.problems]
    assert any(
        "course.yaml:15: packages/hygiene-en.zip has no unit 'https://example.org/not-a-unit'" in p for p in found
    ), found
    assert any(
        "course.yaml:16: package file 'packages/missing-es.zip' is not in the course folder" in p for p in found
    ), found

    yaml = folder / "course.yaml"
    yaml.write_text(
        yaml.read_text().replace("https://example.org/not-a-unit", au_iri(1)).replace("missing-es", "hygiene-es")
    )
    first = await publish_folder(conn, folder, settings=settings)
    second = await publish_folder(conn, folder, settings=settings)
    assert (first.version, second.version) == (1, 2)
    assert await conn.fetchval("SELECT count(*) FROM packages") == 2  # one per language, reused by version 2
    pinned = await conn.fetch("""SELECT v.version, p.language, k.format FROM version_activity_packages p
                                 JOIN packages k ON k.id = p.package_id
                                 JOIN version_activities a ON a.id = p.activity_id JOIN course_versions v ON v.id = a.version_id
                                 ORDER BY 1, 2""")
    assert [tuple(r) for r in pinned] == [(1, "en", "cmi5"), (1, "es", "cmi5"), (2, "en", "cmi5"), (2, "es", "cmi5")]
    content = await conn.fetchval("SELECT content FROM course_versions WHERE version = 1")
    ref = content["modules"][0]["activities"][0]["package"]["es"]
    assert set(ref) == {"package", "unit"} and ref["unit"] == au_iri(1)


async def test_a_cmi5_course_of_a_thousand_aus_is_imported_and_put_in_the_draft(client, conn):
    headers = await owner_with_course(client, conn)
    data = build_zip({"cmi5.xml": cmi5_xml(1000, url="https://aus.example.org/{n}/")})  # remote AUs: structure only
    imported = await upload(client, headers, data)
    assert imported.status_code == 201, imported.text
    units = imported.json()["units"]
    assert (
        len(units) == 1000
        and units[-1]["unit_id"] == au_iri(1000)
        and units[-1]["launch"] == "https://aus.example.org/1000/"
    )
    attached = await client.post(
        f"/api/v1/courses/{CODE}/packages/{imported.json()['id']}/activities",
        headers=headers,
        json={"module": "hygiene", "minutes": {u["unit_id"]: 5 for u in units}},
    )
    assert attached.status_code == 200, attached.text
    doc = await conn.fetchval("SELECT draft FROM courses WHERE code = $1", CODE)
    keys = [a["key"] for a in doc["modules"][0]["activities"]]
    assert len(keys) == len(set(keys)) == 1000
