"""The application a widget's own demo runs in (`python -m widgets.loss_plot`), themed as the
window is, without the window: widgets never import app.gui."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from widgets.style import apply_look
from widgets.theme import DARK, LIGHT


def demo_application() -> QApplication:
    """A QApplication in the light look, or the dark one with `dark` on the command line."""
    dark = any(arg.lstrip("-") == "dark" for arg in sys.argv[1:])
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_look(app, DARK if dark else LIGHT)
    return app
