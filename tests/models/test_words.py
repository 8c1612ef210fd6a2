"""Counts in messages read as English: singular for exactly one, thousands separated."""

import pytest

from models.words import counted


@pytest.mark.parametrize(
    ("count", "noun", "plural", "text"),
    [
        (1, "epoch", None, "1 epoch"),
        (0, "epoch", None, "0 epochs"),
        (2, "class score", None, "2 class scores"),
        (1_000, "value", None, "1,000 values"),
        (1, "class", "classes", "1 class"),
        (3, "class", "classes", "3 classes"),
    ],
)
def test_counted_says_one_in_the_singular_and_others_in_the_plural(count, noun, plural, text):
    assert counted(count, noun, plural) == text
