"""Which tests stay together on one pytest-xdist worker, one after the other (`infra/test` runs `--dist loadgroup`).

xdist's own `xdist_group` mark works by appending the group to a test's node id in the worker, which pytest 9.2 no
longer lets a plugin change (the id is derived, not stored): the mark would be silently ignored. So the groups are
named here, by file (or by one test's node id), and tests/conftest.py hands xdist a scheduler that reads them. Every
other test is handed out on its own to whichever worker is free. xdist sends the biggest units first, so the groups
start at once and never trail at the end of a run.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

# The outside judges drive Node (and, for cmi5, a browser) hard for minutes each: two at once on 2 cores only slow
# both. The fault, soak and watchdog tests start servers of their own and bound how long they may take to answer or
# recover: one at a time, so none of them competes with another for the cores.
GROUPS = {
    "tests/integration/test_xapi_conformance.py": "judges",
    "tests/integration/test_cmi5_conformance.py": "judges",
    "tests/integration/test_faults.py": "faults",
    "tests/integration/test_offline_soak.py": "faults",
    "tests/integration/test_embedded_watch.py": "faults",
    "tests/integration/test_operations.py::test_a_rolling_restart_under_load_drops_no_request": "faults",
}


def group_of(nodeid: str) -> str | None:
    return GROUPS.get(nodeid) or GROUPS.get(nodeid.split("::", 1)[0])


class GroupedScheduling(LoadGroupScheduling):
    def _split_scope(self, nodeid: str) -> str:
        group = group_of(nodeid)
        return f"group:{group}" if group else nodeid
