"""The course folder format: every problem with its file and line, and a starter catalogue that passes."""

import pytest

from lms.catalog.content import TRACKS, Quiz, total_minutes
from lms.catalog.course_file import CourseFolderError, read_course_folder
from lms.catalog.loader import course_folders
from tests.conftest import COURSES_DIR, FIXTURES_DIR


def test_a_broken_course_folder_lists_every_problem_with_file_and_line():
    with pytest.raises(CourseFolderError) as caught:
        read_course_folder(FIXTURES_DIR / "broken-course" / "BROKEN-101")
    shown = [str(p).split("BROKEN-101/")[1] for p in caught.value.problems]
    assert "course.yaml:5: the course summary has no es text" in shown
    assert any(s.startswith("course.yaml:6: unknown field 'colour'") for s in shown)
    assert "course.yaml:23: question 'q1' has no correct answer" in shown
    assert any(s.startswith("course.yaml:29: kind must be one of") for s in shown)
    assert any(s.startswith("lessons/intro.es.md:1: missing") for s in shown)


def test_invalid_yaml_points_at_its_line(tmp_path):
    folder = tmp_path / "BAD-101"
    folder.mkdir()
    (folder / "course.yaml").write_text("code: BAD-101\ntrack: [DA\n")
    with pytest.raises(CourseFolderError) as caught:
        read_course_folder(folder)
    assert caught.value.problems[0].line in (2, 3) and "YAML" in caught.value.problems[0].message


def test_the_starter_catalogue_is_valid_and_covers_every_track():
    docs = [read_course_folder(folder) for folder in course_folders(COURSES_DIR)]
    assert {"MA", "DA", "CHW", "EHR"} <= {d.track for d in docs} <= set(TRACKS)
    for doc in docs:
        assert {"en", "es"} <= set(doc.languages)
        assert len(doc.modules) >= 3
        kinds = {type(a).__name__ for m in doc.modules for a in m.activities}
        assert "Quiz" in kinds and kinds & {"InPerson", "Checkoff"}
        assert total_minutes(doc) >= 60
        for quiz in (a for m in doc.modules for a in m.activities if isinstance(a, Quiz)):
            assert all(any(c.correct for c in q.choices) for q in quiz.questions)
    dental = next(d for d in docs if d.code == "DA-IC-101")
    assert total_minutes(dental) == 120  # the Dental Board's 2-unit infection control course
