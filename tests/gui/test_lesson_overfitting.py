"""The lesson "Overfitting, then Dropout and weight decay", played through the window."""

from __future__ import annotations

from lesson_play import done, set_train, start, train, wait_done


def test_dropout_and_weight_decay_close_the_gap(qtbot, open_window):
    window = open_window()
    start(window, "overfitting_and_regularization")
    assert window.run_panel.current_tab() == "generalization"

    run = train(qtbot, window)
    overfit_gap = run.val_loss - run.train_loss
    assert overfit_gap >= 0.8 and run.train_loss < 0.1  # memorised its training points
    assert done(window) == 1

    document = window.document
    relus = [i for i, layer in enumerate(document.model.layers) if layer.kind == "ReLU"]
    for index in reversed(relus):
        document.insert_layer(index + 1, "Dropout")
    wait_done(qtbot, window, 2)
    set_train(window, weight_decay=0.01)
    wait_done(qtbot, window, 3)

    run = train(qtbot, window)
    assert run.val_loss - run.train_loss < overfit_gap / 2  # "a fraction of what it was"
    assert done(window) == 4
