"""No import cycle in lms: among modules, and among its top-level packages (so no feature imports one that imports
it back, and the infrastructure never imports the HTTP layer or a feature). infra/import-graph prints them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "import-graph"


def test_lms_has_no_import_cycle():
    shown = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert shown.stdout.startswith("no import cycle among ")
