from pathlib import Path

import pytest

pytest.importorskip("xdist", reason="pytest-xdist is a test extra: pip install -e '.[test]'")

from tests.worker_groups import GROUPS, GroupedScheduling  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def test_every_grouped_file_and_test_exists():
    """A renamed file or test would silently leave its group and run beside the others it must not share cores with."""
    for key in GROUPS:
        path, _, name = key.partition("::")
        source = (REPO / path).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, key


def test_a_group_is_one_unit_of_work_and_every_other_test_its_own():
    split = GroupedScheduling._split_scope
    scheduler = GroupedScheduling.__new__(GroupedScheduling)
    assert split(scheduler, "tests/integration/test_faults.py::test_a") == split(
        scheduler, "tests/integration/test_offline_soak.py::test_b"
    )
    assert split(scheduler, "tests/integration/test_xapi_conformance.py::test_c") != split(
        scheduler, "tests/integration/test_faults.py::test_a"
    )
    assert split(scheduler, "tests/unit/test_charts.py::test_d[x]") == "tests/unit/test_charts.py::test_d[x]"
