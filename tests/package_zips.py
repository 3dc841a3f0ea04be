"""Small cmi5 and SCORM packages built in memory for the tests (no binary fixtures in the repository).

Each AU/SCO page is a real HTML page with a script, so browser tests can see it run.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
COURSE_IRI = "https://example.org/courses/hand-hygiene"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p id="status">not run</p>
<script>document.getElementById("status").textContent = "script ran";</script></body></html>"""


def build_zip(files: dict[str, bytes | str], *, zip64: bool = False, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression, allowZip64=True) as archive:
        for name, data in files.items():
            body = data.encode() if isinstance(data, str) else data
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            with archive.open(info, "w", force_zip64=zip64) as handle:
                handle.write(body)
    return out.getvalue()


def au_iri(n: int) -> str:
    return f"{COURSE_IRI}/au/{n}"


def cmi5_xml(
    aus: int = 2,
    *,
    url: str = "au{n}/index.html",
    lang: str = "en-US",
    move_on: str = "CompletedOrPassed",
    extra_au: str = "",
) -> str:
    units = "".join(
        f"""
    <au id="{au_iri(n)}" moveOn="{move_on}" masteryScore="0.8" launchMethod="AnyWindow">
      <title><langstring lang="{lang}">Unit {n}</langstring></title>
      <description><langstring lang="{lang}">Hand hygiene, part {n}</langstring></description>
      <objectives><objective idref="{COURSE_IRI}/objective/1"/></objectives>
      <url>{escape(url.format(n=n))}</url>
      <launchParameters>{{"part": {n}}}</launchParameters>
      <entitlementKey>key-{n}</entitlementKey>{extra_au}
    </au>"""
        for n in range(1, aus + 1)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="{CMI5_NS}">
  <course id="{COURSE_IRI}">
    <title><langstring lang="{lang}">Hand hygiene</langstring></title>
    <description><langstring lang="{lang}">When and how to clean hands</langstring></description>
  </course>
  <objectives>
    <objective id="{COURSE_IRI}/objective/1">
      <title><langstring lang="{lang}">Clean hands</langstring></title>
      <description><langstring lang="{lang}">Clean hands at the five moments</langstring></description>
    </objective>
  </objectives>
  <block id="{COURSE_IRI}/block/1">
    <title><langstring lang="{lang}">Part one</langstring></title>
    <description><langstring lang="{lang}">All units</langstring></description>{units}
  </block>
</courseStructure>
"""


def cmi5_zip(aus: int = 2, **kwargs) -> bytes:
    files: dict[str, bytes | str] = {"cmi5.xml": cmi5_xml(aus, **kwargs)}
    for n in range(1, aus + 1):
        files[f"au{n}/index.html"] = PAGE.format(title=f"Unit {n}")
    return build_zip(files)


SCORM12_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.vitals" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>Vital signs</title>
      <item identifier="item-pulse" identifierref="res-pulse">
        <title>Taking a pulse</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-pulse" type="webcontent" adlcp:scormtype="sco" href="{href}">
      <file href="sco/index.html"/>
    </resource>
  </resources>
</manifest>
"""

SCORM2004_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.dental" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>Infection control</title>
      <item identifier="item-gloves" identifierref="res-gloves">
        <title>Gloves</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="gloves" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-gloves" type="webcontent" adlcp:scormType="sco" href="content/gloves.html">
      <file href="content/gloves.html"/>
    </resource>
  </resources>
</manifest>
"""


def scorm12_zip(href: str = "sco/index.html") -> bytes:
    return build_zip(
        {"imsmanifest.xml": SCORM12_MANIFEST.format(href=href), "sco/index.html": PAGE.format(title="Pulse")}
    )


def scorm2004_zip() -> bytes:
    return build_zip({"imsmanifest.xml": SCORM2004_MANIFEST, "content/gloves.html": PAGE.format(title="Gloves")})
