"""Trainer: the training of one model on one dataset. `prepare()` checks and builds; `run()`
trains, yielding reports, and each later `run()` trains on from where the last one ended
(`continue_with` changes the training settings between runs); between reports the same
thread may ask for predictions and the weights."""

from __future__ import annotations

import os
from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from app.continuation import continues, keeps_optimizer
from app.control import Control
from app.datasets import DataConfig, Dataset, load
from app.datasets.vision import DataMissing
from app.experiment import Experiment, TrainConfig, optimizer_options
from app.options import DTYPES, OPTIMIZERS
from app.reports import (
    FeatureMapReport,
    ImagePredictionReport,
    PredictionReport,
    Report,
    RunFinished,
    UnitMapReport,
)
from app.run_plan import eval_chunk, multiply_adds, threads_for
from app.training.checks import (
    RunError,
    check_computes,
    check_data,
    check_memory,
    check_settings,
)
from app.training.histograms import HistogramRecorder
from app.training.inspection import PROBE_SAMPLES, ActivationRecorder, feature_maps, unit_maps
from app.training.loop import TrainingLoop
from app.training.memory import is_out_of_memory, out_of_memory_subject
from app.training.no_dynamo import set_deterministic, skip_dynamo_guards
from app.training.placement import Placement
from app.training.prediction import PREDICTION_GRID, predict_grid, predict_images
from app.training.prepared import PreparedRun
from models.translation import _

REPORT_INTERVAL = 0.2  # seconds of wall time between StepsReports


class Trainer:
    """One model's training. `prepare()` checks and builds; `run()` trains and reports; a
    later `run()` goes on from the weights, steps, epochs and data order the last one left."""

    def __init__(
        self,
        experiment: Experiment,
        *,
        dataset: Dataset | None = None,
        data_root: str | None = None,
        threads: int | None = None,
        report_interval: float = REPORT_INTERVAL,
    ) -> None:
        self.experiment = experiment
        self.dataset = dataset
        self.data_root = data_root
        self.threads = threads  # intra-op threads; None: chosen by the work of a step
        self._threads_asked = threads
        self.report_interval = report_interval
        self.model: nn.Sequential | None = None
        # Where the next run starts: the steps and epochs done by the runs before it.
        self.steps_done = 0
        self.epochs_done = 0
        self._ended = False  # whether the last run ended with RunFinished (may go on)
        self._optimizer_spoiled = False  # a diverged run: the state no longer fits the weights
        self._histograms: HistogramRecorder | None = None
        self._activations: ActivationRecorder | None = None
        self._start_loss: float | None = None  # the model's first step's, for the warnings

    def prepare(self) -> None:
        """Reject what cannot run with a RunError, then build data, model and optimizer."""
        train = self.experiment.train
        check_settings(train)
        try:
            dataset = self.dataset or load(self.experiment.data, self.data_root)
        except DataMissing as error:
            raise RunError(str(error)) from None
        except ValueError as error:  # a CSV file that cannot be used: its sentence
            raise RunError(_("Cannot use this data: {error}.").format(error=error)) from None
        self.dataset = dataset
        inference, loss = check_data(self.experiment, dataset)
        # Before anything big is built: arithmetic on the shapes against the memory free.
        check_memory(inference, dataset, train)
        self.eval_chunk = eval_chunk(inference, train)
        self.loss_fn = getattr(F, loss.torch_function)
        layers = inference.resolved_spec().layers
        self.placement = Placement.choose(train, layers, dataset)
        scaled = DTYPES[train.dtype].scaled
        self.scaler = torch.amp.GradScaler(self.placement.device.type) if scaled else None
        self.step_work = train.batch_size * multiply_adds(inference)
        if self.threads is None:
            self.threads = threads_for(train, self.step_work)
        self.steps_done = self.epochs_done = 0
        self._ended = self._optimizer_spoiled = False
        self._histograms = self._activations = self._start_loss = None
        failed = None
        try:
            self._build(layers, dataset)
        except (MemoryError, RuntimeError) as error:
            if not is_out_of_memory(error):
                raise
            failed = out_of_memory_subject(train.device)
        if failed:  # raised here, past the except: its traceback no longer holds the tensors
            self.model = None
            raise RunError(
                _(
                    "{subject} ran out of memory while building the model and its data; "
                    "use fewer or smaller layers or a smaller batch."
                ).format(subject=failed)
            )

    def _build(self, layers: list, dataset: Dataset) -> None:
        """The trial pass, then the model, the optimizer and the data on the device."""
        train = self.experiment.train
        check_computes(self.placement, layers, dataset, self.loss_fn, train)
        torch.manual_seed(train.seed)
        self.model = self.placement.build(layers)
        self.optimizer = _make_optimizer(train, list(self.model.parameters()))
        # The data order of every epoch, drawn from one generator for all the runs of this
        # model: a continued run shuffles exactly as one longer run would have.
        self.generator = torch.Generator().manual_seed(train.seed)
        classification = dataset.task.is_classification
        self.x_train, self.y_train = self.placement.tensors(
            dataset.x_train, dataset.y_train, classification
        )
        self.x_val, self.y_val = self.placement.tensors(
            dataset.x_val, dataset.y_val, classification
        )

    def resume(
        self, state_dict: dict[str, torch.Tensor], steps_done: int = 0, epochs_done: int = 0
    ) -> None:
        """Start the next run from `state_dict` (a trained folder's weights), counting on from
        `steps_done` and `epochs_done`, with the data order a run that long would go on with.
        The optimizer starts afresh: a folder holds no optimizer state. Raises RunError when
        the weights do not fit the model."""
        if self.model is None:
            self.prepare()
        try:
            self.model.load_state_dict(state_dict, strict=True)  # copies: device, dtype, layout
        except RuntimeError:
            raise RunError(
                _(
                    "The saved weights do not fit this model: open the experiment.json saved "
                    "with them."
                )
            ) from None
        for _epoch in range(epochs_done):  # the orders of the epochs already trained
            torch.randperm(len(self.x_train), generator=self.generator)
        self.steps_done, self.epochs_done = steps_done, epochs_done

    def can_continue(self, experiment: Experiment) -> bool:
        """Whether `run()` may train on with `experiment`'s settings: the last run ended
        (completed, stopped or diverged, not failed part way) and the model, data, device,
        dtype and seed are the same (app.continuation.continues)."""
        return self.model is not None and self._ended and continues(self.experiment, experiment)

    def continue_with(self, experiment: Experiment) -> None:
        """Take `experiment`'s training settings for the next `run()`, which goes on from the
        current weights. The optimizer keeps its state when it and its options are the same
        (a new learning rate is set on it); otherwise a new one starts. Settings that cannot
        run raise a RunError with nothing changed."""
        if not self.can_continue(experiment):
            raise ValueError("continue_with needs the same model, data, device, dtype and seed")
        train = experiment.train
        check_settings(train)
        inference, loss = check_data(experiment, self.dataset)
        # No memory check: the model and the data are on the device already, and would be
        # counted twice; a batch too big ends the run with its weights kept (loop.py).
        keep = keeps_optimizer(self.experiment.train, train) and not self._optimizer_spoiled
        self.experiment = experiment
        self.eval_chunk = eval_chunk(inference, train)
        self.loss_fn = getattr(F, loss.torch_function)
        self.step_work = train.batch_size * multiply_adds(inference)
        if self._threads_asked is None:
            self.threads = threads_for(train, self.step_work)
        if keep:
            for group in self.optimizer.param_groups:
                group["lr"] = train.learning_rate
        else:
            self.optimizer = _make_optimizer(train, list(self.model.parameters()))
            self._optimizer_spoiled = False

    def predict(
        self,
        bounds: tuple[float, float, float, float] | None,
        steps_done: int,
        resolution: int = PREDICTION_GRID,
    ) -> PredictionReport | ImagePredictionReport | None:
        """The model over the data's range: class probabilities on a grid for two inputs,
        the fitted curve for one-input regression, the guesses for the first validation
        images; None for other data. Call it between reports, from the thread that trains."""
        if self.placement.images:
            return predict_images(self.model, self.placement, self.dataset, self.x_val, steps_done)
        return predict_grid(
            self.model, self.placement, self.dataset, bounds, steps_done, resolution
        )

    def unit_maps(
        self, bounds: tuple[float, float, float, float] | None, layer: int, steps_done: int
    ) -> UnitMapReport | None:
        """Each unit of layer `layer` over the input plane, for two-input data; None for
        other data or layers. Call it between reports, from the thread that trains."""
        if bounds is None or self.dataset.input_shape != (2,):
            return None
        return unit_maps(self.model, self.placement, bounds, layer, steps_done)

    def feature_maps(self, image_index: int, steps_done: int) -> FeatureMapReport | None:
        """The first Conv2d's kernels and the feature maps of validation image `image_index`,
        for image data; None otherwise. Call it between reports, from the thread that trains."""
        if not self.placement.images:
            return None
        return feature_maps(
            self.model, self.placement, self.dataset, self.x_val, image_index, steps_done
        )

    def state_dict(self) -> dict[str, torch.Tensor]:
        """A CPU copy of the current weights, in the ordinary (contiguous) layout."""
        return {
            k: v.detach().to("cpu", memory_format=torch.contiguous_format, copy=True)
            for k, v in self.model.state_dict().items()
        }

    def run(self, control: Control | None = None) -> Iterator[Report]:
        """Train, yielding reports, from where the last run ended (from the seed the first
        time); restores torch's global settings when it ends."""
        if self.model is None:
            self.prepare()
        if self._optimizer_spoiled:  # a diverged run's moments belong to the ruined weights
            self.optimizer = _make_optimizer(self.experiment.train, list(self.model.parameters()))
            self._optimizer_spoiled = False
        control = control or Control()
        threads = torch.get_num_threads()
        deterministic = torch.are_deterministic_algorithms_enabled()
        self._ended = False  # until this run reports its end
        loop = None
        try:
            torch.set_num_threads(self.threads)
            if self.experiment.train.deterministic:
                os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
                set_deterministic(True)
            loop = TrainingLoop(self.prepared_run(), control)
            for report in loop.reports():
                if isinstance(report, RunFinished):
                    self._run_ended(report)
                yield report
        finally:
            # The loop takes the model's first loss when it has none yet: kept for the
            # warnings of later, continued runs.
            if loop is not None:
                self._start_loss = loop.start_loss
            torch.set_num_threads(threads)
            set_deterministic(deterministic)

    def _run_ended(self, finished: RunFinished) -> None:
        """Where the next run starts. A diverged run's `steps_done` counts the step whose loss
        was not finite, which made no update: the next run's first loss takes its place."""
        diverged = finished.reason == "diverged"
        self.steps_done = finished.steps_done - 1 if diverged else finished.steps_done
        self.epochs_done = finished.epochs_done
        self._optimizer_spoiled = diverged
        self._ended = True

    def prepared_run(self) -> PreparedRun:
        """What the loop needs, read once: the threads may have changed since `prepare`."""
        names, params = _histogram_layers(self.model)
        if self._histograms is None:
            self._histograms = HistogramRecorder(names, params)
        if self._activations is None:
            # One batch (dead units: no positive output on a whole batch), of the first inputs.
            batch = self.experiment.train.batch_size
            probe = min(PROBE_SAMPLES, batch, len(self.x_train))
            self._activations = ActivationRecorder(self.model, self.placement, self.x_train[:probe])
        task = self.dataset.task
        return PreparedRun(
            train=self.experiment.train,
            placement=self.placement,
            model=self.model,
            optimizer=self.optimizer,
            loss_fn=self.loss_fn,
            scaler=self.scaler,
            x_train=self.x_train,
            y_train=self.y_train,
            x_val=self.x_val,
            y_val=self.y_val,
            task=task,
            batch_norm=any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in self.model),
            layer_names=names,
            layer_params=params,
            threads=self.threads,
            eval_chunk=self.eval_chunk,
            report_interval=self.report_interval,
            generator=self.generator,
            histograms=self._histograms,
            activations=self._activations,
            first_step=self.steps_done,
            first_epoch=self.epochs_done,
            start_loss=self._start_loss,
        )


def _make_optimizer(train: TrainConfig, params: list[nn.Parameter]) -> torch.optim.Optimizer:
    """The optimizer of the settings, fused where torch has a fused kernel for it."""
    kind = OPTIMIZERS[train.optimizer]
    optimizer_class = getattr(torch.optim, kind.torch_class)
    options = optimizer_options(train)  # the same arguments generated code writes
    skip_dynamo_guards()
    try:  # Same algorithm, one kernel for all parameters: 1.3x for Adam on the CPU (measured).
        return optimizer_class(params, fused=True, **options)
    except (RuntimeError, ValueError, TypeError):
        return optimizer_class(params, **options)


def _histogram_layers(
    model: nn.Sequential,
) -> tuple[tuple[str, ...], tuple[tuple[torch.Tensor, ...], ...]]:
    """The layers with parameters, named "index Class" as the histograms show them."""
    names, params = [], []
    for index, module in enumerate(model):
        tensors = tuple(module.parameters())
        if tensors:
            names.append(f"{index} {type(module).__name__}")
            params.append(tensors)
    return tuple(names), tuple(params)


def warm_up() -> None:
    """Train a tiny experiment once. The first run in a process loads torch's lazy parts
    (optimizer kernels, autograd, histograms): about 2 s of imports that hold the GIL and
    froze the window for 100 ms at a time. Done in the training thread before the first Train,
    the user's first run starts as smoothly as the later ones."""
    experiment = Experiment(
        data=DataConfig(samples=64),
        train=TrainConfig(batch_size=32, epochs=1, histogram_every=1),
    )
    trainer = Trainer(experiment, threads=1)
    for _report in trainer.run():
        pass
    trainer.predict((-1.0, 1.0, -1.0, 1.0), 2, resolution=4)
    trainer.unit_maps((-1.0, 1.0, -1.0, 1.0), 0, 2)
