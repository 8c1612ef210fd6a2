"""The lesson "A learning rate too high, and too low", played through the window."""

from __future__ import annotations

from lesson_play import done, look, set_train, start, train, wait_done

from app.reports import EpochReport


def last_r2(window) -> float:
    return [r for r in window.reports if isinstance(r, EpochReport)][-1].val_r2


def test_a_rate_too_high_diverges_and_too_low_crawls(qtbot, open_window):
    window = open_window()
    start(window, "learning_rate_too_high_and_too_low")
    assert window.document.experiment.train.learning_rate == 2.0
    panel = window.training_panel  # only what the lesson is about can change
    assert panel.editors("learning_rate")[0].isEnabled()
    assert not panel.editors("optimizer")[0].isEnabled()
    assert not window.model_editor.isEnabled() and not window.dataset_panel.isEnabled()

    run = train(qtbot, window)
    assert run.outcome == "diverged"
    assert "too high" in run.message and "try 0.2" in run.message  # the message explains
    wait_done(qtbot, window, 1)
    assert "infinite" in look(window)

    window.run_panel.reset_action.trigger()
    set_train(window, learning_rate=0.001)
    run = train(qtbot, window)
    assert run.outcome == "completed"
    assert last_r2(window) < 0.9  # "R² is still well below 1"
    assert done(window) == 2

    window.run_panel.reset_action.trigger()
    set_train(window, learning_rate=0.05)
    train(qtbot, window)
    assert last_r2(window) > 0.95  # "R² close to 1"
    assert done(window) == 3
