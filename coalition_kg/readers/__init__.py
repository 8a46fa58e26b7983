"""Reading the inputs of a build, whatever their format: plain text files (:mod:`..reader`), JSON
Lines and JSON (one article per line or a list of them), saved HTML pages (the main text, by
trafilatura) and web archives (WARC: each HTML response an article).  See ``docs/inputs.md``.

* **Format**: by the file's extension (``.txt``, ``.jsonl``/``.ndjson``, ``.json``,
  ``.html``/``.htm``, ``.warc``; each may end in ``.gz``, and any gzip file is read
  decompressed), or for every file by ``input_format``.  A file named directly whose extension
  says nothing is read as text, as before.  A directory gives its files of known extensions.
* **Bad records** (a JSON line that is not an object, a record without text or Arabic, an HTML
  page without main text …) are reported into ``errors`` with file and line or record number and
  skipped; the rest of the file is read.  A date that is not understood only drops the date
  (reported into ``warnings``).
* **Identity**: an article is one article however many inputs carry it: a record whose text is
  that of a text file adds its metadata (URL, date, outlet, title) to that file's article; a
  record whose text or (normalized) URL an earlier record had is reported and read once.
  Ids: a text file's, as :func:`..reader.iter_articles` gives them; an HTML file's, its name; a
  record's, its ``id`` field, else its URL's last segment with a hash of the URL, else the file's
  name and record number; made unique with a hash of the text when taken.
* **Order**: the records of the non-text files, file by file, then the text files (read first,
  as a batch, exactly as before).
* **Streaming**: JSON Lines, JSON lists and WARC files are read record by record.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable, Iterator

from ..reader import Article, ArticleError, article_id, iter_articles
from . import formats
from .records import FIELD_NAMES, Fields, normal_url, parse_date, parse_fields, text_hash, to_article

__all__ = ["iter_inputs", "detect_format", "FORMATS", "Fields", "parse_fields", "parse_date", "FIELD_NAMES"]

FORMATS = ("txt", "jsonl", "json", "html", "warc")
EXTENSIONS = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".json": "json",
              ".html": "html", ".htm": "html", ".xhtml": "html", ".warc": "warc", ".arc": "warc"}


def _suffix(path: Path) -> tuple[str, bool]:
    """(extension without .gz, whether it ends in .gz)."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return Path(name).suffix, gz


def detect_format(path: str | Path) -> str | None:
    """The format a file's name says (None: nothing known)."""
    ext, _ = _suffix(Path(path))
    return EXTENSIONS.get(ext)


def _stem(path: Path) -> str:
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    return Path(name).stem if "." in name else name


def _plan(inputs: Iterable[str | Path], input_format: str | None) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(what the text reader takes as before, (file, format) for the others)."""
    forced = None if input_format in (None, "auto") else input_format
    if forced is not None and forced not in FORMATS:
        raise ArticleError(f"input format {input_format!r}: choose one of auto, {', '.join(FORMATS)}")
    text_items: list[Path] = []
    others: list[tuple[Path, str]] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            if forced in (None, "txt"):
                text_items.append(p)       # its .txt files, listed by the text reader
            for q in sorted(p.iterdir()):
                if q.name.startswith(".") or not q.is_file():
                    continue
                ext, gz = _suffix(q)
                fmt = EXTENSIONS.get(ext)
                if forced is None:
                    if fmt and (fmt != "txt" or gz):
                        others.append((q, fmt))
                elif forced != "txt" and (fmt == forced or fmt is None):
                    others.append((q, forced))
                elif forced == "txt" and fmt == "txt" and gz:
                    others.append((q, "txt"))
            continue
        fmt = forced or detect_format(p) or "txt"
        if fmt == "txt" and not (_suffix(p)[1] or formats.is_gzip(p)):
            text_items.append(p)
        else:
            others.append((p, fmt))
    return text_items, others


def _records(path: Path, fmt: str, warnings: list[str] | None):
    if fmt == "jsonl":
        return formats.read_jsonl(path)
    if fmt == "json":
        return formats.read_json(path)
    if fmt == "html":
        return formats.read_html(path)
    if fmt == "txt":
        return formats.read_text_gz(path)
    return _warc_with_summary(path, warnings)


def _warc_with_summary(path: Path, warnings: list[str] | None):
    skipped: dict[str, int] = {}
    yield from formats.read_warc(path, skipped)
    if skipped and warnings is not None:
        warnings.append(f"{path}: records that are not HTML pages skipped ("
                        + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items())) + ")")


def iter_inputs(inputs: Iterable[str | Path], errors: list[str] | None = None, warnings: list[str] | None = None,
                input_format: str | None = None, fields: Fields | None = None) -> Iterator[Article]:
    """Every article of the inputs (see the module's description).  With ``errors`` None the
    first bad file or record raises :class:`ArticleError`."""
    fields = fields or Fields()
    text_items, others = _plan(list(inputs), input_format)
    texts = list(iter_articles(text_items, errors)) if text_items else []
    by_text = {text_hash(a.text): i for i, a in enumerate(texts)}
    ids = {a.id for a in texts}
    seen_text: dict[str, str] = {}
    seen_url: dict[str, str] = {}

    def report(msg: str) -> None:
        if errors is None:
            raise ArticleError(msg)
        errors.append(msg)

    for path, fmt in others:
        try:
            records = _records(path, fmt, warnings)
            for position, rec in records:
                if isinstance(rec, ArticleError):
                    report(str(rec))
                    continue
                where = f"{path}: {position}" if position else str(path)
                default = article_id(f"{_stem(path)}-{position.split()[-1]}" if position else _stem(path))
                try:
                    art = to_article(path, position or None, rec, fields, warnings, default,
                                     captured=rec.get("captured") if fmt == "warc" else None)
                except ArticleError as exc:
                    report(str(exc))
                    continue
                if fmt in ("html", "txt"):        # a file that is one article is named by its file
                    art = dataclasses.replace(art, id=article_id(_stem(path)))
                h = art.sha256                    # a record's: the hash of its text
                url = normal_url(art.url)
                if h in by_text:
                    i = by_text[h]
                    old = texts[i]
                    merged = {k: getattr(art, k) for k in ("url", "issued", "publisher", "headline", "language",
                                                          "captured") if getattr(old, k) is None and getattr(art, k)}
                    texts[i] = dataclasses.replace(old, **merged)
                    if url:
                        seen_url.setdefault(url, str(old.path))
                    if warnings is not None:
                        warnings.append(f"{where}: same text as {old.path}: one article"
                                        + (f", with this record's {', '.join(merged)}" if merged else ""))
                    continue
                if h in seen_text:
                    report(f"{where}: same text as {seen_text[h]}; read once")
                    continue
                if url and url in seen_url:
                    report(f"{where}: same URL as {seen_url[url]}; read once")
                    continue
                if art.id in ids:
                    art = dataclasses.replace(art, id=f"{art.id}-{h[:10]}")
                ids.add(art.id)
                seen_text[h] = where
                if url:
                    seen_url[url] = where
                yield art
        except ArticleError as exc:
            report(str(exc))
    yield from texts
