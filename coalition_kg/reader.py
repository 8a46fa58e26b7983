"""Step 1: reading articles.

An article is a UTF-8 (or UTF-16 with a byte-order mark) text file.  Its identifier is the file
stem made safe for IRIs (:func:`article_id`: letters, digits and ``-._~`` kept, anything else
percent-encoded), with a hash of the text added when two files of a batch share a stem; a file
whose text another file of the batch already has is reported and read once.  Its text is kept
exactly as read (after decoding and dropping a leading byte-order mark), because every
character offset in the graph points into this text.  Bad files raise :class:`ArticleError` with a one-line
message naming the file; :func:`iter_articles` lets a batch skip them and go on.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

MAX_BYTES = 5_000_000
ARABIC_RANGE = ("\u0600", "\u06ff")


class ArticleError(ValueError):
    """A file that cannot be read as an article."""


@dataclass(frozen=True)
class Article:
    id: str
    path: Path
    text: str
    sha256: str
    # what the input says about the article besides its text (a record of a JSON Lines, HTML or
    # WARC input, see :mod:`.readers`; a .txt file has none): ISO dates, the rest as given
    url: str | None = None
    issued: str | None = None          # publication date: YYYY-MM-DD, YYYY-MM or YYYY
    publisher: str | None = None
    headline: str | None = None
    language: str | None = None
    captured: str | None = None        # when a web archive captured the page (WARC-Date)
    position: str | None = None        # where in its file: "line 3", "record 2"

    @property
    def where(self) -> str:
        """The file, and the record's position in it: for messages."""
        return f"{shown(self.path)}: {self.position}" if self.position else shown(self.path)

    @property
    def key(self) -> str:
        """What the article's facts depend on besides its id: its bytes, and its publication
        date (relative dates are anchored on it)."""
        if self.issued is None:
            return self.sha256
        return hashlib.sha256(f"{self.sha256}|issued={self.issued}".encode()).hexdigest()

    @property
    def title(self) -> str:
        if self.headline:
            return self.headline
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()
        return self.id


def article_id(stem: str) -> str:
    """An identifier for any file stem that is safe in an IRI path segment and in Turtle.

    Letters and digits (Arabic included) and ``-_~`` are kept, ``.`` too except at the start;
    every other character, and ``%`` itself, is percent-encoded (UTF-8), so different stems always
    give different identifiers."""
    out = []
    for i, ch in enumerate(stem):
        if ch.isalnum() and ch.isprintable() or ch in "-_~" or (ch == "." and i > 0):
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
    return "".join(out) or "article"


def _decode(path: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        codec = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        codec = None
    if codec:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass        # a byte-order mark by accident: neither UTF-16 nor (below) UTF-8
    if b"\x00" in data:
        nul_at = {i % 2 for i, b in enumerate(data) if b == 0}
        if len(data) % 2 == 0 and len(nul_at) == 1:
            try:
                data.decode("utf-16-le" if nul_at == {1} else "utf-16-be")
            except UnicodeDecodeError:
                pass
            else:
                raise ArticleError(f"{path}: looks like UTF-16 without a byte-order mark; save it as UTF-8")
        raise ArticleError(f"{path}: binary file (contains NUL bytes), not UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{path}: not valid UTF-8 (byte {exc.start}: {exc.reason})") from None


def shown(path: str | Path) -> str:
    """A file name as messages and the graph show it: bytes that are not UTF-8 (legal in Linux
    file names) escaped as ``\\xNN``, never a lone surrogate that cannot be written out."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, checked before reading: a regular file (a FIFO, a terminal or
    ``/dev/zero`` is refused, never read) of at most :data:`MAX_BYTES`."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ArticleError(f"{shown(path)}: no such file") from None
    except OSError as exc:
        raise ArticleError(f"{shown(path)}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ArticleError(f"{shown(path)}: is a directory, not an article file")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
                or stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
        raise ArticleError(f"{shown(path)}: {kind}, not a regular file; not read")
    if st.st_size > MAX_BYTES:
        raise ArticleError(f"{shown(path)}: too large ({st.st_size} bytes; limit {MAX_BYTES})")
    try:
        # O_NONBLOCK: if the name became a FIFO since the stat, opening it does not hang
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ArticleError(f"{shown(path)}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ArticleError(f"{shown(path)}: not a regular file; not read")
        try:
            data = fh.read(MAX_BYTES + 1)       # a file that grew since the stat is still bounded
        except OSError as exc:
            raise ArticleError(f"{shown(path)}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ArticleError(f"{shown(path)}: too large (more than {MAX_BYTES} bytes)")
    return data


def read_article(path: str | Path) -> Article:
    path = Path(path)
    data = _read_bytes(path)
    text = _decode(shown(path), data)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ArticleError(f"{shown(path)}: empty article")
    if not any(ARABIC_RANGE[0] <= ch <= ARABIC_RANGE[1] for ch in text):
        raise ArticleError(f"{shown(path)}: contains no Arabic text")
    return Article(article_id(path.stem), path, text, hashlib.sha256(data).hexdigest())


def collect_paths(inputs: Iterable[str | Path], errors: list[str] | None = None) -> list[Path]:
    """Files named directly, plus every ``*.txt`` (any case) in named directories (sorted).

    Broken symbolic links and link loops in a directory are reported into ``errors``."""
    paths: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            for q in sorted(p.iterdir()):
                if q.suffix.lower() != ".txt":
                    continue
                if q.is_symlink():
                    try:
                        os.stat(q)
                    except OSError as exc:
                        if errors is not None:
                            why = "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
                            errors.append(f"{shown(q)}: {why}")
                        continue
                if not q.is_dir():
                    paths.append(q)     # not a regular file (a FIFO, a device): refused when read
        else:
            paths.append(p)
    return paths


def iter_articles(inputs: Iterable[str | Path], errors: list[str] | None = None) -> Iterator[Article]:
    """Read every article; bad files are reported into ``errors`` (if given) and skipped.

    Identifiers are unique in the batch: files sharing a stem get a hash of their text appended;
    a file with the same text as an earlier one (or the same file named twice) is read once."""
    paths = collect_paths(inputs, errors)
    stems: dict[str, int] = {}
    for path in paths:
        stems[article_id(path.stem)] = stems.get(article_id(path.stem), 0) + 1
    used: set[str] = set()
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            art = read_article(path)
        except ArticleError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        if art.sha256 in seen:
            msg = f"{shown(path)}: same text as {shown(seen[art.sha256])}; read once"
            if errors is None:
                raise ArticleError(msg)
            errors.append(msg)
            continue
        seen[art.sha256] = path
        if stems[art.id] > 1:
            art = dataclasses.replace(art, id=_generated_id(art.id, art.sha256, stems, used))
        used.add(art.id)
        yield art


def _generated_id(base: str, sha256: str, plain: dict[str, int], used: set[str]) -> str:
    """An id for one of several files sharing the id ``base``: ``base`` and a hash of its text,
    never one that a file's own name gives (``plain``) nor one already given (``used``); so the
    batch's ids are unique by construction, even beside a file literally named like a generated id."""
    for n in (10, 16, 64):
        cand = f"{base}-{sha256[:n]}"
        if cand not in plain and cand not in used:
            return cand
    k = 2
    while f"{base}-{sha256}-{k}" in plain or f"{base}-{sha256}-{k}" in used:
        k += 1
    return f"{base}-{sha256}-{k}"
