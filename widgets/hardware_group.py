"""The training panel's Hardware group: the devices this machine has, and the precisions
(dtypes) each device can compute in.

It never asks torch itself: until the window passes what torch found (`set_devices`), the
configured device shows as "checking". A configured device the machine lacks stays chosen,
marked and explained, so opening a file made on another machine changes nothing by itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItemModel
from PySide6.QtWidgets import QGroupBox, QWidget

from app.options import DTYPES
from app.results import DeviceReport
from models.translation import _
from widgets.form_editors import ElidingComboBox
from widgets.settings_form import add_row, new_form, show_warning, warning_label
from widgets.theme import current_theme


class HardwareGroup(QGroupBox):
    """Device and Precision rows; emits `deviceChosen(id)` and `dtypeChosen(name)` for user
    choices only, never while showing."""

    deviceChosen = Signal(str)
    dtypeChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Hardware"))
        self._devices: list[tuple[str, str]] | None = None  # None until torch has looked
        self._report = DeviceReport(())  # what cannot run where: nothing known yet
        self._updating = False
        form = new_form(self)
        self._device = ElidingComboBox()
        add_row(
            form,
            self.tr("Device"),
            self._device,
            self.tr("Where the network trains: the CPU or a GPU."),
        )
        self._dtype = ElidingComboBox()
        for name, dtype in DTYPES.items():
            self._dtype.addItem(_(dtype.label), name)
        add_row(
            form,
            self.tr("Precision"),
            self._dtype,
            self.tr("The number format the network computes in (dtype)."),
        )
        self._warning = warning_label()
        form.addRow(self._warning)
        self._device.currentIndexChanged.connect(self._on_device_changed)
        self._dtype.currentIndexChanged.connect(self._on_dtype_changed)

    def set_devices(self, report: DeviceReport) -> None:
        """The devices this machine has and why a (device, dtype) cannot run, as torch found
        them; `show_choice` then lists them."""
        self._devices = list(report.devices)
        self._report = report

    def fields(self) -> list[QWidget]:
        """The editors, for the panel to lock while a run trains."""
        return [self._device, self._dtype]

    def show_choice(self, device: str, dtype: str) -> None:
        """Select a configured device and dtype without emitting (then `refresh`)."""
        self._updating = True
        try:
            self._fill_devices(device)
            self._dtype.setCurrentIndex(self._dtype.findData(dtype))
        finally:
            self._updating = False

    def refresh(self, device: str, dtype: str) -> None:
        """Enable the dtypes `device` can compute in and say why the others, or the device
        itself, cannot run, and when the chosen dtype runs but slowly (emulated)."""
        model = self._dtype.model()
        assert isinstance(model, QStandardItemModel)
        dtype_warning = ""
        for row, (name, kind) in enumerate(DTYPES.items()):
            item = model.item(row)
            problem = self._report.problem(device, name)
            slow = self._report.slowness(device, name)
            flags = item.flags()
            item.setFlags(
                flags & ~Qt.ItemFlag.ItemIsEnabled if problem else flags | Qt.ItemFlag.ItemIsEnabled
            )
            said = problem or slow
            item.setToolTip(said + "\n" + _(kind.help) if said else _(kind.help))
            if name == dtype and said:
                dtype_warning = said

        absent = self._devices is not None and device not in dict(self._devices)
        warnings = [self._absent_text(device)] if absent else []
        if dtype_warning:
            warnings.append(dtype_warning)
        show_warning(self._warning, " ".join(warnings))
        self._device.setToolTip(
            self._absent_text(device)
            if absent
            else self.tr("Where the network trains: the CPU or a GPU.\nNow: {device}").format(
                device=self._device.currentText()
            )
        )

    def _fill_devices(self, selected: str) -> None:
        """List the known devices, plus the selected one marked if this machine lacks it."""
        self._device.clear()
        if self._devices is None:
            self._device.addItem(self.tr("{id} (checking…)").format(id=selected), selected)
            self._device.setItemData(
                0, self.tr("Checking which devices this machine has…"), Qt.ItemDataRole.ToolTipRole
            )
        else:
            for device_id, label in self._devices:
                self._device.addItem(label, device_id)
                self._device.setItemData(
                    self._device.count() - 1, f"{label} ({device_id})", Qt.ItemDataRole.ToolTipRole
                )
            if self._device.findData(selected) < 0:
                index = self._device.count()
                self._device.addItem(
                    self.tr("{id} (not available on this machine)").format(id=selected), selected
                )
                warning = QColor(current_theme().warning)
                self._device.setItemData(index, warning, Qt.ItemDataRole.ForegroundRole)
                self._device.setItemData(
                    index, self._absent_text(selected), Qt.ItemDataRole.ToolTipRole
                )
        self._device.setCurrentIndex(self._device.findData(selected))

    def _absent_text(self, device: str) -> str:
        return self.tr(
            "The device {id} is not available on this machine; pick another device to train."
        ).format(id=device)

    def _on_device_changed(self, index: int) -> None:
        if not self._updating and index >= 0:
            self.deviceChosen.emit(self._device.itemData(index))

    def _on_dtype_changed(self, index: int) -> None:
        if not self._updating and index >= 0:
            self.dtypeChosen.emit(self._dtype.itemData(index))


if __name__ == "__main__":
    import sys

    from widgets.demo import demo_application

    app = demo_application()
    group = HardwareGroup()
    group.set_devices(
        DeviceReport(
            (("cpu", "CPU (2 cores)"), ("cuda:0", "NVIDIA GeForce GTX 1080 Ti")),
            (("cuda:0", "bfloat16", "This GPU (cuda:0) cannot compute in bfloat16."),),
        )
    )
    group.show_choice("cuda:0", "bfloat16")
    group.refresh("cuda:0", "bfloat16")
    group.deviceChosen.connect(lambda device: print("deviceChosen", device))
    group.dtypeChosen.connect(lambda dtype: print("dtypeChosen", dtype))
    group.resize(340, 160)
    group.show()
    sys.exit(app.exec())
