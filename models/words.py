"""Plain English for counts and lists in messages: '1 epoch', '2 epochs', never '2 epoch(s)';
'a, b and c'."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """The count with its noun, singular for exactly one: counted(1_000, 'value') is
    '1,000 values'."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"


def listed(names: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
