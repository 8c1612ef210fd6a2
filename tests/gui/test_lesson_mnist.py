"""The lesson "CNN against MLP on MNIST", played through the window on tiny MNIST files in
the real format (no download)."""

from __future__ import annotations

from dataclasses import replace

from lesson_play import compare_all, done, start, train, wait_done

from tests.vision_files import write_mnist_family


def test_the_cnn_has_fewer_parameters_than_the_mlp_and_the_table_shows_both(
    qtbot, open_window, tmp_path
):
    write_mnist_family(tmp_path / "data", train=300, test=100, drawn=True)
    window = open_window()
    window.set_data_root(str(tmp_path / "data"))
    start(window, "cnn_versus_mlp_on_mnist")
    qtbot.waitUntil(window.run_panel.train_action.isEnabled, timeout=10_000)
    mlp = train(qtbot, window)
    assert mlp.outcome == "completed" and done(window) == 1

    lenet = next(a for a in window.examples_menu.actions() if "LeNet" in a.text())
    lenet.trigger()
    experiment = window.document.experiment  # the example, cut to the lesson's epochs
    window.document.edit_train(replace(experiment.train, epochs=3), "epochs")
    cnn = train(qtbot, window)
    assert cnn.outcome == "completed" and done(window) == 2
    assert cnn.param_count < mlp.param_count  # "fewer parameters"

    compare_all(window)
    wait_done(qtbot, window, 3)
    rows = window.run_panel.runs.rows
    assert [row.parameters for row in rows] == [mlp.param_count, cnn.param_count]
    table = window.run_panel.runs.table
    assert table.horizontalHeaderItem(9).text() == "Parameters"
