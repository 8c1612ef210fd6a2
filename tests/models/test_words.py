"""Lists and counts in messages read naturally: 'a, b and c' and '1 epoch' / '2 epochs' in
English, 'a、b 和 c' and one form with its measure word in Chinese."""

import pytest

from models.translation import ENGLISH, ngettext, set_language
from models.words import listed


@pytest.mark.parametrize(
    ("names", "text"),
    [(("a",), "a"), (("a", "b"), "a and b"), (("a", "b", "c"), "a, b and c")],
)
def test_a_list_joins_its_last_item_with_and(names, text):
    assert listed(names) == text


def test_counts_are_singular_for_one_in_english_and_one_form_in_chinese():
    def epochs(count: int) -> str:
        return ngettext("{count:,} epoch", "{count:,} epochs", count).format(count=count)

    assert [epochs(n) for n in (1, 0, 1_000)] == ["1 epoch", "0 epochs", "1,000 epochs"]
    set_language("zh_CN")
    try:
        assert [epochs(n) for n in (1, 1_000)] == ["1 轮", "1,000 轮"]
    finally:
        set_language(ENGLISH)
