"""The engine: trains an Experiment and yields reports, fast and reproducibly.

One thread owns every torch call of a run (see DESIGN.md: torch keeps one OpenMP pool per
calling thread). The loop is as tight as a hand-written one: tensors preloaded on the
device, `randperm` batches, `zero_grad(set_to_none=True)`, fused optimizers where torch has
them. Reports carry numpy arrays only. Pause, step and stop arrive through a Control.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from app.datasets import DataConfig, Dataset, load
from app.datasets.vision import DataMissing
from app.experiment import Experiment, TrainConfig, optimizer_options
from app.reports import (
    EpochReport,
    HistogramReport,
    ImagePredictionReport,
    Marker,
    Paused,
    PredictionReport,
    Report,
    RunFinished,
    RunStarted,
    StepsReport,
)
from models.build import make_layer
from models.shapes import infer
from models.words import counted

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}
LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "cross_entropy": F.cross_entropy,
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "huber": F.huber_loss,
}
# Above these learning rates a divergence is most likely the learning rate's fault.
HIGH_LEARNING_RATE = {"sgd": 0.5, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.05, "adagrad": 0.5}
HISTOGRAM_BINS = 40
REPORT_INTERVAL = 0.2  # seconds of wall time between StepsReports
EVAL_CHUNK = 8192  # validation inputs per forward pass
IMAGE_EVAL_CHUNK = 500  # images: a CNN's activations for 8192 of them would take gigabytes
PREDICTION_GRID = 80  # cells per side of the decision-boundary grid
PREDICTION_IMAGES = 32  # validation images in the predictions grid
# Below this many multiply-adds per sample batch, one intra-op thread is faster (bench/).
SINGLE_THREAD_WORK = 1_000_000  # multiply-adds per step below which one thread is faster
SHARED_CORE_WORK = 10_000_000  # below this, a window leaves its GUI a core (see controller)


class RunError(Exception):
    """An experiment this machine cannot run; the message is one sentence for the user."""


class Control:
    """Thread-safe pause / resume / step / stop and learning-rate changes for a running engine.

    Another thread calls the verbs; the engine checks `must_wait` and `stopped` once per batch
    and blocks in `wait_turn` while paused, so a stop or step reaches it at once.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._paused = False
        self._stopped = False
        self._granted_steps = 0
        self._learning_rate: float | None = None

    def pause(self) -> None:
        with self._condition:
            self._paused = True

    def resume(self) -> None:
        with self._condition:
            self._paused = False
            self._condition.notify_all()

    def step(self) -> None:
        """Run exactly one more batch, then stay paused."""
        with self._condition:
            self._paused = True
            self._granted_steps += 1
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

    def set_learning_rate(self, learning_rate: float) -> None:
        with self._condition:
            self._learning_rate = learning_rate

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def must_wait(self) -> bool:
        """True when the next batch would block: paused with no step granted."""
        return self._paused and not self._granted_steps and not self._stopped

    def wait_turn(self) -> bool:
        """Block while paused; take a granted step if any. False means stop."""
        with self._condition:
            while self._paused and not self._granted_steps and not self._stopped:
                self._condition.wait()
            if self._stopped:
                return False
            if self._paused:
                self._granted_steps -= 1
            return True

    def take_learning_rate(self) -> float | None:
        if self._learning_rate is None:
            return None
        with self._condition:
            value, self._learning_rate = self._learning_rate, None
            return value


def available_devices() -> list[tuple[str, str]]:
    """(id, label) of every device torch can use here, the CPU first."""
    devices = [("cpu", f"CPU ({os.cpu_count()} cores)")]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            devices.append((f"cuda:{index}", torch.cuda.get_device_name(index)))
    if torch.backends.mps.is_available():
        devices.append(("mps", "Apple GPU (MPS)"))
    return devices


def device_problem(device: str) -> str | None:
    """One sentence if the device is absent, else None."""
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            return f"The device {device} is not available: this machine has no CUDA GPU. Use cpu."
        index = int(device.split(":")[1]) if ":" in device else 0
        count = torch.cuda.device_count()
        if index >= count:
            gpus = counted(count, "CUDA GPU")
            return f"The device {device} is not available: this machine has {gpus}."
    if device == "mps" and not torch.backends.mps.is_available():
        return "The device mps is not available: it needs an Apple GPU with PyTorch's MPS support."
    return None


def dtype_problem(device: str, dtype: str) -> str | None:
    """One sentence if the device cannot compute in the dtype (known limits), else None."""
    if device == "mps" and dtype == "float64":
        return "Apple GPUs (mps) cannot compute in float64; use float32."
    cuda = device.startswith("cuda") and torch.cuda.is_available()
    if cuda and dtype == "bfloat16" and not torch.cuda.is_bf16_supported():
        return f"This GPU ({device}) cannot compute in bfloat16; use float16 or float32."
    return None


def multiply_adds(inference) -> int:
    """About how many multiply-adds one sample costs: a layer's parameters times the places
    it applies them (every output pixel for a convolution, once for a dense layer). The
    parameter count alone calls a CNN on 28x28 images small; its convolutions are not."""
    total = 0
    for info in inference.layers:
        shape = info.output_shape or ()
        places = math.prod(shape[1:]) if len(shape) == 3 else 1
        total += (info.param_count or 0) * places
    return max(total, 1)


def choose_memory_format(train: TrainConfig, layers, input_shape) -> torch.memory_format:
    """channels_last for float32 convolutions on the CPU: oneDNN's convolutions and torch's
    pooling run vectorised over channels there, 1.2x to 1.5x a whole training step of the
    example CNNs. Measured slower in float64 and the half types (docs/design-notes.md).
    Only the layout in memory changes; values, shapes and state_dict keys do not."""
    convolves = any(layer.kind == "Conv2d" for layer in layers)
    on_cpu_float32 = train.device == "cpu" and train.dtype == "float32"
    if on_cpu_float32 and convolves and len(input_shape) == 3:
        return torch.channels_last
    return torch.contiguous_format


def choose_threads(experiment: Experiment, step_work: int) -> int:
    """Intra-op threads: one for small steps (less overhead), else all."""
    if experiment.train.device != "cpu":
        return 1
    return 1 if step_work < SINGLE_THREAD_WORK else max(1, os.cpu_count() or 1)


def loss_name(experiment: Experiment, dataset: Dataset) -> str:
    name = experiment.train.loss
    if name == "auto":
        return "cross_entropy" if dataset.task.is_classification else "mse"
    if (name == "cross_entropy") != dataset.task.is_classification:
        if name == "cross_entropy":
            raise RunError(
                "Cross-entropy needs class labels, but this dataset is a regression; use mse."
            )
        raise RunError(
            f"The {name} loss needs numeric targets, but this dataset is a classification; "
            "use cross_entropy."
        )
    return name


def _nice_ceiling(value: float) -> float:
    """Round up to 1, 2 or 5 times a power of ten, for readable histogram ranges."""
    if not math.isfinite(value) or value <= 0:
        return 1e-3
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def divergence_message(
    value: float, step: int, epoch: int, train: TrainConfig, kept_step: int
) -> str:
    """Why a run stopped. `step` counts from 1; `kept_step` is the updates the kept weights had."""
    what = "NaN" if math.isnan(value) else "infinite"
    text = f"The loss became {what} at step {step} (epoch {epoch + 1}). "
    rate = f"{train.learning_rate:g}"
    if train.dtype == "float16":
        text += "float16 overflows easily; try bfloat16 or float32, or a smaller learning rate. "
    elif train.learning_rate >= HIGH_LEARNING_RATE[train.optimizer]:
        text += f"The learning rate {rate} is likely too high; try {train.learning_rate / 10:g}. "
    else:
        text += f"The learning rate {rate} may be too high, or the inputs too large. "
    if kept_step == 0:
        return text + "The starting weights are kept."
    return text + f"The weights after step {kept_step} are kept."


class Trainer:
    """One run of an experiment. `prepare()` checks and builds; `run()` trains and reports."""

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
        self.threads = threads
        self.report_interval = report_interval
        self.model: nn.Sequential | None = None

    def prepare(self) -> None:
        """Reject what cannot run with a RunError, then build data, model and optimizer."""
        train = self.experiment.train
        problem = device_problem(train.device) or dtype_problem(train.device, train.dtype)
        if problem:
            raise RunError(problem)
        if train.optimizer == "sgd" and train.nesterov and train.momentum == 0:
            raise RunError("Nesterov momentum needs a momentum above 0.")
        try:
            dataset = self.dataset or load(self.experiment.data, self.data_root)
        except DataMissing as error:
            raise RunError(str(error)) from None
        self.dataset = dataset
        spec = self.experiment.model
        if spec.input_shape != dataset.input_shape:
            raise RunError(
                f"The model expects inputs of shape {spec.input_shape}, but the data has "
                f"{dataset.input_shape}; set the model's input shape to match."
            )
        inference = infer(spec, dataset.task)
        if not inference.ok:
            raise RunError(inference.errors[0].message)
        self.loss_name = loss_name(self.experiment, dataset)
        self.loss_fn = LOSSES[self.loss_name]
        if len(dataset.x_train) == 0:
            raise RunError("There is no training data: lower the validation fraction.")
        self.device = torch.device(train.device)
        # Half precisions train mixed: float32 weights, layers computed in the half type under
        # autocast, and float16 with loss scaling, as PyTorch recommends. Pure half-precision
        # Adam turns NaN within steps (its eps underflows), which teaches nothing.
        half = train.dtype in ("bfloat16", "float16")
        self.dtype = torch.float32 if half else DTYPES[train.dtype]
        self.autocast_dtype = DTYPES[train.dtype] if half else None
        scaled = train.dtype == "float16"
        self.scaler = torch.amp.GradScaler(self.device.type) if scaled else None
        self._scale_inputs = None
        if dataset.normalization is not None:
            # Images stay uint8 on the device (a quarter of float32's memory) and each batch is
            # scaled there: x / 255, minus the mean, over the std, per channel.
            mean, std = (torch.tensor(v, dtype=torch.float64) for v in dataset.normalization)
            scale, shift = 1 / (255 * std), -mean / std
            shape = (1, -1) + (1,) * (len(dataset.input_shape) - 1)
            self._scale_inputs = tuple(
                t.reshape(shape).to(self.device, self.dtype) for t in (scale, shift)
            )
        self.step_work = train.batch_size * multiply_adds(inference)
        if self.threads is None:
            self.threads = choose_threads(self.experiment, self.step_work)
        layers = inference.resolved_spec().layers
        self.memory_format = choose_memory_format(train, layers, dataset.input_shape)
        self._probe(layers, dataset)
        torch.manual_seed(train.seed)
        self.model = self._build(layers)
        self.optimizer = self._make_optimizer()
        self.x_train, self.y_train = self._tensors(dataset.x_train, dataset.y_train)
        self.x_val, self.y_val = self._tensors(dataset.x_val, dataset.y_val)
        self.layer_names, self.layer_params = self._histogram_layers()

    def _probe(self, layers, dataset: Dataset) -> None:
        """Run one tiny forward and backward pass so dtype and device failures come first."""
        try:
            model = self._build(layers)
            x, y = self._tensors(dataset.x_train[:2], dataset.y_train[:2])
            self.loss_fn(self.forward(self.inputs(x), model), y).backward()
        except (RuntimeError, NotImplementedError) as error:
            reason = str(error).strip().splitlines()[0][:200]
            raise RunError(
                f"This model cannot train in {self.experiment.train.dtype} on "
                f"{self.experiment.train.device}: {reason}"
            ) from None

    def _build(self, layers) -> nn.Sequential:
        model = nn.Sequential(*(make_layer(layer) for layer in layers))
        return model.to(self.device, self.dtype, memory_format=self.memory_format)

    def forward(self, x: torch.Tensor, model: nn.Module | None = None) -> torch.Tensor:
        """The model's output in the weights' dtype, computed in the half type when mixed."""
        model = model or self.model
        if self.autocast_dtype is None:
            return model(x)
        with torch.autocast(self.device.type, self.autocast_dtype):
            output = model(x)
        return output.to(self.dtype)

    @property
    def images(self) -> bool:
        """Whether the inputs are stored images, scaled per batch by `inputs`."""
        return self._scale_inputs is not None

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """What the model sees: stored images scaled to normalised floats, in the model's
        memory format; other data as is."""
        if self._scale_inputs is None:
            return x.contiguous(memory_format=self.memory_format) if x.dim() == 4 else x
        scale, shift = self._scale_inputs
        return torch.addcmul(shift, x.to(self.dtype, memory_format=self.memory_format), scale)

    def _tensors(self, x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        stored = torch.uint8 if self.images else self.dtype
        inputs = torch.from_numpy(np.ascontiguousarray(x)).to(self.device, stored)
        targets = torch.from_numpy(y).to(self.device)
        if not self.dataset.task.is_classification:
            targets = targets.to(self.dtype)
        return inputs, targets

    def _make_optimizer(self) -> torch.optim.Optimizer:
        train = self.experiment.train
        options = optimizer_options(train)
        optimizer_class = OPTIMIZERS[train.optimizer]
        params = list(self.model.parameters())
        try:  # Same algorithm, one kernel for all parameters: 1.3x for Adam on CPU (DESIGN.md).
            return optimizer_class(params, fused=True, **options)
        except (RuntimeError, ValueError, TypeError):
            return optimizer_class(params, **options)

    def _histogram_layers(self) -> tuple[tuple[str, ...], list[list[torch.Tensor]]]:
        names, params = [], []
        for index, module in enumerate(self.model):
            tensors = list(module.parameters())
            if tensors:
                names.append(f"{index} {type(module).__name__}")
                params.append(tensors)
        return tuple(names), params

    def predict(
        self,
        bounds: tuple[float, float, float, float] | None,
        steps_done: int,
        resolution: int = PREDICTION_GRID,
    ) -> PredictionReport | ImagePredictionReport | None:
        """The model over the data's range: class probabilities on a grid for two inputs,
        the fitted curve for one-input regression, the guesses for the first validation
        images; None for other data. Call it between reports, from the thread that trains."""
        task = self.dataset.task
        inputs = self.dataset.input_shape
        if self.images:
            return self._predict_images(steps_done)
        if bounds is None:
            return None
        x_min, x_max, y_min, y_max = bounds
        xs = np.linspace(x_min, x_max, resolution)
        if inputs == (2,) and task.is_classification:
            ys = np.linspace(y_min, y_max, resolution)
            grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        elif inputs == (1,) and not task.is_classification:
            ys, grid = None, xs.reshape(-1, 1)
        else:
            return None
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                x = torch.from_numpy(grid).to(self.device, self.dtype)
                out = self.forward(x).float()
                if task.is_classification:
                    values = out.softmax(1).cpu().numpy().reshape(resolution, resolution, -1)
                else:
                    values = out[:, 0].cpu().numpy()
        finally:
            self.model.train(was_training)
        return PredictionReport(steps_done, xs, ys, values)

    def _predict_images(self, steps_done: int) -> ImagePredictionReport | None:
        count = min(PREDICTION_IMAGES, len(self.x_val))
        if count == 0:
            return None
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                predicted = self.forward(self.inputs(self.x_val[:count])).argmax(1)
        finally:
            self.model.train(was_training)
        return ImagePredictionReport(
            steps_done,
            self.dataset.x_val[:count].copy(),
            self.dataset.y_val[:count].copy(),
            predicted.cpu().numpy(),
            self.dataset.class_names,
        )

    def state_dict(self) -> dict[str, torch.Tensor]:
        """A CPU copy of the current weights, in the ordinary (contiguous) layout."""
        return {
            k: v.detach().to("cpu", memory_format=torch.contiguous_format, copy=True)
            for k, v in self.model.state_dict().items()
        }

    def run(self, control: Control | None = None) -> Iterator[Report]:
        """Train, yielding reports; restores torch's global settings when it ends."""
        if self.model is None:
            self.prepare()
        control = control or Control()
        threads = torch.get_num_threads()
        deterministic = torch.are_deterministic_algorithms_enabled()
        try:
            torch.set_num_threads(self.threads)
            if self.experiment.train.deterministic:
                os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
                torch.use_deterministic_algorithms(True)
            yield from _Run(self, control).reports()
        finally:
            torch.set_num_threads(threads)
            torch.use_deterministic_algorithms(deterministic)


class _Run:
    """The state of one pass through `Trainer.run`: counters, pending losses, histograms."""

    def __init__(self, trainer: Trainer, control: Control) -> None:
        self.t = trainer
        self.control = control
        self.train = trainer.experiment.train
        self.on_cpu = trainer.device.type == "cpu"
        self.step = 0
        self.epoch = 0
        self.pending: list = []
        self.pending_first = 0
        self.epoch_losses: list[np.ndarray] = []
        self.hist_steps: list[int] = []
        self.hist_rows: list[torch.Tensor] = []
        self.grad_edges: torch.Tensor | None = None
        self.weight_edges: torch.Tensor | None = None
        self.active = 0.0  # seconds spent training, pauses and reporting excluded
        self.window_start = time.perf_counter()
        self.window_samples = 0
        self.finite_step = 0  # accelerators: steps done when `finite_state` was copied
        self.finite_state = None if self.on_cpu else self._copy_state()
        self.finished_early = False
        self.last_epoch: EpochReport | None = None

    def reports(self) -> Iterator[Report]:
        t = self.t
        n = len(t.x_train)
        batch = min(self.train.batch_size, n)
        has_batch_norm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in t.model)
        # A last batch of one sample breaks BatchNorm in training mode: leave it out.
        used = n - 1 if has_batch_norm and n % batch == 1 and n > 1 else n
        steps_per_epoch = math.ceil(used / batch)
        yield RunStarted(
            device=_device_label(t.device),
            dtype=self.train.dtype,
            task_kind=t.dataset.task.kind,
            param_count=sum(p.numel() for p in t.model.parameters()),
            train_samples=n,
            val_samples=len(t.x_val),
            steps_per_epoch=steps_per_epoch,
            epochs=self.train.epochs,
            layer_names=t.layer_names,
            threads=t.threads,
        )
        generator = torch.Generator().manual_seed(self.train.seed)
        model, optimizer, loss_fn, scaler = t.model, t.optimizer, t.loss_fn, t.scaler
        forward = model if t.autocast_dtype is None else t.forward
        converts = t.images or t.memory_format != torch.contiguous_format
        model_inputs = t.inputs if converts else None
        x_train, y_train = t.x_train, t.y_train
        every = self.train.histogram_every
        model.train()
        self.window_start = last_report = time.perf_counter()
        for epoch in range(self.train.epochs):
            self.epoch = epoch
            order = torch.randperm(n, generator=generator).to(t.device)
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
                if self.on_cpu:
                    value = loss.item()  # free on the CPU; lets a NaN stop before the update
                    if not math.isfinite(value):
                        yield from self._flush()
                        yield self._diverged(value, self.step + 1, self.step)
                        return
                    self.pending.append(value)
                else:
                    self.pending.append(loss.detach())
                if scaler is None:
                    loss.backward()
                    if self.step % every == 0:
                        self._histograms()
                    optimizer.step()
                else:
                    scaler.scale(loss).backward()
                    if self.step % every == 0:
                        scaler.unscale_(optimizer)  # histograms show the true gradients
                        self._histograms()
                    scaler.step(optimizer)
                    scaler.update()
                self.step += 1
                self.window_samples += len(index)
                now = time.perf_counter()
                if now - last_report >= t.report_interval:
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
            if self.on_cpu:
                losses = np.array(self.pending, dtype=np.float64)
            else:
                losses = torch.stack(self.pending).double().cpu().numpy()
            first, self.pending_first = self.pending_first, self.pending_first + len(losses)
            self.pending = []
            bad = np.flatnonzero(~np.isfinite(losses))
            if len(bad):
                self.finished_early = True
                self._restore_finite_state()
                yield self._diverged(losses[bad[0]], first + int(bad[0]) + 1, self.finite_step)
                return
            if not self.on_cpu:
                self.finite_state = self._copy_state()
                self.finite_step = self.step
            self.epoch_losses.append(losses)
            elapsed = now - self.window_start
            speed = self.window_samples / elapsed if elapsed > 0 else 0.0
            yield StepsReport(
                first,
                losses,
                self.epoch,
                speed,
                self.active,
                self.t.optimizer.param_groups[0]["lr"],
            )
        if self.hist_rows:
            yield self._histogram_report()
        self.window_start = time.perf_counter()
        self.window_samples = 0

    def _copy_state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.t.model.state_dict().items()}

    def _restore_finite_state(self) -> None:
        if self.finite_state is not None:
            self.t.model.load_state_dict(self.finite_state)

    def _histograms(self) -> None:
        """Counts of every layer's gradients and weights, on the device, with fixed edges."""
        layers = self.t.layer_params
        if self.grad_edges is None:
            self.grad_edges = self._edges(
                [[p.grad for p in ps if p.grad is not None] for ps in layers], 2.0
            )
            self.weight_edges = self._edges(layers, 3.0)
        rows = []
        deterministic = torch.are_deterministic_algorithms_enabled()
        torch.use_deterministic_algorithms(False)  # histc has no deterministic CUDA kernel
        try:
            with torch.no_grad():
                for edges, tensors_of in (
                    (self.grad_edges, lambda p: p.grad),
                    (self.weight_edges, lambda p: p),
                ):
                    for layer, params in enumerate(layers):
                        low, high = float(edges[layer, 0]), float(edges[layer, -1])
                        tensors = [tensors_of(p) for p in params if tensors_of(p) is not None]
                        counts = sum(
                            torch.histc(t.float().clamp(low, high), HISTOGRAM_BINS, low, high)
                            for t in tensors
                        )
                        norm = torch.linalg.vector_norm(
                            torch.stack([torch.linalg.vector_norm(t.float()) for t in tensors])
                        )
                        rows.append(torch.cat([counts, norm.reshape(1)]))
        finally:
            torch.use_deterministic_algorithms(deterministic)
        self.hist_steps.append(self.step)
        self.hist_rows.append(torch.stack(rows))

    def _edges(self, tensors: list[list[torch.Tensor]], margin: float) -> np.ndarray:
        edges = []
        for layer in tensors:
            largest = max((float(t.detach().abs().max()) for t in layer), default=0.0)
            bound = _nice_ceiling(largest * margin)
            edges.append(np.linspace(-bound, bound, HISTOGRAM_BINS + 1))
        return np.array(edges)

    def _histogram_report(self) -> HistogramReport:
        data = torch.stack(self.hist_rows).double().cpu().numpy()  # (S, 2L, B + 1)
        layers = len(self.t.layer_names)
        steps = np.array(self.hist_steps, dtype=np.int64)
        self.hist_rows, self.hist_steps = [], []
        return HistogramReport(
            steps=steps,
            grad_counts=data[:, :layers, :-1],
            grad_norms=data[:, :layers, -1],
            weight_counts=data[:, layers:, :-1],
            weight_norms=data[:, layers:, -1],
            grad_edges=self.grad_edges,
            weight_edges=self.weight_edges,
        )

    def _evaluate(self) -> EpochReport:
        t = self.t
        train_loss = (
            float(np.concatenate(self.epoch_losses).mean()) if self.epoch_losses else math.nan
        )
        self.epoch_losses = []
        report = EpochReport(self.epoch + 1, self.step, train_loss, None)
        if len(t.x_val):
            t.model.eval()
            with torch.no_grad():
                chunks = t.x_val.split(IMAGE_EVAL_CHUNK if t.images else EVAL_CHUNK)
                outputs = torch.cat([t.forward(t.inputs(chunk)) for chunk in chunks]).float()
            t.model.train()
            targets = t.y_val
            val_loss = float(
                t.loss_fn(outputs, targets if t.dataset.task.is_classification else targets.float())
            )
            if t.dataset.task.is_classification:
                predicted = outputs.argmax(1)
                accuracy = float((predicted == targets).double().mean())
                classes = outputs.shape[1]
                confusion = torch.bincount(targets * classes + predicted, minlength=classes**2)
                report = EpochReport(
                    self.epoch + 1,
                    self.step,
                    train_loss,
                    val_loss,
                    val_accuracy=accuracy,
                    confusion=confusion.reshape(classes, classes).cpu().numpy(),
                )
            else:
                error = outputs.double() - targets.double()
                mse = float(error.pow(2).mean())
                variance = float((targets.double() - targets.double().mean()).pow(2).mean())
                r2 = 1 - mse / variance if variance > 0 else math.nan
                report = EpochReport(
                    self.epoch + 1,
                    self.step,
                    train_loss,
                    val_loss,
                    val_rmse=math.sqrt(mse),
                    val_r2=r2,
                )
        self.last_epoch = report
        self.window_start = time.perf_counter()
        return report

    def _finished(self, reason: str) -> RunFinished:
        epochs_done = self.last_epoch.epoch if self.last_epoch else 0
        if reason == "completed":
            message = (
                f"Finished {counted(self.train.epochs, 'epoch')} "
                f"({self.step} steps) in {self.active:.1f} s"
            )
            if self.last_epoch and self.last_epoch.val_accuracy is not None:
                message += f": validation accuracy {self.last_epoch.val_accuracy:.1%}"
            elif self.last_epoch and self.last_epoch.val_rmse is not None:
                last = self.last_epoch
                message += f": validation RMSE {last.val_rmse:.4g}, R\u00b2 {last.val_r2:.3f}"
            message += "."
        else:
            message = (
                f"Stopped at step {self.step} (epoch {self.epoch + 1} of {self.train.epochs})."
            )
        return RunFinished(reason, message, self.step, epochs_done, self.active)

    def _diverged(self, value: float, step: int, kept_step: int) -> RunFinished:
        message = divergence_message(value, step, self.epoch, self.train, kept_step)
        epochs_done = self.last_epoch.epoch if self.last_epoch else 0
        return RunFinished("diverged", message, step, epochs_done, self.active)


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
    for _ in trainer.run():
        pass
    trainer.predict((-1.0, 1.0, -1.0, 1.0), 2, resolution=4)


def _device_label(device: torch.device) -> str:
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return device.type
