"""A run's reports as TensorBoard event files: every step's training loss, each epoch's
validation scores, and the gradient and weight histograms of every layer with parameters.

Written with the tensorboard package's own event writer and protos (the `tensorboard`
extra), not torch's SummaryWriter: no torch here, so any side of LayerLab may log. Open the
folder with `tensorboard --logdir DIR`.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from app.reports import EpochReport, HistogramReport, Report, RunStarted, StepsReport
from models.translation import _

EXTRA = "pip install 'layerlab[tensorboard]'"
TENSORBOARD_FOLDER = "tensorboard"  # in the run's output folder


class TensorBoardMissing(RuntimeError):
    """The tensorboard package is not installed; the message says how to install it."""


class TensorBoardLog:
    """Events of one run in `folder` (made if needed); `add` every report, then `close`.
    The folder's older event files go, unless `keep_events` (a run that goes on from them:
    TensorBoard reads the files of a folder as one run, and the steps count on)."""

    def __init__(self, folder: str | Path, keep_events: bool = False) -> None:
        try:
            from tensorboard.compat.proto import event_pb2, summary_pb2
            from tensorboard.summary.writer.event_file_writer import EventFileWriter
        except ImportError:
            raise TensorBoardMissing(
                _("TensorBoard files need the tensorboard package: {command}").format(command=EXTRA)
            ) from None
        self._event, self._summary = event_pb2.Event, summary_pb2
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        # The folder is this output folder's run: the events of the run it replaces go, as
        # its model.pt does, or TensorBoard would draw both as one.
        for old in () if keep_events else folder.glob("events.out.tfevents.*"):
            old.unlink()
        self._writer = EventFileWriter(str(folder))
        self._layers: tuple[str, ...] = ()

    def add(self, report: Report) -> None:
        if isinstance(report, RunStarted):
            self._layers = report.layer_names
        elif isinstance(report, StepsReport):
            for offset, loss in enumerate(report.losses):
                if np.isfinite(loss):
                    self._scalar("loss/train_step", float(loss), report.first_step + offset + 1)
        elif isinstance(report, EpochReport):
            self._epoch(report)
        elif isinstance(report, HistogramReport):
            self._histograms(report)

    def close(self) -> None:
        self._writer.close()  # flushes

    def _epoch(self, report: EpochReport) -> None:
        step = report.steps_done
        values = {
            "loss/train_epoch": report.train_loss,
            "loss/validation": report.val_loss,
            "validation/accuracy": report.val_accuracy,
            "validation/rmse": report.val_rmse,
            "validation/r2": report.val_r2,
        }
        for tag, value in values.items():
            if value is not None and np.isfinite(value):
                self._scalar(tag, float(value), step)

    def _histograms(self, report: HistogramReport) -> None:
        for index, step in enumerate(report.steps):
            for layer, name in enumerate(self._layers):
                tag = name.replace(" ", "_")  # "0 Linear" -> "gradients/0_Linear"
                grads = report.grad_counts[index, layer]
                weights = report.weight_counts[index, layer]
                # Taken before update `step`: the gradients of the loss of step step + 1, as
                # loss/train_step counts (from 1), and the weights that scored it.
                after = int(step) + 1
                self._histogram(f"gradients/{tag}", grads, report.grad_edges[layer], after)
                self._histogram(f"weights/{tag}", weights, report.weight_edges[layer], after)

    def _scalar(self, tag: str, value: float, step: int) -> None:
        value_proto = self._summary.Summary.Value(tag=tag, simple_value=value)
        self._write(self._summary.Summary(value=[value_proto]), step)

    def _histogram(self, tag: str, counts: np.ndarray, edges: np.ndarray, step: int) -> None:
        """One histogram from LayerLab's fixed bins: sum and sum of squares from the bins'
        centres (the values themselves are not kept)."""
        counts = np.asarray(counts, dtype=np.float64)
        centres = (edges[:-1] + edges[1:]) / 2
        histogram = self._summary.HistogramProto(
            min=float(edges[0]),
            max=float(edges[-1]),
            num=float(counts.sum()),
            sum=float((counts * centres).sum()),
            sum_squares=float((counts * centres**2).sum()),
            bucket_limit=[float(edge) for edge in edges[1:]],
            bucket=[float(count) for count in counts],
        )
        value = self._summary.Summary.Value(tag=tag, histo=histogram)
        self._write(self._summary.Summary(value=[value]), step)

    def _write(self, summary, step: int) -> None:
        self._writer.add_event(self._event(wall_time=time.time(), step=step, summary=summary))
