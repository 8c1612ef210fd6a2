"""The teacher's sections of an experiment file: locks and the lesson it was saved in, read
back as written, wrong ones refused with one sentence, and absent from files without them."""

from __future__ import annotations

import json

import pytest

from app.classroom import LessonMark, Locks
from app.experiment import Experiment, ExperimentError


def with_section(**sections) -> str:
    data = Experiment().to_dict()
    data.update(sections)
    return json.dumps(data)


def test_locks_and_the_lesson_survive_a_save_and_a_load():
    locks = Locks(frozenset({"data", "train.learning_rate"}), frozenset({"code"}), "Only lr.")
    experiment = Experiment(locks=locks, lesson=LessonMark("xor_needs_a_hidden_layer", 2))
    again = Experiment.from_json(experiment.to_json())
    assert again.locks == locks and again.lesson == experiment.lesson
    assert json.loads(experiment.to_json())["locks"]["locked"] == ["data", "train.learning_rate"]


def test_a_file_without_locks_has_no_locks_section():
    written = json.loads(Experiment().to_json())
    assert "locks" not in written and "lesson" not in written
    assert not Experiment.from_json(json.dumps(written)).locks


def test_what_is_locked():
    locks = Locks(frozenset({"training", "train.seed"}), frozenset({"data"}))
    assert locks.is_locked("train.optimizer")  # the whole training panel is
    assert locks.is_locked("data")  # hidden is locked too
    assert not locks.is_locked("model")
    assert locks.locked_fields() == {"seed"}
    model = Locks(frozenset({"model"}))
    assert model.is_locked("data")  # the data sets the model's sizes: a locked model locks it


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ({"locks": []}, "locks must be an object"),
        ({"locks": {"lockd": []}}, "did you mean 'locked'"),
        ({"locks": {"locked": ["train.learning_rat"]}}, "'train.learning_rat' cannot be locked"),
        ({"locks": {"hidden": ["model"]}}, "'model' cannot be hidden"),
        ({"locks": {"locked": "data"}}, "must be a list of names"),
        ({"locks": {"reason": 3}}, "locks.reason must be text"),
        ({"locks": {"reason": "x" * 501}}, "longer than 500 characters"),
        ({"locks": {"reason": "\ud800"}}, "locks.reason holds a character that cannot be saved"),
        ({"lesson": {"name": "../etc"}}, "lesson.name must be a lesson's file name"),
        ({"lesson": {"name": "xor", "step": -1}}, "lesson.step must be a whole number"),
        ({"lesson": {"name": "xor", "steps": 1}}, "did you mean 'step'"),
    ],
)
def test_wrong_sections_are_refused_with_one_sentence(section, words):
    with pytest.raises(ExperimentError) as error:
        Experiment.from_json(with_section(**section))
    assert words in str(error.value)
    assert "\n" not in str(error.value)
