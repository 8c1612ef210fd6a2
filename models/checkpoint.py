"""Save and load trained networks: model.pt (a state_dict) beside experiment.json.

The files are written as one set (models.files.write_set_atomic): a crash or a full disk
leaves the previous run whole, never new weights beside an old experiment.json.
Loading never runs code from the file (torch.load with weights_only=True) and turns every
failure into a CheckpointError with one line that says what is wrong.
"""

from __future__ import annotations

import io
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from models.build import ModelError, build, state_dict_shapes
from models.files import (
    EXPERIMENT_FILE,
    MODEL_FILE,
    ONNX_FILE,
    SOURCE_FILE,
    TORCHSCRIPT_FILE,
    finish_interrupted_save,
    write_set_atomic,
)
from models.spec import ModelSpec, SpecError, read_json
from models.translation import _
from models.words import in_turn

CHECKPOINT_FILES = (MODEL_FILE, EXPERIMENT_FILE, SOURCE_FILE)


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded; the message is one line for the user."""


@dataclass(frozen=True, eq=False)
class Checkpoint:
    model: nn.Sequential  # built in float32, the weights loaded into it
    spec: ModelSpec
    experiment: dict
    state_dict: dict[str, torch.Tensor]  # as model.pt holds it (a float64 run's stays so)


def save_checkpoint(
    directory: str | Path,
    state_dict: dict[str, torch.Tensor],
    experiment: dict,
    source: str | None = None,
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """Write model.pt, experiment.json, model.py (when given) and `extra_files` (the command
    line's metrics.csv) into `directory` as one set; files of an older set go."""
    directory = Path(directory)
    if "model" not in experiment:
        raise ValueError("experiment must hold the model spec under 'model'")
    extra_files = extra_files or {}
    if set(extra_files) & set(CHECKPOINT_FILES):
        raise ValueError(f"extra files cannot be named {', '.join(CHECKPOINT_FILES)}")
    weights = {key: value.detach().to("cpu", copy=True) for key, value in state_dict.items()}
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    # Encode everything before writing anything: an experiment that cannot be written as
    # JSON must not leave new weights beside the old experiment.json.
    experiment_bytes = (json.dumps(experiment, indent=2) + "\n").encode()
    source_bytes = source.encode() if source is not None else None
    files = {MODEL_FILE: buffer.getvalue(), EXPERIMENT_FILE: experiment_bytes}
    if source_bytes is not None:
        files[SOURCE_FILE] = source_bytes
    # Files made from older weights go with them: a model.onnx beside new weights would lie.
    owned = (*CHECKPOINT_FILES, TORCHSCRIPT_FILE, ONNX_FILE)
    write_set_atomic(directory, {**files, **extra_files}, owned=owned)
    return directory


def _read_spec(path: Path) -> tuple[ModelSpec, dict]:
    try:
        experiment = read_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        message = _("{name} is missing beside {model} in {folder}")
        raise CheckpointError(
            message.format(name=path.name, model=MODEL_FILE, folder=path.parent)
        ) from None
    except OSError as error:  # a folder or an unreadable file in its place
        raise CheckpointError(_cannot_read(path, error)) from None
    except UnicodeDecodeError as error:
        message = _("{name} is not valid JSON ({error})")
        raise CheckpointError(message.format(name=path.name, error=error)) from None
    except SpecError as error:  # not JSON, or JSON Python cannot read (too deep, too long)
        # Translators: {error} is "not valid JSON: ..." (a text of its own).
        message = _("{name} is {error}")
        raise CheckpointError(message.format(name=path.name, error=error)) from None
    if not isinstance(experiment, dict) or "model" not in experiment:
        raise CheckpointError(_("{name} has no 'model' section").format(name=path.name))
    try:
        return ModelSpec.from_dict(experiment["model"]), experiment
    except SpecError as error:
        raise CheckpointError(_in_file(path.name, error)) from None


def _in_file(name: str, error: Exception) -> str:
    """`experiment.json: layer 2 (Linear): ...`: a file's name before what is wrong in it."""
    # Translators: {name} is a file's name; {error} what is wrong in it.
    return _("{name}: {error}").format(name=name, error=error)


def _cannot_read(path: Path, error: OSError) -> str:
    # Translators: {reason} is the system's own words ("Permission denied").
    return _("{name} cannot be read ({reason})").format(name=path.name, reason=error.strerror)


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(_("{path} does not exist").format(path=path)) from None
    except OSError as error:  # a folder or an unreadable file in its place
        raise CheckpointError(_cannot_read(path, error)) from None
    except pickle.UnpicklingError as error:
        # Every unpickling failure under weights_only says "Weights only load failed"; only
        # a class or function reference that is not allowed says "Unsupported global".
        if "Unsupported global" in str(error):
            message = _(
                "{name} holds pickled Python objects, not a state_dict; LayerLab loads "
                "only plain tensors (save model.state_dict(), not the model)"
            )
            raise CheckpointError(message.format(name=path.name)) from None
        raise CheckpointError(_corrupt(path)) from None
    except Exception:
        # Arbitrary bytes make torch.load raise almost anything (KeyError, IndexError,
        # UnicodeDecodeError, struct.error, ...); weights_only=True never ran code from them.
        raise CheckpointError(_corrupt(path)) from None
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in loaded.items()
    ):
        # Translators: {type} is a Python type's name (list, Tensor).
        message = _("{name} holds a {type}, not a state_dict (names -> tensors)")
        raise CheckpointError(message.format(name=path.name, type=type(loaded).__name__))
    for key, tensor in loaded.items():
        kind = _unusual_kind(tensor)
        if kind:
            # Translators: {key} is a state_dict key (0.weight); {kind}: "a complex tensor".
            message = _("{name}: {key} is {kind}; LayerLab loads only dense, real tensors")
            raise CheckpointError(message.format(name=path.name, key=key, kind=kind))
    return loaded


def _corrupt(path: Path) -> str:
    return _("{name} is corrupt or not a PyTorch file").format(name=path.name)


def _unusual_kind(tensor: torch.Tensor) -> str:
    """What makes `tensor` unfit to copy into a model's weights, or ''."""
    # load_state_dict raises a many-line RuntimeError for these (or, for complex numbers,
    # silently drops the imaginary part), so they are refused here with one sentence.
    if tensor.layout != torch.strided:
        layout = str(tensor.layout).removeprefix("torch.")
        return _("a sparse tensor ({layout})").format(layout=layout)
    if tensor.is_quantized:
        return _("a quantized tensor")
    if tensor.is_complex():
        return _("a complex tensor")
    if tensor.is_meta:
        return _("a tensor without data (meta device)")
    return ""


def architecture_mismatch(
    expected: dict[str, tuple[int, ...]], found: dict[str, torch.Tensor]
) -> str:
    """One line describing how a state_dict differs from the expected keys and shapes, or ''."""
    problems = []
    missing = [key for key in expected if key not in found]
    unexpected = [key for key in found if key not in expected]
    if missing:
        keys = ", ".join(missing[:4]) + (" ..." if len(missing) > 4 else "")
        # Translators: {keys} are state_dict keys the file lacks: "0.weight, 0.bias".
        problems.append(_("missing {keys}").format(keys=keys))
    if unexpected:
        keys = ", ".join(unexpected[:4]) + (" ..." if len(unexpected) > 4 else "")
        # Translators: {keys} are state_dict keys the model has no place for.
        problems.append(_("unexpected {keys}").format(keys=keys))
    for key, shape in expected.items():
        if key in found and tuple(found[key].shape) != tuple(shape):
            # Translators: the shape of a tensor with no dimensions.
            file_shape = "x".join(map(str, found[key].shape)) or _("scalar")
            model_shape = "x".join(map(str, shape)) or _("scalar")
            message = _("{key} is {file_shape} in the file but {model_shape} in the model")
            problems.append(message.format(key=key, file_shape=file_shape, model_shape=model_shape))
            break
    return in_turn(problems)


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Load `path` (a checkpoint folder or its model.pt) and rebuild the model strictly."""
    path = Path(path)
    model_path = path / MODEL_FILE if path.is_dir() else path
    try:  # a save killed half way through its renames: the journal finishes it first
        finish_interrupted_save(model_path.parent)
    except OSError as error:
        message = _(
            "{folder} holds a save that was interrupted and cannot be finished here "
            "({reason}); save the run again"
        )
        raise CheckpointError(
            message.format(folder=model_path.parent, reason=error.strerror or error)
        ) from None
    spec, experiment = _read_spec(model_path.parent / EXPERIMENT_FILE)
    state_dict = _read_state_dict(model_path)
    try:
        expected = state_dict_shapes(spec)
    except ModelError as error:
        raise CheckpointError(_in_file(EXPERIMENT_FILE, error)) from None
    # Compare before building: experiment.json may ask for terabytes that model.pt, already
    # read, does not hold. Once the shapes agree, the model is no bigger than the file.
    mismatch = architecture_mismatch(expected, state_dict)
    if mismatch:
        message = _("{name} is for another architecture than {experiment}: {mismatch}")
        raise CheckpointError(
            message.format(name=model_path.name, experiment=EXPERIMENT_FILE, mismatch=mismatch)
        )
    model = build(spec)
    try:
        model.load_state_dict(state_dict, strict=True)
    except (RuntimeError, TypeError, NotImplementedError):
        # tensors of some other odd kind: torch's message runs over many lines
        message = _("{name} holds tensors that cannot be copied into the model")
        raise CheckpointError(message.format(name=model_path.name)) from None
    return Checkpoint(model.eval(), spec, experiment, state_dict)
