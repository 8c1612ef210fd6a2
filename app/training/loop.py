"""The training loop: one pass over a PreparedRun, yielding reports, as tight as a hand-written
loop (preloaded tensors, `randperm` batches, `.item()` only where it is free)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from functools import partial

import numpy as np
import torch

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
from app.training.control import Control
from app.training.devices import device_label
from app.training.evaluation import evaluate
from app.training.histograms import HistogramRecorder
from app.training.memory import is_out_of_memory, out_of_memory_subject
from app.training.messages import (
    completed_message,
    divergence_message,
    out_of_memory_message,
    stopped_message,
)
from app.training.prepared import PreparedRun


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
        self.step = 0
        self.epoch = 0
        self.pending: list = []  # losses since the last report: floats on the CPU, else tensors
        self.pending_first = 0
        self.epoch_losses: list[np.ndarray] = []
        self.histograms = HistogramRecorder(run.layer_names, run.layer_params)
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
        self.finite_step = 0  # the updates the weights in `finite_state` had
        self.candidate_state = None if self.per_step else self._copy_state()
        self.candidate_step = 0
        self.finished_early = False
        self.last_epoch: EpochReport | None = None

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
        self.run.optimizer.zero_grad(set_to_none=True)
        device = self.run.placement.device
        if device.type == "cuda":
            torch.cuda.empty_cache()
        step = self.step + 1  # the step that was under way
        if self.per_step:
            yield from self._flush()
            # `finite_state` holds the weights that scored the last loss read.
            kept_step = max(self.pending_first - 1, 0)
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
        )
        generator = torch.Generator().manual_seed(self.train.seed)
        model, optimizer, loss_fn, scaler = run.model, run.optimizer, run.loss_fn, run.scaler
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
        for epoch in range(self.train.epochs):
            self.epoch = epoch
            order = torch.randperm(n, generator=generator).to(placement.device)
            for start in range(0, used, batch):
                if self.control.paused or self.control.stopped:
                    # Paused with a granted step runs it without blocking; otherwise report
                    # everything so far, then block until resumed, stepped or stopped.
                    blocking = self.control.must_wait or self.control.stopped
                    if blocking:
                        yield from self._flush()
                        if self.finished_early:
                            return
                        if not self.control.stopped:
                            yield Paused(self.step)
                    if not self.control.wait_turn():
                        yield self._finished("stopped")
                        return
                    if blocking:
                        self.window_start = last_report = time.perf_counter()
                        self.window_samples = 0
                rate = self.control.take_learning_rate()
                if rate is not None:
                    for group in optimizer.param_groups:
                        group["lr"] = rate
                    yield Marker(self.step, f"learning rate {rate:g}")
                index = order[start : start + batch]
                optimizer.zero_grad(set_to_none=True)
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
                        yield self._diverged(value, self.step + 1, max(self.step - 1, 0))
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
                    optimizer.step()
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
                if now - last_report >= interval:
                    yield from self._flush()
                    if self.finished_early:
                        return
                    last_report = time.perf_counter()
            yield from self._flush()
            if self.finished_early:
                return
            yield self._evaluate()
        yield self._finished("completed")

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
        self.window_start = time.perf_counter()
        self.window_samples = 0

    def _copy_state(self) -> list[torch.Tensor]:
        """A copy of the weights and buffers, in buffers of their own for later copies."""
        return [t.clone() for t in self.live]

    def _restore_finite_state(self, first_bad: int) -> int:
        """Accelerators: put back the last weights known to score a finite loss; their step.

        `first_bad` counts from the report's first loss, the one the candidate scored."""
        if first_bad > 0 or self.candidate_step == 0:
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
        self.window_start = time.perf_counter()
        return report

    def _finished(self, reason: str) -> RunFinished:
        epochs_done = self.last_epoch.epoch if self.last_epoch else 0
        if reason == "completed":
            message = completed_message(self.train.epochs, self.step, self.active, self.last_epoch)
        else:
            message = stopped_message(self.step, self.epoch, self.train.epochs)
        return RunFinished(reason, message, self.step, epochs_done, self.active)

    def _diverged(self, value: float, step: int, kept_step: int) -> RunFinished:
        message = divergence_message(value, step, self.epoch, self.train, kept_step)
        epochs_done = self.last_epoch.epoch if self.last_epoch else 0
        return RunFinished("diverged", message, step, epochs_done, self.active)
