"""The lesson "Vanishing gradients", played through the window."""

from __future__ import annotations

from lesson_play import done, look, start, train, wait_done


def test_ten_sigmoids_vanish_and_ten_relus_learn(qtbot, open_window):
    window = open_window()
    start(window, "vanishing_gradients")
    kinds = [layer.kind for layer in window.document.model.layers]
    assert kinds.count("Sigmoid") == 10 and window.run_panel.current_tab() == "gradients"

    run = train(qtbot, window)
    assert "vanishing" in run.alarms and run.val_accuracy < 0.7
    assert window.run_panel.histograms.banner.isVisible()  # the alarms name the layers
    wait_done(qtbot, window, 1)
    assert "thousands of times" in look(window)

    change = next(a for a in window.activations_menu.actions() if a.text() == "ReLU")
    change.trigger()
    kinds = [layer.kind for layer in window.document.model.layers]
    assert kinds.count("ReLU") == 10 and "Sigmoid" not in kinds
    wait_done(qtbot, window, 2)

    run = train(qtbot, window)
    assert run.val_accuracy >= 0.9
    assert done(window) == 3
