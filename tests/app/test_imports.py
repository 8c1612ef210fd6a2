"""The core stays Qt-free, and the packages under test are this checkout's own."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _core_modules() -> list[str]:
    """Every module of models/ and of app/ outside app/gui, found on disk, so a new one is
    checked without a change here."""
    found = []
    for package in ("models", "app"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[:2] == ("app", "gui"):
                continue
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


CORE_MODULES = _core_modules()


def test_core_imports_without_qt():
    code = (
        "import sys\n"
        f"for name in {CORE_MODULES!r}: __import__(name)\n"
        "gui = ('PySide6', 'pyqtgraph', 'shiboken6')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in gui)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_what_the_window_needs_first_imports_without_torch():
    """The window shows shapes, data and code before torch has finished importing."""
    code = (
        "import sys, models.shapes, models.spec, models.layers, models.codegen, models.files, "
        "app.experiment, app.datasets.toy, app.options, app.history, app.results, app.run_state; "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_packages_come_from_this_checkout():
    import app
    import models

    assert Path(models.__file__).resolve().is_relative_to(ROOT)
    assert Path(app.__file__).resolve().is_relative_to(ROOT)
