"""The lesson "Three classic errors", played through the window."""

from __future__ import annotations

from lesson_play import done, look, set_train, start, train, wait_done


def test_the_builder_finds_the_errors_and_its_fixes_repair_them(qtbot, open_window):
    window = open_window()
    start(window, "three_classic_errors")
    problems = window.document.inference.diagnostics
    assert [d.code for d in problems] == ["size_mismatch"] and problems[0].fixes
    assert "3" in problems[0].message and "2" in problems[0].message

    fix = problems[0].fixes[0]
    window.stack.fixChosen.emit(fix.spec, fix.label)  # the fix's button in the Model list
    wait_done(qtbot, window, 1)
    assert "mat1 and mat2" in look(window)

    set_train(window, loss="mse")
    run = train(qtbot, window)
    assert run.outcome == "failed" and "cross_entropy" in run.message
    assert done(window) == 2

    set_train(window, loss="auto")
    run = train(qtbot, window)
    assert run.outcome == "completed"
    assert done(window) == 3

    window.menu_actions.code.trigger()
    wait_done(qtbot, window, 4)
    code = window.code_view.text.toPlainText()
    assert "build_model().to(device" in code and "x = x.to(device" in code
