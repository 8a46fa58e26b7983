"""The facts cache: every article's extracted facts, kept between builds.

A build looks up each article by its identifier, the SHA-256 of its bytes and the *version* of
what produced the facts (this package's code and word lists, and the tagger's files): when all
three match, the stored :class:`.pipeline.ArticleResult` is used and the article is not tagged
or extracted again.  So a rebuild of unchanged articles costs only resolution and RDF, a changed
article is processed again, and a killed build, run again, redoes only the chunks it had not
finished (each chunk is committed as soon as it is done).

One SQLite file (``$COALITION_KG_FACTS``, default ``$XDG_CACHE_HOME/coalition-kg/facts.sqlite``),
one row per article identifier: a new version of an article replaces the old row.  It is a cache:
deleting it only costs time.  Rows are plain data (:mod:`.serial`: JSON of the facts, every
value's type checked when read back), never pickles: a row that does not read back as facts
(tampered, damaged, foreign) is a miss, counted in :attr:`FactsCache.rejected`, and the article
is processed again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from .serial import SerialError

ENV_FACTS = "COALITION_KG_FACTS"
PACKAGE = Path(__file__).resolve().parent
_CODE_SUFFIXES = {".py", ".txt", ".json", ".tsv", ".csv", ".rq"}


def default_path() -> Path:
    env = os.environ.get(ENV_FACTS)
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coalition-kg" / "facts.sqlite"


def code_version() -> str:
    """A digest of every source and data file of the package (the shipped models aside)."""
    h = hashlib.sha1()
    for p in sorted(PACKAGE.rglob("*")):
        if p.suffix in _CODE_SUFFIXES and "models" not in p.relative_to(PACKAGE).parts and p.is_file():
            h.update(str(p.relative_to(PACKAGE)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def model_version(directory: str | Path) -> str:
    """A digest of a model directory (a tagger, Stanza's resources, a transformer): its path,
    its files' names and sizes, and the bytes of its ``.pt`` weights."""
    path = Path(directory)
    h = hashlib.sha1(str(path.resolve()).encode())
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(f"{p.relative_to(path)}:{p.stat().st_size}".encode())
                if p.suffix == ".pt" and p.stat().st_size < 64 << 20:
                    h.update(p.read_bytes())
    return h.hexdigest()[:16]


def pack(result) -> bytes:
    """An article's facts as the cache stores them (and as workers hand them back): JSON of the
    facts, compressed (:func:`.serial.pack`; the article itself is left out)."""
    from .serial import pack as _pack
    return _pack(result)


def unpack(blob: bytes, article):
    """The facts of ``article`` from a :func:`pack` blob; :class:`.serial.SerialError` if the
    blob is not such facts."""
    from .serial import unpack as _unpack
    return _unpack(blob, article)


class FactsCache:
    def __init__(self, version: str, path: str | Path | None = None):
        self.version = version
        self.rejected: list[str] = []      # ids of rows that did not read back as facts
        self.path = Path(path) if path else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS facts (id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, "
                            "version TEXT NOT NULL, result BLOB NOT NULL)")
            self.db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise OSError(f"{self.path}: cannot open the facts cache ({exc}); "
                          f"set {ENV_FACTS} elsewhere or build with --no-cache") from None

    def get_many(self, articles) -> dict[tuple[str, str], object]:
        """(id, sha256) -> stored result, for the articles whose facts are current."""
        out = {}
        want = {(a.id, a.key): a for a in articles}
        ids = [a.id for a in articles]
        for k in range(0, len(ids), 500):
            part = ids[k:k + 500]
            rows = self.db.execute(f"SELECT id, sha256, result FROM facts WHERE version = ? AND id IN "
                                   f"({','.join('?' * len(part))})", [self.version, *part])
            for aid, sha, blob in rows:
                if (aid, sha) in want:
                    try:
                        # the stored article is this article (its path may have moved)
                        out[(aid, sha)] = unpack(blob, want[(aid, sha)])
                    except (SerialError, TypeError, ValueError):   # damaged or foreign: a miss
                        self.rejected.append(aid)
        return out

    def put_many(self, results) -> None:
        self.put_packed([(r.article.id, r.article.key, pack(r)) for r in results])

    def put_packed(self, rows) -> None:
        """Store ``(article id, sha256, pack(result))`` rows (packed by a worker)."""
        rows = [(aid, sha, self.version, blob) for aid, sha, blob in rows]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO facts (id, sha256, version, result) VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        self.db.close()
