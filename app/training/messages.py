"""The sentences that end a run: completed, stopped, or why the loss diverged."""

from __future__ import annotations

import math

from app.experiment import TrainConfig
from app.options import OPTIMIZERS
from app.reports import EpochReport
from models.words import counted


def divergence_message(
    value: float, step: int, epoch: int, train: TrainConfig, kept_step: int
) -> str:
    """Why a run stopped. `step` counts from 1; `kept_step` is the updates the kept weights had."""
    what = "NaN" if math.isnan(value) else "infinite"
    text = f"The loss became {what} at step {step} (epoch {epoch + 1}). "
    rate = f"{train.learning_rate:g}"
    if train.dtype == "float16":
        text += "float16 overflows easily; try bfloat16 or float32, or a smaller learning rate. "
    elif train.learning_rate >= OPTIMIZERS[train.optimizer].high_learning_rate:
        text += f"The learning rate {rate} is likely too high; try {train.learning_rate / 10:g}. "
    else:
        text += f"The learning rate {rate} may be too high, or the inputs too large. "
    return text + kept_sentence(kept_step)


def out_of_memory_message(subject: str, step: int, epoch: int, kept_step: int) -> str:
    """A run stopped by a failed allocation. `step` counts from 1, `epoch` from 0."""
    return (
        f"{subject} ran out of memory at step {step} (epoch {epoch + 1}); use a smaller batch "
        f"or fewer or smaller layers. {kept_sentence(kept_step)}"
    )


def kept_sentence(kept_step: int) -> str:
    """Which weights a run that ended early keeps: `kept_step` is the updates they had."""
    if kept_step == 0:
        return "The starting weights are kept."
    return f"The weights after step {kept_step} are kept."


def completed_message(
    epochs: int, steps: int, seconds: float, last_epoch: EpochReport | None
) -> str:
    """A finished run in one sentence, with its last validation score."""
    message = f"Finished {counted(epochs, 'epoch')} ({steps} steps) in {seconds:.1f} s"
    if last_epoch and last_epoch.val_accuracy is not None:
        message += f": validation accuracy {last_epoch.val_accuracy:.1%}"
    elif last_epoch and last_epoch.val_rmse is not None:
        message += f": validation RMSE {last_epoch.val_rmse:.4g}, R\u00b2 {last_epoch.val_r2:.3f}"
    return message + "."


def stopped_message(step: int, epoch: int, epochs: int) -> str:
    """A run the user stopped: where it was. `epoch` counts from 0."""
    return f"Stopped at step {step} (epoch {epoch + 1} of {epochs})."
