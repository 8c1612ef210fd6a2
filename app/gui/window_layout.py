"""The window's layout: where the side panels go at the first start, what is saved when the
window closes, a saved layout restored only when it is sound, View > Reset Layout, and the side
panels' widths kept through window resizes.

A saved layout used to come back however it was: crushed panels returned at every launch.
Now what `restoreState` gives is checked at the first show, and anything wrong with it puts the
first-start arrangement back.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QWidget

from widgets.text_metrics import char_width

LAYOUT_VERSION = 2  # layouts saved before the panels scrolled may be crushed: never restored
FIRST_SIZE = (1400, 860)
SIDE_SHARES = (0.24, 0.26)  # of the window's width at the first start: left panel, right panels
SIDE_MAX_CHARS = 56  # a side panel wider than this many characters only spreads its form out
CENTRAL_SHARE = 0.3  # a restored layout leaves the plots at least this share of the width

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
VERSION_KEY = "window/layoutVersion"
CLOSED_KEY = "window/closedPanels"


def smallest_size(widget: QWidget) -> QSize:
    """The size Qt's layouts keep `widget` at or above: its minimum size where one is set,
    else its minimum size hint."""
    hint, explicit = widget.minimumSizeHint(), widget.minimumSize()
    return QSize(explicit.width() or hint.width(), explicit.height() or hint.height())


class WindowLayout(QObject):
    """Places, saves, restores and resets the docks of `window`: `left` alone on the left,
    `right` as tabs on the right with `front` in front, and the `optional` panels (the code
    view) below those tabs, closed until asked for."""

    def __init__(
        self,
        window: QMainWindow,
        settings: QSettings,
        left: QDockWidget,
        right: Sequence[QDockWidget],
        front: QDockWidget,
        optional: Sequence[QDockWidget] = (),
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.left, self.right, self.front = left, tuple(right), front
        self.optional = tuple(optional)
        self.docks = (left, *self.right, *self.optional)
        self._check_at_show = False  # a saved layout was restored: check it once it is shown
        self._shown = False
        self._wanted: dict[QDockWidget, int] = {}  # side widths before the window squeezed them
        self._settled_size = None  # the window's size when the panels last settled
        self._settling = False
        self._place()
        # After Qt has laid out: the dock areas' tab bars are made and resized lazily.
        self._after_layout = QTimer(self)
        self._after_layout.setSingleShot(True)
        self._after_layout.setInterval(0)
        self._after_layout.timeout.connect(self._on_laid_out)
        for dock in self.docks:
            dock.dockLocationChanged.connect(self._after_layout.start)
            dock.topLevelChanged.connect(self._after_layout.start)
            dock.visibilityChanged.connect(self._after_layout.start)
        window.installEventFilter(self)
        for dock in self.docks:  # a panel resized by dragging its edge: the user's new width
            dock.installEventFilter(self)

    # -- the verbs ---------------------------------------------------------------------------

    def restore(self) -> None:
        """The window's size and panels as last closed, if they were saved by this version;
        they are checked when the window is first shown."""
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry is None or not self.window.restoreGeometry(geometry):
            self.window.resize(*self._first_size())
        state = self.settings.value(STATE_KEY)
        if state is None or str(self.settings.value(VERSION_KEY, "")) != str(LAYOUT_VERSION):
            return
        if self.window.restoreState(state):
            self._check_at_show = True
        else:  # unreadable: restoreState may have applied part of it
            self._place()

    def save(self) -> None:
        """Remember the window's size and panels, and which panels the user closed."""
        settings = self.settings
        settings.setValue(GEOMETRY_KEY, self.window.saveGeometry())
        settings.setValue(STATE_KEY, self.window.saveState())
        settings.setValue(VERSION_KEY, LAYOUT_VERSION)
        settings.setValue(CLOSED_KEY, [d.objectName() for d in self.docks if d.isHidden()])
        settings.sync()

    def reset(self) -> None:
        """The first-start arrangement: every panel in its place, at its width, shown (the
        optional ones closed)."""
        self._place()
        self._size_sides()
        self._after_layout.start()

    def widen(self, dock: QDockWidget, share: float) -> None:
        """At least `share` of the window's width for `dock` (and the panels tabbed with it),
        taken from the plots as far as they keep their minimum, not from the left panel:
        for reading code, say."""
        self._apply_layout()
        wanted = min(round(self.window.width() * share), dock.width() + self._plots_room())
        if dock.isFloating() or dock.width() >= wanted:
            return
        left = self.left.width()
        self.window.resizeDocks([self.left, dock], [left, wanted], Qt.Orientation.Horizontal)
        self._apply_layout()
        self._wanted[dock] = dock.width()

    def share_height(self, above: QDockWidget, below: QDockWidget, share: float) -> None:
        """`share` of the height the two stacked docks have for `below`."""
        self._apply_layout()
        total = above.height() + below.height()
        lower = round(total * share)
        self.window.resizeDocks([above, below], [total - lower, lower], Qt.Orientation.Vertical)
        self._apply_layout()

    def problems(self) -> list[str]:
        """What is wrong with the layout on screen, in words (for a reader of the code or a
        test; never shown); empty when it is sound."""
        window, found = self.window, []
        closed = set(self.settings.value(CLOSED_KEY, [], list) or [])
        for dock in self.docks:
            name = dock.objectName()
            if dock.isHidden():
                if name not in closed and dock not in self.optional:
                    found.append(f"{name} is hidden but was not closed")
                continue
            if dock.isFloating():
                if QGuiApplication.screenAt(dock.geometry().center()) is None:
                    found.append(f"{name} floats outside every screen")
            elif window.dockWidgetArea(dock) == Qt.DockWidgetArea.NoDockWidgetArea:
                found.append(f"{name} is in no dock area")
            if on_screen(dock) and _smaller_than(dock, smallest_size(dock)):
                found.append(f"{name} is squashed to {dock.width()}x{dock.height()}")
        central = window.centralWidget()
        least = smallest_size(central)
        narrowest = max(least.width(), round(CENTRAL_SHARE * window.width()))
        if central.width() < narrowest or central.height() < least.height():
            found.append(f"the plots have only {central.width()}x{central.height()}")
        return found

    # -- Qt ----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            if event.type() == QEvent.Type.Show and not self._shown:
                self._shown = True
                if not self._check_at_show:
                    self._size_sides()  # a first start: resizeDocks works before the layout
                self._after_layout.start()
            elif event.type() == QEvent.Type.Resize and self._shown:
                self._settle()  # at once: whoever resized the window sees the panels settled
        elif event.type() == QEvent.Type.Resize and self._dragged(watched):
            self._wanted[watched] = watched.width()
        return super().eventFilter(watched, event)

    def _dragged(self, dock: QObject) -> bool:
        """A side panel resized while the window kept its size, outside our own settling:
        the user dragged the panel's edge, so a later resize must not snap it back."""
        return (
            self._shown
            and not self._settling
            and self.window.size() == self._settled_size
            and dock in self._side_docks()
            and self._plots_room() > 0
        )

    # -- helpers -----------------------------------------------------------------------------

    def _first_size(self) -> tuple[int, int]:
        """The first-start size, made to fit the screen (a 1280x720 projector, say)."""
        width, height = FIRST_SIZE
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            space = screen.availableGeometry()
            width, height = min(width, space.width()), min(height, space.height())
        return width, height

    def _place(self) -> None:
        """Every panel in its first-start place, docked and shown."""
        window = self.window
        for dock in self.docks:
            dock.setFloating(False)  # first: a dock out of the layout does not come back in
            if window.dockWidgetArea(dock) != Qt.DockWidgetArea.NoDockWidgetArea:
                window.removeDockWidget(dock)  # out of any tab group or split it was in
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.left)
        for dock in self.right:
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        for first, second in zip(self.right, self.right[1:], strict=False):
            window.tabifyDockWidget(first, second)
        for dock in self.optional:  # below the tabs: both in view once it is opened
            window.addDockWidget(
                Qt.DockWidgetArea.RightDockWidgetArea, dock, Qt.Orientation.Vertical
            )
        for dock in self.docks:
            # removeDockWidget hid them, and a panel closed before comes back
            dock.setVisible(dock not in self.optional)
        self.front.raise_()

    def _size_sides(self) -> None:
        """The side panels' first-start widths: a share of the window, capped."""
        window = self.window
        widest = char_width(window.fontMetrics()) * SIDE_MAX_CHARS
        widths = [min(round(window.width() * share), widest) for share in SIDE_SHARES]
        window.resizeDocks([self.left, self.front], widths, Qt.Orientation.Horizontal)
        self._wanted = dict(zip((self.left, self.front), widths, strict=True))

    def _check_restored(self) -> None:
        """Once the restored layout is on screen: keep it if it is sound, else start afresh."""
        self._check_at_show = False
        if self.problems():
            self.reset()
        else:
            self._remember_widths()

    def _side_docks(self) -> list[QDockWidget]:
        """The docks on screen in the left and right areas."""
        sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        docked = [d for d in self.docks if on_screen(d) and not d.isFloating()]
        return [dock for dock in docked if self.window.dockWidgetArea(dock) in sides]

    def _plots_room(self) -> int:
        """How much wider the central widget is than its minimum."""
        central = self.window.centralWidget()
        return central.width() - smallest_size(central).width()

    def _remember_widths(self) -> None:
        """The side panels' widths while the plots have room: a smaller window takes from the
        plots first, so these are the widths the user chose (or the first-start ones)."""
        if self._plots_room() > 0:
            for dock in self._side_docks():
                self._wanted[dock] = dock.width()

    def _on_laid_out(self) -> None:
        self._apply_layout()
        if self._check_at_show:
            self._check_restored()
        self._settle()

    def _settle(self) -> None:
        """After a resize or a panel's move: tabs unelided, squeezed panels grown back, and the
        widths remembered."""
        self._settling = True
        try:
            self._apply_layout()
            self._fit_tab_bars()
            self._regrow_sides()
            self._remember_widths()
        finally:
            self._settling = False
            self._settled_size = self.window.size()

    def _apply_layout(self) -> None:
        """Lay the window out now rather than at the next event loop pass."""
        QCoreApplication.sendPostedEvents(self.window, QEvent.Type.LayoutRequest)
        self.window.layout().activate()

    def _regrow_sides(self) -> None:
        """Give the side panels that a smaller window squeezed their widths back, as far as the
        plots keep their minimum."""
        short = {
            dock: self._wanted[dock] - dock.width()
            for dock in self._side_docks()
            if self._wanted.get(dock, 0) > dock.width() + 1
        }
        room = self._plots_room()
        if not short or room <= 1:
            return
        scale = min(1.0, room / sum(short.values()))
        docks = list(short)
        widths = [dock.width() + int(missing * scale) for dock, missing in short.items()]
        self.window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
        self._apply_layout()

    def _fit_tab_bars(self) -> None:
        """Keep each group of tabbed panels at least as wide as its tabs: narrower, Qt elides
        the tab titles ("La...")."""
        titles = {dock.windowTitle(): dock for dock in self.docks}
        needed = dict.fromkeys(self.docks, 0)
        for bar in self.window.findChildren(QTabBar):
            if bar.parent() is not self.window or not bar.isVisible():
                continue  # a tab bar inside a panel, or one the dock areas keep unused
            width = bar.sizeHint().width()
            for index in range(bar.count()):
                dock = titles.get(bar.tabText(index))
                if dock is not None:
                    needed[dock] = max(needed[dock], width)
        for dock, width in needed.items():
            if dock.minimumWidth() != width:
                dock.setMinimumWidth(width)


def on_screen(widget: QWidget) -> bool:
    """Shown and not hidden behind another tab (Qt moves those off the window)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _smaller_than(widget: QWidget, size: QSize) -> bool:
    return widget.width() < max(1, size.width()) or widget.height() < max(1, size.height())
