"""A trained folder's model in the formats other programs run: TorchScript (torch.jit, in
PyTorch) and ONNX (the `onnx` extra: onnx, onnxscript and onnxruntime).

Each export is checked before it is kept: the written file is loaded back (torch.jit.load;
an onnxruntime session) and its outputs on a batch of inputs compared with the model's. The
file is then moved into the folder whole, so a failed or refused export leaves nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from models.checkpoint import load_checkpoint
from models.files import ONNX_FILE, TORCHSCRIPT_FILE, user_mode
from models.translation import _

FORMATS = ("torchscript", "onnx")
FILE_NAMES = {"torchscript": TORCHSCRIPT_FILE, "onnx": ONNX_FILE}
STAGING_PREFIX = ".export-"  # the hidden folder an export is written in before its rename
CHECK_BATCH = 5  # inputs the check compares on: more than one, and not the batch traced with
# float32 kernels of other programs differ from torch's in the last bits, not more.
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


class FormatError(ValueError):
    """An export that could not be made or did not check out; the message is one sentence."""


@dataclass(frozen=True)
class FormatExport:
    """What was written, and how far its outputs were from the model's on the check batch."""

    path: Path
    largest_difference: float


def export_format(folder: str | Path, kind: str) -> FormatExport:
    """`folder`'s model (model.pt + experiment.json) as `kind`, checked, beside them."""
    if kind not in FORMATS:
        first, second = FORMATS
        message = _("unknown format {kind}; use {first} or {second}")
        raise FormatError(message.format(kind=repr(kind), first=first, second=second))
    folder = Path(folder)
    checkpoint = load_checkpoint(folder)  # CheckpointError: one sentence of its own
    model = checkpoint.model.eval()
    shape = checkpoint.spec.input_shape
    generator = torch.Generator().manual_seed(0)
    trace_input = torch.randn(2, *shape, generator=generator)
    check_input = torch.randn(CHECK_BATCH, *shape, generator=generator)
    with torch.no_grad():
        expected = model(check_input)
    write, run = (_torchscript, _run_torchscript) if kind == "torchscript" else (_onnx, _run_onnx)
    target = folder / FILE_NAMES[kind]
    with _staging(folder) as staging:
        partial = staging / target.name  # its final name: ONNX writes it into the file
        write(model, trace_input, partial)
        got = run(partial, check_input)
        difference = float((got - expected).abs().max()) if got.shape == expected.shape else None
        if difference is None or not torch.allclose(got, expected, **TOLERANCE):
            if difference is None:
                message = _(
                    "the {kind} file gave outputs of another shape from the model's when loaded "
                    "back; nothing was kept"
                ).format(kind=kind)
            else:
                message = _(
                    "the {kind} file gave outputs off by up to {difference:.3g} from the model's "
                    "when loaded back; nothing was kept"
                ).format(kind=kind, difference=difference)
            raise FormatError(message)
        os.chmod(partial, user_mode())
        os.replace(partial, target)
    return FormatExport(target, difference)


@contextlib.contextmanager
def _staging(folder: Path):
    """A hidden folder inside `folder` (a rename from there is atomic) to write into; it
    goes, with whatever was not renamed out of it."""
    for stale in folder.glob(f"{STAGING_PREFIX}*"):  # of an export killed part way
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=STAGING_PREFIX))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _quiet_jit():
    """torch 2.14 marks torch.jit deprecated (FutureWarning on every call); TorchScript is
    still what libtorch (C++) loads, so the export stays, without the noise."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.jit")
        yield


def _torchscript(model: nn.Module, example: torch.Tensor, path: Path) -> None:
    del example  # scripted, not traced: nothing is fixed to one batch size
    with _quiet_jit():
        torch.jit.save(torch.jit.script(model), str(path))


def _run_torchscript(path: Path, inputs: torch.Tensor) -> torch.Tensor:
    with _quiet_jit():
        loaded = torch.jit.load(str(path), map_location="cpu")
    with torch.no_grad():
        return loaded(inputs)


def _onnx(model: nn.Module, example: torch.Tensor, path: Path) -> None:
    _require("onnxscript", "onnx")
    batch = torch.export.Dim("batch")
    # The exporter reports its passes on stdout and warns about its own internals: the
    # export's result is checked below instead.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                model,
                (example,),
                str(path),
                input_names=["input"],
                output_names=["output"],
                dynamic_shapes=({0: batch},),
                dynamo=True,
                external_data=False,  # one file, the weights inside
            )
        except Exception as error:  # the exporter raises many kinds; each means "not this"
            # Translators: {error} is the Python exception's name (TypeError).
            message = _("PyTorch could not export the model to ONNX ({error})")
            raise FormatError(message.format(error=type(error).__name__)) from None


def _run_onnx(path: Path, inputs: torch.Tensor) -> torch.Tensor:
    runtime = _require("onnxruntime", "onnx")
    session = runtime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    (outputs,) = session.run(None, {name: inputs.numpy()})
    return torch.from_numpy(outputs)


def _require(module: str, extra: str) -> object:
    """The module, or a FormatError that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        message = _("ONNX export needs the {module} package: pip install 'layerlab[{extra}]'")
        raise FormatError(message.format(module=module, extra=extra)) from None
