"""Fuzz: hostile model.pt files give CheckpointError with one line and never run code."""

from __future__ import annotations

import io
import json
import os
import pickle
import tempfile
import warnings
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.build import build
from models.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from models.spec import LayerSpec, ModelSpec

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

L = LayerSpec.create
SPEC = ModelSpec((3,), (L("Linear", out_features=4), L("ReLU"), L("Linear", out_features=2)))
OTHER_SPEC = ModelSpec((3,), (L("Linear", out_features=5), L("Tanh"), L("Linear", out_features=2)))


# torch's own note on a file claiming an unusual pickle protocol, raised inside torch.load
TORCH_NOTES = pytest.mark.filterwarnings("ignore::UserWarning:torch")


def _saved_bytes(spec: ModelSpec = SPEC) -> bytes:
    torch.manual_seed(0)
    buffer = io.BytesIO()
    torch.save(build(spec).state_dict(), buffer)
    return buffer.getvalue()


GOOD = _saved_bytes()


def _folder(model_pt: bytes) -> tempfile.TemporaryDirectory:
    """A checkpoint folder: SPEC's experiment.json beside the given model.pt bytes."""
    folder = tempfile.TemporaryDirectory()
    torch.manual_seed(0)
    save_checkpoint(folder.name, build(SPEC).state_dict(), {"model": SPEC.to_dict()})
    Path(folder.name, "model.pt").write_bytes(model_pt)
    return folder


def _refused(model_pt: bytes) -> str:
    """The one line load_checkpoint gives for these bytes (it must refuse them)."""
    with _folder(model_pt) as folder:
        try:
            load_checkpoint(folder)
        except CheckpointError as error:
            message = str(error)
            assert message.strip() and "\n" not in message, repr(message)
            return message
    raise AssertionError("load_checkpoint accepted a hostile model.pt")


def _loads_or_refused(model_pt: bytes) -> None:
    with _folder(model_pt) as folder:
        try:
            load_checkpoint(folder)
        except CheckpointError as error:
            assert str(error).strip() and "\n" not in str(error), repr(str(error))


@FUZZ
@given(st.integers(0, len(GOOD) - 1))
def test_a_truncated_model_pt_is_refused(length):
    _refused(GOOD[:length])


@TORCH_NOTES
@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), min_size=1, max_size=8)
)
def test_a_model_pt_with_changed_bytes_loads_or_gives_one_line(changes):
    data = bytearray(GOOD)
    for position, value in changes:
        data[position] = value
    _loads_or_refused(bytes(data))


@TORCH_NOTES
@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_are_refused(data):
    _refused(data)


class _WritesMarker:
    """Unpickled, this would call `function(*args)`: the payload of a hostile file."""

    def __init__(self, function, *args) -> None:
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


def _payloads(marker: Path) -> list[bytes]:
    """Pickles that would create `marker` if anything executed them, in every container."""
    code = f"open({str(marker)!r}, 'w').close()"
    gadgets = [
        _WritesMarker(os.system, f"touch {marker}"),
        _WritesMarker(eval, code),
        _WritesMarker(exec, code),
        _WritesMarker(open, str(marker), "w"),
    ]
    blobs = []
    for gadget in gadgets:
        for obj in (gadget, {"0.weight": gadget}, {"0.weight": torch.zeros(4, 3), "x": gadget}):
            buffer = io.BytesIO()
            torch.save(obj, buffer)  # the zip format torch writes
            blobs.append(buffer.getvalue())
            for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):  # a bare pickle, no zip
                blobs.append(pickle.dumps(obj, protocol=protocol))
            buffer = io.BytesIO()
            torch.save(obj, buffer, _use_new_zipfile_serialization=False)  # the legacy format
            blobs.append(buffer.getvalue())
    return blobs


@TORCH_NOTES
def test_pickle_payloads_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    payloads = _payloads(marker)
    for blob in payloads:
        _refused(blob)
        assert not marker.exists(), "loading a checkpoint ran code from the file"
    assert len(payloads) == 60


def _tensor_file(state: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def _odd_kinds() -> dict[str, torch.Tensor]:
    weight = torch.randn(4, 3)
    with warnings.catch_warnings():  # torch's notes on beta and deprecated kinds: made on purpose
        warnings.simplefilter("ignore")
        return {
            "coo": weight.to_sparse(),
            "csr": weight.to_sparse_csr(),
            "csc": weight.to_sparse_csc(),
            "bsr": weight.to_sparse_bsr((2, 1)),
            "quantized": torch.quantize_per_tensor(weight, 0.1, 0, torch.qint8),
            "quantized per channel": torch.quantize_per_channel(
                weight, torch.ones(4) * 0.1, torch.zeros(4, dtype=torch.long), 0, torch.quint8
            ),
            "complex": weight.to(torch.complex64),
            "meta": torch.empty(4, 3, device="meta"),
        }


@TORCH_NOTES
def test_sparse_quantized_and_other_odd_tensors_are_refused():
    state = build(SPEC).state_dict()
    for name, odd in _odd_kinds().items():
        message = _refused(_tensor_file({**state, "0.weight": odd}))
        assert "0.weight" in message, (name, message)


def test_another_architectures_state_dict_is_refused():
    message = _refused(_saved_bytes(OTHER_SPEC))
    assert "another architecture" in message


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(("0.weight", "0.bias", "2.weight", "2.bias", "1.weight", "")),
        st.lists(st.integers(0, 6), max_size=3).map(lambda shape: torch.zeros(shape)),
        max_size=5,
    )
)
def test_state_dicts_of_wrong_names_and_shapes_are_refused(state):
    expected = build(SPEC).state_dict()
    if set(state) == set(expected) and all(state[k].shape == v.shape for k, v in expected.items()):
        return  # by chance SPEC's own architecture: that one loads
    _refused(_tensor_file(state))


def test_non_dict_contents_are_refused():
    for obj in ([torch.zeros(2)], torch.zeros(2), 3, "text", None, {1: torch.zeros(2)}, {"a": 1}):
        _refused(_tensor_file(obj))
    _refused(json.dumps({"0.weight": [[0.0] * 3] * 4}).encode())
