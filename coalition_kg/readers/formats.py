"""The readers of each input format, streaming: each yields ``(position, record dict or
ArticleError)`` one record at a time, never holding a whole file (a JSON document that is one
object, not a list, aside).  A gzip-compressed file (any name) is read through ``gzip``."""

from __future__ import annotations

import gzip
import io
import os
import stat
import json
import re
from pathlib import Path
from typing import Iterator

from ..reader import MAX_BYTES, ArticleError, _decode, shown

MAX_RECORD = 8 * MAX_BYTES       # a JSON line or list item (its text escaped) or an HTML page
MAX_OBJECT = 64 * 1024 * 1024    # a .json file that is one object (read whole)
CHUNK = 1 << 20


def _regular(path: Path) -> bool:
    """A regular file: only those are sniffed or read (a FIFO or a device would block or never end)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def is_gzip(path: Path) -> bool:
    if not _regular(path):
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"\x1f\x8b"
    except OSError:
        return False


def open_binary(path: Path):
    """The file's bytes, decompressed when it is gzip; ArticleError when it cannot be opened or
    is not a regular file (refused with one line, never read)."""
    try:
        if path.is_dir():
            raise ArticleError(f"{shown(path)}: is a directory, not an article file")
        if path.exists() and not _regular(path):
            raise ArticleError(f"{shown(path)}: not a regular file (a FIFO, a device or a socket); not read")
        fh = open(path, "rb")
    except FileNotFoundError:
        raise ArticleError(f"{path}: no such file") from None
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read ({exc.strerror})") from None
    if fh.read(2) == b"\x1f\x8b":
        fh.seek(0)
        return gzip.GzipFile(fileobj=fh, mode="rb")
    fh.seek(0)
    return fh


def _bad(position: str, why: str, path: Path) -> ArticleError:
    return ArticleError(f"{path}: {position}: {why}")


# -- JSON Lines --------------------------------------------------------------------------------

def read_jsonl(path: Path) -> Iterator[tuple[str, dict | ArticleError]]:
    """One JSON object a line (blank lines skipped); a line that is not one is a bad record."""
    with open_binary(path) as fh:
        n = 0
        while True:
            try:
                line = fh.readline(MAX_RECORD + 1)
            except (OSError, EOFError) as exc:       # a damaged or truncated gzip stream
                yield f"line {n + 1}", _bad(f"line {n + 1}", f"unreadable ({exc}); the rest of the file is lost",
                                            path)
                return
            if not line:
                return
            n += 1
            pos = f"line {n}"
            if len(line) > MAX_RECORD and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):          # skip the rest of the long line
                    line = fh.readline(CHUNK)
                yield pos, _bad(pos, f"longer than {MAX_RECORD} bytes", path)
                continue
            if n == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                rec = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield pos, _bad(pos, f"not valid UTF-8 (byte {exc.start}: {exc.reason})", path)
                continue
            except json.JSONDecodeError as exc:
                yield pos, _bad(pos, f"not JSON ({exc.msg} at column {exc.colno})", path)
                continue
            if not isinstance(rec, dict):
                yield pos, _bad(pos, f"a JSON {type(rec).__name__}, not an object", path)
                continue
            yield pos, rec


# -- JSON ----------------------------------------------------------------------------------------

WRAPPERS = ("articles", "data", "items", "results", "records", "documents", "rows")


def read_json(path: Path) -> Iterator[tuple[str, dict | ArticleError]]:
    """A list of objects (streamed, item by item), or one object: an article, or a wrapper holding
    the list under one of :data:`WRAPPERS`."""
    with open_binary(path) as raw:
        fh = io.TextIOWrapper(raw, encoding="utf-8-sig")
        try:
            yield from _json_values(path, fh)
        except UnicodeDecodeError as exc:
            yield "", ArticleError(f"{path}: not valid UTF-8 ({exc.reason}); the rest of the file is lost")
        except (OSError, EOFError) as exc:
            yield "", ArticleError(f"{path}: unreadable ({exc}); the rest of the file is lost")


def _json_values(path: Path, fh) -> Iterator[tuple[str, dict | ArticleError]]:
    dec = json.JSONDecoder()
    buf, pos, eof = "", 0, False

    def more(size: int) -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        data = fh.read(size)
        if not data:
            eof = True
            return False
        buf, pos = buf[pos:] + data, 0
        return True

    def skip_ws() -> bool:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return True
            if not more(CHUNK):
                return False

    if not skip_ws():
        yield "", ArticleError(f"{path}: empty file")
        return
    if buf[pos] != "[":
        while more(CHUNK):
            if len(buf) > MAX_OBJECT:
                yield "", ArticleError(f"{path}: a JSON object larger than {MAX_OBJECT} bytes; write a list "
                                       "or JSON Lines")
                return
        try:
            doc = json.loads(buf[pos:])
        except json.JSONDecodeError as exc:
            hint = "; one object a line is JSON Lines: name it .jsonl or use --input-format jsonl" \
                if exc.msg == "Extra data" and exc.lineno > 1 else ""
            yield "", ArticleError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}){hint}")
            return
        if isinstance(doc, dict):
            for key in WRAPPERS:
                if isinstance(doc.get(key), list):
                    for n, rec in enumerate(doc[key], 1):
                        yield (f"record {n}", rec if isinstance(rec, dict) else
                               _bad(f"record {n}", f"a JSON {type(rec).__name__}, not an object", path))
                    return
            yield "", doc
        else:
            yield "", ArticleError(f"{path}: a JSON {type(doc).__name__}, neither a list nor an object")
        return
    pos += 1
    n = 0
    while True:
        if not skip_ws():
            yield f"record {n + 1}", _bad(f"record {n + 1}", "the list is not closed (file truncated?)", path)
            return
        if buf[pos] == "]":
            return
        if buf[pos] == "," and n:
            pos += 1
            continue
        try:
            rec, end = dec.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            # an item cut by the end of the buffer: read on (doubling), up to the size limit
            if len(buf) - pos <= MAX_RECORD and more(max(CHUNK, len(buf))):
                continue
            yield f"record {n + 1}", _bad(f"record {n + 1}", f"not JSON ({exc.msg}); the rest of the list "
                                          "cannot be read", path)
            return
        n += 1
        pos = end
        if pos > CHUNK:
            buf, pos = buf[pos:], 0
        yield f"record {n}", rec if isinstance(rec, dict) else _bad(
            f"record {n}", f"a JSON {type(rec).__name__}, not an object", path)


# -- HTML ----------------------------------------------------------------------------------------

_LANG = re.compile(rb"<html\b[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)


def html_record(data: bytes, url: str | None = None) -> dict | None:
    """The page's main text (boilerplate, navigation, sidebars and footers dropped, by
    trafilatura) with its title, publication date, site name, canonical address and language
    from its metadata; None when no main text is found."""
    import logging
    import trafilatura
    for name in ("trafilatura", "htmldate", "courlan"):    # their notes are not the user's business:
        logging.getLogger(name).setLevel(logging.ERROR)     # a page without text is reported by us
    doc = trafilatura.bare_extraction(
        data, url=url, with_metadata=True, include_comments=False, include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True})
    if doc is None or not (doc.text or "").strip():
        return None
    lang = _LANG.search(data[:65536])
    return {"text": doc.text, "title": doc.title, "date": doc.date,
            "publisher": doc.sitename or doc.hostname, "url": url or doc.url,
            "language": lang.group(1).decode() if lang else None}


def _read_bounded(path: Path, limit: int, too_large: str) -> bytes | ArticleError:
    """The whole (decompressed) file, or the one-line error saying why not: unreadable, or over
    ``limit`` bytes (``too_large`` words the limit)."""
    with open_binary(path) as fh:
        try:
            data = fh.read(limit + 1)
        except (OSError, EOFError) as exc:
            return ArticleError(f"{path}: unreadable ({exc})")
    if len(data) > limit:
        return ArticleError(f"{path}: too large ({too_large})")
    return data


def read_html(path: Path) -> Iterator[tuple[str, dict | ArticleError]]:
    data = _read_bounded(path, MAX_RECORD, f"limit {MAX_RECORD} bytes")
    if isinstance(data, ArticleError):
        yield "", data
        return
    rec = html_record(data)
    yield "", rec if rec is not None else ArticleError(f"{path}: no article text found in the page")


# -- WARC ----------------------------------------------------------------------------------------

def read_warc(path: Path, skipped: dict | None = None) -> Iterator[tuple[str, dict | ArticleError]]:
    """Each HTML response (status 2xx) an article: its target URI and WARC-Date kept; other
    records (requests, metadata, images, redirects …) are counted into ``skipped``."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    # a gzip file read through gzip whether it is one member per record (the usual .warc.gz,
    # which warcio reads itself) or the whole archive compressed at once (which it cannot)
    with open_binary(path) as fh:
        it = iter(ArchiveIterator(fh, arc2warc=True))
        n = 0
        while True:
            try:
                record = next(it)
            except StopIteration:
                return
            except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
                msg = (str(exc).strip("() ").splitlines() or [type(exc).__name__])[0]
                yield f"record {n + 1}", _bad(f"record {n + 1}", f"unreadable ({msg}); the rest of the archive "
                                              "is lost", path)
                return
            n += 1
            pos = f"record {n}"
            if record.rec_type not in ("response", "resource"):
                continue
            http = record.http_headers if record.rec_type == "response" else None
            ctype = (http.get_header("Content-Type") if http else record.rec_headers.get_header("Content-Type")) or ""
            status = http.get_statuscode() if http else "200"
            if not str(status).startswith("2") or "html" not in ctype.lower():
                if skipped is not None:
                    why = "not HTML" if str(status).startswith("2") else f"HTTP {status}"
                    skipped[why] = skipped.get(why, 0) + 1
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            captured = record.rec_headers.get_header("WARC-Date")
            try:
                data = record.content_stream().read(MAX_RECORD + 1)
            except Exception as exc:     # a damaged transfer or content encoding: this record only
                yield pos, _bad(pos, f"payload unreadable ({type(exc).__name__}: {exc})", path)
                continue
            if len(data) > MAX_RECORD:
                yield pos, _bad(pos, f"page too large (limit {MAX_RECORD} bytes)", path)
                continue
            try:
                rec = html_record(data, url)
            except Exception as exc:
                yield pos, _bad(pos, f"HTML not readable ({type(exc).__name__}: {exc})", path)
                continue
            if rec is None:
                yield pos, _bad(pos, f"no article text found in the page {url or ''}".rstrip(), path)
                continue
            rec["captured"] = captured
            yield pos, rec


# -- plain text, compressed ----------------------------------------------------------------------

def read_text_gz(path: Path) -> Iterator[tuple[str, dict | ArticleError]]:
    """A gzip-compressed text file: one article, decoded as a .txt is."""
    data = _read_bounded(path, MAX_BYTES, f"over {MAX_BYTES} bytes uncompressed")
    if isinstance(data, ArticleError):
        yield "", data
        return
    try:
        text = _decode(path, data).removeprefix("\ufeff")
    except ArticleError as exc:
        yield "", exc
        return
    yield "", {"text": text}
