"""Train / Pause / Resume / Continue, Step, Stop and Reset, the pace, and what the run is doing:
a progress bar, the numbers of the run and a line for long messages, each one line high.

Each line shows the longest of its texts that fits its width, the whole text in its tooltip:
lines that wrapped would make the controls taller, and the window could no longer fit a
1024x600 screen while a long sentence (a divergence, a warning) is shown. Those sentences are
also shown whole, once, in a message box.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLocale, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.progress import Rate
from app.reports import EpochReport
from app.run_state import FINISHED, IDLE, PAUSED, RUNNING
from app.run_status import (
    COMPLETED,
    DIVERGED,
    FAILED,
    READY,
    STARTING,
    STOPPED,
    TRAINING,
    RunStatus,
)
from app.run_status import PAUSED as PAUSED_PHASE
from models.translation import ngettext
from widgets.numbers_text import count_text, percent_text
from widgets.theme import Theme, current_theme

PACES = (None, 100.0, 20.0, 5.0)  # steps a second; None: as fast as the computer goes


def _time_text(seconds: float) -> str:
    """Minutes and seconds, such as "2:05", or "1:02:05" past an hour; "?" while unknown."""
    if not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    if minutes >= 60:
        return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def _fill(text: str, *values: str) -> str:
    """`text` with {0}, {1}, ... replaced by `values` (translated texts keep their braces)."""
    for index, value in enumerate(values):
        text = text.replace(f"{{{index}}}", value)
    return text


def _number_text(value: float) -> str:
    """A loss or RMSE with four significant digits, in the user's locale."""
    return QLocale().toString(value, "g", 4) if math.isfinite(value) else "?"


def _fitting(widget: QWidget, texts: tuple[str, ...], room: int) -> str:
    """The longest of `texts` (longest first) that fits `room` pixels, else the last one cut
    short with an ellipsis."""
    metrics = widget.fontMetrics()
    fitting = (t for t in texts if metrics.horizontalAdvance(t) <= room)
    return next(fitting, None) or metrics.elidedText(texts[-1], Qt.TextElideMode.ElideRight, room)


class _FittingBar(QProgressBar):
    """A progress bar that shows the longest of its texts that fits its width: a bar's text
    is one line that the style clips at both ends, never wraps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextVisible(True)
        self._texts: tuple[str, ...] = ()

    def set_texts(self, texts: tuple[str, ...]) -> None:
        """The texts to choose from, the longest first; the first is also the tooltip."""
        self._texts = texts
        self.setToolTip(texts[0] if texts else "")
        self._fit()

    def show_progress(self, maximum: int, value: int) -> None:
        """Set the range and the value, painted with the window's next paint: setValue
        alone repaints the bar at once (1.5 ms a call in the window during a run)."""
        self.setUpdatesEnabled(False)
        try:
            self.setRange(0, maximum)
            self.setValue(value)
        finally:
            self.setUpdatesEnabled(True)  # asks for one ordinary update

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._texts:
            text = _fitting(self, self._texts, self.width() - 24)  # the frame and margins
            if text != self.format():
                self.setFormat(text)


class _FittingLine(QWidget):
    """One line of text that shows the longest of its texts that fits its width, the first
    (whole) one in its tooltip. It paints the text itself: a QLabel's setText re-lays out the
    whole window (updateGeometry), and five times a second that ran every size hint through
    the Python style, halving the window's training speed (two moons: 33.6k samples/s with
    these lines painted, 14-22k with QLabels)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: tuple[str, ...] = ()
        self._shown = ""
        self._color: QColor | None = None
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_texts(self, texts: tuple[str, ...]) -> None:
        if texts != self._texts:
            self._texts = texts
            self.setToolTip(texts[0] if texts else "")
            self._fit()

    def set_color(self, color: str | None) -> None:
        """The text's colour; None: the palette's."""
        self._color = QColor(color) if color else None
        self.update()

    def text(self) -> str:
        """The text shown now."""
        return self._shown

    def full_text(self) -> str:
        """The whole text, as the tooltip shows it."""
        return self._texts[0] if self._texts else ""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(1, self.fontMetrics().height() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.sizeHint()

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setPen(self._color or self.palette().color(QPalette.ColorRole.WindowText))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), flags, self._shown)

    def _fit(self) -> None:
        text = _fitting(self, self._texts, self.contentsRect().width()) if self._texts else ""
        if text != self._shown:
            self._shown = text
            self.update()  # a repaint of this line only: its size never changes


class RunControlsWidget(QWidget):
    """Buttons for the run verbs (the window owns the actions and their shortcuts), the pace,
    and what the current run is doing. It shows values it is given and emits what the user
    asks for; it starts nothing itself."""

    paceChanged = Signal(object)  # steps a second (float), or None for full speed
    downloadClicked = Signal()  # the Download beside a Train blocked by missing files

    def __init__(
        self, actions: dict[str, QAction], icons: dict[str, QIcon], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        # Whether the engine is still loading PyTorch (its first seconds): what Starting says.
        self.engine_loading = True
        self.actions = actions
        self.icons = icons  # "train", "pause": the Train button shows what it will do
        buttons = QHBoxLayout()
        for name in ("train", "step", "stop", "reset"):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setObjectName(f"{name}Button")
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.pace = QComboBox()
        self.pace.setObjectName("paceBox")
        for steps in PACES:
            self.pace.addItem(self._pace_text(steps), steps)
        self.pace.setToolTip(
            self.tr(
                "How fast runs train. Full speed is as fast as this computer goes; a slower "
                "pace lets a class watch the loss fall and the predictions change, step by "
                "step. It applies at once, also to the run going on."
            )
        )
        pace_label = QLabel(self.tr("Pace"))
        pace_label.setBuddy(self.pace)
        pace_label.setToolTip(self.pace.toolTip())
        buttons.addWidget(pace_label)
        buttons.addWidget(self.pace)

        self.progress = _FittingBar()
        # The numbers of the run, and long sentences (a warning, an error) that a progress bar
        # would clip: one line each, the whole text in the tooltip (see the module's note).
        self.readouts = _FittingLine()
        self.readouts.setObjectName("runReadouts")
        self.note = _FittingLine()
        self.note.setObjectName("runNote")
        self._note_kind = ""
        self._blocked = False
        self.blocked = QLabel()
        self.blocked.setObjectName("problemText")
        self.blocked.setWordWrap(True)
        self.download = QPushButton(self.tr("Download"))
        self.download.setObjectName("runDownloadButton")
        blocked_row = QHBoxLayout()
        blocked_row.setContentsMargins(0, 0, 0, 0)
        blocked_row.addWidget(self.blocked, 1)
        blocked_row.addWidget(self.download, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.readouts)
        layout.addWidget(self.note)
        layout.addLayout(blocked_row)
        self.readouts.hide()
        self.note.hide()
        self.download.hide()
        self.pace.currentIndexChanged.connect(self._on_pace_chosen)
        self.download.clicked.connect(self.downloadClicked)
        self.state = IDLE
        self._train_look: tuple[str, str] | None = None  # the Train button's text and icon
        self._status_text = ""
        self._theme = current_theme()
        self.set_theme(self._theme)
        self.set_state(IDLE)
        self.show_status(RunStatus(), None, math.inf)

    # -- what the buttons do ----------------------------------------------------------------

    def set_state(
        self,
        state: str,
        blocked_reason: str = "",
        *,
        continue_epochs: int = 0,
        download: str = "",
    ) -> None:
        """Enable what the controller's `state` allows. `blocked_reason` explains a disabled
        Train; `download` (the button's tooltip) offers a Download beside it; with
        `continue_epochs`, Train continues from the current weights for that many epochs."""
        self.state = state
        train, step, stop, reset = (self.actions[n] for n in ("train", "step", "stop", "reset"))
        active = state in (RUNNING, PAUSED)
        if state == RUNNING:
            look = (self.tr("Pause"), "pause")
            tip = self.tr("Pause the run; Space again resumes it (Space)")
        elif state == PAUSED:
            look = (self.tr("Resume"), "train")
            tip = self.tr("Resume the run (Space)")
        elif continue_epochs:
            look = (self.tr("Continue"), "train")
            tip = ngettext(
                "Continue from the current weights for {count} more epoch (Space)",
                "Continue from the current weights for {count} more epochs (Space)",
                continue_epochs,
            ).format(count=count_text(continue_epochs))
        else:
            look = (self.tr("Train"), "train")
            tip = self.tr("Train from the seed's starting weights (Space)")
        if look != self._train_look:  # setIcon always repaints the buttons and menus
            self._train_look = look
            train.setText(look[0])
            train.setIcon(self.icons[look[1]])
        train.setEnabled(active or not blocked_reason)
        train.setToolTip(blocked_reason if blocked_reason and not active else tip)
        step.setEnabled(active or not blocked_reason)
        stop.setEnabled(active)
        reset.setEnabled(state in (PAUSED, FINISHED))
        blocked = self._blocked = bool(blocked_reason) and not active
        self.blocked.setText(blocked_reason if blocked else "")
        self.blocked.setToolTip(blocked_reason if blocked else "")
        self.blocked.setVisible(blocked)
        self.download.setVisible(blocked and bool(download))
        self.download.setToolTip(download)
        self.progress.setVisible(not blocked)
        self.note.setVisible(not blocked and bool(self.note.text()))

    # -- what the run is doing --------------------------------------------------------------

    def show_status(self, status: RunStatus, rate: Rate | None, seconds_left: float) -> None:
        """Show where the run is: the bar's value and short text, and the line under it for
        how it ended. `rate` is None until a second of training was measured."""
        phase = status.phase
        # Global counts, as the plots, readouts and status bar give them: a continued run's bar
        # starts part full ("Epoch 6/8  ·  step 1,500/3,000").
        total = max(status.first_step + status.total_steps, 1)
        if phase in (READY, STARTING):
            self.progress.show_progress(1, 0)
        else:
            self.progress.show_progress(total, min(status.steps_done, total))
        self.progress.set_texts(self._bar_variants(status, rate, seconds_left))
        self._status_text = self._short_text(status)
        if phase == COMPLETED and status.warning:
            self._set_note(f"{status.warning} {status.message}", "warning")
        elif phase in (DIVERGED, FAILED):
            self._set_note(status.message, "error")
        else:
            self._set_note("", "")

    def status_text(self) -> str:
        """The run's phase in a few words, for the status bar: "Paused at step 1,234"."""
        return self._status_text

    def show_readouts(
        self,
        steps_done: int,
        smoothed: float,
        last: float,
        best: EpochReport | None,
        task_kind: str,
    ) -> None:
        """The run's numbers: the step, the loss (smoothed as the plot shows it, and the last
        step's), and the best validation so far with its epoch."""
        step = _fill(self.tr("Step {0}"), count_text(steps_done))
        loss = _fill(self.tr("loss {0}"), _number_text(smoothed))
        losses = _fill(
            self.tr("loss {0} (smoothed), {1} (last step)"),
            _number_text(smoothed),
            _number_text(last),
        )
        best_long = best_short = ""
        if best is not None and task_kind == "regression" and best.val_rmse is not None:
            rmse = _number_text(best.val_rmse)
            text = self.tr("best validation RMSE {0} (epoch {1})")
            best_long = _fill(text, rmse, str(best.epoch))
            best_short = _fill(self.tr("best RMSE {0}"), rmse)
        elif best is not None and best.val_accuracy is not None:
            accuracy = percent_text(best.val_accuracy)
            text = self.tr("best validation accuracy {0} (epoch {1})")
            best_long = _fill(text, accuracy, str(best.epoch))
            best_short = _fill(self.tr("best accuracy {0}"), accuracy)
        dot = "  \u00b7  "
        variants = [(step, losses, best_long), (step, loss, best_long), (step, loss, best_short)]
        variants.append((step, loss))
        texts = (dot.join(part for part in parts if part) for parts in variants)
        self.readouts.set_texts(tuple(dict.fromkeys(texts)))  # no repeats, longest first
        self.readouts.show()

    def clear_readouts(self) -> None:
        """No run to give numbers of (before the first run, after Reset)."""
        self.readouts.set_texts(())
        self.readouts.hide()

    # -- the pace ---------------------------------------------------------------------------

    def pace_value(self) -> float | None:
        """The pace chosen: steps a second, or None for full speed."""
        return self.pace.currentData()

    def set_pace(self, steps_per_second: float | None) -> None:
        """Show a pace (the nearest offered) without emitting paceChanged."""
        index = 0
        if steps_per_second:
            offered = [s for s in PACES if s is not None]
            nearest = min(offered, key=lambda s: abs(math.log(s / steps_per_second)))
            index = PACES.index(nearest)
        self.pace.blockSignals(True)
        self.pace.setCurrentIndex(index)
        self.pace.blockSignals(False)

    # -- look -------------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        """Warnings and errors in the theme's colours."""
        self._theme = theme
        self.blocked.setStyleSheet(f"color: {theme.error};")
        self._color_note()

    # -- private ----------------------------------------------------------------------------

    def _on_pace_chosen(self, index: int) -> None:
        self.paceChanged.emit(self.pace.itemData(index))

    def _pace_text(self, steps: float | None) -> str:
        if steps is None:
            return self.tr("Full speed")
        return _fill(self.tr("{0} steps/s"), f"{steps:g}")

    def _epochs_text(self, count: int) -> str:
        return ngettext("{count} epoch", "{count} epochs", count).format(count=count_text(count))

    def _bar_variants(
        self, status: RunStatus, rate: Rate | None, seconds_left: float
    ) -> tuple[str, ...]:
        """The bar's texts for `status`, from the longest to the shortest."""
        phase, step, dot = status.phase, count_text(status.steps_done), "  \u00b7  "
        first = status.first_epoch
        of_epochs = (str(first + status.epoch_this_run), str(first + max(status.epochs, 1)))
        if phase == READY:
            return (self.tr("Ready: press Train (Space)"), self.tr("Ready"))
        if phase == STARTING:
            # The engine's first seconds load torch; later runs only build and check.
            if self.engine_loading:
                starting = self.tr("Starting: loading PyTorch\u2026")
            else:
                starting = self.tr("Starting: preparing the model and the data\u2026")
            return (starting, self.tr("Starting\u2026"))
        if phase == TRAINING:
            head = _fill(self.tr("Epoch {0}/{1}"), *of_epochs)
            steps = _fill(
                self.tr("step {0}/{1}"),
                count_text(status.steps_done),
                count_text(status.first_step + status.total_steps),
            )
            if rate is None:
                speed = self.tr("measuring the speed\u2026")
                return (dot.join((head, steps, speed)), dot.join((head, steps)), head)
            samples = _fill(self.tr("{0} samples/s"), count_text(round(rate.samples_per_second)))
            left = _fill(self.tr("{0} left"), _time_text(seconds_left))
            return (
                dot.join((head, steps, samples, left)),
                dot.join((head, samples, left)),
                dot.join((head, left)),
                left,
            )
        if phase == PAUSED_PHASE:
            epoch = _fill(self.tr("epoch {0}/{1}"), *of_epochs)
            return (
                _fill(
                    self.tr("Paused at step {0} ({1}): Space resumes, Shift+Space steps"),
                    step,
                    epoch,
                ),
                _fill(self.tr("Paused at step {0} ({1})"), step, epoch),
                _fill(self.tr("Paused at step {0}"), step),
                self.tr("Paused"),
            )
        if phase == STOPPED:
            epoch = _fill(self.tr("epoch {0}/{1}"), *of_epochs)
            return (
                _fill(self.tr("Stopped at step {0} ({1})"), step, epoch),
                _fill(self.tr("Stopped at step {0}"), step),
                self.tr("Stopped"),
            )
        if phase == COMPLETED:
            epochs = self._epochs_text(status.epochs_done)
            if status.warning:
                return (
                    _fill(self.tr("Finished at step {0} ({1}), with a warning"), step, epochs),
                    _fill(self.tr("Finished at step {0}, with a warning"), step),
                    self.tr("Finished, with a warning"),
                )
            return (
                *((status.message,) if status.message else ()),  # the whole sentence, if it fits
                _fill(self.tr("Finished at step {0} ({1})"), step, epochs),
                _fill(self.tr("Finished at step {0}"), step),
                self.tr("Finished"),
            )
        if phase == DIVERGED:
            return (_fill(self.tr("Diverged at step {0}"), step), self.tr("Diverged"))
        return (self.tr("Could not train: see the message below"), self.tr("Failed"))

    def _short_text(self, status: RunStatus) -> str:
        step = count_text(status.steps_done)
        texts = {
            READY: self.tr("Not training"),
            STARTING: self.tr("Starting\u2026"),
            TRAINING: self.tr("Training"),
            PAUSED_PHASE: _fill(self.tr("Paused at step {0}"), step),
            STOPPED: _fill(self.tr("Stopped at step {0}"), step),
            COMPLETED: self.tr("Finished"),
            DIVERGED: _fill(self.tr("Diverged at step {0}"), step),
            FAILED: self.tr("Could not train"),
        }
        return texts[status.phase]

    def _set_note(self, text: str, kind: str) -> None:
        if text != self.note.full_text() or kind != self._note_kind:
            self.note.set_texts((text,) if text else ())
            self._note_kind = kind
            self._color_note()
        self.note.setVisible(bool(text) and not self._blocked)

    def _color_note(self) -> None:
        theme = self._theme
        color = {"warning": theme.warning, "error": theme.error}.get(self._note_kind, theme.text)
        self.note.set_color(color)
