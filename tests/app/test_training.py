"""The engine: reports, reproducibility, control, divergence and up-front checks."""

import os
import threading
from dataclasses import replace

import numpy as np
import pytest
import torch

from app.datasets import DataConfig
from app.experiment import Experiment, TrainConfig
from app.options import DTYPES
from app.reports import (
    EpochReport,
    HistogramReport,
    Marker,
    Paused,
    RunFinished,
    RunStarted,
    StepsReport,
)
from app.results import DeviceReport
from app.training import (
    Control,
    RunError,
    Trainer,
    available_devices,
    dtype_problem,
    probe_devices,
)
from app.training.histograms import HistogramRecorder
from models.spec import LayerSpec, ModelSpec


def small(**train) -> Experiment:
    settings = {"epochs": 3, "batch_size": 32, **train}
    return Experiment(data=DataConfig(samples=400), train=TrainConfig(**settings))


def run(experiment, control=None, **kwargs):
    trainer = Trainer(experiment, **kwargs)
    reports = list(trainer.run(control))
    return trainer, reports


def of(reports, kind):
    return [r for r in reports if isinstance(r, kind)]


def losses(reports):
    return np.concatenate([r.losses for r in of(reports, StepsReport)])


def test_reports_cover_every_step_and_epoch():
    trainer, reports = run(small(histogram_every=4))
    started = reports[0]
    assert isinstance(started, RunStarted)
    assert started.steps_per_epoch == 10 and started.total_steps == 30  # 320 training points
    steps = of(reports, StepsReport)
    assert [r.first_step for r in steps] == [0] + [r.steps_done for r in steps[:-1]]
    assert len(losses(reports)) == 30 and np.isfinite(losses(reports)).all()
    epochs = of(reports, EpochReport)
    assert [e.epoch for e in epochs] == [1, 2, 3]
    assert all(0 <= e.val_accuracy <= 1 and e.val_loss > 0 for e in epochs)
    finished = reports[-1]
    assert isinstance(finished, RunFinished) and finished.reason == "completed"
    assert finished.steps_done == 30 and finished.epochs_done == 3


def test_histograms_keep_fixed_bins_from_the_first_step():
    _, reports = run(small(histogram_every=4))
    histograms = of(reports, HistogramReport)
    steps = np.concatenate([h.steps for h in histograms])
    assert steps.tolist() == list(range(0, 30, 4))  # none dropped, the first one included
    for h in histograms:
        assert np.array_equal(h.grad_edges, histograms[0].grad_edges)
        assert np.array_equal(h.weight_edges, histograms[0].weight_edges)
        layers, bins = h.grad_edges.shape[0], h.grad_edges.shape[1] - 1
        assert h.grad_counts.shape == (len(h.steps), layers, bins)
    first = histograms[0]
    # Every weight lands in a bin: layer 0 is Linear(2 -> 16): 32 weights + 16 biases.
    assert first.weight_counts[0, 0].sum() == 48
    assert first.grad_counts[0, 0].sum() == 48
    assert (first.grad_norms > 0).all() and (first.weight_norms > 0).all()


def test_histograms_count_outliers_in_the_end_bins_and_nans_in_none():
    layer = torch.nn.Linear(3, 2)
    layer(torch.ones(1, 3)).sum().backward()
    recorder = HistogramRecorder(("0 Linear",), [tuple(layer.parameters())])
    recorder.record(0)  # fixes the bins
    with torch.no_grad():
        layer.weight[0, 0] = 1e6  # far right of the weights' bins
        layer.weight[0, 1] = -1e6
    layer.weight.grad[1, 2] = float("nan")
    recorder.record(1)
    report = recorder.report()
    weights = report.weight_counts[1, 0]
    assert weights.sum() == 8 and weights[0] >= 1 and weights[-1] >= 1
    assert report.grad_counts[1, 0].sum() == 7  # the NaN gradient is in no bin
    assert np.isnan(report.grad_norms[1, 0])
    expected = torch.cat([layer.weight.flatten(), layer.bias]).norm().item()
    assert report.weight_norms[1, 0] == pytest.approx(expected, rel=1e-5)


def test_same_seed_gives_bit_identical_losses_and_weights():
    first, first_reports = run(small(seed=5))
    second, second_reports = run(small(seed=5))
    assert np.array_equal(losses(first_reports), losses(second_reports))
    for key, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[key])
    _, other_reports = run(small(seed=6))
    assert not np.array_equal(losses(first_reports), losses(other_reports))


def test_deterministic_mode_is_restored_after_the_run():
    before = torch.are_deterministic_algorithms_enabled()
    run(small(deterministic=True, epochs=1))
    assert torch.are_deterministic_algorithms_enabled() == before


def test_float64_trains_in_float64():
    trainer, reports = run(small(dtype="float64", epochs=2))
    assert reports[-1].reason == "completed"
    assert all(p.dtype == torch.float64 for p in trainer.model.parameters())


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_precisions_train_mixed_and_learn_as_well_as_float32(dtype):
    base = small(epochs=8, learning_rate=0.02)
    half = base.with_changes(train=replace(base.train, dtype=dtype))
    full_trainer, full = run(base)
    half_trainer, mixed = run(half)
    assert mixed[-1].reason == "completed"
    # the weights stay float32; the layers compute in the half type
    assert all(p.dtype == torch.float32 for p in half_trainer.model.parameters())
    assert (
        half_trainer.placement.forward(half_trainer.model, half_trainer.x_val[:4]).dtype
        == torch.float32
    )
    with torch.autocast("cpu", getattr(torch, dtype)):
        assert half_trainer.model(half_trainer.x_val[:4]).dtype == getattr(torch, dtype)
    accuracy = of(mixed, EpochReport)[-1].val_accuracy
    assert accuracy >= of(full, EpochReport)[-1].val_accuracy - 0.03 and accuracy >= 0.9
    # loss scaling is undone before the histograms: the same bins as the float32 run
    first_full, first_half = of(full, HistogramReport)[0], of(mixed, HistogramReport)[0]
    np.testing.assert_array_equal(first_half.grad_edges, first_full.grad_edges)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_every_optimizer_lowers_the_loss(optimizer):
    rate = {"sgd": 0.1, "adagrad": 0.1, "rmsprop": 0.003}.get(optimizer, 0.01)
    _, reports = run(
        small(
            optimizer=optimizer,
            learning_rate=rate,
            epochs=8,
            momentum=0.0 if optimizer == "rmsprop" else 0.9,
        )
    )
    epochs = of(reports, EpochReport)
    assert epochs[-1].train_loss < epochs[0].train_loss


def test_regression_reports_rmse_and_r2():
    spec = ModelSpec((1,), (LayerSpec.create("Linear", out_features=1),))
    experiment = Experiment(
        spec, DataConfig("line", samples=400, noise=0.1), TrainConfig(learning_rate=0.1, epochs=20)
    )
    _, reports = run(experiment)
    last = of(reports, EpochReport)[-1]
    assert last.val_accuracy is None
    assert last.val_rmse < 0.3 and last.val_r2 > 0.99


def test_huge_learning_rate_stops_with_an_explanation_and_keeps_finite_weights():
    experiment = small(optimizer="sgd", learning_rate=100.0, momentum=0.9, epochs=50)
    experiment = experiment.with_changes(data=DataConfig("line", samples=400))
    experiment = experiment.with_changes(
        model=ModelSpec(
            (1,),
            (
                LayerSpec.create("Linear", out_features=8),
                LayerSpec.create("Linear", out_features=1),
            ),
        )
    )
    trainer, reports = run(experiment)
    finished = reports[-1]
    assert finished.reason == "diverged"
    assert (
        "became" in finished.message and "learning rate 100 is likely too high" in finished.message
    )
    assert f"step {finished.steps_done}" in finished.message
    assert all(torch.isfinite(v).all() for v in trainer.state_dict().values())
    assert np.isfinite(losses(reports)).all()
    assert len(losses(reports)) == finished.steps_done - 1


def test_pause_step_resume_and_stop_from_another_thread():
    control = Control()
    control.pause()
    trainer = Trainer(small(epochs=50))
    seen = []
    stepped = threading.Event()

    def consume():
        for report in trainer.run(control):
            seen.append(report)
            if isinstance(report, Paused) and report.steps_done == 2:
                stepped.set()

    worker = threading.Thread(target=consume)
    worker.start()
    control.step()
    control.step()
    assert stepped.wait(30)
    assert len(losses(seen)) == 2  # exactly the two granted batches
    control.resume()
    control.stop()
    worker.join(30)
    assert not worker.is_alive()
    assert seen[-1].reason == "stopped" and seen[-1].steps_done < 50 * 10


def test_learning_rate_change_takes_effect_and_is_marked():
    control = Control()
    control.set_learning_rate(0.123)
    trainer, reports = run(small(epochs=1), control)
    assert of(reports, Marker)[0].step == 0 and "0.123" in of(reports, Marker)[0].text
    assert trainer.optimizer.param_groups[0]["lr"] == 0.123
    assert of(reports, StepsReport)[-1].learning_rate == 0.123


@pytest.mark.parametrize(
    "experiment, words",
    [
        (small(device="cuda:7"), "The device cuda:7 is not available"),
        (small(loss="mse"), "needs numeric targets"),
        (
            Experiment(
                ModelSpec((1,), (LayerSpec.create("Linear", out_features=1),)),
                DataConfig("line"),
                TrainConfig(loss="cross_entropy"),
            ),
            "Cross-entropy needs class labels",
        ),
        (Experiment(data=DataConfig("blobs", classes=4)), "needs 4 class scores"),
        (Experiment(data=DataConfig("line")), "expects inputs of shape (2,)"),
        (small(optimizer="sgd", nesterov=True, momentum=0.0), "Nesterov"),
    ],
)
def test_unrunnable_experiments_are_rejected_before_the_first_step(experiment, words):
    if words.startswith("The device") and torch.cuda.device_count() > 7:
        pytest.fail("this test expects fewer than 8 GPUs")
    with pytest.raises(RunError) as caught:
        Trainer(experiment).prepare()
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_batch_norm_never_gets_a_batch_of_one():
    spec = ModelSpec(
        (2,),
        (
            LayerSpec.create("Linear", out_features=8),
            LayerSpec.create("BatchNorm1d"),
            LayerSpec.create("ReLU"),
            LayerSpec.create("Linear", out_features=2),
        ),
    )
    experiment = Experiment(
        spec, DataConfig(samples=41, val_fraction=0.0), TrainConfig(batch_size=8, epochs=2)
    )
    _, reports = run(experiment)
    assert reports[-1].reason == "completed"
    assert reports[0].steps_per_epoch == 5


def test_threads_follow_the_work_of_a_step_not_the_parameter_count():
    from app.run_plan import SINGLE_THREAD_WORK, multiply_adds, threads_for
    from models.shapes import infer
    from models.spec import Task

    conv = ModelSpec(
        (1, 28, 28),
        (
            LayerSpec.create("Conv2d", out_channels=8, kernel_size=3, padding=1),
            LayerSpec.create("Flatten"),
            LayerSpec.create("Linear", out_features=10),
        ),
    )
    work = multiply_adds(infer(conv, Task("classification", 10)))
    assert work == 80 * 28 * 28 + (8 * 28 * 28 * 10 + 10)  # weights times output pixels
    train = TrainConfig(batch_size=64)
    assert 64 * work > SINGLE_THREAD_WORK  # 6,300 parameters, but a heavy step
    assert threads_for(train, 64 * work) == max(1, os.cpu_count() or 1)
    assert threads_for(train, SINGLE_THREAD_WORK - 1) == 1


def test_the_device_probe_lists_every_device_and_what_each_cannot_compute():
    report = probe_devices()
    assert isinstance(report, DeviceReport)
    assert report.devices == tuple(available_devices())
    assert report.devices[0][0] == "cpu"
    for device, _ in report.devices:
        for dtype in DTYPES:
            assert report.problem(device, dtype) == dtype_problem(device, dtype)
    assert all(dtype in DTYPES and reason for _, dtype, reason in report.problems)
