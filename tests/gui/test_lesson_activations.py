"""The lesson "ReLU, Tanh and Sigmoid compared", played through the window."""

from __future__ import annotations

from lesson_play import compare_all, done, start, train, wait_done


def change_activations(window, kind: str) -> None:
    next(a for a in window.activations_menu.actions() if a.text() == kind).trigger()


def test_three_activations_are_trained_and_compared_with_labels(qtbot, open_window):
    window = open_window()
    start(window, "activations_compared")
    train(qtbot, window)
    assert done(window) == 1
    change_activations(window, "Tanh")
    train(qtbot, window)
    assert done(window) == 2
    change_activations(window, "Sigmoid")
    train(qtbot, window)
    assert done(window) == 3

    compare_all(window)
    wait_done(qtbot, window, 4)
    runs = window.run_panel.runs
    assert runs.labels == ["ReLU", "Tanh", "Sigmoid"]  # what differed, as the legend says
    assert all(label in runs.legend.text() for label in runs.labels)
    assert runs.table.rowCount() == 3 and runs.table.item(2, 1).text() == "Sigmoid"
    losses = {row.label: row.val_loss for row in runs.rows}
    assert losses["Sigmoid"] > min(losses["ReLU"], losses["Tanh"])  # "Sigmoid lags behind"
