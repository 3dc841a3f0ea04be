"""The course document: one shape for a course folder, a draft in the browser, and the API.

Every learner-facing text is a language map (BCP 47 tag -> text). Answer keys live in the document but never in what
a learner's page or the public API receives before a quiz is submitted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Annotated, Literal

import msgspec

from lms.catalog.render import undescribed_images
from lms.i18n import N_, Text

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
CourseCode = Annotated[str, msgspec.Meta(min_length=3, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
LanguageTag = Annotated[str, msgspec.Meta(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
LangMap = dict[LanguageTag, str]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=6000)]
Share = Annotated[float, msgspec.Meta(ge=0, le=1)]
Track = Literal["MA", "DA", "CHW", "EHR", "CE"]
TRACKS: tuple[str, ...] = ("MA", "DA", "CHW", "EHR", "CE")
Body = Literal["IACET", "DBC", "CCBMA", "AAMA", "DHCS_CHW"]


class Doc(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    pass


class MediaRef(Doc):
    file: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    captions: dict[LanguageTag, str] = {}
    alt: LangMap = {}  # an image's text for people who cannot see it: required in every language at publish


class Choice(Doc):
    key: Key
    text: LangMap
    correct: bool = False
    feedback: LangMap = {}


class Question(Doc):
    key: Key
    prompt: LangMap
    choices: list[Choice]


class Lesson(Doc, tag="lesson", tag_field="kind"):
    key: Key
    minutes: Minutes
    title: LangMap
    body: LangMap = {}  # Markdown; from lessons/<key>.<lang>.md in a course folder
    media: list[MediaRef] = []


class Quiz(Doc, tag="quiz", tag_field="kind"):
    key: Key
    minutes: Minutes
    title: LangMap
    pass_mark: Share
    questions: list[Question]
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None


class InPerson(Doc, tag="in_person", tag_field="kind"):
    key: Key
    minutes: Minutes
    title: LangMap
    description: LangMap = {}


class Checkoff(Doc, tag="checkoff", tag_field="kind"):
    key: Key
    minutes: Minutes
    title: LangMap
    criteria: LangMap = {}


class PackageUnitRef(Doc, omit_defaults=True):
    """One language's package unit: an imported package of this course by id (``package``), or, in a course folder, a
    zip in the folder (``file``) that publishing imports; ``unit`` is the cmi5 AU id or SCORM item identifier."""

    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    package: (
        Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")] | None
    ) = None
    file: Annotated[str, msgspec.Meta(min_length=1, max_length=300)] | None = None


class Package(Doc, tag="package", tag_field="kind"):
    """A cmi5 AU or SCORM SCO from an imported package; per language its own package (the learner gets hers, or a
    fallback like any text). Contact minutes are the instructor's, like any activity's."""

    key: Key
    minutes: Minutes
    title: LangMap
    package: dict[LanguageTag, PackageUnitRef]


Activity = Lesson | Quiz | InPerson | Checkoff | Package
ACTIVITY_KINDS = {"lesson": Lesson, "quiz": Quiz, "in_person": InPerson, "checkoff": Checkoff, "package": Package}


class Module(Doc):
    key: Key
    title: LangMap
    activities: list[Activity]


class Approval(Doc):
    body: Body
    provider_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    approved_from: date
    approved_until: date | None = None
    category: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class Completion(Doc):
    min_attendance_share: Share = 0.8


class CourseDoc(Doc):
    code: CourseCode
    track: Track
    languages: Annotated[list[LanguageTag], msgspec.Meta(min_length=1)]
    title: LangMap
    modules: list[Module]
    summary: LangMap = {}
    completion: Completion = msgspec.field(default_factory=Completion)
    approvals: list[Approval] = []


Path = tuple[str | int, ...]


def kind_of(activity: Activity) -> str:
    """The activity's kind (``lesson``, ``quiz`` ...): the union's tag, which is not an attribute of the Struct."""
    return str(type(activity).__struct_config__.tag)


_FIELD_LABELS = {
    "title": N_("activity '%(key)s' title"),
    "body": N_("activity '%(key)s' lesson body"),
    "description": N_("activity '%(key)s' description"),
    "criteria": N_("activity '%(key)s' criteria"),
}


def text_fields(activity: Activity) -> list[str]:
    """The language-map fields of an activity that a learner reads."""
    return [name for name in ("title", "body", "description", "criteria") if hasattr(activity, name)]


Label = tuple[str, dict[str, str]]  # interface text marked with N_ and its values: a place in a course, translatable


def doc_problems(
    doc: CourseDoc, missing: dict[str, list[Label]] | None = None, images: Collection[str] = ()
) -> list[tuple[Path, str]]:
    """Everything wrong with a well-typed document: missing translations, duplicate keys, quizzes without answers.
    ``missing`` collects, per language, the places without text as labels an instructor reads in her language.
    ``images``: the lesson media references that are images (the document alone does not say), whose description is
    required in every language like any text."""
    problems: list[tuple[Path, str]] = []
    languages = doc.languages
    if len(set(languages)) != len(languages):
        problems.append((("languages",), Text(N_("a language is listed twice"))))

    def need(path: Path, value: dict[str, str], label: Label) -> None:
        what = Text(label[0], **label[1])
        for lang in languages:
            if not value.get(lang, "").strip():
                problems.append((path, Text(N_("%(what)s has no %(lang)s text"), what=what, lang=lang)))
                if missing is not None:
                    missing.setdefault(lang, []).append(label)
        for lang in value:
            if lang not in languages:
                problems.append(
                    (
                        (*path, lang),
                        Text(
                            N_("%(lang)s is not one of the course's languages %(languages)s"),
                            lang=lang,
                            languages=", ".join(languages),
                        ),
                    )
                )

    need(("title",), doc.title, (N_("the course title"), {}))
    need(("summary",), doc.summary, (N_("the course summary"), {}))
    if not doc.modules:
        problems.append((("modules",), Text(N_("a course needs at least one module"))))
    seen_modules: set[str] = set()
    seen_activities: set[str] = set()
    for m, module in enumerate(doc.modules):
        mpath: Path = ("modules", m)
        if module.key in seen_modules:
            problems.append(((*mpath, "key"), Text(N_("module key '%(key)s' is used twice"), key=module.key)))
        seen_modules.add(module.key)
        need((*mpath, "title"), module.title, (N_("module '%(key)s' title"), {"key": module.key}))
        if not module.activities:
            problems.append((mpath, Text(N_("module '%(key)s' has no activities"), key=module.key)))
        for a, activity in enumerate(module.activities):
            apath: Path = (*mpath, "activities", a)
            if activity.key in seen_activities:
                problems.append(((*apath, "key"), Text(N_("activity key '%(key)s' is used twice"), key=activity.key)))
            seen_activities.add(activity.key)
            for name in text_fields(activity):
                need((*apath, name), getattr(activity, name), (_FIELD_LABELS[name], {"key": activity.key}))
            if isinstance(activity, Lesson):
                problems.extend(_image_problems(activity, apath, languages, images, need, missing))
            if isinstance(activity, Quiz):
                problems.extend(_quiz_problems(activity, apath, need))
            if isinstance(activity, Package):
                problems.extend(_package_problems(activity, apath, languages))
    bodies = [a.body for a in doc.approvals]
    if len(set(bodies)) != len(bodies):
        problems.append((("approvals",), Text(N_("an accrediting body is listed twice"))))
    for i, approval in enumerate(doc.approvals):
        if approval.approved_until and approval.approved_until < approval.approved_from:
            problems.append((("approvals", i, "approved_until"), Text(N_("approved_until is before approved_from"))))
    return problems


def _image_problems(
    lesson: Lesson,
    apath: Path,
    languages: list[str],
    images: Collection[str],
    need: Callable[[Path, dict[str, str], Label], None],
    missing: dict[str, list[Label]] | None,
) -> list[tuple[Path, str]]:
    """Images without a text for people who cannot see them: a lesson's image files, and images in its Markdown."""
    for i, ref in enumerate(lesson.media):
        if ref.file in images:
            label = (N_("activity '%(key)s' image %(number)s description"), {"key": lesson.key, "number": str(i + 1)})
            need((*apath, "media", i, "alt"), ref.alt, label)
    problems: list[tuple[Path, str]] = []
    for lang in languages:
        for source in undescribed_images(lesson.body.get(lang, "")):
            names = {"key": lesson.key, "image": source.rsplit("/", 1)[-1]}
            label = (N_("activity '%(key)s' lesson text image '%(image)s' description"), names)
            what = Text(label[0], **names)
            problems.append(((*apath, "body", lang), Text(N_("%(what)s has no %(lang)s text"), what=what, lang=lang)))
            if missing is not None:
                missing.setdefault(lang, []).append(label)
    return problems


def _quiz_problems(quiz: Quiz, apath: Path, need) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    if not quiz.questions:
        problems.append(((*apath, "questions"), Text(N_("quiz '%(key)s' has no questions"), key=quiz.key)))
    keys: set[str] = set()
    for q, question in enumerate(quiz.questions):
        qpath: Path = (*apath, "questions", q)
        if question.key in keys:
            problems.append(
                (
                    (*qpath, "key"),
                    Text(
                        N_("question key '%(key)s' is used twice in quiz '%(quiz)s'"), key=question.key, quiz=quiz.key
                    ),
                )
            )
        keys.add(question.key)
        need((*qpath, "prompt"), question.prompt, (N_("question '%(key)s' prompt"), {"key": question.key}))
        if len(question.choices) < 2:
            problems.append(
                ((*qpath, "choices"), Text(N_("question '%(key)s' needs at least two choices"), key=question.key))
            )
        if not any(c.correct for c in question.choices):
            problems.append(
                ((*qpath, "choices"), Text(N_("question '%(key)s' has no correct answer"), key=question.key))
            )
        choice_keys = [c.key for c in question.choices]
        if len(set(choice_keys)) != len(choice_keys):
            problems.append(
                ((*qpath, "choices"), Text(N_("question '%(key)s' repeats a choice key"), key=question.key))
            )
        for c, choice in enumerate(question.choices):
            names = {"key": question.key, "choice": choice.key}
            need((*qpath, "choices", c, "text"), choice.text, (N_("question '%(key)s' choice '%(choice)s'"), names))
            if choice.feedback:
                need(
                    (*qpath, "choices", c, "feedback"),
                    choice.feedback,
                    (N_("question '%(key)s' choice '%(choice)s' feedback"), names),
                )
    return problems


def _package_problems(activity: Package, apath: Path, languages: list[str]) -> list[tuple[Path, str]]:
    problems: list[tuple[Path, str]] = []
    if not activity.package:
        problems.append(
            (
                (*apath, "package"),
                Text(N_("package activity '%(key)s' names no package in any language"), key=activity.key),
            )
        )
    for lang, ref in activity.package.items():
        where: Path = (*apath, "package", lang)
        if lang not in languages:
            problems.append(
                (
                    where,
                    Text(
                        N_("%(lang)s is not one of the course's languages %(languages)s"),
                        lang=lang,
                        languages=", ".join(languages),
                    ),
                )
            )
        if (ref.package is None) == (ref.file is None):
            problems.append(
                (
                    where,
                    Text(
                        N_(
                            "package activity '%(key)s' (%(lang)s): give either package (an imported package's id) or file (a zip in the course folder)"
                        ),
                        key=activity.key,
                        lang=lang,
                    ),
                )
            )
    return problems


def total_minutes(doc: CourseDoc) -> int:
    return sum(a.minutes for m in doc.modules for a in m.activities)


def missing_translation_labels(doc: CourseDoc, images: Collection[str] = ()) -> dict[str, list[Label]]:
    """Per language, the places still without text, as labels the authoring page shows in the instructor's language."""
    missing: dict[str, list[Label]] = {lang: [] for lang in doc.languages}
    doc_problems(doc, missing, images)
    return missing


def missing_translations(doc: CourseDoc, images: Collection[str] = ()) -> dict[str, list[str]]:
    """Per language, the places still without text: what an instructor sees before publishing."""
    out: dict[str, list[str]] = {lang: [] for lang in doc.languages}
    for _path, message in doc_problems(doc, images=images):
        for lang in doc.languages:
            if message.endswith(f"has no {lang} text"):
                out[lang].append(message.removesuffix(f" has no {lang} text"))
    return out
