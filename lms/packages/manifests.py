"""Reading a package's manifest: cmi5's ``cmi5.xml`` or SCORM's ``imsmanifest.xml`` (1.2 and 2004).

Every problem names the file and the line (lxml keeps line numbers; entities are never resolved and nothing is
fetched from the network). Elements are matched by their local name, since authoring tools vary in the namespace
versions they write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from lms.errors import Invalid
from lms.packages.schemas import Manifest, Unit
from lms.xapi.validation import is_iri

CMI5 = "cmi5.xml"
SCORM = "imsmanifest.xml"
MOVE_ON = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
XML_NS = "http://www.w3.org/XML/1998/namespace"


class Problems:
    """Every problem in one manifest, each with its line; raised together as one ``Invalid``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[int, str]] = []

    def add(self, element: Any, message: str) -> None:
        line = element if isinstance(element, int) else (getattr(element, "sourceline", None) or 1)
        self.found.append((line, message))

    def raise_any(self) -> None:
        if self.found:
            raise self._invalid()

    def fail(self, element: Any, message: str) -> NoReturn:
        """A problem that stops the reading here (nothing after it can be checked): raised with those found so far."""
        self.add(element, message)
        raise self._invalid()

    def _invalid(self) -> Invalid:
        ordered = sorted(self.found)
        listed = [f"{self.name} line {line}: {message}" for line, message in ordered]
        return Invalid(
            f"{len(listed)} problem(s) in the package: " + "; ".join(listed[:10]),
            field="file",
            extra={"problems": [{"file": self.name, "line": line, "message": m} for line, m in ordered]},
        )


def parse_xml(data: bytes, name: str) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise Invalid(
            f"{name} line {line}: not well-formed XML: {exc.msg}",
            field="file",
            extra={"problems": [{"file": name, "line": line, "message": f"not well-formed XML: {exc.msg}"}]},
        ) from None


def local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: Any, name: str) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str) and local(child) == name]


def child(element: Any, name: str) -> Any | None:
    found = children(element, name)
    return found[0] if found else None


def text_of(element: Any | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def split_href(href: str) -> str:
    """The file part of a relative launch URL (no query string or fragment)."""
    return href.split("#", 1)[0].split("?", 1)[0]


def is_absolute(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


# cmi5 -----------------------------------------------------------------------------------------------------------------

# cmi5 §8.1: the LMS adds these to an AU's launch URL, so the course structure may not name them.
LAUNCH_PARAMETERS = frozenset({"endpoint", "fetch", "actor", "registration", "activityId"})


def _launch_url_problem(url: str) -> str | None:
    if any(c.isspace() for c in url):
        return "is not a URL (it holds a space)"
    if is_absolute(url) and not urlsplit(url).hostname:
        return "is not a URL (no host name)"
    taken = sorted(LAUNCH_PARAMETERS & {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)})
    if taken:
        return f"names {', '.join(taken)}, which the LMS adds at launch"
    return None


def _langstrings(
    element: Any | None, what: str, problems: Problems, at: Any, *, required: bool = True
) -> dict[str, str]:
    out: dict[str, str] = {}
    if element is None:
        if required:
            problems.add(at, f"{what} has no <{'title' if 'title' in what else 'description'}>")
        return out
    for string in children(element, "langstring"):
        lang = string.get("lang") or string.get(f"{{{XML_NS}}}lang") or ""
        if not lang:
            problems.add(string, f"{what}: a <langstring> without its lang attribute")
            continue
        out[lang] = text_of(string)
    if required and not out:
        problems.add(element, f"{what} has no <langstring>")
    return out


def parse_cmi5(data: bytes, files: set[str]) -> Manifest:
    problems = Problems(CMI5)
    root = parse_xml(data, CMI5)
    if local(root) != "courseStructure":
        problems.fail(root, f"the root element is <{local(root)}>, not <courseStructure>")
    course = child(root, "course")
    if course is None:
        problems.fail(root, "no <course> element")
    if not course.get("id"):
        problems.add(course, "<course> has no id")
    elif not is_iri(course.get("id")):
        problems.add(
            course, f"the course id {course.get('id')!r} is not an IRI (cmi5 ids are absolute, like https://...)"
        )
    title = _langstrings(child(course, "title"), "the course", problems, course)
    description = _langstrings(child(course, "description"), "the course description", problems, course, required=False)
    objectives = []
    objective_ids: set[str] = set()
    for group in children(root, "objectives"):
        for objective in children(group, "objective"):
            oid = objective.get("id", "")
            if not oid:
                problems.add(objective, "an <objective> without its id")
            elif not is_iri(oid):
                problems.add(objective, f"the objective id {oid!r} is not an IRI")
            elif oid in objective_ids:
                problems.add(objective, f"the objective id {oid!r} is used twice")
            objective_ids.add(oid)
            objectives.append(
                {
                    "id": oid,
                    "title": _langstrings(child(objective, "title"), f"objective {oid}", problems, objective),
                    "description": _langstrings(
                        child(objective, "description"), f"objective {oid}", problems, objective, required=False
                    ),
                }
            )
    units: list[Unit] = []
    seen: set[str] = set()

    def refs(element: Any, what: str) -> list[str]:
        out = []
        for group in children(element, "objectives"):
            for objective in children(group, "objective"):
                idref = objective.get("idref", "")
                if idref not in objective_ids:
                    problems.add(objective, f"{what} names objective {idref!r}, which the course does not define")
                out.append(idref)
        return out

    def walk(parent: Any, path: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for element in parent:
            if not isinstance(element.tag, str):
                continue
            kind = local(element)
            if kind not in ("au", "block"):
                continue
            eid = element.get("id", "")
            if not eid:
                problems.add(element, f"an <{kind}> without its id")
            elif eid in seen:
                problems.add(element, f"the id {eid!r} is used twice")
            elif not is_iri(eid):
                problems.add(element, f"the {kind} id {eid!r} is not an IRI")
            seen.add(eid)
            if kind == "block":
                out.append(
                    {
                        "id": eid,
                        "title": _langstrings(child(element, "title"), f"block {eid}", problems, element),
                        "objectives": refs(element, f"block {eid}"),
                        "children": walk(element, [*path, eid]),
                    }
                )
                continue
            units.append(_cmi5_au(element, eid, path, files, problems, refs))
            out.append({"au": eid})
        return out

    structure = {
        "course": {"id": course.get("id", ""), "title": title, "description": description},
        "objectives": objectives,
        "children": walk(root, []),
    }
    if not units and not problems.found:
        problems.add(root, "the course has no <au> (assignable unit)")
    problems.raise_any()
    return Manifest(format="cmi5", title=title, units=units, structure=structure)


def _cmi5_au(
    element: Any, eid: str, path: list[str], files: set[str], problems: Problems, refs: Callable[[Any, str], list[str]]
) -> Unit:
    what = f"AU {eid}"
    move_on = element.get("moveOn", "NotApplicable")
    if move_on not in MOVE_ON:
        problems.add(element, f"{what}: moveOn {move_on!r} is not one of {', '.join(MOVE_ON)}")
    mastery: float | None = None
    if element.get("masteryScore") is not None:
        try:
            mastery = float(element.get("masteryScore"))
        except ValueError:
            mastery = -1.0
        if not 0 <= mastery <= 1:
            problems.add(element, f"{what}: masteryScore {element.get('masteryScore')!r} must be a decimal from 0 to 1")
            mastery = None
    method = element.get("launchMethod", "AnyWindow")
    if method not in LAUNCH_METHODS:
        problems.add(element, f"{what}: launchMethod {method!r} is not AnyWindow or OwnWindow")
    url_element = child(element, "url")
    url = text_of(url_element)
    if not url:
        problems.add(element, f"{what} has no <url>")
    elif problem := _launch_url_problem(url):
        problems.add(url_element, f"{what}: the url {url!r} {problem}")
    elif not is_absolute(url):
        target = split_href(url).lstrip("./") if url.startswith("./") else split_href(url)
        if ".." in target.split("/") or target.startswith("/") or "\\" in target:
            problems.add(url_element, f"{what}: the url {url!r} leaves the package")
        elif target not in files:
            problems.add(url_element, f"{what}: the url {url!r} names a file that is not in the zip")
    parameters = child(element, "launchParameters")
    entitlement = child(element, "entitlementKey")
    return Unit(
        unit_id=eid,
        title=_langstrings(child(element, "title"), what, problems, element),
        description=_langstrings(
            child(element, "description"), f"{what} description", problems, element, required=False
        ),
        launch=url,
        move_on=move_on,
        mastery_score=mastery,
        launch_method=method,
        launch_parameters=text_of(parameters) if parameters is not None else None,
        entitlement_key=text_of(entitlement) if entitlement is not None else None,
        extra={"activity_type": element.get("activityType"), "objectives": refs(element, what), "blocks": path},
    )
