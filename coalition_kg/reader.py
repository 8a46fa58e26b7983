"""Step 1: reading articles.

An article is a UTF-8 text file.  Its identifier is the file stem; its text is kept exactly as
read (after decoding and dropping a leading byte-order mark), because every character offset
in the graph points into this text.  Bad files raise :class:`ArticleError` with a one-line
message naming the file; :func:`iter_articles` lets a batch skip them and go on.
"""

from __future__ import annotations

import hashlib
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

    @property
    def title(self) -> str:
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()
        return self.id


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
    if b"\x00" in data:
        raise ArticleError(f"{path}: binary file (contains NUL bytes), not UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{path}: not valid UTF-8 (byte {exc.start}: {exc.reason})") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ArticleError(f"{path}: empty article")
    if not any(ARABIC_RANGE[0] <= ch <= ARABIC_RANGE[1] for ch in text):
        raise ArticleError(f"{path}: contains no Arabic text")
    return Article(path.stem, path, text, hashlib.sha256(data).hexdigest())


def collect_paths(inputs: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every ``*.txt`` in named directories (sorted)."""
    paths: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            paths.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix == ".txt"))
        else:
            paths.append(p)
    return paths


def iter_articles(inputs: Iterable[str | Path], errors: list[str] | None = None) -> Iterator[Article]:
    """Read every article; bad files are reported into ``errors`` (if given) and skipped."""
    for path in collect_paths(inputs):
        try:
            yield read_article(path)
        except ArticleError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
