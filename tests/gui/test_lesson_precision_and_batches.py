"""The lessons "float32 against float64, bfloat16 and float16" and "Batch size and the noise
of the loss", played through the window."""

from __future__ import annotations

import numpy as np
from lesson_play import compare_all, done, set_train, start, train, wait_done

from app.reports import StepsReport


def test_three_dtypes_train_and_the_comparison_labels_them(qtbot, open_window):
    window = open_window()
    start(window, "floating_point_precision")
    for count, dtype in enumerate(("float32", "float64", "bfloat16"), 1):
        set_train(window, dtype=dtype)
        run = train(qtbot, window)
        assert run.outcome == "completed" and run.val_accuracy > 0.8  # "the same accuracy"
        assert done(window) == count
    compare_all(window)
    wait_done(qtbot, window, 4)
    runs = window.run_panel.runs
    assert runs.labels == ["float32", "float64", "bfloat16"]
    assert all(row.samples_per_second > 0 for row in runs.rows)


def step_losses(window) -> np.ndarray:
    return np.concatenate([r.losses for r in window.reports if isinstance(r, StepsReport)])


def jitter(losses: np.ndarray) -> float:
    late = losses[len(losses) // 2 :]
    return float(np.abs(np.diff(late)).mean() / late.mean())


def test_small_batches_give_a_noisier_loss_than_large_ones(qtbot, open_window):
    window = open_window()
    start(window, "batch_size_and_noise")
    window.reports.clear()
    train(qtbot, window)
    small = step_losses(window)
    assert done(window) == 1
    window.reports.clear()
    window.run_panel.reset_action.trigger()
    set_train(window, batch_size=256)
    train(qtbot, window)
    large = step_losses(window)
    assert done(window) == 2
    assert len(small) == 25 * len(large)  # "25 times fewer steps per epoch"
    # "a jittery band": the step-to-step change of the loss against its level, over the
    # second half of each run
    assert jitter(small) > 3 * jitter(large)
    compare_all(window)
    wait_done(qtbot, window, 3)
    assert window.run_panel.runs.labels == ["batch 8", "batch 256"]
