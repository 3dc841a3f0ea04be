"""SCORM 1.2 and 2004 ``imsmanifest.xml``: the default organisation's items that launch a resource become units."""

from __future__ import annotations

from typing import Any, Literal

from lms.packages.manifests import SCORM, Problems, child, children, is_absolute, local, parse_xml, split_href, text_of
from lms.packages.schemas import Manifest, Unit

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def _attr(element: Any, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (adlcp:scormtype, adlcp:scormType ...)."""
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1].lower() == name.lower():
            return value
    return None


def scorm_version(root: Any) -> Literal["scorm12", "scorm2004"]:
    """scorm2004 or scorm12, from the schema version (or the namespaces when a tool leaves it out)."""
    metadata = child(root, "metadata")
    version = text_of(child(metadata, "schemaversion")) if metadata is not None else ""
    if "2004" in version or "1.3" in version:
        return "scorm2004"
    if version.startswith("1.2"):
        return "scorm12"
    namespaces = " ".join(str(ns) for ns in root.nsmap.values())
    return "scorm2004" if "v1p3" in namespaces or "imsss" in namespaces else "scorm12"


def parse_scorm(data: bytes, files: set[str], *, language: str) -> Manifest:
    problems = Problems(SCORM)
    root = parse_xml(data, SCORM)
    if local(root) != "manifest":
        problems.fail(root, f"the root element is <{local(root)}>, not <manifest>")
    fmt = scorm_version(root)
    base = root.get(XML_BASE, "")
    resources: dict[str, Any] = {}
    resources_element = child(root, "resources")
    if resources_element is None:
        problems.add(root, "no <resources> element")
    else:
        base += resources_element.get(XML_BASE, "")
        for resource in children(resources_element, "resource"):
            rid = resource.get("identifier", "")
            if not rid:
                problems.add(resource, "a <resource> without its identifier")
            resources[rid] = resource
            for file in children(resource, "file"):
                href = file.get("href", "")
                path = split_href(base + resource.get(XML_BASE, "") + href)
                if href and not is_absolute(href) and path not in files:
                    problems.add(file, f"resource {rid} lists the file {href!r}, which is not in the zip")
    organizations = child(root, "organizations")
    organization = None
    if organizations is not None:
        orgs = children(organizations, "organization")
        default = organizations.get("default")
        organization = next((o for o in orgs if o.get("identifier") == default), orgs[0] if orgs else None)
        if default and organization is not None and organization.get("identifier") != default:
            problems.add(organizations, f"the default organization {default!r} does not exist")
    if organization is None:
        problems.fail(root, "no <organization> in <organizations>")
    title = text_of(child(organization, "title")) or organization.get("identifier", "")
    units: list[Unit] = []
    seen: set[str] = set()

    def walk(parent: Any, path: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for item in children(parent, "item"):
            iid = item.get("identifier", "")
            if not iid:
                problems.add(item, "an <item> without its identifier")
            elif iid in seen:
                problems.add(item, f"the item identifier {iid!r} is used twice")
            seen.add(iid)
            item_title = text_of(child(item, "title")) or iid
            ref = item.get("identifierref")
            if ref:
                unit = _unit(item, iid, item_title, ref, resources.get(ref), base, files, fmt, language, problems, path)
                if unit:
                    units.append(unit)
            out.append(
                {"identifier": iid, "title": item_title, "launches": bool(ref), "children": walk(item, [*path, iid])}
            )
        return out

    structure = {
        "organization": {"identifier": organization.get("identifier", ""), "title": title},
        "items": walk(organization, []),
    }
    if not units and not problems.found:
        problems.add(organization, "the organization has no item that launches a SCO (identifierref to a resource)")
    problems.raise_any()
    return Manifest(format=fmt, title={language: title}, units=units, structure=structure)


def _unit(
    item: Any,
    iid: str,
    title: str,
    ref: str,
    resource: Any | None,
    base: str,
    files: set[str],
    fmt: str,
    language: str,
    problems: Problems,
    path: list[str],
) -> Unit | None:
    if resource is None:
        problems.add(item, f"item {iid} points to resource {ref!r}, which the manifest does not define")
        return None
    href = resource.get("href", "")
    if not href:
        problems.add(resource, f"resource {ref} (launched by item {iid}) has no href")
        return None
    launch = href if is_absolute(href) else base + resource.get(XML_BASE, "") + href
    if parameters := item.get("parameters"):
        launch += (
            ("&" if "?" in launch else "?") + parameters.lstrip("?&") if not parameters.startswith("#") else parameters
        )
    if not is_absolute(launch):
        target = split_href(launch)
        if ".." in target.split("/") or target.startswith("/") or "\\" in target:
            problems.add(resource, f"resource {ref}: the href {href!r} leaves the package")
        elif target not in files:
            problems.add(resource, f"resource {ref}: the href {href!r} names a file that is not in the zip")
    extra: dict[str, Any] = {"scorm_type": (_attr(resource, "scormtype") or "sco").lower(), "items": path}
    mastery: float | None = None
    if fmt == "scorm12":
        if (score := text_of(child(item, "masteryscore"))) != "":
            try:
                mastery = float(score) / 100
            except ValueError:
                mastery = -1
            if not 0 <= mastery <= 1:
                problems.add(
                    child(item, "masteryscore"), f"item {iid}: masteryscore {score!r} must be a number from 0 to 100"
                )
                mastery = None
        for name in ("datafromlms", "maxtimeallowed", "timelimitaction", "prerequisites"):
            if (value := text_of(child(item, name))) != "":
                extra[name] = value
    else:
        mastery = _scorm2004_measure(item, iid, problems, extra)
        for name in ("dataFromLMS", "timeLimitAction"):
            if (value := text_of(child(item, name))) != "":
                extra[name.lower()] = value
        threshold = child(item, "completionThreshold")
        if threshold is not None:
            extra["completion_threshold"] = threshold.get("minProgressMeasure") or text_of(threshold)
    return Unit(unit_id=iid, title={language: title}, launch=launch, mastery_score=mastery, extra=extra)


def _scorm2004_measure(item: Any, iid: str, problems: Problems, extra: dict[str, Any]) -> float | None:
    """imsss:primaryObjective's minNormalizedMeasure, when the objective is satisfied by measure."""
    sequencing = child(item, "sequencing")
    objectives = child(sequencing, "objectives") if sequencing is not None else None
    primary = child(objectives, "primaryObjective") if objectives is not None else None
    if primary is None:
        return None
    extra["satisfied_by_measure"] = primary.get("satisfiedByMeasure", "false") == "true"
    measure = child(primary, "minNormalizedMeasure")
    if measure is None:
        return None
    try:
        value = float(text_of(measure))
    except ValueError:
        value = 2.0
    if not -1 <= value <= 1:
        problems.add(measure, f"item {iid}: minNormalizedMeasure {text_of(measure)!r} must be a number from -1 to 1")
        return None
    return value
