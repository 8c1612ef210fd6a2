"""The training loop: one pass over a PreparedRun, yielding reports, as tight as a hand-written
loop (preloaded tensors, `randperm` batches, `.item()` only where it is free)."""

from __future__ import annotations

import math
import time
from collections.abc import Generator, Iterator
from functools import partial

import numpy as np
import torch

from app.control import Control
from app.reports import (
    EpochReport,
    Marker,
    Paused,
    Report,
    RunFinished,
    RunStarted,
    StepsReport,
)
from app.training.checks import RunError
from app.training.devices import device_label
from app.training.evaluation import evaluate
from app.training.fused_adam import direct_step
from app.training.inspection import ACTIVATION_EVERY
from app.training.memory import is_out_of_memory, out_of_memory_subject
from app.training.messages import (
    completed_message,
    divergence_message,
    growth_warning,
    out_of_memory_message,
    stopped_message,
)
from app.training.no_dynamo import clear_gradients, plain_step
from app.training.prepared import PreparedRun
from models.translation import _


class TrainingLoop:
    """The state of one pass through a run: counters, pending losses, histograms."""

    def __init__(
        self, run: PreparedRun, control: Control, *, per_step_checks: bool | None = None
    ) -> None:
        """`per_step_checks`: read each loss before its update (default: on the CPU, where
        `.item()` is free); otherwise only at reports, as on accelerators."""
        self.run = run
        self.control = control
        self.train = run.train
        on_cpu = run.placement.device.type == "cpu"
        self.per_step = on_cpu if per_step_checks is None else per_step_checks
        # Steps and epochs are global: a continued run counts on from the runs before it.
        self.first_step = run.first_step
        self.step = run.first_step
        self.epoch = run.first_epoch
        self.pending: list = []  # losses since the last report: floats on the CPU, else tensors
        self.pending_first = run.first_step
        self.epoch_losses: list[np.ndarray] = []
        self.histograms = run.histograms  # shared by continued runs: the bins stay the same
        if self.histograms.pending:
            self.histograms.report()  # records an earlier run ended without reporting
        # The model's first loss from the seed's weights, for the warning; a fresh run's comes
        # with its first step.
        self.start_loss = run.start_loss
        self.first_loss: float | None = None  # this run's first step's
        self.last_step_at = -math.inf  # when the last paced step started
        self.next_activations = run.first_step  # the step from which the next snapshot is due
        self.active = 0.0  # seconds spent training, pauses and reporting excluded
        self.window_start = time.perf_counter()
        self.window_samples = 0
        # The weights and buffers as plain tensors (views sharing the model's storage): what
        # a kept copy is taken from and restored into, one fused call each way.
        model = run.model
        self.live = [t.detach() for t in (*model.parameters(), *model.buffers())]
        # CPU: every step's loss is read before its update; `finite_state` holds the weights
        # that scored the last finite loss, copied in place each step (the weights of a
        # non-finite loss are the ones that produced it: a user's saved model would score it
        # too). Accelerators read losses only at reports: `candidate_state` is copied at each
        # report and becomes `finite_state` once the first loss after it is seen finite.
        self.finite_state = self._copy_state()
        self.finite_step = run.first_step  # the updates the weights in `finite_state` had
        self.candidate_state = None if self.per_step else self._copy_state()
        self.candidate_step = run.first_step
        self.finished_early = False
        self.last_epoch: EpochReport | None = None
        self.epoch_reports: list[EpochReport] = []  # this run's, for the warning

    def reports(self) -> Iterator[Report]:
        """Train every epoch, yielding RunStarted, steps, histograms, epochs and RunFinished;
        a failed allocation raises a RunError saying so, with the last finite weights kept."""
        failed = False
        try:
            yield from self._train()
        except (MemoryError, RuntimeError) as error:
            if not is_out_of_memory(error):
                raise
            failed = True
        if failed:
            # Past the except block: the traceback's frames (holding the batch's activations)
            # are gone, so the memory is free again for the report and the kept weights.
            yield from self._out_of_memory()

    def _out_of_memory(self) -> Iterator[Report]:
        """After a failed allocation: free the gradients, report the losses so far, put back
        the weights of the last finite loss (a half-done update may have touched the live
        ones), and end with the sentence."""
        clear_gradients(self.run.optimizer)
        device = self.run.placement.device
        if device.type == "cuda":
            torch.cuda.empty_cache()
        step = self.step + 1  # the step that was under way
        if self.per_step:
            yield from self._flush()
            # `finite_state` holds the weights that scored the last loss read.
            kept_step = max(self.pending_first - 1, self.first_step)
        else:
            kept_step = self.finite_step
        torch._foreach_copy_(self.live, self.finite_state)
        subject = out_of_memory_subject(str(device))
        raise RunError(out_of_memory_message(subject, step, self.epoch, kept_step))

    def _train(self) -> Iterator[Report]:
        """The run itself: every epoch's steps and evaluation, then RunFinished."""
        run = self.run
        n = len(run.x_train)
        batch = min(self.train.batch_size, n)
        # A last batch of one sample breaks BatchNorm in training mode: leave it out.
        used = n - 1 if run.batch_norm and n % batch == 1 and n > 1 else n
        steps_per_epoch = math.ceil(used / batch)
        yield RunStarted(
            device=device_label(run.placement.device),
            dtype=self.train.dtype,
            task_kind=run.task.kind,
            param_count=sum(p.numel() for p in run.model.parameters()),
            train_samples=n,
            val_samples=len(run.x_val),
            steps_per_epoch=steps_per_epoch,
            epochs=self.train.epochs,
            layer_names=run.layer_names,
            threads=run.threads,
            first_step=run.first_step,
            first_epoch=run.first_epoch,
            modules=tuple(type(module).__name__ for module in run.model),
        )
        if run.first_step:
            # Translators: the mark on the loss plot where a run continues an earlier one.
            yield Marker(run.first_step, _("continued"))
        generator, control = run.generator, self.control
        model, optimizer, loss_fn, scaler = run.model, run.optimizer, run.loss_fn, run.scaler
        standard_step = plain_step(optimizer)
        step_optimizer = direct_step(optimizer, standard_step) or standard_step
        placement = run.placement
        forward = model if placement.autocast_dtype is None else partial(placement.forward, model)
        converts = placement.images or placement.memory_format != torch.contiguous_format
        model_inputs = placement.inputs if converts else None
        x_train, y_train = run.x_train, run.y_train
        keep_finite, live = self.finite_state, self.live
        every = self.train.histogram_every
        interval = run.report_interval
        record_histograms = self.histograms.record
        model.train()
        self.window_start = last_report = time.perf_counter()
        first_epoch = run.first_epoch
        for epoch in range(first_epoch, first_epoch + self.train.epochs):
            self.epoch = epoch
            order = torch.randperm(n, generator=generator).to(placement.device)
            for start in range(0, used, batch):
                if control.needs_attention:  # one attribute read per batch when untouched
                    if control.pace is not None:
                        last_report = yield from self._keep_pace(last_report, interval)
                        if self.finished_early:
                            return
                    if control.paused or control.stopped:
                        # Paused with a granted step runs it without blocking; otherwise
                        # report everything so far, then block until resumed, stepped or
                        # stopped.
                        blocking = control.must_wait or control.stopped
                        if blocking:
                            yield from self._flush()
                            if self.finished_early:
                                return
                            if not control.stopped:
                                yield Paused(self.step)
                        while (go := control.wait_turn()) and control.take_look():
                            yield Paused(self.step)  # the window's views ask to be shown again
                        if not go:
                            yield self._finished("stopped")
                            return
                        if blocking:
                            self.window_start = last_report = time.perf_counter()
                            self.window_samples = 0
                    rate = control.take_learning_rate()
                    if rate is not None:
                        for group in optimizer.param_groups:
                            group["lr"] = rate
                        # Translators: the mark on the loss plot where the rate was changed.
                        yield Marker(self.step, _("learning rate {rate:g}").format(rate=rate))
                    if control.pace is not None:  # the paced step starts now
                        self.last_step_at = time.perf_counter()
                index = order[start : start + batch]
                clear_gradients(optimizer)
                x = x_train[index]
                if model_inputs is not None:
                    x = model_inputs(x)
                loss = loss_fn(forward(x), y_train[index])
                if self.per_step:
                    value = loss.item()  # free on the CPU; lets a NaN stop before the update
                    if not math.isfinite(value):
                        yield from self._flush()
                        # The weights in keep_finite scored the previous step's finite loss.
                        torch._foreach_copy_(live, keep_finite)
                        kept_step = max(self.step - 1, self.first_step)
                        yield self._diverged(value, self.step + 1, kept_step)
                        return
                    self.pending.append(value)
                    # These weights scored a finite loss: keep them (one fused copy into
                    # preallocated buffers) before the update that may ruin them.
                    torch._foreach_copy_(keep_finite, live)
                else:
                    self.pending.append(loss.detach())
                if scaler is None:
                    loss.backward()
                    if self.step % every == 0:
                        record_histograms(self.step)
                    step_optimizer()
                else:
                    scaler.scale(loss).backward()
                    if self.step % every == 0:
                        scaler.unscale_(optimizer)  # histograms show the true gradients
                        record_histograms(self.step)
                    scaler.step(optimizer)
                    scaler.update()
                self.step += 1
                self.window_samples += len(index)
                now = time.perf_counter()
                # The run's first loss is reported at once: it is what a user waits for.
                if now - last_report >= interval or self.first_loss is None:
                    yield from self._flush()
                    if self.finished_early:
                        return
                    last_report = time.perf_counter()
            yield from self._flush()
            if self.finished_early:
                return
            yield self._evaluate()
        yield self._finished("completed")

    def _keep_pace(self, last_report: float, interval: float) -> Generator[Report, None, float]:
        """Paced: wait until the last step started 1 / pace seconds ago, reporting first the
        losses that would otherwise wait past the report interval. Pause, step and stop end
        the wait at once (a granted step runs at once), a new pace applies at once. Returns
        when the last report was."""
        control = self.control
        pace = control.pace
        if pace is not None and not (control.paused or control.stopped):
            due = self.last_step_at + 1 / pace
            if self.pending and due - last_report >= interval and time.perf_counter() < due:
                yield from self._flush()
                if self.finished_early:
                    return last_report
                last_report = time.perf_counter()
            control.wait_paced(self.last_step_at)
        return last_report

    def _flush(self) -> Iterator[Report]:
        """Yield the losses and histograms gathered since the last report."""
        now = time.perf_counter()
        self.active += now - self.window_start
        if self.pending:
            if self.per_step:
                losses = np.array(self.pending, dtype=np.float64)
            else:
                losses = torch.stack(self.pending).double().cpu().numpy()
            first, self.pending_first = self.pending_first, self.pending_first + len(losses)
            self.pending = []
            bad = np.flatnonzero(~np.isfinite(losses))
            if len(bad):
                self.finished_early = True
                kept_step = self._restore_finite_state(first_bad=int(bad[0]))
                yield self._diverged(losses[bad[0]], first + int(bad[0]) + 1, kept_step)
                return
            if not self.per_step:
                # The first loss here was scored by the candidate: it is known finite now.
                # The old finite copy's buffers take the new candidate (no allocation).
                spare = self.finite_state
                self.finite_state, self.finite_step = self.candidate_state, self.candidate_step
                torch._foreach_copy_(spare, self.live)
                self.candidate_state, self.candidate_step = spare, self.step
            self.epoch_losses.append(losses)
            if self.first_loss is None:
                self.first_loss = float(losses[0])
                if self.start_loss is None:
                    self.start_loss = self.first_loss
            elapsed = now - self.window_start
            speed = self.window_samples / elapsed if elapsed > 0 else 0.0
            yield StepsReport(
                first,
                losses,
                self.epoch,
                speed,
                self.active,
                self.run.optimizer.param_groups[0]["lr"],
            )
        if self.histograms.pending:
            yield self.histograms.report()
            # Every layer's outputs, every ACTIVATION_EVERY steps at most (counted in steps, so
            # a run's alarms do not depend on the machine's speed): the reports come at every
            # epoch's end too, and a snapshot at each (1.3 ms for the two-moons MLP, about a
            # step) cost the two-moons example 8% of its speed.
            if self.step >= self.next_activations:
                self.next_activations = self.step + ACTIVATION_EVERY
                yield self.run.activations.record(self.step)
        self.window_start = time.perf_counter()
        self.window_samples = 0

    def _copy_state(self) -> list[torch.Tensor]:
        """A copy of the weights and buffers, in buffers of their own for later copies."""
        return [t.clone() for t in self.live]

    def _restore_finite_state(self, first_bad: int) -> int:
        """Accelerators: put back the last weights known to score a finite loss; their step.

        `first_bad` counts from the report's first loss, the one the candidate scored."""
        if first_bad > 0 or self.candidate_step == self.first_step:
            # The candidate scored a finite loss (or is the starting weights: nothing older).
            state, step = self.candidate_state, self.candidate_step
        else:
            state, step = self.finite_state, self.finite_step
        torch._foreach_copy_(self.live, state)
        return step

    def _evaluate(self) -> EpochReport:
        train_loss = (
            float(np.concatenate(self.epoch_losses).mean()) if self.epoch_losses else math.nan
        )
        self.epoch_losses = []
        report = evaluate(self.run, self.epoch + 1, self.step, train_loss)
        self.last_epoch = report
        self.epoch_reports.append(report)
        self.window_start = time.perf_counter()
        return report

    def _epochs_done(self) -> int:
        """Epochs completed, this run's and those of the runs it continues."""
        return self.last_epoch.epoch if self.last_epoch else self.run.first_epoch

    def _finished(self, reason: str) -> RunFinished:
        epochs_done, warning = self._epochs_done(), ""
        if reason == "completed":
            steps = self.step - self.first_step
            continued = self.first_step > 0
            message = completed_message(
                self.train.epochs, steps, self.active, self.last_epoch, continued
            )
            warning = growth_warning(
                self.start_loss, self.first_loss, self.epoch_reports, self.train
            )
        else:
            last_epoch = self.run.first_epoch + self.train.epochs
            message = stopped_message(self.step, self.epoch, last_epoch)
        return RunFinished(reason, message, self.step, epochs_done, self.active, warning)

    def _diverged(self, value: float, step: int, kept_step: int) -> RunFinished:
        message = divergence_message(value, step, self.epoch, self.train, kept_step)
        return RunFinished("diverged", message, step, self._epochs_done(), self.active)
