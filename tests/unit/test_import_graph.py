"""No import cycle among lms's modules, nor among its packages. infra/import-graph prints them all."""

from __future__ import annotations

import subprocess
import sys
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "import-graph"


def _script():
    loader = SourceFileLoader("import_graph", str(SCRIPT))
    spec = spec_from_loader("import_graph", loader)
    assert spec is not None
    module = module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_lms_has_no_import_cycle_among_modules_or_packages():
    shown = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "no import cycle among " in shown.stdout and " packages" in shown.stdout


def test_a_cycle_between_packages_is_found_where_the_modules_make_none():
    graph = _script()
    # credit.reminders -> messages.service and messages.compose -> credit.schemas: no module cycle, a package cycle
    modules = {
        "lms.credit.reminders": {"lms.messages.service"},
        "lms.messages.service": {"lms.messages.compose"},
        "lms.messages.compose": {"lms.credit.schemas"},
        "lms.credit.schemas": set(),
        "lms.learning.pages": {"lms.accounts.auth"},  # the shared guards do not tie a feature to accounts
        "lms.accounts.service": {"lms.learning.queries"},
    }
    assert graph.cycles(modules) == []
    assert graph.cycles(graph.package_graph(modules)) == [["lms.credit", "lms.messages"]]
