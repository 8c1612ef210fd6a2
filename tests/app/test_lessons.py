"""Lesson files and their conditions: every shipped lesson loads, a wrong file says what is
wrong in one sentence, and steps tick in order, each only from what happened after it began."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.experiment import Experiment
from app.lessons import FOLDER, Lesson, LessonError, find_lesson, lesson_names, lessons
from app.lessons.conditions import ConditionError, RunSummary, WindowState, check_condition, met
from app.lessons.progress import LessonProgress
from models.spec import LayerSpec

REQUIRED = {
    "xor_needs_a_hidden_layer",
    "learning_rate_too_high_and_too_low",
    "vanishing_gradients",
    "activations_compared",
    "overfitting_and_regularization",
    "cnn_versus_mlp_on_mnist",
    "same_seed_same_run",
    "floating_point_precision",
    "batch_size_and_noise",
    "three_classic_errors",
}


def test_every_lesson_ships_loads_and_has_its_thumbnail():
    names = lesson_names()
    assert set(names) >= REQUIRED and len(names) >= 10
    assert sorted(path.stem for path in FOLDER.glob("*.json")) == sorted(names)
    for lesson in lessons():
        assert lesson.steps and all(step.do and step.look for step in lesson.steps)
        assert lesson.experiment.title == lesson.title
        assert lesson.thumbnail.is_file(), f"{lesson.name}: make lesson-thumbnails"


def test_an_unknown_lesson_names_the_ones_there_are():
    with pytest.raises(LessonError, match="xor_needs_a_hidden_layer"):
        find_lesson("xor")


def lesson_dict(**changes) -> dict:
    data = json.loads((FOLDER / "xor_needs_a_hidden_layer.json").read_text(encoding="utf-8"))
    return {**data, **changes}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"format": "layerlab-experiment"}, "not a lesson file"),
        ({"steps": []}, "at least one step"),
        ({"steps": [{"do": "Train.", "when": {"kind": "trained"}}]}, "no condition 'trained'"),
        ({"steps": [{"do": "Train.", "when": {"kind": "run", "acc": 1}}]}, "run takes no 'acc'"),
        ({"steps": [{"do": "Train.", "when": {"kind": "layer_count"}}]}, "needs 'layer'"),
        ({"stpes": []}, "did you mean 'steps'"),
        ({"title": ""}, "title"),
    ],
)
def test_a_wrong_lesson_file_says_what_is_wrong(changes, words):
    with pytest.raises(LessonError, match=words):
        Lesson.from_dict("x", lesson_dict(**changes))


def test_a_broken_file_is_one_sentence(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(LessonError, match="broken.json cannot be read"):
        Lesson.load(path)


def test_condition_fields_are_checked():
    check_condition({"kind": "setting", "field": "train.learning_rate", "at_most": 0.001})
    with pytest.raises(ConditionError, match="train.<name>"):
        check_condition({"kind": "setting", "field": "learning_rate"})
    with pytest.raises(ConditionError, match="outcome"):
        check_condition({"kind": "run", "outcome": "won"})


def xor_state(lesson: Lesson, **changes) -> WindowState:
    return WindowState(lesson.experiment, **changes)


def test_steps_tick_in_order_and_a_run_counts_only_for_the_step_it_ends():
    lesson = find_lesson("xor_needs_a_hidden_layer")
    progress = LessonProgress(lesson)
    linear = RunSummary(lesson.experiment, "completed", val_accuracy=0.5)
    assert not progress.update(xor_state(lesson))
    assert progress.update(xor_state(lesson, runs=(linear,)))
    assert progress.progress().done == 1 and "straight" in progress.progress().look

    model = lesson.experiment.model
    deeper = model.insert(0, LayerSpec.create("Linear")).insert(1, LayerSpec.create("ReLU"))
    hidden = lesson.experiment.with_changes(model=deeper)
    # The hidden layer ticks step 2; the first run (50%) cannot tick step 3.
    assert progress.update(WindowState(hidden, runs=(linear,)))
    assert progress.progress().done == 2
    good = RunSummary(hidden, "completed", val_accuracy=0.97)
    assert progress.update(WindowState(hidden, runs=(linear, good)))
    assert progress.progress().finished
    assert not progress.update(WindowState(hidden, runs=(linear, good, good)))  # stays done


def test_first_losses_compare_runs_of_the_same_model_and_data():
    experiment = find_lesson("same_seed_same_run").experiment
    other_seed = experiment.with_changes(train=replace(experiment.train, seed=1))
    losses = (0.7, 0.6)
    first = RunSummary(experiment, "completed", first_losses=losses)
    repeat = RunSummary(experiment, "completed", first_losses=losses)
    continued = RunSummary(experiment, "completed", fresh=False, first_losses=(0.5,))
    new_seed = RunSummary(other_seed, "completed", first_losses=(0.8, 0.5))
    same = {"kind": "first_losses", "same": True}
    differ = {"kind": "first_losses", "same": False}
    assert not met(same, WindowState(experiment, runs=(first,)))
    assert not met(same, WindowState(experiment, runs=(first, continued)))
    assert met(same, WindowState(experiment, runs=(first, continued, repeat)))
    assert not met(same, WindowState(experiment, runs=(first, repeat)), since=2)  # not new
    assert met(differ, WindowState(experiment, runs=(first, new_seed)))
    assert not met(differ, WindowState(experiment, runs=(first, repeat)))


def test_run_filters_read_the_gap_alarms_settings_and_messages():
    experiment = Experiment()
    overfit = RunSummary(experiment, "completed", train_loss=0.01, val_loss=1.5)
    failed = RunSummary(experiment, "failed", "The mse loss needs numeric targets")
    vanishing = RunSummary(experiment, "completed", alarms=("vanishing",), val_accuracy=0.5)
    state = WindowState(experiment, runs=(overfit,))
    assert met({"kind": "run", "gap_at_least": 0.8}, state)
    assert not met({"kind": "run", "gap_at_most": 0.7}, state)
    assert met(
        {"kind": "run", "outcome": "failed", "message_contains": "mse"},
        WindowState(experiment, runs=(failed,)),
    )
    assert met(
        {"kind": "run", "alarm": "vanishing", "accuracy_below": 0.7},
        WindowState(experiment, runs=(vanishing,)),
    )
    lr = experiment.train.learning_rate
    assert met({"kind": "run", "field": "train.learning_rate", "is": lr}, state)
    assert not met({"kind": "run", "field": "train.learning_rate", "at_least": lr * 2}, state)


def test_no_lesson_locks_what_its_steps_ask_the_student_to_change():
    """Lessons lock what they are not about; never a setting a step waits for, nor the model
    when a step waits for a layer."""
    model_steps = {"hidden_layer", "layer_count"}
    locking = [lesson for lesson in lessons() if lesson.experiment.locks]
    assert len(locking) >= 5
    for lesson in lessons():
        locks = lesson.experiment.locks
        for step in lesson.steps:
            field = step.when.get("field")
            assert field is None or not locks.is_locked(field), (lesson.name, field)
            if step.when["kind"] in model_steps:
                assert not locks.is_locked("model"), lesson.name
