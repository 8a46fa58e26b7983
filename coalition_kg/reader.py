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
        return f"{self.path}: {self.position}" if self.position else str(self.path)

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


def _decode(path: Path, data: bytes) -> str:
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


def read_article(path: str | Path) -> Article:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ArticleError(f"{path}: is a directory, not an article file") from None
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ArticleError(f"{path}: too large ({len(data)} bytes; limit {MAX_BYTES})")
    text = _decode(path, data)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ArticleError(f"{path}: empty article")
    if not any(ARABIC_RANGE[0] <= ch <= ARABIC_RANGE[1] for ch in text):
        raise ArticleError(f"{path}: contains no Arabic text")
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
                            errors.append(f"{q}: {why}")
                        continue
                if q.is_file():
                    paths.append(q)
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
            msg = f"{path}: same text as {seen[art.sha256]}; read once"
            if errors is None:
                raise ArticleError(msg)
            errors.append(msg)
            continue
        seen[art.sha256] = path
        if stems[art.id] > 1:
            art = dataclasses.replace(art, id=f"{art.id}-{art.sha256[:10]}")
        yield art
