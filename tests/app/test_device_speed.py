"""The device probe says which half precisions a device only emulates (they run, slowly)."""

from __future__ import annotations

import torch

from app.options import DTYPES
from app.training.devices import dtype_slowness, probe_devices


def _cpu_has(feature: str) -> bool:
    return bool(getattr(torch.cpu, f"_is_{feature}_supported", lambda: False)())


def test_the_probe_reports_each_slow_dtype_and_never_a_problem_as_slow():
    report = probe_devices()
    for device, _ in report.devices:
        for dtype in DTYPES:
            assert report.slowness(device, dtype) == dtype_slowness(device, dtype)
    for device, dtype, sentence in report.slow:
        assert report.problem(device, dtype) is None  # slow means it runs
        assert sentence.startswith(f"{dtype} on this CPU is emulated")
    assert report.slowness("cpu", "float32") is None
    assert report.slowness("cpu", "float64") is None


def test_float16_on_a_cpu_without_float16_arithmetic_warns_with_the_measured_figure():
    sentence = dtype_slowness("cpu", "float16")
    if _cpu_has("amx_fp16"):
        assert sentence is None
        return
    assert sentence is not None
    assert sentence.startswith("float16 on this CPU is emulated: about 3x slower than float32.")
    assert "Use float32" in sentence


def test_bfloat16_warns_only_on_a_cpu_without_bfloat16_instructions():
    sentence = dtype_slowness("cpu", "bfloat16")
    if _cpu_has("avx512_bf16") or _cpu_has("amx_tile"):
        assert sentence is None
        if not _cpu_has("amx_fp16"):  # float16's warning points at the fast half precision
            assert "or bfloat16" in dtype_slowness("cpu", "float16")
    else:
        assert sentence is not None and "about 2x slower than float32" in sentence


def test_gpus_are_not_judged_by_the_cpus_instructions():
    for dtype in DTYPES:
        assert dtype_slowness("cuda:0", dtype) is None
        assert dtype_slowness("mps", dtype) is None
