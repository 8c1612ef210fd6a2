"""A run's memory budget: what it needs, estimated by arithmetic from shape inference before
anything big is built, against what the device has free, and which errors mean an
allocation failed. The evaluation chunk's size is app.run_plan's."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from app.datasets import Dataset
from app.experiment import TrainConfig
from app.options import OPTIMIZERS
from app.run_plan import chunk_size, element_bytes, layer_elements, widest_pair
from models.shapes import Inference
from models.translation import _
from models.words import in_turn


@dataclass(frozen=True)
class MemoryNeed:
    """What one run needs on its device, in bytes, by part."""

    optimizer_label: str
    state_copies: int  # optimizer state tensors per weight
    weights: int  # the weights, their gradients and the optimizer's state
    activations: int  # one training batch's activations, kept for backward
    data: int  # the training and validation data on the device
    evaluation: int  # one evaluation chunk, and the validation outputs

    @property
    def total(self) -> int:
        return self.weights + self.activations + self.data + self.evaluation

    def refusal(self, free: int, where: str) -> str:
        """The one sentence that refuses a run needing more than `free` bytes."""
        weights = size_text(self.weights)
        if self.state_copies:
            held = _("weights, gradients and {optimizer}'s state {size}").format(
                optimizer=self.optimizer_label, size=weights
            )
        else:
            held = _("weights and gradients {size}").format(size=weights)
        parts = [
            held,
            _("a batch's activations {size}").format(size=size_text(self.activations)),
        ]
        # The data and the evaluation chunk are named only where they weigh something.
        if self.data >= 2**20:
            parts.append(_("the data {size}").format(size=size_text(self.data)))
        if self.evaluation >= 2**20:
            parts.append(_("an evaluation chunk {size}").format(size=size_text(self.evaluation)))
        return _(
            "This run needs about {total} ({parts}), but {where} has {free} free; use fewer "
            "or smaller layers or a smaller batch."
        ).format(
            total=size_text(self.total), parts=in_turn(parts), where=where, free=size_text(free)
        )


def size_text(size: float) -> str:
    """Bytes in plain decimal units, as a user reads them: `24.1 GB`, `512.0 MB`."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size / 1e6:.1f} MB"


def state_copies(train: TrainConfig) -> int:
    """Optimizer state tensors the size of the weights: Adam's two moments, a momentum
    buffer, RMSprop's square average (plus momentum), Adagrad's sum."""
    kind = OPTIMIZERS[train.optimizer]
    return kind.state_copies + (1 if kind.uses_momentum and train.momentum else 0)


def estimate(inference: Inference, dataset: Dataset, train: TrainConfig) -> MemoryNeed:
    """What the run needs, by arithmetic on the inferred shapes (no tensor is made)."""
    size = element_bytes(train)
    copies = state_copies(train)
    weights = inference.total_params * size * (2 + copies)
    batch = min(train.batch_size, len(dataset.x_train))
    elements = layer_elements(inference)
    activations = sum(elements) * batch * size
    images = dataset.normalization is not None
    x_bytes = 1 if images else size  # images stay uint8 on the device
    y_bytes = 8 if dataset.task.is_classification else size
    samples = len(dataset.x_train) + len(dataset.x_val)
    data = samples * (math.prod(dataset.input_shape) * x_bytes + y_bytes)
    widest = widest_pair(elements)
    chunk = min(chunk_size(widest, size), len(dataset.x_val))
    outputs = len(dataset.x_val) * (elements[-1] if elements else 1) * size
    evaluation = chunk * widest * size + outputs
    label = OPTIMIZERS[train.optimizer].label
    return MemoryNeed(label, copies, weights, activations, data, evaluation)


def free_memory(device: str) -> tuple[int, str] | None:
    """The bytes free where the run will live, and how a sentence names that place; None
    where it cannot be known (the check is then skipped, not guessed)."""
    if device.startswith("cuda"):
        try:
            free, _total = torch.cuda.mem_get_info(torch.device(device))
        except (RuntimeError, AssertionError):
            return None
        # Translators: where a run's memory is, as in "but the GPU (cuda:0) has 2.0 GB free".
        return int(free), _("the GPU ({device})").format(device=device)
    if device != "cpu":
        return None
    available = _cpu_available()
    # Translators: where a run's memory is, as in "but this machine has 2.0 GB free".
    return None if available is None else (available, _("this machine"))


def _cpu_available() -> int | None:
    """What this process can still allocate: MemAvailable from /proc/meminfo (else the free
    physical pages), lowered by a container's memory limit and an address-space limit, which
    MemAvailable does not see."""
    known = [
        value
        for value in (_meminfo_available(), _cgroup_left(), _address_space_left())
        if value is not None
    ]
    return min(known) if known else None


def _meminfo_available() -> int | None:
    """MemAvailable (what can be allocated without swapping), else the free physical pages."""
    kilobytes = _field("/proc/meminfo", "MemAvailable:")
    if kilobytes is not None:
        return kilobytes * 1024
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cgroup_left() -> int | None:
    """A cgroup v2 memory limit less what the group uses; None without one."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        return None if limit == "max" else max(int(limit) - int(used), 0)
    except (OSError, ValueError):
        return None


def _address_space_left() -> int | None:
    """RLIMIT_AS less the address space already mapped; None without a limit."""
    try:
        import resource  # Unix only
    except ImportError:
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    mapped = _field("/proc/self/status", "VmSize:")
    if soft == resource.RLIM_INFINITY or mapped is None:
        return None
    return max(soft - mapped * 1024, 0)


def _field(path: str, name: str) -> int | None:
    """The first number after `name` in a /proc file (kB there); None where unreadable."""
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                if line.startswith(name):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def is_out_of_memory(error: BaseException) -> bool:
    """Whether an error is an allocation failure: Python's, CUDA's, or the CPU allocator's
    (a RuntimeError saying it "can't allocate memory")."""
    if isinstance(error, MemoryError | torch.cuda.OutOfMemoryError):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and (
        "out of memory" in text or "can't allocate memory" in text
    )


def out_of_memory_subject(device: str) -> str:
    """What ran out of memory, as a sentence starts: the run (CPU memory) or the GPU."""
    if device.startswith("cuda"):
        # Translators: what ran out of memory, as in "The GPU (cuda:0) ran out of memory ...".
        return _("The GPU ({device})").format(device=device)
    # Translators: what ran out of memory, as in "The run ran out of memory ...".
    return _("The run")
