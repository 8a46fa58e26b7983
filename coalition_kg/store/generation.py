"""The embedded store's generations: how a complete new store replaces the old one, and how
readers and writers agree.

A build writes a complete new store in a directory beside the old one, marks it complete
(:data:`MARK`), and swaps the two directories in one ``renameat2`` exchange, so a reader (or a
build killed at any moment) sees the whole old graph or the whole new one.  A store without the
completion mark is refused with a clear error.
"""

from __future__ import annotations

import json
import os
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
