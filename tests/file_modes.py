"""Tests of the modes exported files get: run a block under a chosen umask, read a mode."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

# Masks a user may have: the usual one, a group-friendly one, and a private one.
UMASKS = (0o022, 0o027, 0o077)


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    """The process's umask set to `mask` for the block (children started in it inherit it)."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    """The permission bits of `path`, as `ls -l` shows them."""
    return stat.S_IMODE(Path(path).stat().st_mode)
