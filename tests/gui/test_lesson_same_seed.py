"""The lesson "The same seed gives the same run", played through the window."""

from __future__ import annotations

from lesson_play import done, set_train, start, train, wait_done


def test_the_same_seed_repeats_the_first_losses_and_a_new_one_does_not(qtbot, open_window):
    window = open_window()
    start(window, "same_seed_same_run")
    first = train(qtbot, window)
    assert done(window) == 1

    train(qtbot, window)  # Train again without Reset continues the run: not a repeat
    assert done(window) == 1
    window.run_panel.reset_action.trigger()
    again = train(qtbot, window)
    assert again.first_losses == first.first_losses and len(first.first_losses) == 20
    wait_done(qtbot, window, 2)

    set_train(window, seed=1)
    other = train(qtbot, window)
    assert other.first_losses != first.first_losses
    assert done(window) == 3
