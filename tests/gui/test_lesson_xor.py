"""The lesson "XOR needs a hidden layer", played through the window."""

from __future__ import annotations

from lesson_play import done, look, start, train, wait_done


def test_xor_lesson_ticks_its_steps_and_keeps_its_promises(qtbot, open_window):
    window = open_window()
    start(window, "xor_needs_a_hidden_layer")
    assert window.run_panel.current_tab() == "predictions"
    assert [layer.kind for layer in window.document.model.layers] == ["Linear"]
    assert done(window) == 0

    run = train(qtbot, window)
    assert run.val_accuracy < 0.75  # "near 50%": one straight line cannot split XOR
    assert done(window) == 1
    assert "straight" in look(window)

    window.stack.select(0)
    window.document.insert_layer(0, "Linear")
    window.document.insert_layer(1, "ReLU")
    wait_done(qtbot, window, 2)

    run = train(qtbot, window)
    assert run.val_accuracy >= 0.95
    assert done(window) == 3
    assert "complete" in window.lesson_panel.state.text()
