"""Counts and lists in messages, in the current language: 'a, b and c' in English,
'a、b 和 c' in Chinese. A counted noun is an ngettext() text of its own ('{count:,} epoch' /
'{count:,} epochs'), never '2 epoch(s)': Chinese counts with a measure word, not a plural."""

from __future__ import annotations

from models.translation import _


def listed(names: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(names) == 1:
        return names[0]
    # Translators: the separator between the items of a list, before its last one.
    head = _(", ").join(names[:-1])
    return _("{items} and {last}").format(items=head, last=names[-1])


def in_turn(parts: tuple[str, ...] | list[str]) -> str:
    """Parts of one sentence, one after another: "weights 2.0 MB; data 1.0 MB"."""
    # Translators: between the parts of a sentence, as in "missing 0.weight; unexpected 1.bias".
    return _("; ").join(parts)
