"""Plain English for counts in messages: '1 epoch', '2 epochs', never '2 epoch(s)'."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """The count with its noun, singular for exactly one: counted(1_000, 'value') is
    '1,000 values'."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"
