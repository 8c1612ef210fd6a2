"""Views inside the network, from real runs: the gradient alarms (vanishing in 10 Sigmoid
layers, quiet on the shipped example, dead ReLUs), the CLI's `alarm:` lines, and that the
activations, unit maps and feature maps equal a plain forward pass of the same weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from app.cli import main
from app.datasets import DataConfig
from app.experiment import Experiment, TrainConfig
from app.gradient_health import DEAD, VANISHING, GradientHealth
from app.reports import ActivationReport, FeatureMapReport, Paused, RunStarted, StepsReport
from app.training import Control, Trainer
from app.training.inspection import (
    ACTIVATION_EVERY,
    FEATURE_CHANNELS,
    PROBE_SAMPLES,
    UNIT_MAPS,
)
from models.spec import LayerSpec, ModelSpec
from tests.vision_files import write_mnist_family

ROOT = Path(__file__).resolve().parents[2]
TWO_MOONS = ROOT / "resources" / "examples" / "two_moons.json"


def deep(activation: str, layers: int = 10, width: int = 16) -> ModelSpec:
    """`layers` Linear + `activation` pairs, then the output layer."""
    specs = []
    for _ in range(layers):
        specs += [LayerSpec.create("Linear", out_features=width), LayerSpec.create(activation)]
    return ModelSpec((2,), (*specs, LayerSpec.create("Linear", out_features=2)))


def moons(model: ModelSpec, epochs: int = 6) -> Experiment:
    return Experiment(
        model=model,
        data=DataConfig(name="two_moons", samples=600),
        train=TrainConfig(epochs=epochs, batch_size=64, learning_rate=0.01, histogram_every=10),
    )


def alarms_of(trainer: Trainer, control: Control | None = None) -> tuple[GradientHealth, list]:
    health, reports = GradientHealth(), []
    for report in trainer.run(control):
        reports.append(report)
        if isinstance(report, RunStarted):
            health.start(report)
        health.add(report)
    return health, reports


def test_ten_sigmoid_layers_raise_vanishing_gradients_and_ten_relu_layers_do_not():
    sigmoid, _ = alarms_of(Trainer(moons(deep("Sigmoid"))))
    vanished = [a for a in sigmoid.alarms if a.kind == VANISHING]
    # the first layers, furthest from the output, are the ones that stop learning
    assert vanished and vanished[0].layer == 0 and vanished[0].layer_class == "Linear"
    assert "Sigmoid" in vanished[0].sentence and "Try ReLU" in vanished[0].sentence
    assert len({(a.layer, a.kind) for a in sigmoid.alarms}) == len(sigmoid.alarms)  # once each
    relu, _ = alarms_of(Trainer(moons(deep("ReLU"))))
    assert [a for a in relu.alarms if a.kind == VANISHING] == []


def test_the_two_moons_example_trains_without_an_alarm():
    experiment = Experiment.from_dict(json.loads(TWO_MOONS.read_text()))
    health, reports = alarms_of(Trainer(experiment))
    assert health.alarms == []
    assert reports[-1].reason == "completed"
    activations = [r for r in reports if isinstance(r, ActivationReport)]
    steps = reports[-1].steps_done
    # the check looked every ACTIVATION_EVERY steps at most, and at least once an epoch after
    assert steps // (ACTIVATION_EVERY + 13) <= len(activations) - 1 <= steps // ACTIVATION_EVERY
    gaps = np.diff([r.step for r in activations])
    assert (gaps >= ACTIVATION_EVERY).all()


def test_a_relu_after_a_large_negative_bias_is_reported_dead():
    model = ModelSpec(
        (2,),
        (
            LayerSpec.create("Linear", out_features=16),
            LayerSpec.create("ReLU"),
            LayerSpec.create("Linear", out_features=2),
        ),
    )
    trainer = Trainer(moons(model, epochs=60))  # 480 steps: several snapshots in a row
    trainer.prepare()
    with torch.no_grad():
        trainer.model[0].bias.fill_(-100.0)  # no input reaches above zero
    health, reports = alarms_of(trainer)
    dead = [a for a in health.alarms if a.kind == DEAD]
    assert [(a.layer, a.layer_class) for a in dead] == [(1, "ReLU")]
    assert "100%" in dead[0].sentence
    last = [r for r in reports if isinstance(r, ActivationReport)][-1]
    assert last.dead[1] == 1.0 and np.isnan(last.dead[0])


def test_activation_histograms_count_every_output_of_the_probe_batch():
    trainer = Trainer(moons(deep("Sigmoid", layers=2)))
    control = Control()
    for report in trainer.run(control):
        if isinstance(report, ActivationReport) and report.step > 0:
            snapshot = report
            control.stop()  # before the next update: the weights stay those it measured
    probe = min(PROBE_SAMPLES, 64, len(trainer.x_train))  # one batch of the first inputs
    widths = [16, 16, 16, 16, 2]
    assert snapshot.layer_names == ("0 Linear", "1 Sigmoid", "2 Linear", "3 Sigmoid", "4 Linear")
    assert snapshot.counts.sum(axis=1).tolist() == [probe * w for w in widths]
    assert snapshot.edges[1, 0] == 0.0 and snapshot.edges[1, -1] == 1.0  # a Sigmoid's range
    # the Sigmoid's histogram is the plain forward pass's, counted in the same bins
    model = trainer.model.eval()
    with torch.no_grad():
        out = torch.sigmoid(model[0](trainer.x_train[:probe])).numpy()
    expected, _ = np.histogram(out, bins=snapshot.edges[1])
    assert snapshot.counts[1].tolist() == expected.tolist()
    assert np.isfinite(snapshot.saturated[1]) and np.isnan(snapshot.saturated[0])


def test_unit_maps_equal_a_plain_forward_pass_over_the_plane():
    trainer = Trainer(moons(deep("ReLU", layers=2, width=80), epochs=1))
    list(trainer.run())
    bounds = (-2.0, 3.0, -1.5, 2.0)
    report = trainer.unit_maps(bounds, 1, steps_done=7)
    assert report.layer == 1 and report.layer_name == "1 ReLU" and report.unit_count == 80
    assert report.maps.shape == (UNIT_MAPS, len(report.ys), len(report.xs))
    grid = np.stack(np.meshgrid(report.xs, report.ys), axis=-1).reshape(-1, 2)
    with torch.no_grad():
        plain = trainer.model[:2](torch.from_numpy(grid).float()).numpy()
    unit = 5
    np.testing.assert_allclose(
        report.maps[unit], plain[:, unit].reshape(len(report.ys), len(report.xs)), rtol=1e-5
    )
    assert trainer.unit_maps(bounds, 99, 7) is None  # no such layer


@pytest.fixture
def mnist_root(tmp_path):
    write_mnist_family(tmp_path, train=120, test=40)
    return tmp_path


def test_feature_maps_and_kernels_equal_a_plain_forward_pass(mnist_root):
    model = ModelSpec(
        (1, 28, 28),
        (
            LayerSpec.create("Conv2d", out_channels=40, kernel_size=3, padding=1),
            LayerSpec.create("ReLU"),
            LayerSpec.create("MaxPool2d", kernel_size=2),
            LayerSpec.create("Conv2d", out_channels=6, kernel_size=3),
            LayerSpec.create("Flatten"),
            LayerSpec.create("Linear", out_features=10),
        ),
    )
    experiment = Experiment(
        model=model,
        data=DataConfig(name="mnist"),
        train=TrainConfig(epochs=1, batch_size=16, learning_rate=0.01),
    )
    trainer = Trainer(experiment, data_root=str(mnist_root))
    list(trainer.run())
    report = trainer.feature_maps(3, steps_done=8)
    assert isinstance(report, FeatureMapReport) and report.image_index == 3
    assert report.label == trainer.dataset.y_val[3]
    assert [(f.layer_name, f.channel_count) for f in report.layers] == [
        ("0 Conv2d", 40),
        ("2 MaxPool2d", 40),
        ("3 Conv2d", 6),
    ]
    assert report.layers[0].maps.shape == (FEATURE_CHANNELS, 28, 28)
    assert report.layers[1].maps.shape == (FEATURE_CHANNELS, 14, 14)
    model = trainer.model.eval()
    with torch.no_grad():
        x = trainer.placement.inputs(trainer.x_val[3:4])
        plain = model[:4](x)[0].numpy()
    np.testing.assert_allclose(report.layers[2].maps, plain, rtol=1e-4, atol=1e-6)
    assert report.filter_layer == "0 Conv2d"
    np.testing.assert_array_equal(report.filters, model[0].weight.detach().numpy())
    assert trainer.feature_maps(len(trainer.x_val), 8) is None


def test_a_paused_run_reports_again_when_asked_to_look_and_takes_no_step():
    trainer = Trainer(moons(deep("ReLU", layers=1), epochs=2))
    control = Control()
    reports = []
    for report in trainer.run(control):
        reports.append(report)
        if isinstance(report, StepsReport) and not control.paused:
            control.pause()
        elif isinstance(report, Paused):
            paused = [r for r in reports if isinstance(r, Paused)]
            if len(paused) < 3:
                control.look()  # as the window does when another layer is chosen
            else:
                control.stop()
    paused = [r.steps_done for r in reports if isinstance(r, Paused)]
    assert len(paused) == 3 and len(set(paused)) == 1  # the same step each time
    assert reports[-1].reason == "stopped" and reports[-1].steps_done == paused[0]


def test_the_cli_prints_each_alarm_once_on_its_own_line(tmp_path, capsys):
    path = tmp_path / "sigmoids.json"
    path.write_text(json.dumps(moons(deep("Sigmoid")).to_dict()))
    assert main(["train", str(path), "--out", str(tmp_path / "run")]) == 0
    lines = capsys.readouterr().out.splitlines()
    alarms = [line for line in lines if line.startswith("alarm: ")]
    assert "alarm: layer 0 (Linear): gradients vanished" in alarms[0]
    assert len(alarms) == len(set(alarms))
    assert main(["train", str(TWO_MOONS), "--epochs", "5", "--out", str(tmp_path / "b")]) == 0
    assert [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("alarm")] == []
