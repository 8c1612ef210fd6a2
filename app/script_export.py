"""Export Training Script: a standalone train.py that replays the run LayerLab trains.

The script imports only torch, numpy and (for image data) torchvision. It builds the model
from the same seed, reads the same data (the generated points, saved beside it as data.npz,
or the torchvision dataset with the same seeded subset), trains with the same optimizer,
batches and data order as the engine (app.training.loop), and writes model.pt and
metrics.csv into the folder it is run from. On the CPU its metrics.csv is LayerLab's byte
for byte: it trains on the threads, and evaluates in the chunks, that app.run_plan gives.
Under `torchrun --nproc_per_node=N` the same file trains with DistributedDataParallel.

Torch-free: the window shows the script in its code view as the experiment is edited.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.datasets import (
    DataConfig,
    data_input_shape,
    data_problem,
    is_vision,
    load,
    shape_mismatch,
    vision,
)
from app.datasets.tables import is_table
from app.experiment import Experiment, optimizer_options
from app.options import DTYPES, OPTIMIZERS, resolve_loss
from app.reports import METRIC_COLUMNS
from app.run_plan import channels_last, eval_chunk, multiply_adds, threads_for
from models.codegen import docstring_text, layer_rows
from models.files import EXPERIMENT_FILE, write_set_atomic
from models.shapes import Inference, infer
from models.spec import Task
from models.translation import _

SCRIPT_FILE = "train.py"
DATA_FILE = "data.npz"
SCRIPT_FILES = (SCRIPT_FILE, DATA_FILE, EXPERIMENT_FILE)


@dataclass(frozen=True)
class TrainingScript:
    """The text of train.py, and the line (0-based) of each layer of the model in it."""

    text: str
    layer_lines: tuple[int, ...]


def training_script(experiment: Experiment, task: Task) -> TrainingScript:
    """train.py for this experiment; raises ValueError, with the sentence the engine would
    say, for a model that does not fit the data or has a shape error."""
    spec = experiment.model
    problem = data_problem(experiment.data)
    if problem:
        raise ValueError(_("Cannot use this data: {problem}.").format(problem=problem))
    mismatch = shape_mismatch(spec.input_shape, data_input_shape(experiment.data))
    if mismatch:
        raise ValueError(mismatch)
    inference = infer(spec, task)
    if not inference.ok:
        raise ValueError(inference.errors[0].message)
    head = _head(experiment, inference)
    start = head.count("\n") + 1  # the first layer's line: `return nn.Sequential(` ends head
    rows = layer_rows(inference)
    text = "\n".join([head, *rows, _TAIL_OF_MODEL, _optimizer(experiment, task), _data(experiment)])
    text += _LOOP
    lines = tuple(range(start, start + len(rows)))
    return TrainingScript(text, lines)


def export_script(experiment: Experiment, task: Task, folder: str | Path) -> tuple[str, ...]:
    """Write train.py, experiment.json and (for generated points) data.npz into `folder` as
    one set, and name them; raises ValueError for a model with a shape error, OSError when
    the folder cannot be written."""
    script = training_script(experiment, task)
    files = {
        SCRIPT_FILE: script.text.encode("utf-8"),
        EXPERIMENT_FILE: experiment.to_json().encode("utf-8"),
    }
    if not is_vision(experiment.data):
        files[DATA_FILE] = _points_file(experiment.data)
    write_set_atomic(folder, files, owned=SCRIPT_FILES)
    return tuple(files)


def _points_file(config: DataConfig) -> bytes:
    """The points or table rows as LayerLab trains on them (generated, or a shipped table
    shuffled, split and standardised): float32 inputs, int64 classes or float32 targets."""
    dataset = load(config)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=dataset.x_train,
        y_train=dataset.y_train,
        x_val=dataset.x_val,
        y_val=dataset.y_val,
    )
    return buffer.getvalue()


def _head(experiment: Experiment, inference: Inference) -> str:
    """The docstring, the imports, the settings and the start of build_model()."""
    train = experiment.train
    kind = DTYPES[train.dtype]
    layers = inference.resolved_spec().layers
    step_work = train.batch_size * multiply_adds(inference)
    threads = threads_for(train, step_work)
    thread_note = (
        "one, as LayerLab trains steps this small (faster, and the same numbers)"
        if threads == 1
        else "all cores, as LayerLab trains heavy steps"
    )
    layout = channels_last(train, layers, experiment.model.input_shape)
    title = experiment.title
    settings = [
        f'DEVICE = "{train.device}"  # cpu, cuda, cuda:N or mps',
        f"DTYPE = torch.{'float32' if kind.mixed else kind.name}  # of the weights",
        f"AUTOCAST = {'torch.' + kind.name if kind.mixed else None}"
        "  # the half type layers compute in (mixed precision), or None",
        f"SCALE_LOSS = {kind.scaled}  # float16 scales the loss against underflow",
        f"SEED = {train.seed}",
        f"EPOCHS = {train.epochs}",
        f"BATCH_SIZE = {train.batch_size}",
        f"THREADS = {'os.cpu_count() or 1' if threads != 1 else 1}  # {thread_note}",
        f"CHANNELS_LAST = {layout}  # True: LayerLab's layout for float32 convolutions on CPUs",
        f"EVAL_CHUNK = {eval_chunk(inference, train)}  # validation samples per forward pass, "
        "at most",
        f"DETERMINISTIC = {train.deterministic}",
    ]
    docstring = docstring_text(title)
    return "\n".join(
        [
            f'"""{docstring}',
            "",
            "Written by LayerLab: it trains the model again on the same data, with the same",
            "optimizer, batches, data order and seed, and writes model.pt (the state_dict) and",
            "metrics.csv into the folder it is run from. Run alone on the CPU, both match",
            "LayerLab's run bit for bit.",
            "",
            "    python train.py",
            "    torchrun --nproc_per_node=4 train.py   # DistributedDataParallel, 4 processes",
            "",
            "Under torchrun every process trains on its share of each epoch (gloo on the CPU,",
            "nccl on CUDA) and process 0 evaluates and writes the files. BATCH_SIZE is per",
            "process: 4 processes train on 4 x BATCH_SIZE samples a step.",
            '"""',
            "",
            "import csv",
            "import math",
            "import os",
            "from pathlib import Path",
            "",
            "import numpy as np",
            "import torch",
            "import torch.distributed as dist",
            "import torch.nn.functional as F",
            "from torch import nn",
            "from torch.nn.parallel import DistributedDataParallel",
            "",
            "HERE = Path(__file__).resolve().parent",
            *settings,
            "",
            "",
            "def build_model() -> nn.Sequential:",
            "    return nn.Sequential(",
        ]
    )


_TAIL_OF_MODEL = "    )\n\n"


def _optimizer(experiment: Experiment, task: Task) -> str:
    train = experiment.train
    name = OPTIMIZERS[train.optimizer].torch_class
    args = "".join(f", {key}={value!r}" for key, value in optimizer_options(train).items())
    loss = resolve_loss(train.loss, task.is_classification)
    batch_norm = any(layer.kind.startswith("BatchNorm") for layer in experiment.model.layers)
    return "\n".join(
        [
            "def make_optimizer(parameters) -> torch.optim.Optimizer:",
            "    try:  # one fused kernel for all parameters where torch has one, as LayerLab",
            f"        return torch.optim.{name}(parameters{args}, fused=True)",
            "    except (RuntimeError, ValueError, TypeError):",
            f"        return torch.optim.{name}(parameters{args})",
            "",
            "",
            f"loss_fn = F.{loss.torch_function}",
            f"CLASSIFICATION = {task.is_classification}",
            f"BATCH_NORM = {batch_norm}  # a last batch of one sample, which breaks batch norm, "
            "is left out",
            "",
            "",
        ]
    )


def _data(experiment: Experiment) -> str:
    config = experiment.data
    if not is_vision(config):
        what = (
            "rows of the table LayerLab read" if is_table(config) else "points LayerLab generated"
        )
        return "\n".join(
            [
                "def load_data():",
                f'    """The {what}: training and validation inputs and targets, as LayerLab',
                '    trains on them."""',
                f'    with np.load(HERE / "{DATA_FILE}") as data:',
                '        return data["x_train"], data["y_train"], data["x_val"], data["y_val"]',
                "",
                "",
                "IMAGE_SCALING = None  # the inputs are used as they are",
                "",
                "",
                "",
            ]
        )
    dataset = vision.VISION_DATASETS[config.name]
    channels = dataset.input_shape[0]
    return "\n".join(
        [
            'DATA_ROOT = Path(os.environ.get("DATA_ROOT", "data"))  # downloaded there once',
            f"SUBSET = {config.subset}  # training images used (0: all), chosen by the seed",
            f"DATA_SEED = {config.seed}",
            "",
            "",
            "def _images(split) -> tuple[np.ndarray, np.ndarray]:",
            '    """A torchvision split as uint8 (N, C, H, W) images and int64 labels."""',
            "    images = np.asarray(split.data, dtype=np.uint8)",
            *(
                ["    images = images[:, None]  # grey (N, H, W): one channel"]
                if channels == 1
                else ["    images = images.transpose(0, 3, 1, 2)  # colour comes as (N, H, W, C)"]
            ),
            "    return np.ascontiguousarray(images), np.asarray(split.targets, dtype=np.int64)",
            "",
            "",
            "def load_data():",
            f'    """{dataset.title}: the official training set, and the test set to validate."""',
            "    from torchvision import datasets",
            "",
            f"    source = datasets.{dataset.torchvision_class}",
            "    x_train, y_train = _images(source(DATA_ROOT, train=True, download=True))",
            "    x_val, y_val = _images(source(DATA_ROOT, train=False, download=True))",
            "    if SUBSET:  # LayerLab's subset: the same images, and the same share of the test",
            "        rng = np.random.default_rng(DATA_SEED)",
            "        n_train = min(SUBSET, len(x_train))",
            "        n_val = min(len(x_val), max(1, round(len(x_val) * n_train / len(x_train))))",
            "        train_rows = np.sort(rng.choice(len(x_train), n_train, replace=False))",
            "        val_rows = np.sort(rng.choice(len(x_val), n_val, replace=False))",
            "        x_train, y_train = x_train[train_rows], y_train[train_rows]",
            "        x_val, y_val = x_val[val_rows], y_val[val_rows]",
            "    return x_train, y_train, x_val, y_val",
            "",
            "",
            "# Pixels are scaled on the device per batch: x / 255, minus the mean, over the std.",
            f"IMAGE_SCALING = ({dataset.mean!r}, {dataset.std!r})  # mean and std per channel",
            "",
            "",
            "",
        ]
    )


_LOOP = '''\
def main() -> None:
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    device = torch.device(DEVICE)
    rank, world = 0, 1
    if distributed:  # started by torchrun: one process per device or CPU share
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
    if not distributed:  # torchrun shares the cores out itself (OMP_NUM_THREADS)
        torch.set_num_threads(THREADS)
    if DETERMINISTIC:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
    layout = torch.channels_last if CHANNELS_LAST else torch.contiguous_format

    x_train, y_train, x_val, y_val = load_data()

    def tensors(x, y):
        x = torch.from_numpy(np.ascontiguousarray(x))
        x = x.to(device, torch.uint8 if IMAGE_SCALING else DTYPE)
        y = torch.from_numpy(y).to(device)
        return x, (y if CLASSIFICATION else y.to(DTYPE))

    x_train, y_train = tensors(x_train, y_train)
    x_val, y_val = tensors(x_val, y_val)
    if IMAGE_SCALING:
        mean, std = (torch.tensor(v, dtype=torch.float64) for v in IMAGE_SCALING)
        shape = (1, -1) + (1,) * (x_train.dim() - 2)
        scale = (1 / (255 * std)).reshape(shape).to(device, DTYPE)
        shift = (-mean / std).reshape(shape).to(device, DTYPE)

    def inputs(x):
        """What the model sees: images scaled to normalised floats, other data as it is."""
        if IMAGE_SCALING:
            return torch.addcmul(shift, x.to(DTYPE, memory_format=layout), scale)
        return x.contiguous(memory_format=layout) if x.dim() == 4 else x

    def forward(model, x):
        if AUTOCAST is None:
            return model(x)
        with torch.autocast(device.type, AUTOCAST):
            output = model(x)
        return output.to(DTYPE)

    torch.manual_seed(SEED)
    model = build_model().to(device, DTYPE, memory_format=layout)
    optimizer = make_optimizer(list(model.parameters()))
    scaler = torch.amp.GradScaler(device.type) if SCALE_LOSS else None
    trained = DistributedDataParallel(model) if distributed else model
    # Every epoch's order from one generator, seeded once: the same on every process.
    generator = torch.Generator().manual_seed(SEED)
    n = len(x_train)
    share = n - n % world if distributed else n  # every process takes as many samples
    per_process = share // world
    batch = min(BATCH_SIZE, per_process)
    used = per_process
    if BATCH_NORM and per_process % batch == 1 and per_process > 1:
        used -= 1
    rows, step = [], 0
    model.train()
    for epoch in range(1, EPOCHS + 1):
        order = torch.randperm(n, generator=generator).to(device)
        if distributed:
            order = order[:share][rank::world]
        losses = []
        for start in range(0, used, batch):
            index = order[start : start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(forward(trained, inputs(x_train[index])), y_train[index])
            value = loss.item()
            if not math.isfinite(value):
                raise SystemExit(
                    f"The loss became {value} at step {step + 1}: the run diverged. "
                    "Lower the learning rate and train again."
                )
            losses.append(value)
            if scaler is None:
                loss.backward()
                optimizer.step()
            else:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            step += 1
        train_loss = float(np.mean(np.array(losses, dtype=np.float64)))
        if distributed:  # the mean over every process's batches
            total = torch.tensor([train_loss], dtype=torch.float64, device=device)
            dist.all_reduce(total)
            train_loss = float(total) / world
        if rank == 0:
            row = evaluate(model, x_val, y_val, inputs, forward)
            rows.append({"epoch": epoch, "steps": step, "train_loss": train_loss, **row})
            print(_line(rows[-1]), flush=True)
    if rank == 0:
        state = {
            key: value.detach().to("cpu", memory_format=torch.contiguous_format, copy=True)
            for key, value in model.state_dict().items()
        }
        _write(Path("model.pt"), lambda path: torch.save(state, path))
        _write(Path("metrics.csv"), lambda path: _write_metrics(path, rows))
        print("Wrote model.pt and metrics.csv", flush=True)
    if distributed:  # together: a process that leaves while others write aborts the group
        dist.barrier()
        dist.destroy_process_group()


def evaluate(model, x_val, y_val, inputs, forward) -> dict:
    """The validation pass at an epoch's end, as LayerLab computes it."""
    none = {"val_loss": None, "val_accuracy": None, "val_rmse": None, "val_r2": None}
    if not len(x_val):
        return none
    model.eval()
    with torch.no_grad():
        chunks = x_val.split(EVAL_CHUNK)
        outputs = torch.cat([forward(model, inputs(chunk)) for chunk in chunks]).float()
    model.train()
    targets = y_val if CLASSIFICATION else y_val.float()
    row = dict(none, val_loss=float(loss_fn(outputs, targets)))
    if CLASSIFICATION:
        row["val_accuracy"] = float((outputs.argmax(1) == targets).double().mean())
        return row
    targets = targets.double()
    mse = float((outputs.double() - targets).pow(2).mean())
    variance = float((targets - targets.mean()).pow(2).mean())
    row["val_rmse"] = math.sqrt(mse)
    row["val_r2"] = 1 - mse / variance if variance > 0 else math.nan
    return row


METRIC_COLUMNS = $columns


def _write_metrics(path: Path, rows: list) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\\n")
        writer.writerow(METRIC_COLUMNS)
        for row in rows:
            values = (row[column] for column in METRIC_COLUMNS)
            writer.writerow(
                "" if v is None else f"{v:.6g}" if isinstance(v, float) else v for v in values
            )


def _write(path: Path, write) -> None:
    """The whole file or none: written beside it, then renamed over it."""
    partial = path.with_name(path.name + ".partial")
    write(partial)
    os.replace(partial, path)


def _line(row: dict) -> str:
    line = f"epoch {row['epoch']}/{EPOCHS}  train loss {row['train_loss']:.4f}"
    if row["val_loss"] is not None:
        line += f"  val loss {row['val_loss']:.4f}"
    if row["val_accuracy"] is not None:
        line += f"  val accuracy {row['val_accuracy']:.1%}"
    if row["val_rmse"] is not None:
        line += f"  val RMSE {row['val_rmse']:.4g}"
    return line


if __name__ == "__main__":
    main()
'''.replace("$columns", json.dumps(list(METRIC_COLUMNS)))
