"""The sentences that end a run: completed, stopped, why the loss diverged, and the warning of
a run that completed while its loss grew."""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.experiment import TrainConfig
from app.options import OPTIMIZERS
from app.reports import EpochReport
from models.translation import _, ngettext

# A completed run whose loss grew this many times above where it started gets a warning:
# orders of magnitude, not noise (Adam at learning rate 50 on two moons: 0.69 to 1.6e+07).
LOSS_GROWTH = 100.0


def divergence_message(
    value: float, step: int, epoch: int, train: TrainConfig, kept_step: int
) -> str:
    """Why a run stopped. `step` counts from 1; `kept_step` is the updates the kept weights had."""
    if math.isnan(value):
        text = _("The loss became NaN at step {step} (epoch {epoch}). {advice}. {kept}")
    else:
        text = _("The loss became infinite at step {step} (epoch {epoch}). {advice}. {kept}")
    advice = rate_advice(train)
    return text.format(
        step=step,
        epoch=epoch + 1,
        advice=f"{advice[:1].upper()}{advice[1:]}",
        kept=kept_sentence(kept_step),
    )


def rate_advice(train: TrainConfig) -> str:
    """What to change when the loss runs away, as a clause: the learning rate, or float16."""
    rate = train.learning_rate
    if train.dtype == "float16":
        return _("float16 overflows easily; try bfloat16 or float32, or a smaller learning rate")
    if rate >= OPTIMIZERS[train.optimizer].high_learning_rate:
        return _("the learning rate {rate:g} is likely too high; try {lower:g}").format(
            rate=rate, lower=rate / 10
        )
    return _("the learning rate {rate:g} may be too high, or the inputs too large").format(
        rate=rate
    )


def growth_warning(
    start_loss: float | None,
    first_loss: float | None,
    epochs: Sequence[EpochReport],
    train: TrainConfig,
) -> str:
    """The warning of a completed run whose loss grew by orders of magnitude: its worst epoch's
    mean training loss at least LOSS_GROWTH times its lowest (the run's first loss or an
    epoch's mean) and above `start_loss`, the untrained model's (its first loss from the
    seed's weights, in the run that started it); "" when not.

    Epoch means, not single steps, and never below the untrained loss: a trained model's
    loss may swing from 1e-06 to 0.06, which is no loss running away."""
    means = [e.train_loss for e in epochs if math.isfinite(e.train_loss)]
    if start_loss is None or first_loss is None or not means:
        return ""  # no step was taken
    lowest, peak = min(first_loss, *means), max(means)
    if peak >= LOSS_GROWTH * lowest and peak > start_loss:
        # From where the run started when it grew from there; else from its lowest, later.
        base = first_loss if peak >= LOSS_GROWTH * first_loss else lowest
        return _("The loss grew from {base:.2g} to {peak:.2g} during the run: {advice}.").format(
            base=base, peak=peak, advice=rate_advice(train)
        )
    return ""


def out_of_memory_message(subject: str, step: int, epoch: int, kept_step: int) -> str:
    """A run stopped by a failed allocation. `step` counts from 1, `epoch` from 0."""
    return _(
        "{subject} ran out of memory at step {step} (epoch {epoch}); use a smaller batch or "
        "fewer or smaller layers. {kept}"
    ).format(subject=subject, step=step, epoch=epoch + 1, kept=kept_sentence(kept_step))


def kept_sentence(kept_step: int) -> str:
    """Which weights a run that ended early keeps: `kept_step` is the updates they had."""
    if kept_step == 0:
        return _("The starting weights are kept.")
    return _("The weights after step {step} are kept.").format(step=kept_step)


def completed_message(
    epochs: int,
    steps: int,
    seconds: float,
    last_epoch: EpochReport | None,
    continued: bool = False,
) -> str:
    """A finished run in one sentence, with its last validation score. `epochs` and `steps`
    are this run's; a run that continued an earlier one says how many epochs are done in all."""
    if continued:
        counted = ngettext("{count:,} more epoch", "{count:,} more epochs", epochs)
    else:
        counted = ngettext("{count:,} epoch", "{count:,} epochs", epochs)
    counted = counted.format(count=epochs)
    if continued and last_epoch:
        total = ngettext("{count:,} epoch", "{count:,} epochs", last_epoch.epoch)
        # Translators: "3 more epochs (60 steps; 8 epochs in all)" in "Finished ... in 1.2 s".
        done = _("{epochs} ({steps} steps; {total} in all)").format(
            epochs=counted, steps=steps, total=total.format(count=last_epoch.epoch)
        )
    else:
        # Translators: "5 epochs (100 steps)" in "Finished ... in 1.2 s".
        done = _("{epochs} ({steps} steps)").format(epochs=counted, steps=steps)
    if last_epoch and last_epoch.val_accuracy is not None:
        return _("Finished {done} in {seconds:.1f} s: validation accuracy {accuracy:.1%}.").format(
            done=done, seconds=seconds, accuracy=last_epoch.val_accuracy
        )
    if last_epoch and last_epoch.val_rmse is not None:
        return _(
            "Finished {done} in {seconds:.1f} s: validation RMSE {rmse:.4g}, R\u00b2 {r2:.3f}."
        ).format(done=done, seconds=seconds, rmse=last_epoch.val_rmse, r2=last_epoch.val_r2)
    return _("Finished {done} in {seconds:.1f} s.").format(done=done, seconds=seconds)


def stopped_message(step: int, epoch: int, epochs: int) -> str:
    """A run the user stopped: where it was. `epoch` counts from 0; `epochs` is the epoch the
    run would have ended with (global, as `step` and `epoch` are)."""
    return _("Stopped at step {step} (epoch {epoch} of {epochs}).").format(
        step=step, epoch=epoch + 1, epochs=epochs
    )
