"""`WindowLocks`: what the window lets the user change, and the banners and notices that say
why the rest is locked. Two causes: a run that trains or is paused (the model and the data
stay as trained), and the experiment's `Locks` (a teacher's: panels and single training
settings locked, panels hidden). A locked control says why when it is clicked (LockNotice),
its panel's banner says so all along.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDockWidget

from app.classroom import Locks
from models.words import listed
from widgets.lock_notice import LockNotice
from widgets.panel_page import PanelPage


class WindowLocks(QObject):
    """Enables the window's panels for `set_running` and `set_locks`. `window` is the main
    window: its pages, panels and docks are read by name."""

    message = Signal(str)  # why a locked control is locked, when it was clicked

    def __init__(self, window, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.running = False
        self.locks = Locks()
        self.notice = LockNotice(self)
        self.notice.touched.connect(self.message)
        self._banners: list[tuple[PanelPage, str, str]] = []  # still to show (_show_banners)
        self._hid: set[str] = set()  # the panels hidden for the locks, to put back after
        self._docks = {
            "data": window.data_dock,
            "training": window.training_dock,
            "code": window.code_dock,
        }
        for name, dock in self._docks.items():
            dock.visibilityChanged.connect(lambda _on, name=name: self._keep_hidden(name))

    @property
    def model_locked(self) -> bool:
        """The layers cannot change now: a run trains, or the model is locked."""
        return self.running or self.locks.is_locked("model")

    def set_running(self, running: bool) -> None:
        self.running = running
        self._apply()

    def set_locks(self, locks: Locks) -> None:
        if locks != self.locks:
            self.locks = locks
            self._apply()
            self._hide_panels()

    def show_hidden(self) -> None:
        """Put back the panels the locks hid (before the window's layout is saved: the next
        experiment may have no locks)."""
        for name in sorted(self._hid):
            self._docks[name].show()
        self._hid.clear()

    # -- applying -------------------------------------------------------------------------

    def _apply(self) -> None:
        window, locks = self._window, self.locks
        window.model_editor.setEnabled(not self.model_locked)
        window.inspector.setEnabled(not self.model_locked)
        window.dataset_panel.setEnabled(not (self.running or locks.is_locked("data")))
        window.training_panel.setEnabled(not locks.is_locked("training"))
        window.training_panel.set_locked(locks.locked_fields())
        window.training_panel.set_running(self.running)
        self._set_notices()
        self._show_banners()

    def _set_notices(self) -> None:
        """What a click on a locked control says: the teacher's lock first (Stop does not
        lift it), else the run's."""
        window, locks = self._window, self.locks
        panel = window.training_panel

        def why(name: str, what: str) -> str:
            if locks.is_locked(name):
                return self._locked_text(what)
            return self._running_reason() if self.running and name != "training" else ""

        self.notice.set_reason(window.model_editor, why("model", self.tr("The model")))
        self.notice.set_reason(window.inspector, why("model", self.tr("The model")))
        self.notice.set_reason(window.dataset_panel, why("data", self.tr("The data")))
        self.notice.set_reason(
            window.training_panel, why("training", self.tr("Every training setting"))
        )
        for field in panel.field_names():
            if f"train.{field}" in locks.locked:
                reason = self._locked_text(panel.field_label(field))
            elif self.running and field != "learning_rate":
                reason = panel.running_reason()
            else:
                reason = ""
            for editor in panel.editors(field):
                self.notice.set_reason(editor, reason)

    def _locked_text(self, what: str) -> str:
        reason = self.locks.reason or self.tr(
            "The teacher kept it as it is, so that only what the lesson is about changes."
        )
        return self.tr("%s is locked in this experiment. %s %s") % (
            what,
            reason,
            self._unlock_hint(),
        )

    def _show_banners(self) -> None:
        """The banners of the locked panels; the dock titles stay short (longer ones made the
        side tabs elide). Hidden at once; shown one panel per turn of the event loop: showing
        one relays its page out, 5-9 ms each, and the four at once held the GUI thread 24-27 ms
        on the click that starts a run (a 10 ms timer's delay, bench/gui_vs_bare.py's probe)."""
        window = self._window
        pages = [
            ("model", window.layers_page),
            ("model", window.inspector_page),
            ("data", window.data_page),
            ("training", window.training_page),
        ]
        banners = []
        for name, page in pages:
            text, reason = self._banner(name)
            if text:
                banners.append((page, text, reason))
            else:
                page.set_lock("")
        self._banners = banners
        self._show_next_banner()

    def _banner(self, name: str) -> tuple[str, str]:
        """A panel's banner and its tooltip ("" when it has none): the teacher's lock first,
        then the run's, then the single training settings the teacher locked."""
        locks = self.locks
        if locks.is_locked(name):
            text = self.tr("Locked: %s") % locks.reason if locks.reason else ""
            return text or self.tr("Locked in this experiment."), self._unlock_hint()
        if name != "training":
            if self.running:
                return self.tr("Locked while training: press Stop to edit."), (
                    self._running_reason()
                )
            return "", ""
        fields = self.locks.locked_fields()
        if self.running and "learning_rate" in fields:
            return self.tr("Locked while training: press Stop to edit."), ""
        if self.running:
            return self.tr("While training only the learning rate can change: Stop to edit."), ""
        panel = self._window.training_panel
        labels = [panel.field_label(field) for field in panel.field_names() if field in fields]
        if labels:
            named = listed(tuple(labels))
            return self.tr("Locked: %s.") % named, self._locked_text(named)
        return "", ""

    def _unlock_hint(self) -> str:
        return self.tr("Lessons > Unlock Controls unlocks it.")

    def _running_reason(self) -> str:
        return self.tr(
            "The model and the data stay as they are while a run trains or is paused, so the "
            "plots show what was trained. Stop the run to change them."
        )

    def _show_next_banner(self) -> None:
        """Set the next panel's banner; the rest follow in later turns of the event loop."""
        if self._banners:
            page, text, reason = self._banners.pop(0)
            page.set_lock(text, reason)
        if self._banners:
            QTimer.singleShot(0, self, self._show_next_banner)

    # -- hidden panels --------------------------------------------------------------------

    def _hide_panels(self) -> None:
        hidden = self.locks.hidden
        for name in sorted(self._hid - hidden):
            self._docks[name].show()
        self._hid &= hidden
        for name in sorted(hidden):
            dock = self._docks[name]
            if not dock.isHidden():
                self._hid.add(name)
                dock.hide()
        for name, dock in self._docks.items():
            dock.toggleViewAction().setEnabled(name not in hidden)
        self._window.menu_actions.code.setEnabled("code" not in hidden)

    def _keep_hidden(self, name: str) -> None:
        """A hidden panel that came back (presentation mode left, the layout reset) goes
        again, at the next turn of the event loop."""
        dock: QDockWidget = self._docks[name]
        if name in self.locks.hidden and not dock.isHidden():
            self._hid.add(name)
            QTimer.singleShot(0, self, lambda: self._hide_again(name))

    def _hide_again(self, name: str) -> None:
        if name in self.locks.hidden:
            self._docks[name].hide()
