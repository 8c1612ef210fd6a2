"""Helpers shared by the checkpoint tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.checkpoint import CheckpointError, load_checkpoint


def one_line_error(path: Path) -> str:
    """Load `path`, expecting a CheckpointError of one non-empty line; return its message."""
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert message and "\n" not in message
    return message
