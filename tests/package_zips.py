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


def scorm12_manifest(
    href: str = "sco/index.html",
    *,
    identifier: str = "com.example.vitals",
    title: str = "Vital signs",
    item: str = "item-pulse",
    item_title: str = "Taking a pulse",
    resource: str = "res-pulse",
) -> str:
    """A SCORM 1.2 manifest of one SCO (mastery score 80) whose launch page is ``href``; its file is sco/index.html."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>{title}</title>
      <item identifier="{item}" identifierref="{resource}">
        <title>{item_title}</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{resource}" type="webcontent" adlcp:scormtype="sco" href="{href}">
      <file href="sco/index.html"/>
    </resource>
  </resources>
</manifest>
"""


def scorm2004_manifest(
    href: str = "content/gloves.html",
    *,
    identifier: str = "com.example.dental",
    title: str = "Infection control",
    item: str = "item-gloves",
    item_title: str = "Gloves",
    resource: str = "res-gloves",
    objective: str = "gloves",
) -> str:
    """A SCORM 2004 (4th edition) manifest of one SCO, satisfied by a scaled score of 0.7, launched from ``href``."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>{title}</title>
      <item identifier="{item}" identifierref="{resource}">
        <title>{item_title}</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="{objective}" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{resource}" type="webcontent" adlcp:scormType="sco" href="{href}">
      <file href="{href}"/>
    </resource>
  </resources>
</manifest>
"""


def scorm12_zip(href: str = "sco/index.html") -> bytes:
    return build_zip({"imsmanifest.xml": scorm12_manifest(href), "sco/index.html": PAGE.format(title="Pulse")})


def scorm2004_zip() -> bytes:
    return build_zip({"imsmanifest.xml": scorm2004_manifest(), "content/gloves.html": PAGE.format(title="Gloves")})
