"""Files written whole or not at all, torch-free so the window can save before torch loads.

One file: a temporary file beside it, fsync, then a rename. A set of files (a checkpoint
folder): the whole set is written into a fresh sibling folder, fsynced, and that folder is
swapped in, so the folder's path holds the old set or the new one, never a mixture.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

# The files of an exported folder (models.checkpoint writes and reads them).
MODEL_FILE = "model.pt"
EXPERIMENT_FILE = "experiment.json"
SOURCE_FILE = "model.py"
# The same weights in other formats (models.formats): a new set of weights removes them.
TORCHSCRIPT_FILE = "model.torchscript.pt"
ONNX_FILE = "model.onnx"

_RENAME_EXCHANGE = 2  # linux/fs.h: swap the two paths in one step
_AT_FDCWD = -100


def user_mode(base: int = 0o666) -> int:
    """`base` less the umask: the mode a plain open() (0o666) or mkdir (0o777) would give."""
    return base & ~_umask()


def _umask() -> int:
    # os.umask is read only by setting it; /proc tells it without the moment in which another
    # thread's new file would be created under a different mask.
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _mode_of(path: Path, default: int) -> int:
    """The mode `path` has now (a saved-over file keeps it), else `default`."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return default


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write that appears at `path` whole when the block ends, or not at
    all: a temporary file in the same folder, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes 0600 files; the user expects what any other program would make
        os.fchmod(handle, _mode_of(path, user_mode()))
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write the whole file or nothing."""
    with atomic_file(path) as file:
        file.write(data)


def write_set_atomic(
    directory: str | Path, files: Mapping[str, bytes], owned: Iterable[str] = ()
) -> None:
    """Make `directory` hold exactly the set `files` (names in `owned` but not in `files` go),
    the old set or the new one at every instant; temporaries of killed saves are removed."""
    # "." has no name to swap, and a link to a folder is replaced in the folder it points at
    directory = Path(os.path.realpath(directory))
    names = set(files) | set(owned)
    directory.parent.mkdir(parents=True, exist_ok=True)
    finish_interrupted_save(directory)  # before the stale files go: they may be its set
    _remove_stale(directory, names)
    existing = set(os.listdir(directory)) if directory.exists() else None
    if existing is not None and existing - names:
        # Other things live here (a Desktop, a user's notes): swapping the folder would take
        # them along, so the files are renamed into place one by one (each whole).
        _replace_one_by_one(directory, files, names)
        return
    try:
        staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.new-"))
    except PermissionError:  # a folder in a parent we may not write (a home folder)
        _replace_one_by_one(directory, files, names)
        return
    try:
        for name, data in files.items():
            _write_synced(staging / name, data)
        staging.chmod(_mode_of(directory, user_mode(0o777)))
        _fsync_folder(staging)
        try:
            _swap_in(staging, directory, existing is not None)
        except OSError as error:
            if existing is None or error.errno not in (errno.EBUSY, errno.EACCES, errno.EPERM):
                raise
            _replace_one_by_one(directory, files, names)  # a mount point cannot be renamed
        _fsync_folder(directory.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after a swap: the old set


def _swap_in(staging: Path, directory: Path, exists: bool) -> None:
    """Put `staging` at `directory`; the old folder ends at `staging` or is removed."""
    if not exists:
        os.rename(staging, directory)
        return
    if _exchange(staging, directory):
        return
    # No atomic exchange here (not Linux, or the file system lacks it): move the old set
    # aside first; for a moment the path holds no set, but never a mixed one.
    aside = directory.with_name(f".{directory.name}.old-{staging.name.rpartition('-')[2]}")
    os.rename(directory, aside)
    try:
        os.rename(staging, directory)
    except BaseException:
        os.rename(aside, directory)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


JOURNAL = ".layerlab-save.json"  # a set being renamed into a shared folder, file by file


def _replace_one_by_one(directory: Path, files: Mapping[str, bytes], names: set[str]) -> None:
    """Every file written and synced first; then a journal naming the renames and removals
    to come, and the renames in a row. A full disk leaves the old set; a kill after the
    journal is finished by `finish_interrupted_save`, so the set is the new one."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    try:
        for name in files:
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
            written[name] = temporary
            _write_and_close(handle, files[name])
        plan = {
            "rename": {Path(temporary).name: name for name, temporary in written.items()},
            "remove": sorted(names - set(files)),
        }
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f"{JOURNAL}.", suffix=".tmp")
        try:
            _write_and_close(handle, json.dumps(plan).encode())
            os.replace(temporary, directory / JOURNAL)  # from here on, the new set is the one
        finally:
            Path(temporary).unlink(missing_ok=True)
    except BaseException:  # nothing was renamed yet: the old set stays, whole
        for temporary in written.values():
            Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(directory)
    # A failure from here on leaves the journal and the new files: the next save or load
    # finishes the renames (finish_interrupted_save).
    _carry_out(directory, plan)


def _carry_out(directory: Path, plan: dict) -> None:
    """The journal's renames and removals (those not done yet), then the journal goes."""
    for temporary, name in plan["rename"].items():
        if (directory / temporary).exists():
            os.replace(directory / temporary, directory / name)
    for name in plan["remove"]:
        (directory / name).unlink(missing_ok=True)
    _fsync_folder(directory)
    (directory / JOURNAL).unlink(missing_ok=True)
    _fsync_folder(directory)


def finish_interrupted_save(directory: str | Path) -> bool:
    """Finish a set's renames that a killed save left half done (its journal says which);
    True when there was one. Reading or saving a set calls this first."""
    directory = Path(directory)
    try:
        plan = json.loads((directory / JOURNAL).read_text(encoding="utf-8"))
        renames, removals = dict(plan["rename"]), list(plan["remove"])
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        # A journal is written whole (a rename) before any file moves: one that cannot be
        # read was not ours to act on.
        return False
    safe = all(
        Path(str(name)).name == str(name) for name in [*renames, *renames.values(), *removals]
    )
    if not safe:  # names only, never paths: a journal cannot move files elsewhere
        return False
    _carry_out(directory, {"rename": renames, "remove": removals})
    return True


def _write_synced(path: Path, data: bytes) -> None:
    """A new file with the user's mode, on the disk when this returns."""
    _write_and_close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), data)


def _write_and_close(handle: int, data: bytes) -> None:
    """All of `data` into the open file `handle`, the user's mode, fsync, close."""
    try:
        os.fchmod(handle, user_mode())
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        os.fsync(handle)
    finally:
        os.close(handle)


def _fsync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (where the system allows syncing a folder)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _remove_stale(directory: Path, names: set[str]) -> None:
    """What killed saves left: sibling folders of a set and temporary files of its names."""
    for stale in directory.parent.glob(f".{glob.escape(directory.name)}.*-*"):
        kind = stale.name[len(directory.name) + 2 :].partition("-")[0]
        if kind in ("new", "old") and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    if directory.is_dir():
        for name in names:
            for stale in directory.glob(f".{glob.escape(name)}.*.tmp"):
                stale.unlink(missing_ok=True)
        for stale in directory.glob(f"{glob.escape(JOURNAL)}.*.tmp"):  # a journal half written
            stale.unlink(missing_ok=True)
