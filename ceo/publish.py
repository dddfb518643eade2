"""Write output directories all-or-nothing.

A run prepares the complete new state of a directory in a hidden staging directory next to it
(on the same file system), then swaps it in with renames. A run that fails before the swap leaves
the old directory untouched and removes its staging directory.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

STAGING_PREFIX = ".ceo-staging-"
OLD_PREFIX = ".ceo-old-"


def clean_stale(parent: Path) -> None:
    """Remove staging/old directories left behind by an interrupted earlier run."""
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        if p.name.startswith((STAGING_PREFIX, OLD_PREFIX)) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


LOCK_NAME = ".ceo-lock"
_held: dict[Path, tuple[int, int]] = {}


@contextlib.contextmanager
def project_lock(parent: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``parent`` (a project directory) for the duration of a run, so two
    runs in the same project never write at the same time. Re-entrant within one process."""
    parent = Path(parent).resolve()
    if parent in _held:
        fd, depth = _held[parent]
        _held[parent] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[parent]
            _held[parent] = (fd, depth - 1)
        return
    import fcntl

    from ceo.problems import InputError

    fd = os.open(parent / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"in {parent} loopt al een verwerking van ceo; wacht tot die klaar is en "
                             "probeer het dan opnieuw") from None
        _held[parent] = (fd, 1)
        try:
            yield
        finally:
            del _held[parent]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replace_directory(target: Path, keep_existing: bool = True) -> Iterator[Path]:
    """Yield a staging directory that replaces ``target`` when the block ends without error.

    With ``keep_existing`` the staging directory starts as a copy of ``target`` so a run that
    writes only some files (one survey of an edition) keeps the others. The parent directory is
    locked while the block runs; staging directories of an interrupted earlier run are removed.
    """
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with project_lock(parent):
        if _held[parent.resolve()][1] == 1:  # outermost: no other staging directory of ours is alive
            clean_stale(parent)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + target.name + "-", dir=parent))
        try:
            if keep_existing and target.is_dir():
                shutil.copytree(target, staging, dirs_exist_ok=True)
            yield staging
            _fsync_tree(staging)
            if target.exists():
                if not _exchange(staging, target):
                    old = parent / (OLD_PREFIX + target.name + f"-{os.getpid()}")
                    os.replace(target, old)
                    os.replace(staging, target)
                    shutil.rmtree(old, ignore_errors=True)
                # after the exchange, ``staging`` holds the previous state: removed below
            else:
                os.replace(staging, target)
            _fsync_dir(parent)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def replace_directories(targets: list[Path], keep_existing: bool = True) -> Iterator[list[Path]]:
    """Like :func:`replace_directory` for several directories (``site/`` and ``uitvoer/``): every
    staging directory is prepared completely before the first one is swapped in, so a failure
    while preparing leaves all targets untouched, and the swaps follow each other directly."""
    parents = {Path(t).parent for t in targets}
    with contextlib.ExitStack() as stack:
        for parent in sorted(parents):
            Path(parent).mkdir(parents=True, exist_ok=True)
            stack.enter_context(project_lock(parent))
            clean_stale(parent)
        stagings = [stack.enter_context(replace_directory(t, keep_existing)) for t in targets]
        yield stagings
        # leaving the stack swaps in reverse order of entering; each swap is atomic on its own


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported.

    With the exchange there is no moment at which ``b`` is missing or half-written: a run killed at
    any point leaves either the complete old or the complete new directory in place.
    """
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
