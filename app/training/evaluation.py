"""The validation pass at the end of every epoch: loss, and accuracy with a confusion matrix
for classes or RMSE and R squared for regression."""

from __future__ import annotations

import math

import torch

from app.reports import EpochReport
from app.training.prepared import PreparedRun


def evaluate(run: PreparedRun, epoch: int, steps_done: int, train_loss: float) -> EpochReport:
    """The report of epoch `epoch` (1-based): the model on the validation data, if any."""
    if not len(run.x_val):
        return EpochReport(epoch, steps_done, train_loss, None)
    placement, model = run.placement, run.model
    model.eval()
    with torch.no_grad():
        # Chunks sized by the model's activations (app.run_plan.eval_chunk): a CNN's for
        # all the validation images at once would take gigabytes.
        chunks = run.x_val.split(run.eval_chunk)
        outputs = torch.cat(
            [placement.forward(model, placement.inputs(chunk)) for chunk in chunks]
        ).float()
    model.train()
    targets = run.y_val
    val_loss = float(
        run.loss_fn(outputs, targets if run.task.is_classification else targets.float())
    )
    if run.task.is_classification:
        predicted = outputs.argmax(1)
        accuracy = float((predicted == targets).double().mean())
        classes = outputs.shape[1]
        confusion = torch.bincount(targets * classes + predicted, minlength=classes**2)
        return EpochReport(
            epoch,
            steps_done,
            train_loss,
            val_loss,
            val_accuracy=accuracy,
            confusion=confusion.reshape(classes, classes).cpu().numpy(),
        )
    targets = targets.double()
    mse = float((outputs.double() - targets).pow(2).mean())
    variance = float((targets - targets.mean()).pow(2).mean())
    r2 = 1 - mse / variance if variance > 0 else math.nan
    return EpochReport(epoch, steps_done, train_loss, val_loss, val_rmse=math.sqrt(mse), val_r2=r2)
