"""The embedded store's generations: how a complete new store replaces the old one, and how
readers and writers agree.

A build writes a complete new store in a directory beside the old one, marks it complete
(:data:`MARK`), and swaps the two directories in one ``renameat2`` exchange, so a reader (or a
build killed at any moment) sees the whole old graph or the whole new one.  A store without the
completion mark is refused with a clear error.  Readers and the swap agree through two lock
files (:class:`ReaderLock`, :func:`swapping`), so a reader never opens half of one generation
and half of the other, and "damaged" means damaged.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from .base import StoreError

MARK = "coalition-kg-store.json"     # written into a store directory once its content is complete


def _write_mark(store_dir: Path, info: dict) -> None:
    """Write a store's completion mark, durably, replacing any earlier one in one rename."""
    tmp = store_dir / f".{MARK}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(info, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, store_dir / MARK)


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE)."""
    import ctypes
    import errno
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        raise OSError(errno.ENOSYS, "renameat2 not available")
    if fn(-100, os.fsencode(str(a)), -100, os.fsencode(str(b)), 2) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_error(path: Path, exc: Exception) -> StoreError:
    msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return StoreError(f"{path}: cannot open the store — damaged or not an Oxigraph store ({msg}); "
                      f"rebuild it with `coalition-kg build … --store {path}`")


def check_store_location(path: str | Path, must_exist: bool = False) -> Path:
    """Refuse, before any expensive work, a --store that cannot become (or is not) a store."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: exists and is not a store directory")
    if path.is_dir() and any(path.iterdir()) and not ((path / MARK).is_file() or (path / "CURRENT").is_file()):
        raise StoreError(f"{path}: a directory that is not a coalition-kg store; refusing to replace it")
    if must_exist and not (path / MARK).is_file():
        raise StoreError(f"{path}: no complete store here to add to (build without --add first)")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{parent}: cannot create the store's directory ({exc.strerror})") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"{parent}: not writable; the store cannot be written there")
    return path


# ---------------------------------------------------------------------------------------------
# readers and writers
#
# RocksDB opens a store by path, file after file (CURRENT, then the MANIFEST it names, then the
# tables): a reader that opens the directory while a writer swaps it could read the CURRENT of
# one generation and the tables of the other, and be told the store is damaged.  So the swap and
# the readers agree through two lock files beside the store (flock, released by the kernel when a
# process dies):
#
# * a reader takes ``.NAME.gate`` shared for a moment, then ``.NAME.swap`` shared, which it holds
#   until it closes the store — it always opens (and reads) one whole generation;
# * a writer, to swap, takes ``.NAME.gate`` exclusive (new readers wait at the gate, so a stream
#   of readers cannot starve it), then ``.NAME.swap`` exclusive (the readers already in finish),
#   exchanges the directories, and lets everyone in again.
#
# A directory where the lock files cannot be created (read-only) cannot be swapped either: the
# reader reads without them.

WRITER_WAIT = 600.0           # seconds a swap waits for the readers already in before giving up


def _lock_file(store: Path, kind: str):
    try:
        fd = os.open(store.parent / f".{store.name}.{kind}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError:
        return None
    return fd


def _flock(fd: int, how: int, deadline: float | None) -> bool:
    """flock ``fd``, waiting until ``deadline`` (monotonic; None: as long as it takes)."""
    import fcntl
    if deadline is None:
        fcntl.flock(fd, how)
        return True
    while True:
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)


class ReaderLock:
    """Held by a read-only store from before it opens the directory until it is closed."""

    def __init__(self, store: Path):
        import fcntl
        self._fd = _lock_file(store, "swap")
        gate = _lock_file(store, "gate") if self._fd is not None else None
        if self._fd is None or gate is None:
            self.release()
            return
        try:
            _flock(gate, fcntl.LOCK_SH, None)        # a swap under way: wait for it
            _flock(self._fd, fcntl.LOCK_SH, None)
        finally:
            os.close(gate)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)                       # closing drops the flock
            self._fd = None

    def __del__(self):                               # a store never closed: its lock goes with it
        self.release()


@contextmanager
def swapping(store: Path):
    """The writer's side: while inside, no reader has the store open or can open it."""
    import fcntl
    gate, swap = _lock_file(store, "gate"), _lock_file(store, "swap")
    try:
        if gate is not None and swap is not None:
            deadline = time.monotonic() + WRITER_WAIT
            if not (_flock(gate, fcntl.LOCK_EX, deadline) and _flock(swap, fcntl.LOCK_EX, deadline)):
                raise StoreError(f"{store}: readers kept the store open for {WRITER_WAIT:.0f} s; the new store "
                                 f"was not swapped in (the old one is unchanged)")
        yield
    finally:
        for fd in (swap, gate):
            if fd is not None:
                os.close(fd)
