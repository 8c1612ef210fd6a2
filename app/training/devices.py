"""The devices torch can use here and what each cannot compute, in sentences for the user."""

from __future__ import annotations

import os

import torch

from app.options import DTYPES
from app.results import DeviceReport
from models.translation import N_, _, ngettext


def available_devices() -> list[tuple[str, str]]:
    """(id, label) of every device torch can use here, the CPU first."""
    # Translators: the CPU as the device list names it, with its count of cores.
    devices = [("cpu", _("CPU ({count} cores)").format(count=os.cpu_count()))]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            devices.append((f"cuda:{index}", torch.cuda.get_device_name(index)))
    if torch.backends.mps.is_available():
        devices.append(("mps", _("Apple GPU (MPS)")))
    return devices


def device_problem(device: str) -> str | None:
    """One sentence if the device is absent, else None."""
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            return _(
                "The device {device} is not available: this machine has no CUDA GPU. Use cpu."
            ).format(device=device)
        index = int(device.split(":")[1]) if ":" in device else 0
        count = torch.cuda.device_count()
        if index >= count:
            gpus = ngettext("{count:,} CUDA GPU", "{count:,} CUDA GPUs", count).format(count=count)
            return _("The device {device} is not available: this machine has {gpus}.").format(
                device=device, gpus=gpus
            )
    if device == "mps" and not torch.backends.mps.is_available():
        return _(
            "The device mps is not available: it needs an Apple GPU with PyTorch's MPS support."
        )
    return None


def dtype_problem(device: str, dtype: str) -> str | None:
    """One sentence if the device cannot compute in the dtype (known limits), else None."""
    if device == "mps" and dtype == "float64":
        return _("Apple GPUs (mps) cannot compute in float64; use float32.")
    cuda = device.startswith("cuda") and torch.cuda.is_available()
    if cuda and dtype == "bfloat16" and not torch.cuda.is_bf16_supported():
        return _("This GPU ({device}) cannot compute in bfloat16; use float16 or float32.").format(
            device=device
        )
    return None


# 200 steps of the two-moons MLP (2-64-64-2, batch 64, Adam, one thread) as LayerLab trains
# them, on this AVX2 CPU without bfloat16 or float16 instructions, median of 5 rounds in two
# runs: float32 0.19-0.22 s, bfloat16 (autocast) 0.44-0.48 s (2.2-2.3x), float16 (autocast and
# loss scaling) 0.53-0.63 s (2.7-2.9x). Not measured on CPUs with AVX512-BF16 or AMX.
_SLOW_FLOAT16 = N_("float16 on this CPU is emulated: about 3x slower than float32. Use float32.")
_SLOW_FLOAT16_NATIVE_BFLOAT16 = N_(
    "float16 on this CPU is emulated: about 3x slower than float32. Use float32, or "
    "bfloat16, which this CPU computes natively."
)
_SLOW_BFLOAT16 = N_(
    "bfloat16 on this CPU is emulated (it has no AVX512-BF16 or AMX): about 2x slower than "
    "float32. Use float32."
)


def _cpu_has(feature: str) -> bool | None:
    """Whether the CPU has an instruction set, as torch reads it; None where this torch
    cannot say (the checks are torch.cpu's private helpers)."""
    check = getattr(torch.cpu, f"_is_{feature}_supported", None)
    if check is None:
        return None
    try:
        return bool(check())
    except Exception:  # a helper that fails says nothing either way
        return None


def dtype_slowness(device: str, dtype: str) -> str | None:
    """One sentence if the device emulates the dtype (it runs, but slower than float32)."""
    if device != "cpu":
        return None
    checks = (_cpu_has("avx512_bf16"), _cpu_has("amx_tile"))
    # True or False when torch can tell, None when it cannot (then bfloat16 is not judged)
    native_bfloat16 = True if True in checks else (False if None not in checks else None)
    if dtype == "float16" and not _cpu_has("amx_fp16"):
        return _(_SLOW_FLOAT16_NATIVE_BFLOAT16 if native_bfloat16 else _SLOW_FLOAT16)
    if dtype == "bfloat16" and native_bfloat16 is False:
        return _(_SLOW_BFLOAT16)
    return None


def probe_devices() -> DeviceReport:
    """Every device and its dtype limits, for the window's device list. Run it in the training
    thread: the first CUDA call is slow, and torch's calls belong to that one thread. A torch
    that fails here still leaves the CPU to choose, with the reason in its label."""
    try:
        devices = tuple(available_devices())
        problems = tuple(
            (device, dtype, reason)
            for device, _label in devices
            for dtype in DTYPES
            if (reason := dtype_problem(device, dtype))
        )
        slow = tuple(
            (device, dtype, reason)
            for device, _label in devices
            for dtype in DTYPES
            if (reason := dtype_slowness(device, dtype))
        )
    except Exception as error:  # a broken torch or driver install: the CPU entry still works
        return DeviceReport.cpu_only(error)
    return DeviceReport(devices, problems, slow)


def device_label(device: torch.device) -> str:
    """The device as a run reports it: "cpu", or "cuda:0 (NVIDIA H100)"."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return device.type
