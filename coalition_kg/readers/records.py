"""From a record (a JSON object, or what an HTML page or WARC record gives) to an :class:`.Article`.

Field names: :class:`Fields` lists, for each thing the graph keeps, the keys looked for in a
record, the first present and non-empty one winning; ``--field text=body`` (:func:`parse_fields`)
replaces a list by one key (a dotted key, ``source.name``, reads inside an object).

Dates: ISO 8601 (``2024-05-10``, ``2024-05-10T08:00:00+03:00``, ``2024-05``, ``2024``), RFC 2822
(``Fri, 10 May 2024 08:00:00 GMT``, as in RSS) and Unix timestamps (seconds or milliseconds).
The date is the calendar day as written, in the publisher's own time zone: it is never moved to
UTC.  Anything else is not understood, and the article is kept without its date (a warning says so).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from ..reader import ARABIC_RANGE, MAX_BYTES, Article, ArticleError, article_id


@dataclass(frozen=True)
class Fields:
    """The keys looked for in a record, in order (news-please, trafilatura's JSON output, news
    APIs and Hugging Face news datasets are covered by the defaults)."""
    id: tuple[str, ...] = ("id", "article_id", "guid")
    url: tuple[str, ...] = ("url", "link", "uri", "canonical_url", "source_url", "source")
    title: tuple[str, ...] = ("title", "headline")
    date: tuple[str, ...] = ("date", "published", "date_publish", "published_at", "publishedAt", "pubDate",
                             "datePublished", "date_published", "publish_date", "pub_date")
    publisher: tuple[str, ...] = ("source", "outlet", "publisher", "source_name", "sitename", "site_name",
                                  "source-hostname", "source_domain", "hostname")
    text: tuple[str, ...] = ("text", "maintext", "content", "body", "article", "raw_text")
    language: tuple[str, ...] = ("language", "lang")


FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Fields))


def parse_fields(specs: list[str] | None) -> Fields:
    """``["text=body", "date=meta.published"]`` → :class:`Fields` with those keys."""
    fields = Fields()
    for spec in specs or []:
        name, sep, key = spec.partition("=")
        name, key = name.strip(), key.strip()
        if not sep or not key or name not in FIELD_NAMES:
            raise ValueError(f"--field {spec}: give NAME=KEY, NAME one of {', '.join(FIELD_NAMES)}")
        fields = dataclasses.replace(fields, **{name: (key,)})
    return fields


def _get(rec: dict, key: str):
    value = rec
    for part in key.split(".") if key not in rec else [key]:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _is_url(value) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def _first(rec: dict, keys: tuple[str, ...], want_url: bool | None = None):
    """The first present, non-empty value; ``want_url`` True keeps only web addresses ("source" is
    the URL in trafilatura's JSON), False skips them (and news APIs' ``{"name": …}`` objects give
    their name)."""
    for key in keys:
        value = _get(rec, key)
        if isinstance(value, dict) and want_url is False:
            value = value.get("name") or value.get("title")
        if value is None or value == "" or isinstance(value, (dict, list)):
            continue
        if want_url is True and key == "source" and not _is_url(value):
            continue
        if want_url is False and _is_url(value):
            continue
        return value
    return None


_ISO_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:$|[T ]\d)")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def parse_date(value) -> str | None:
    """An ISO date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) or None for no value; ValueError
    when there is a value but no date in it."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(repr(value))
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            raise ValueError(repr(value)) from None
    if not isinstance(value, str):
        raise ValueError(repr(value))
    text = value.strip().translate(_DIGITS)
    m = _ISO_DATE.match(text)
    if m:
        y, mo, d = (int(x) if x else None for x in m.groups())
        try:
            dt.date(y, mo or 1, d or 1)
        except ValueError:
            raise ValueError(repr(value)) from None
        if not 1000 <= y <= 2999:
            raise ValueError(repr(value))
        return f"{y:04d}" + (f"-{mo:02d}" if mo else "") + (f"-{d:02d}" if d else "")
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError(repr(value)) from None
    return when.date().isoformat()


def normal_url(url: str | None) -> str | None:
    """A web address as identity: scheme and host in lower case, the fragment dropped."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def url_id(url: str) -> str:
    """An article id from a web address: its last path segment (or host) and a hash of it."""
    parts = urlsplit(url.strip())
    segs = [s for s in unquote(parts.path).split("/") if s]
    slug = segs[-1] if segs else parts.netloc
    slug = re.sub(r"\.(s?html?|php|aspx?)$", "", slug, flags=re.I)[:60] or "article"
    return article_id(f"{slug}-{hashlib.sha1(normal_url(url).encode('utf-8')).hexdigest()[:8]}")


_LANG_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def to_article(path: Path, position: str | None, rec: dict, fields: Fields, warnings: list[str] | None,
               default_id: str, captured: str | None = None) -> Article:
    """The article a record gives; ArticleError (one line, naming file and position) when it has
    none to give."""
    where = f"{path}: {position}" if position else str(path)
    text = _first(rec, fields.text)
    if text is None:
        raise ArticleError(f"{where}: no text (looked for {', '.join(fields.text)})")
    if not isinstance(text, str):
        raise ArticleError(f"{where}: the text is not a string")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ArticleError(f"{where}: empty text")
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ArticleError(f"{where}: text too large (limit {MAX_BYTES} bytes)")
    if not any(ARABIC_RANGE[0] <= ch <= ARABIC_RANGE[1] for ch in text):
        raise ArticleError(f"{where}: contains no Arabic text")
    url = _first(rec, fields.url, want_url=True)
    url = url.strip() if isinstance(url, str) and url.strip() else None
    raw_date = _first(rec, fields.date)
    try:
        issued = parse_date(raw_date)
    except ValueError:
        issued = None
        if warnings is not None:
            warnings.append(f"{where}: date {str(raw_date)[:40]!r} not understood; "
                            "article kept without a publication date")
    def text_of(value):
        return " ".join(str(value).split()) or None if value is not None else None
    rid = _first(rec, fields.id)
    aid = article_id(str(rid).strip()) if rid not in (None, "") else url_id(url) if url else default_id
    language = text_of(_first(rec, fields.language))
    language = language.lower() if language and _LANG_TAG.fullmatch(language.lower()) else None
    return Article(aid, path, text, text_hash(text), url=url, issued=issued,
                   publisher=text_of(_first(rec, fields.publisher, want_url=False)),
                   headline=text_of(_first(rec, fields.title)),
                   language=language, captured=captured, position=position)
