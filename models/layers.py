"""The layer catalog: every layer a user can add, its parameters and what they mean.

Torch-free on purpose: the window builds its palette and forms from this table before
torch has finished importing. `models.build` maps each kind to its `torch.nn` class.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTO = "auto"
"""Parameter value meaning: infer it from the layer before."""

MAX_FEATURES = 1_000_000
MAX_CHANNELS = 4096
MAX_KERNEL = 64


@dataclass(frozen=True)
class Param:
    """One constructor argument of a layer, with what the form needs to edit it."""

    name: str
    type: str  # "int", "float", "bool" or "choice"
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    allows_auto: bool = False
    key: bool = False  # shown in the one-line summary of the layer


@dataclass(frozen=True)
class LayerKind:
    """A layer type of the catalog: its `torch.nn` class and its parameters."""

    name: str
    category: str
    help: str
    params: tuple[Param, ...] = ()

    @property
    def torch_class(self) -> str:
        return f"torch.nn.{self.name}"

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)


def _in_size(name: str, what: str) -> Param:
    return Param(
        name,
        "int",
        AUTO,
        f"Number of {what} coming in; 'auto' takes it from the layer before.",
        minimum=1,
        maximum=MAX_FEATURES,
        allows_auto=True,
        key=True,
    )


def _kernel(default: int = 3) -> Param:
    return Param(
        "kernel_size",
        "int",
        default,
        "Height and width of the square window that slides over the image.",
        minimum=1,
        maximum=MAX_KERNEL,
        key=True,
    )


def _padding(maximum: int, help: str) -> Param:
    return Param("padding", "int", 0, help, minimum=0, maximum=maximum)


def _pool(name: str, what: str) -> LayerKind:
    return LayerKind(
        name,
        "Pooling",
        f"Shrinks each channel by taking the {what} of every window; adds no parameters.",
        (
            _kernel(2),
            Param(
                "stride",
                "int",
                AUTO,
                "Step between windows; 'auto' uses the kernel size (no overlap).",
                minimum=1,
                maximum=MAX_KERNEL,
                allows_auto=True,
            ),
            _padding(MAX_KERNEL // 2, "Zeros added around the image; at most half the kernel."),
        ),
    )


def _batch_norm(name: str, shape: str) -> LayerKind:
    return LayerKind(
        name,
        "Normalization",
        f"Normalises each channel of a {shape} input over the batch, then scales and shifts it; "
        "often lets you train faster with a higher learning rate.",
        (
            _in_size("num_features", "channels (features)"),
            Param(
                "eps",
                "float",
                1e-5,
                "Small number added to the variance so it never divides by zero.",
                minimum=1e-12,
                maximum=1.0,
            ),
            Param(
                "momentum",
                "float",
                0.1,
                "How fast the running mean and variance follow the batches.",
                minimum=0.0,
                maximum=1.0,
            ),
            Param("affine", "bool", True, "Learn a scale and a shift per channel."),
        ),
    )


def _activation(name: str, help: str, params: tuple[Param, ...] = ()) -> LayerKind:
    return LayerKind(name, "Activation", help, params)


_BIAS = Param("bias", "bool", True, "Learn an offset added to every output.")

CATALOG: dict[str, LayerKind] = {
    kind.name: kind
    for kind in (
        LayerKind(
            "Linear",
            "Dense",
            "Fully connected layer: every output is a weighted sum of every input plus a bias.",
            (
                _in_size("in_features", "input features"),
                Param(
                    "out_features",
                    "int",
                    64,
                    "Number of outputs (neurons).",
                    minimum=1,
                    maximum=MAX_FEATURES,
                    key=True,
                ),
                _BIAS,
            ),
        ),
        LayerKind(
            "Conv2d",
            "Convolution",
            "Slides small learned filters over an image; each filter makes one output channel.",
            (
                _in_size("in_channels", "input channels"),
                Param(
                    "out_channels",
                    "int",
                    16,
                    "Number of filters, so of output channels.",
                    minimum=1,
                    maximum=MAX_CHANNELS,
                    key=True,
                ),
                _kernel(3),
                Param(
                    "stride",
                    "int",
                    1,
                    "Step between filter positions; 2 halves the height and width.",
                    minimum=1,
                    maximum=MAX_KERNEL,
                ),
                _padding(MAX_KERNEL, "Zeros added around the image; kernel // 2 keeps the size."),
                _BIAS,
            ),
        ),
        _activation("ReLU", "Keeps positive values and sets negative ones to zero: max(0, x)."),
        _activation(
            "LeakyReLU",
            "Like ReLU, but negative values keep a small slope, so no neuron goes silent.",
            (
                Param(
                    "negative_slope",
                    "float",
                    0.01,
                    "Slope for negative inputs.",
                    minimum=0.0,
                    maximum=1.0,
                    key=True,
                ),
            ),
        ),
        _activation("Sigmoid", "Squashes every value into (0, 1): 1 / (1 + exp(-x))."),
        _activation("Tanh", "Squashes every value into (-1, 1)."),
        _activation(
            "GELU",
            "Smooth ReLU used in transformers: x times the chance that a normal sample is below x.",
            (
                Param(
                    "approximate",
                    "choice",
                    "none",
                    "'tanh' uses a faster approximation.",
                    choices=("none", "tanh"),
                ),
            ),
        ),
        _pool("MaxPool2d", "largest value"),
        _pool("AvgPool2d", "average"),
        LayerKind(
            "Flatten",
            "Reshape",
            "Turns each image (channels x height x width) into one flat row of features, "
            "as a Linear layer needs.",
        ),
        LayerKind(
            "Dropout",
            "Regularization",
            "While training, zeroes random values with probability p (and scales the rest); "
            "fights overfitting. Does nothing when evaluating.",
            (
                Param(
                    "p",
                    "float",
                    0.5,
                    "Probability of zeroing each value.",
                    minimum=0.0,
                    maximum=1.0,
                    key=True,
                ),
            ),
        ),
        _batch_norm("BatchNorm1d", "flat (features)"),
        _batch_norm("BatchNorm2d", "image (channels x height x width)"),
    )
}

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(kind.category for kind in CATALOG.values()))
