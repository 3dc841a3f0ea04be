"""What a form field is called on the page, in the author's language: conflicts and problems name fields this way."""

from __future__ import annotations

from lms.catalog.content import CourseDoc, Label
from lms.i18n import N_

_TEXTS = {
    "title": N_("Title (%(language)s)"),
    "summary": N_("Summary (%(language)s)"),
    "body": N_("Lesson text (%(language)s)"),
    "description": N_("Description (%(language)s)"),
    "criteria": N_("What the instructor looks for (%(language)s)"),
}
_SINGLE = {
    "track": N_("Track"),
    "languages": N_("Languages"),
    "minutes": N_("Contact minutes"),
    "pass_mark": N_("Pass mark (percent, 0 to 100)"),
    "max_attempts": N_("Attempts allowed (empty for no limit)"),
    "media": N_("Media shown in this lesson"),
}


def field_label(name: str, doc: CourseDoc, questions: list[str] | None = None) -> Label:
    """``questions``: the quiz's question keys in order, to call a question by its number as the page does."""
    parts = name.split(".")
    language = parts[-1].upper()
    if name in _SINGLE:
        return _SINGLE[name], {}
    if parts[0] in _TEXTS and len(parts) == 2:
        return _TEXTS[parts[0]], {"language": language}
    if parts[0] == "module" and len(parts) == 3:
        keys = [m.key for m in doc.modules]
        number = keys.index(parts[1]) + 1 if parts[1] in keys else "?"
        return N_("Module %(number)s title (%(language)s)"), {"number": str(number), "language": language}
    if parts[0] == "approval":
        return N_("Approval %(number)s"), {"number": str(int(parts[1]) + 1)}
    if parts[0] == "alt":
        return N_("Image description (%(language)s)"), {"language": language}
    if parts[0] == "q" and len(parts) > 1:
        number = str(questions.index(parts[1]) + 1) if questions and parts[1] in questions else "?"
        if len(parts) > 3 and parts[2] == "c":
            return N_("Question %(number)s, answer %(choice)s"), {"number": number, "choice": parts[3]}
        return N_("Question %(number)s"), {"number": number}
    return name, {}
