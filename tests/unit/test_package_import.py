"""Package zips and manifests: what is refused (with the file and line named) and what is read from each format."""

from __future__ import annotations

import io
import zipfile

import pytest

from lms.errors import Invalid
from lms.packages.importing import read_package
from tests.package_zips import (
    COURSE_IRI,
    PAGE,
    au_iri,
    build_zip,
    cmi5_xml,
    cmi5_zip,
    scorm12_manifest,
    scorm12_zip,
    scorm2004_zip,
)

LIMIT = 50_000_000


def read(data: bytes, *, name: str = "course.zip", language: str = "en", limit: int = LIMIT):
    return read_package(io.BytesIO(data), filename=name, language=language, max_unpacked=limit)[2]


def refused(data: bytes, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as caught:
        read(data, **kwargs)
    return caught.value


def test_a_cmi5_course_with_two_aus_is_read_with_everything_its_manifest_says():
    manifest = read(cmi5_zip(2))
    assert manifest.format == "cmi5" and manifest.title == {"en-US": "Hand hygiene"}
    assert [u.unit_id for u in manifest.units] == [au_iri(1), au_iri(2)]
    first = manifest.units[0]
    assert first.launch == "au1/index.html" and first.move_on == "CompletedOrPassed" and first.mastery_score == 0.8
    assert (
        first.launch_method == "AnyWindow"
        and first.launch_parameters == '{"part": 1}'
        and first.entitlement_key == "key-1"
    )
    assert first.extra["objectives"] == [f"{COURSE_IRI}/objective/1"] and first.extra["blocks"] == [
        f"{COURSE_IRI}/block/1"
    ]
    assert manifest.structure["course"]["id"] == COURSE_IRI
    assert manifest.structure["objectives"][0]["title"] == {"en-US": "Clean hands"}


def test_a_cmi5_course_of_a_thousand_aus_is_accepted():
    xml = cmi5_xml(1000, url="https://aus.example.org/{n}/")  # remote AUs: the zip holds the structure only
    manifest = read(build_zip({"cmi5.xml": xml}))
    assert len(manifest.units) == 1000 and manifest.units[-1].unit_id == au_iri(1000)


def test_scorm_12_and_2004_scos_with_their_mastery_scores():
    v12 = read(scorm12_zip(), language="es")
    assert v12.format == "scorm12" and v12.title == {"es": "Vital signs"}
    (pulse,) = v12.units
    assert (pulse.unit_id, pulse.launch, pulse.mastery_score, pulse.title) == (
        "item-pulse",
        "sco/index.html",
        0.8,
        {"es": "Taking a pulse"},
    )
    assert pulse.extra["scorm_type"] == "sco"
    v2004 = read(scorm2004_zip())
    assert v2004.format == "scorm2004"
    (gloves,) = v2004.units
    assert gloves.mastery_score == 0.7 and gloves.extra["satisfied_by_measure"] is True


def test_a_zip64_package_is_accepted():
    data = build_zip({"imsmanifest.xml": scorm12_manifest(), "sco/index.html": PAGE}, zip64=True)
    assert b"\x01\x00\x10\x00" in data  # a zip64 extended information field (id 1, 16 bytes of sizes)
    assert read(data).units[0].unit_id == "item-pulse"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../evil.html", "climbs out of the package"),
        ("sco/../../evil.html", "climbs out of the package"),
        ("/etc/passwd", "an absolute path"),
        ("C:/windows/evil.html", "an absolute path"),
        ("sco\\evil.html", "backslash"),
    ],
)
def test_names_that_leave_the_package_are_refused(name, expected):
    problem = refused(build_zip({"imsmanifest.xml": scorm12_manifest(), "sco/index.html": PAGE, name: "x"}))
    assert expected in problem.detail and repr(name) in problem.detail and problem.field == "file"


def test_a_file_that_is_not_a_zip_is_refused():
    assert "not a zip file" in refused(b"%PDF-1.4 definitely not a zip", name="notes.pdf").detail


def test_a_zip_bomb_is_refused_by_its_ratio_and_by_its_total():
    bomb = build_zip({"cmi5.xml": cmi5_xml(1), "au1/index.html": PAGE, "au1/zeros.bin": b"\0" * 30_000_000})
    assert len(bomb) < 100_000
    assert "zip bomb" in refused(bomb).detail
    big = build_zip(
        {"cmi5.xml": cmi5_xml(1), "au1/index.html": PAGE, "au1/video.mp4": bytes(range(256)) * 8000},
        compression=zipfile.ZIP_STORED,
    )
    assert "unpack to more than" in refused(big, limit=1_000_000).detail


def test_a_manifest_pointing_to_a_missing_file_is_refused_naming_its_line():
    problem = refused(scorm12_zip(href="sco/missing.html"))
    line = next(i for i, text in enumerate(scorm12_manifest().splitlines(), 1) if "<resource " in text)
    assert f"imsmanifest.xml line {line}" in problem.detail and "sco/missing.html" in problem.detail
    xml = cmi5_xml(2)
    problem = refused(build_zip({"cmi5.xml": xml, "au1/index.html": PAGE}))  # au2's page is not in the zip
    line = next(i for i, text in enumerate(xml.splitlines(), 1) if "au2/index.html" in text)
    assert f"cmi5.xml line {line}" in problem.detail and "not in the zip" in problem.detail
    assert problem.extra["problems"] == [
        {"file": "cmi5.xml", "line": line, "message": problem.extra["problems"][0]["message"]}
    ]


def test_cmi5_values_outside_the_specification_are_refused_each_with_its_line():
    xml = cmi5_xml(1).replace('moveOn="CompletedOrPassed" masteryScore="0.8"', 'moveOn="Finished" masteryScore="80"')
    problem = refused(build_zip({"cmi5.xml": xml, "au1/index.html": PAGE}))
    line = next(i for i, text in enumerate(xml.splitlines(), 1) if "<au " in text)
    messages = [p["message"] for p in problem.extra["problems"]]
    assert all(p["line"] == line for p in problem.extra["problems"])
    assert any("moveOn 'Finished'" in m for m in messages) and any("masteryScore '80'" in m for m in messages)


def test_xml_that_is_not_well_formed_is_refused_with_its_line_and_entities_are_never_expanded():
    problem = refused(build_zip({"cmi5.xml": "<?xml version='1.0'?>\n<courseStructure>\n<course>\n</courseStructure>"}))
    assert "cmi5.xml line 4: not well-formed XML" in problem.detail
    laughs = (
        "<?xml version='1.0'?>\n<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;'>]>\n"
        "<courseStructure><course id='x'><title><langstring lang='en'>&lol2;</langstring></title></course></courseStructure>"
    )
    problem = refused(build_zip({"cmi5.xml": laughs}))
    assert "lollol" not in problem.detail


def test_a_zip_without_a_manifest_at_its_top_says_where_it_found_one():
    nested = build_zip({"export/imsmanifest.xml": scorm12_manifest(), "export/sco/index.html": PAGE})
    assert "found export/imsmanifest.xml" in refused(nested).detail
