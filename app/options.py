"""The training options a user picks: optimizers, losses and dtypes, one table each.

Built like the layer catalog (models.layers): each entry holds its file name, its torch name,
its label and help for the window, and what it means for the run. The engine maps the torch
names to torch objects, the experiment validates names against the tables, the training panel
builds its lists from them and generated code writes the torch names. Torch-free and Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTO_LOSS = "auto"
"""Loss name meaning: cross-entropy for classification, MSE for regression."""


@dataclass(frozen=True)
class OptimizerKind:
    """A torch.optim optimizer and the settings of the training panel it uses."""

    name: str  # as experiment files write it: "adam"
    torch_class: str  # the torch.optim class: "Adam"
    label: str
    help: str
    uses_momentum: bool = False
    uses_nesterov: bool = False
    # Tensors of state the size of the weights: Adam's two moments, Adagrad's sum, RMSprop's
    # square average; a momentum buffer adds one where momentum is above 0.
    state_copies: int = 0
    # Above this learning rate a divergence is most likely the learning rate's fault.
    high_learning_rate: float = 0.05

    def torch_options(
        self, learning_rate: float, weight_decay: float, momentum: float, nesterov: bool
    ) -> dict[str, object]:
        """The keyword arguments these settings mean (the optimizer's own defaults aside)."""
        options: dict[str, object] = {"lr": learning_rate, "weight_decay": weight_decay}
        if self.uses_momentum:
            options["momentum"] = momentum
        if self.uses_nesterov:
            options["nesterov"] = nesterov
        return options


@dataclass(frozen=True)
class LossKind:
    """A loss function: torch.nn.functional's name, torch.nn's class, and the task it fits
    ("classification", "regression", or None for auto, which picks by the task)."""

    name: str
    torch_function: str  # torch.nn.functional.<name>: "cross_entropy"
    torch_class: str  # torch.nn.<class>: "CrossEntropyLoss"
    label: str
    help: str
    task: str | None


@dataclass(frozen=True)
class DtypeKind:
    """A floating-point type. Mixed types train float32 weights under autocast (pure half
    precision Adam turned NaN within ten steps); scaled ones add a GradScaler."""

    name: str  # also the torch attribute: torch.float32
    label: str
    help: str
    mixed: bool = False
    scaled: bool = False


OPTIMIZERS: dict[str, OptimizerKind] = {
    kind.name: kind
    for kind in (
        OptimizerKind(
            "sgd",
            "SGD",
            "SGD",
            "Stochastic gradient descent, with optional (Nesterov) momentum.",
            uses_momentum=True,
            uses_nesterov=True,
            high_learning_rate=0.5,
        ),
        OptimizerKind(
            "adam",
            "Adam",
            "Adam",
            "Adam: adapts the step for every weight; a good default.",
            state_copies=2,
        ),
        OptimizerKind(
            "adamw",
            "AdamW",
            "AdamW",
            "AdamW: Adam with weight decay applied to the weights directly.",
            state_copies=2,
        ),
        OptimizerKind(
            "rmsprop",
            "RMSprop",
            "RMSprop",
            "RMSprop: divides by a running average of squared gradients.",
            uses_momentum=True,
            state_copies=1,
        ),
        OptimizerKind(
            "adagrad",
            "Adagrad",
            "Adagrad",
            "Adagrad: steps shrink for weights that have moved a lot.",
            high_learning_rate=0.5,
            state_copies=1,
        ),
    )
}

LOSSES: dict[str, LossKind] = {
    kind.name: kind
    for kind in (
        LossKind(
            AUTO_LOSS,
            "",
            "",
            "Auto (from the data)",
            "Cross-entropy for classification, MSE for regression.",
            None,
        ),
        LossKind(
            "cross_entropy",
            "cross_entropy",
            "CrossEntropyLoss",
            "Cross-entropy",
            "For classification: the model outputs one score per class.",
            "classification",
        ),
        LossKind(
            "mse",
            "mse_loss",
            "MSELoss",
            "MSE (squared error)",
            "Mean squared error, for regression.",
            "regression",
        ),
        LossKind(
            "l1",
            "l1_loss",
            "L1Loss",
            "L1 (absolute error)",
            "Mean absolute error, for regression; less swayed by outliers.",
            "regression",
        ),
        LossKind(
            "huber",
            "huber_loss",
            "HuberLoss",
            "Huber",
            "Squared for small errors, absolute for large: regression.",
            "regression",
        ),
    )
}

DTYPES: dict[str, DtypeKind] = {
    kind.name: kind
    for kind in (
        DtypeKind("float32", "float32", "32-bit floats: the usual choice, fast on every device."),
        DtypeKind(
            "float64", "float64", "64-bit floats: the most precise, and much slower on GPUs."
        ),
        DtypeKind(
            "bfloat16",
            "bfloat16 (mixed)",
            "Mixed precision: float32 weights, bfloat16 compute. The range of float32 with "
            "less precision; fast on recent GPUs.",
            mixed=True,
        ),
        DtypeKind(
            "float16",
            "float16 (mixed)",
            "Mixed precision: float32 weights, float16 compute with loss scaling. Fast on "
            "GPUs; its narrow range can overflow.",
            mixed=True,
            scaled=True,
        ),
    )
}


def resolve_loss(name: str, classification: bool) -> LossKind:
    """The loss a name means for a task: auto picks cross-entropy or MSE."""
    if name == AUTO_LOSS:
        return LOSSES["cross_entropy" if classification else "mse"]
    return LOSSES[name]
