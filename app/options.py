"""The training options a user picks: optimizers, losses and dtypes, one table each.

Built like the layer catalog (models.layers): each entry holds its file name, its torch name,
its label and help for the window, and what it means for the run. The engine maps the torch
names to torch objects, the experiment validates names against the tables, the training panel
builds its lists from them and generated code writes the torch names. Torch-free and Qt-free.

The labels and help are English, marked N_() for the catalog: whoever shows one translates it
(`_(kind.help)`, or the window's `tr()`), so a language chosen later reaches them too. Labels
that are PyTorch's own names ("Adam", "float32") are not marked: they read the same in every
language.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.translation import N_

AUTO_LOSS = "auto"
"""Loss name meaning: cross-entropy for classification, MSE for regression."""


@dataclass(frozen=True)
class OptimizerKind:
    """A torch.optim optimizer and the settings of the training panel it uses."""

    name: str  # as experiment files write it: "adam"
    torch_class: str  # the torch.optim class: "Adam"
    label: str  # N_() marked, or a PyTorch name: shown as _(label)
    help: str  # N_() marked: shown as _(help)
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
    label: str  # N_() marked: shown as _(label)
    help: str  # N_() marked: shown as _(help)
    task: str | None


@dataclass(frozen=True)
class DtypeKind:
    """A floating-point type. Mixed types train float32 weights under autocast (pure half
    precision Adam turned NaN within ten steps); scaled ones add a GradScaler."""

    name: str  # also the torch attribute: torch.float32
    label: str  # N_() marked, or a PyTorch name: shown as _(label)
    help: str  # N_() marked: shown as _(help)
    mixed: bool = False
    scaled: bool = False


OPTIMIZERS: dict[str, OptimizerKind] = {
    kind.name: kind
    for kind in (
        OptimizerKind(
            "sgd",
            "SGD",
            "SGD",
            N_("Stochastic gradient descent, with optional (Nesterov) momentum."),
            uses_momentum=True,
            uses_nesterov=True,
            high_learning_rate=0.5,
        ),
        OptimizerKind(
            "adam",
            "Adam",
            "Adam",
            N_("Adam: adapts the step for every weight; a good default."),
            state_copies=2,
        ),
        OptimizerKind(
            "adamw",
            "AdamW",
            "AdamW",
            N_("AdamW: Adam with weight decay applied to the weights directly."),
            state_copies=2,
        ),
        OptimizerKind(
            "rmsprop",
            "RMSprop",
            "RMSprop",
            N_("RMSprop: divides by a running average of squared gradients."),
            uses_momentum=True,
            state_copies=1,
        ),
        OptimizerKind(
            "adagrad",
            "Adagrad",
            "Adagrad",
            N_("Adagrad: steps shrink for weights that have moved a lot."),
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
            N_("Auto (from the data)"),
            N_("Cross-entropy for classification, MSE for regression."),
            None,
        ),
        LossKind(
            "cross_entropy",
            "cross_entropy",
            "CrossEntropyLoss",
            N_("Cross-entropy"),
            N_("For classification: the model outputs one score per class."),
            "classification",
        ),
        LossKind(
            "mse",
            "mse_loss",
            "MSELoss",
            N_("MSE (squared error)"),
            N_("Mean squared error, for regression."),
            "regression",
        ),
        LossKind(
            "l1",
            "l1_loss",
            "L1Loss",
            N_("L1 (absolute error)"),
            N_("Mean absolute error, for regression; less swayed by outliers."),
            "regression",
        ),
        LossKind(
            "huber",
            "huber_loss",
            "HuberLoss",
            "Huber",
            N_("Squared for small errors, absolute for large: regression."),
            "regression",
        ),
    )
}

DTYPES: dict[str, DtypeKind] = {
    kind.name: kind
    for kind in (
        DtypeKind(
            "float32", "float32", N_("32-bit floats: the usual choice, fast on every device.")
        ),
        DtypeKind(
            "float64", "float64", N_("64-bit floats: the most precise, and much slower on GPUs.")
        ),
        DtypeKind(
            "bfloat16",
            N_("bfloat16 (mixed)"),
            N_(
                "Mixed precision: float32 weights, bfloat16 compute. The range of float32 with "
                "less precision; fast on recent GPUs."
            ),
            mixed=True,
        ),
        DtypeKind(
            "float16",
            N_("float16 (mixed)"),
            N_(
                "Mixed precision: float32 weights, float16 compute with loss scaling. Fast on "
                "GPUs; its narrow range can overflow."
            ),
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
