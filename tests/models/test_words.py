"""Counts in messages read as English: singular for exactly one, thousands separated."""

import pytest

from models.words import counted


@pytest.mark.parametrize(
    ("count", "noun", "text"),
    [
        (1, "epoch", "1 epoch"),
        (0, "epoch", "0 epochs"),
        (2, "class score", "2 class scores"),
        (1_000, "value", "1,000 values"),
    ],
)
def test_counted_says_one_in_the_singular_and_others_in_the_plural(count, noun, text):
    assert counted(count, noun) == text
