"""cmi5 course structures refused or taken as cmi5 §13-14 say: ids are IRIs, an AU's URL is a URL without the launch's
own parameters, and a bare cmi5.xml whose AUs are on the web is a package of that one file."""

from __future__ import annotations

import io

import pytest

from lms.errors import Invalid
from lms.packages.importing import read_package
from tests.package_zips import COURSE_IRI, cmi5_xml


def read(xml: str):
    return read_package(io.BytesIO(xml.encode()), filename="course.xml", language="en", max_unpacked=10_000_000)


def test_a_bare_course_structure_with_aus_on_the_web_is_a_package_of_one_file():
    archive, members, manifest = read(cmi5_xml(3, url="https://content.example.org/au{n}/index.html?lang=en"))
    assert list(members) == ["cmi5.xml"] and [u.launch for u in manifest.units][0].startswith(
        "https://content.example.org/au1/"
    )
    archive.close()


@pytest.mark.parametrize(
    ("xml", "problem"),
    [
        (cmi5_xml(1, url="au{n}/index.html"), "not in the zip"),
        (cmi5_xml(1, url="https://example.org/au?endpoint=https://lrs.example.org"), "endpoint, which the LMS adds"),
        (cmi5_xml(1, url="http://example.com index.html"), "holds a space"),
        (
            cmi5_xml(1, url="https://example.org/a").replace(
                f'<course id="{COURSE_IRI}"', '<course id="example.org/c"'
            ),
            "not an IRI",
        ),
        (
            cmi5_xml(1, url="https://example.org/a").replace(f'<au id="{COURSE_IRI}/au/1"', '<au id="au-1"'),
            "au id 'au-1' is not an IRI",
        ),
    ],
)
def test_a_course_structure_breaking_cmi5_is_refused_naming_the_line(xml, problem):
    with pytest.raises(Invalid, match=problem) as refused:
        read(xml)
    assert "cmi5.xml line" in str(refused.value)
