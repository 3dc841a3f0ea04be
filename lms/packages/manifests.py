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
from lms.i18n import N_, Listed, Text
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
        listed = Listed(
            Text(N_("%(name)s line %(line)s: %(problem)s"), name=self.name, line=line, problem=message)
            for line, message in ordered[:10]
        )
        return Invalid(
            N_("%(count)s problem(s) in the package: %(problems)s"),
            params={"count": len(ordered), "problems": listed},
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
            N_("%(name)s line %(line)s: not well-formed XML: %(msg)s"),
            params={"name": name, "line": line, "msg": exc.msg},
            field="file",
            extra={
                "problems": [
                    {"file": name, "line": line, "message": Text(N_("not well-formed XML: %(msg)s"), msg=exc.msg)}
                ]
            },
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
        return Text(N_("is not a URL (it holds a space)"))
    if is_absolute(url) and not urlsplit(url).hostname:
        return Text(N_("is not a URL (no host name)"))
    taken = sorted(LAUNCH_PARAMETERS & {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)})
    if taken:
        return Text(N_("names %(names)s, which the LMS adds at launch"), names=", ".join(taken))
    return None


def _langstrings(
    element: Any | None, what: str, problems: Problems, at: Any, *, required: bool = True
) -> dict[str, str]:
    out: dict[str, str] = {}
    if element is None:
        if required:
            problems.add(
                at,
                Text(N_("%(what)s has no <%(tag)s>"), what=what, tag="title" if "title" in what else "description"),
            )
        return out
    for string in children(element, "langstring"):
        lang = string.get("lang") or string.get(f"{{{XML_NS}}}lang") or ""
        if not lang:
            problems.add(string, Text(N_("%(what)s: a <langstring> without its lang attribute"), what=what))
            continue
        out[lang] = text_of(string)
    if required and not out:
        problems.add(element, Text(N_("%(what)s has no <langstring>"), what=what))
    return out


def parse_cmi5(data: bytes, files: set[str]) -> Manifest:
    problems = Problems(CMI5)
    root = parse_xml(data, CMI5)
    if local(root) != "courseStructure":
        problems.fail(root, Text(N_("the root element is <%(root)s>, not <courseStructure>"), root=local(root)))
    course = child(root, "course")
    if course is None:
        problems.fail(root, Text(N_("no <course> element")))
    if not course.get("id"):
        problems.add(course, Text(N_("<course> has no id")))
    elif not is_iri(course.get("id")):
        problems.add(
            course,
            Text(
                N_("the course id '%(id)s' is not an IRI (cmi5 ids are absolute, like https://...)"),
                id=course.get("id"),
            ),
        )
    title = _langstrings(child(course, "title"), Text(N_("the course")), problems, course)
    description = _langstrings(
        child(course, "description"), Text(N_("the course description")), problems, course, required=False
    )
    objectives = []
    objective_ids: set[str] = set()
    for group in children(root, "objectives"):
        for objective in children(group, "objective"):
            oid = objective.get("id", "")
            if not oid:
                problems.add(objective, Text(N_("an <objective> without its id")))
            elif not is_iri(oid):
                problems.add(objective, Text(N_("the objective id '%(oid)s' is not an IRI"), oid=oid))
            elif oid in objective_ids:
                problems.add(objective, Text(N_("the objective id '%(oid)s' is used twice"), oid=oid))
            objective_ids.add(oid)
            objectives.append(
                {
                    "id": oid,
                    "title": _langstrings(
                        child(objective, "title"), Text(N_("objective %(id)s"), id=oid), problems, objective
                    ),
                    "description": _langstrings(
                        child(objective, "description"),
                        Text(N_("objective %(id)s"), id=oid),
                        problems,
                        objective,
                        required=False,
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
                    problems.add(
                        objective,
                        Text(
                            N_("%(what)s names objective '%(idref)s', which the course does not define"),
                            what=what,
                            idref=idref,
                        ),
                    )
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
                problems.add(element, Text(N_("an <%(kind)s> without its id"), kind=kind))
            elif eid in seen:
                problems.add(element, Text(N_("the id '%(eid)s' is used twice"), eid=eid))
            elif not is_iri(eid):
                problems.add(element, Text(N_("the %(kind)s id '%(eid)s' is not an IRI"), kind=kind, eid=eid))
            seen.add(eid)
            if kind == "block":
                out.append(
                    {
                        "id": eid,
                        "title": _langstrings(
                            child(element, "title"), Text(N_("block %(id)s"), id=eid), problems, element
                        ),
                        "objectives": refs(element, Text(N_("block %(id)s"), id=eid)),
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
        problems.add(root, Text(N_("the course has no <au> (assignable unit)")))
    problems.raise_any()
    return Manifest(format="cmi5", title=title, units=units, structure=structure)


def _cmi5_au(
    element: Any, eid: str, path: list[str], files: set[str], problems: Problems, refs: Callable[[Any, str], list[str]]
) -> Unit:
    what = Text(N_("AU %(id)s"), id=eid)
    move_on = element.get("moveOn", "NotApplicable")
    if move_on not in MOVE_ON:
        problems.add(
            element,
            Text(
                N_("%(what)s: moveOn '%(move_on)s' is not one of %(choices)s"),
                what=what,
                move_on=move_on,
                choices=", ".join(MOVE_ON),
            ),
        )
    mastery: float | None = None
    if element.get("masteryScore") is not None:
        try:
            mastery = float(element.get("masteryScore"))
        except ValueError:
            mastery = -1.0
        if not 0 <= mastery <= 1:
            problems.add(
                element,
                Text(
                    N_("%(what)s: masteryScore '%(score)s' must be a decimal from 0 to 1"),
                    what=what,
                    score=element.get("masteryScore"),
                ),
            )
            mastery = None
    method = element.get("launchMethod", "AnyWindow")
    if method not in LAUNCH_METHODS:
        problems.add(
            element,
            Text(N_("%(what)s: launchMethod '%(method)s' is not AnyWindow or OwnWindow"), what=what, method=method),
        )
    url_element = child(element, "url")
    url = text_of(url_element)
    if not url:
        problems.add(element, Text(N_("%(what)s has no <url>"), what=what))
    elif problem := _launch_url_problem(url):
        problems.add(
            url_element, Text(N_("%(what)s: the url '%(url)s' %(problem)s"), what=what, url=url, problem=problem)
        )
    elif not is_absolute(url):
        target = split_href(url).lstrip("./") if url.startswith("./") else split_href(url)
        if ".." in target.split("/") or target.startswith("/") or "\\" in target:
            problems.add(url_element, Text(N_("%(what)s: the url '%(url)s' leaves the package"), what=what, url=url))
        elif target not in files:
            problems.add(
                url_element,
                Text(N_("%(what)s: the url '%(url)s' names a file that is not in the zip"), what=what, url=url),
            )
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
