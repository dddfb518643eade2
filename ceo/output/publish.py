"""Write the outputs of a project all-or-nothing, as one step.

A run holds the project lock (``.ceo-lock``) from before it reads anything until it is done, so two
runs never interleave. It prepares the complete new state of every directory it changes
(``site/``, ``uitvoer/``, new ``duiding/`` scaffolds) in hidden staging directories in the project
(same file system), fsyncs them, and then commits them together:

1. the journal ``.ceo-journaal.json`` is written (atomically: temporary file, fsync, rename, fsync of
   the project directory). Its existence is the commit point;
2. every staging directory is swapped with its target (``renameat2(RENAME_EXCHANGE)`` on Linux, so a
   target is never missing; elsewhere two renames), and new duiding files are moved in;
3. the journal is removed, then the previous states.

A run killed before step 1 leaves the old state and staging directories that the next run removes
(roll back). A run killed after step 1 leaves a journal that the next ``ceo`` command completes before
it does anything else (roll forward). The journal records the inode of every staging directory, so
completing it is idempotent: a directory already swapped in is recognised and skipped.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

STAGING_PREFIX = ".ceo-staging-"
OLD_PREFIX = ".ceo-old-"
LOCK_NAME = ".ceo-lock"
JOURNAL_NAME = ".ceo-journaal.json"
#: the only directories a commit swaps, and the only one it adds files to (a journal naming others is refused)
SWAPPED = ("site", "uitvoer")
ADDED_TO = ("duiding",)
#: errors of the file system that mean "cannot write here" (full disk, quota, read-only, no permission)
WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG)

_held: dict[Path, tuple[int, int]] = {}


# --------------------------------------------------------------------------- signals

class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM. ``committed``: the interrupted step had already been published."""

    def __init__(self, signum: int, committed: bool = False) -> None:
        super().__init__(signum)
        self.signum = signum
        self.committed = committed


_deferring = 0
_pending: list[int] = []
#: commits started in this process (the CLI says truthfully what an interruption left), and whether one
#: of them failed after its journal was written (the next ceo command completes it)
commits = 0
unfinished = False


def _on_signal(signum, _frame) -> None:
    if _deferring:
        _pending.append(signum)
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """While a command runs: SIGTERM and SIGINT raise :class:`Interrupted` (a clean roll back), or are
    held back until the commit that is in progress has finished."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in before:
        signal.signal(s, _on_signal)
    try:
        yield
    finally:
        for s, h in before.items():
            signal.signal(s, h)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    if not _deferring and _pending:
        signum = _pending[0]
        _pending.clear()
        raise Interrupted(signum, committed=True)


def _test_hook(point: str) -> None:
    """For the tests only: with ``CEO_TEST_HOOK=<point>`` the run announces on stderr that it reached
    ``point`` of the commit and waits (up to 60 s, until a held-back signal, or until the file named by
    ``CEO_TEST_HOOK_GO`` exists) so that a test can kill it exactly there or let it go on."""
    if os.environ.get("CEO_TEST_HOOK") != point:
        return
    print(f"ceo-test-hook {point}", file=sys.stderr, flush=True)
    deadline = time.monotonic() + 60
    go = os.environ.get("CEO_TEST_HOOK_GO")  # or until this file exists
    while time.monotonic() < deadline and not _pending and not (go and os.path.exists(go)):
        time.sleep(0.01)


# --------------------------------------------------------------------------- the lock

def _describe_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return (f" (proces {int(info['pid'])}, gestart op {info['start']}: {info['opdracht']})")
    except (OSError, ValueError, KeyError, TypeError):
        return ""


@contextlib.contextmanager
def project_lock(parent: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``parent`` (a project directory) for the duration of a run, so two
    runs in the same project never interleave. Re-entrant within one process. Taking the lock
    first completes or rolls back whatever an interrupted earlier run left behind."""
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
    from datetime import datetime

    from ceo.core.problems import InputError

    path = parent / LOCK_NAME
    while True:
        try:  # O_NOFOLLOW: a planted symlink never makes ceo create or truncate a file outside the project
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise InputError(_link_message(path)) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe_holder(fd)
            os.close(fd)
            raise InputError(f"in {parent} loopt al een verwerking van ceo{holder}; wacht tot "
                             "die klaar is en probeer het dan opnieuw") from None
        except BaseException:
            os.close(fd)
            raise
        # the lock file is removed when a run ends: make sure we locked the file that is there now
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        _held[parent] = (fd, 1)
        try:
            info = {"pid": os.getpid(), "start": datetime.now().strftime("%d-%m-%Y %H:%M:%S"),
                    "opdracht": " ".join(["ceo", *sys.argv[1:]])[:1000]}
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, json.dumps(info).encode("ascii"), 0)
            except OSError:
                pass  # a full disk: the lock itself still holds
            recover(parent)
            check_links(parent)
            yield
        finally:
            del _held[parent]
            with contextlib.suppress(OSError):
                path.unlink()  # while still locked: nothing of a run stays behind in the project
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def clean_stale(parent: Path) -> None:
    """Remove staging/old directories left behind by an interrupted earlier run (never while a
    journal says they are still to be swapped in: :func:`recover` first)."""
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        if p.name.startswith((STAGING_PREFIX, OLD_PREFIX)):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()


def recover(root: Path) -> bool:
    """Complete the commit of an interrupted run (its journal), then remove its staging
    directories. True when a journal was completed. Call with the project lock held.

    A journal that names anything but the project's own directories and staging directories (one
    shipped inside a project: zip, git, shared folder) is refused before anything is moved
    (:class:`ceo.core.problems.InputError`). When completing a valid journal fails, the
    :class:`RollForwardError` says which tree is at which state."""
    root = Path(root)
    journal = root / JOURNAL_NAME
    done = False
    if os.path.lexists(journal):
        entry = read_journal(root)
        with _builds_excluded(root), _signals_deferred():
            try:
                _apply(root, entry)
            except OSError as exc:
                raise RollForwardError(root, entry, exc) from None
            journal.unlink()
            _fsync_dir(root)
        done = True
    clean_stale(root)
    return done


def _journal_problem(root: Path, why: str) -> Exception:
    from ceo.core.problems import InputError

    return InputError(f"{root / JOURNAL_NAME}: {why}. ceo voert dit transactiejournaal niet uit en verplaatst "
                      "niets. Een echt journaal van ceo noemt alleen site/, uitvoer/, duiding/ en verborgen "
                      "mappen .ceo-staging-* van dit project; dit bestand is waarschijnlijk met de projectmap "
                      "meegekomen (zip, git, gedeelde map). Controleer het en verwijder het")


def _plain_name(value) -> bool:
    """One path component: no separator, no '..', not absolute, not hidden unless staging."""
    return (isinstance(value, str) and value not in ("", ".", "..") and "/" not in value and "\\" not in value
            and "\0" not in value and not os.path.isabs(value))


def _inside(root: Path, rel: str, what: str) -> Path:
    """``root / rel`` after checking that no component is '..' or a symbolic link and that it resolves inside
    ``root``; raises the refusal of the journal otherwise."""
    if not isinstance(rel, str) or not rel or os.path.isabs(rel) or "\0" in rel:
        raise _journal_problem(root, f"het noemt als {what} {rel!r}, een pad buiten de projectmap")
    parts = Path(rel).parts
    if any(p in ("..", ".", "") for p in parts):
        raise _journal_problem(root, f"het noemt als {what} {rel!r}, een pad met '..' (buiten de projectmap)")
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise _journal_problem(root, f"het noemt als {what} {rel!r}, en {path} is een symbolische koppeling "
                                         f"(naar {os.readlink(path)})")
    real = Path(os.path.realpath(path))
    if real != Path(os.path.realpath(root)) / Path(*parts):
        raise _journal_problem(root, f"het noemt als {what} {rel!r}, een pad buiten de projectmap")
    return path


def read_journal(root: Path) -> dict:
    """The journal of an interrupted run, every path in it checked (see :func:`recover`)."""
    root = Path(root)
    journal = root / JOURNAL_NAME
    if journal.is_symlink():
        raise _journal_problem(root, f"het is een symbolische koppeling (naar {os.readlink(journal)})")
    try:
        fd = os.open(journal, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            if not os.path.isfile(journal):
                raise _journal_problem(root, "het is geen gewoon bestand")
            data = os.read(fd, 1 << 20)
        finally:
            os.close(fd)
        entry = json.loads(data.decode("utf-8"))
    except (OSError, ValueError):
        raise _journal_problem(root, "het is onleesbaar of beschadigd") from None
    if not (isinstance(entry, dict) and isinstance(entry.get("wissels", []), list)
            and isinstance(entry.get("toevoegingen", []), list)):
        raise _journal_problem(root, "het heeft niet de vorm van een journaal van ceo")
    for step in entry.get("wissels", []):
        if not (isinstance(step, dict) and isinstance(step.get("inode"), int)):
            raise _journal_problem(root, "het heeft niet de vorm van een journaal van ceo")
        target, staged = step.get("doel"), step.get("klaar")
        if target not in SWAPPED:
            raise _journal_problem(root, f"het noemt als doel {target!r}, niet site/ of uitvoer/ van de projectmap")
        if not (_plain_name(staged) and staged.startswith(STAGING_PREFIX)):
            raise _journal_problem(root, f"het noemt als klaargezette map {staged!r}, geen .ceo-staging-map "
                                         "van de projectmap")
        _inside(root, target, "doel")
        _inside(root, staged, "klaargezette map")
    for step in entry.get("toevoegingen", []):
        if not isinstance(step, dict):
            raise _journal_problem(root, "het heeft niet de vorm van een journaal van ceo")
        target, staged = step.get("doel"), step.get("klaar")
        if not (_plain_name(staged) and staged.startswith(STAGING_PREFIX)):
            raise _journal_problem(root, f"het noemt als klaargezette map {staged!r}, geen .ceo-staging-map "
                                         "van de projectmap")
        _inside(root, target, "doel")
        _inside(root, staged, "klaargezette map")
        if target not in ADDED_TO:
            raise _journal_problem(root, f"het noemt als doel {target!r}, niet duiding/ van de projectmap")
    return entry


class RollForwardError(Exception):
    """Completing the journal of an interrupted run failed: the message says what state each tree is in."""

    def __init__(self, root: Path, entry: dict, exc: OSError, current: bool = False) -> None:
        self.root, self.error = Path(root), exc
        states = []
        for step in entry.get("wissels", []):
            target, staged = self.root / step["doel"], self.root / step["klaar"]
            try:
                new = target.stat().st_ino == step["inode"]
            except OSError:
                new = False
            if new:
                states.append(f"{step['doel']}/ is bijgewerkt (nieuwe stand)")
            elif staged.is_dir():
                states.append(f"{step['doel']}/ heeft nog de oude stand (de nieuwe staat klaar in {staged.name})")
            else:
                states.append(f"{step['doel']}/ is onbekend (de nieuwe stand is niet meer te vinden)")
        if entry.get("toevoegingen"):
            states.append("nieuwe lege duidingsbestanden zijn misschien nog niet (alle) toegevoegd")
        reason = f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
        what = ("De nieuwe uitvoer is vastgelegd, maar ceo kon het omwisselen niet afmaken" if current else
                "Een eerdere verwerking is onderbroken nadat de nieuwe uitvoer was vastgelegd, en ceo kon het "
                "omwisselen nu niet afmaken")
        super().__init__(
            f"{what}: {reason}. Stand van de mappen: " + "; ".join(states) + ". "
            "site/ en uitvoer/ horen dus mogelijk NIET bij dezelfde revisie: publiceer site/ nu niet. Los de "
            "oorzaak op (schijfruimte, schrijfrechten) en voer daarna een ceo-opdracht opnieuw uit (bijvoorbeeld "
            "'ceo site'); die maakt het omwisselen eerst af. Verwijder .ceo-journaal.json en de mappen "
            ".ceo-staging-* niet: daarin staat de nieuwe stand.")


# --------------------------------------------------------------------------- symbolic links

def _link_message(path: Path) -> str:
    try:
        target = f" (naar {os.readlink(path)})"
    except OSError:
        target = ""
    return (f"{path} is een symbolische koppeling{target}; ceo volgt geen koppelingen in de projectmap, om nooit "
            "buiten het project te lezen of te schrijven. Vervang de koppeling door een gewoon bestand of een "
            "gewone map (een invoerbestand buiten het project kunt u gewoon op de opdrachtregel noemen)")


#: what ceo reads or writes in a project: never a symbolic link (site/, uitvoer/ and duiding/ are walked)
LINK_FREE_TREES = ("site", "uitvoer", "duiding", "surveys")
LINK_FREE_FILES = ("ceo.yaml", "mkdocs.yml", ".mkdocs.yml.ceo-tmp", LOCK_NAME, JOURNAL_NAME)


def check_links(root: Path) -> None:
    """Refuse (:class:`ceo.core.problems.InputError`, naming the path) a symbolic link where ceo reads or writes:
    ``ceo.yaml``, ``mkdocs.yml``, its own hidden files, and anything in ``site/``, ``uitvoer/``, ``duiding/``
    and ``surveys/``. A link there would let a run read from or write to a file outside the project, or
    write through the link past the all-or-nothing commit. Files named on the command line may be anywhere."""
    from ceo.core.problems import InputError

    root = Path(root)
    for name in (*LINK_FREE_FILES, *LINK_FREE_TREES):
        if (root / name).is_symlink():
            raise InputError(_link_message(root / name))
    for name in LINK_FREE_TREES:
        stack = [root / name]
        while stack:
            try:
                entries = list(os.scandir(stack.pop()))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for e in entries:
                if e.is_symlink():
                    raise InputError(_link_message(Path(e.path)))
                if e.is_dir(follow_symlinks=False):
                    stack.append(Path(e.path))


# --------------------------------------------------------------------------- builds of the site

@contextlib.contextmanager
def _builds_excluded(root: Path) -> Iterator[None]:
    """While held, no ``ceo bouw`` reads ``site/``: an exclusive lock on the project directory, which every
    build takes shared (:func:`site_read_lock`). A commit swaps the trees only under this lock, so a build sees
    one revision. Waits (with a notice on stderr) for a build that is running."""
    import fcntl

    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("wachten tot 'ceo bouw' klaar is met het lezen van site/ ...", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def site_read_lock(root: Path) -> Iterator[int]:
    """Hold a shared lock on the project directory while ``site/`` is read (``ceo bouw``): no commit swaps a
    tree meanwhile, and a commit in progress is waited for. First completes the journal of a run that was
    killed during its commit (under the project lock). Yields the locked descriptor (a child process that
    inherits it keeps the lock)."""
    import fcntl

    from ceo.core.problems import InputError

    root = Path(root).resolve()
    for _attempt in range(3):
        if os.path.lexists(root / JOURNAL_NAME):
            with project_lock(root):
                pass
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                print("wachten tot ceo klaar is met het omwisselen van site/ en uitvoer/ ...", file=sys.stderr,
                      flush=True)
                fcntl.flock(fd, fcntl.LOCK_SH)
            # a commit holds the exclusive lock for as long as its journal exists: a journal now is a dead run's
            if not os.path.lexists(root / JOURNAL_NAME):
                check_links(root)
                yield fd
                return
        finally:
            os.close(fd)
    raise InputError(f"{root / JOURNAL_NAME}: een onderbroken verwerking kon niet worden afgemaakt; voer "
                     "'ceo site' uit en probeer het daarna opnieuw")


# --------------------------------------------------------------------------- the transaction

class Transaction:
    """The new states of the directories of one project, committed as one step."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.stagings: list[tuple[Path, Path]] = []  # (staging, target)
        self.additions: list[tuple[Path, Path]] = []  # (staging, target directory): files added if missing

    def stage(self, target: Path, keep_existing: bool = True) -> Path:
        """A staging directory that becomes ``target`` (a directory in the project root)."""
        target = Path(target)
        if target.parent.resolve() != self.root.resolve() or target.name not in SWAPPED:
            raise ValueError(f"{target} is not site/ or uitvoer/ of the project {self.root}")
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + target.name + "-", dir=self.root))
        self.stagings.append((staging, target))
        if keep_existing and target.is_dir():
            copy_tree(target, staging)
        return staging

    def stage_additions(self, target: Path) -> Path:
        """A staging directory ``S``: the files in ``S/<target name>/`` are added to ``target`` where
        they do not exist yet (duiding scaffolds: created once, never overwritten)."""
        target = Path(target)
        if target.parent.resolve() != self.root.resolve() or target.name not in ADDED_TO:
            raise ValueError(f"{target} is not duiding/ of the project {self.root}")
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + target.name + "-nieuw-", dir=self.root))
        self.additions.append((staging, target))
        return staging

    def discard(self) -> None:
        for staging, _ in self.stagings + self.additions:
            shutil.rmtree(staging, ignore_errors=True)

    def commit(self) -> None:
        global commits
        _test_hook("voorbereid")
        for staging, _ in self.stagings + self.additions:
            _fsync_tree(staging)  # everything is on disk before the journal says "swap"
        entry = {"versie": 1, "pid": os.getpid(),
                 "wissels": [{"doel": t.name, "klaar": s.name, "inode": s.stat().st_ino} for s, t in self.stagings],
                 "toevoegingen": [{"doel": os.path.relpath(t, self.root), "klaar": s.name}
                                  for s, t in self.additions]}
        with _builds_excluded(self.root), _signals_deferred():
            try:
                _write_journal(self.root, entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    (self.root / (STAGING_PREFIX + "journaal.tmp")).unlink()
                raise
            commits += 1
            try:
                _test_hook("journaal")
                _apply(self.root, entry)
                (self.root / JOURNAL_NAME).unlink()
                _fsync_dir(self.root)
            except OSError as exc:
                global unfinished
                unfinished = True  # the journal stays: the next ceo command completes the commit
                raise RollForwardError(self.root, entry, exc, current=True) from None
            except BaseException:
                unfinished = True
                raise
            _test_hook("klaar")
        clean_stale(self.root)


class _CopyFailed(Exception):
    """Carries an OSError out of :func:`shutil.copytree` (which would collect it into a message)."""


def copy_tree(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target``; the first error (e.g. ENOSPC) is raised as the OSError it is."""
    def copy(src, dst, *, follow_symlinks=True):
        try:
            return shutil.copy2(src, dst, follow_symlinks=follow_symlinks)
        except OSError as exc:
            raise _CopyFailed(exc) from None

    try:
        shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True, copy_function=copy)
    except _CopyFailed as exc:
        raise exc.args[0] from None


@contextlib.contextmanager
def transaction(root: Path) -> Iterator[Transaction]:
    """Hold the project lock, yield a :class:`Transaction`; commit it when the block ends without
    error, otherwise remove its staging directories and leave everything as it was."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with project_lock(root):
        tx = Transaction(root)
        try:
            yield tx
        except BaseException:
            tx.discard()
            raise
        try:
            tx.commit()
        except BaseException:
            if not (root / JOURNAL_NAME).exists():
                tx.discard()
            raise


@contextlib.contextmanager
def replace_directory(target: Path, keep_existing: bool = True) -> Iterator[Path]:
    """Yield a staging directory that replaces ``target`` when the block ends without error.

    With ``keep_existing`` the staging directory starts as a copy of ``target`` so a run that
    writes only some files (one survey of an edition) keeps the others.
    """
    with replace_directories([target], keep_existing) as (staging,):
        yield staging


@contextlib.contextmanager
def replace_directories(targets: list[Path], keep_existing: bool = True) -> Iterator[list[Path]]:
    """Like :func:`replace_directory` for several directories of one project (``site/`` and
    ``uitvoer/``), committed together as one step (see the module documentation)."""
    roots = {Path(t).parent.resolve() for t in targets}
    if len(roots) != 1:
        raise ValueError("all targets must be directories of one project")
    with transaction(Path(targets[0]).parent) as tx:
        yield [tx.stage(Path(t), keep_existing) for t in targets]


def _write_journal(root: Path, entry: dict) -> None:
    tmp = root / (STAGING_PREFIX + "journaal.tmp")
    data = json.dumps(entry, ensure_ascii=False).encode("utf-8")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, root / JOURNAL_NAME)
    _fsync_dir(root)


def _apply(root: Path, entry: dict) -> None:
    """Carry out a journal; idempotent, so an interrupted run's journal can be completed again."""
    swaps = entry.get("wissels", [])
    for i, step in enumerate(swaps):
        target, staged = root / step["doel"], root / step["klaar"]
        if target.exists() and target.stat().st_ino == step["inode"]:
            continue  # swapped in already
        if not (staged.is_dir() and staged.stat().st_ino == step["inode"]):
            continue  # nothing left to swap (cannot happen unless removed by hand)
        if target.exists():
            if not _exchange(staged, target):
                old = root / (OLD_PREFIX + target.name + f"-{os.getpid()}")
                os.replace(target, old)
                os.replace(staged, target)
        else:
            os.replace(staged, target)
        _fsync_dir(root)
        if i < len(swaps) - 1:
            _test_hook("wissel")
    for step in entry.get("toevoegingen", []):
        target = root / step["doel"]
        staged = root / step["klaar"] / target.name
        if not staged.is_dir():
            continue
        moved = 0
        real_target = os.path.realpath(target)
        for path in sorted(staged.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            dest = target / path.relative_to(staged)
            if not os.path.realpath(dest).startswith(real_target + os.sep):
                continue  # below a symbolic link: never written through it
            if not os.path.lexists(dest):
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
                _fsync_dir(dest.parent)
                moved += 1
                if moved == 1:
                    _test_hook("toevoeging")


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported.

    With the exchange there is no moment at which ``b`` is missing or half-written.
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
    """fsync every file and directory below ``root`` (directories too: their entries must be on disk
    before the journal points at them)."""
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            if os.path.islink(p):
                continue
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def is_write_error(exc: BaseException) -> bool:
    """An OSError that means the project cannot be written (full disk, read-only, no permission)."""
    return isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS
