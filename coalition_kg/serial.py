"""A plain serialization of an article's facts (no pickle): what the facts cache stores and the
worker processes hand back.

The values are written as JSON (zlib-compressed), every one of a known kind: ``None``, booleans,
numbers, strings, lists, and, tagged, tuples (``{"t": [...]}``), sets (``{"s": [...]}``), dicts
(``{"d": [[k, v], ...]}``) and the dataclasses of :data:`CLASSES` (``{"c": name, "v": [field
values]}``).  Reading one back builds only those kinds, and checks every dataclass field against
its annotation: a row of another shape (tampered, damaged, or of an older layout) is a
:class:`SerialError`, never code run or a wrong object used.  The article itself is not written
(its text is already on disk): :func:`unpack` is handed the one the caller holds.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
import zlib
from functools import lru_cache

MAX_DEPTH = 64              # the facts nest a few levels; anything deeper is not ours


class SerialError(ValueError):
    """A blob that is not facts written by :func:`pack`."""


@lru_cache(maxsize=1)
def classes() -> dict[str, type]:
    from .dates import PartialDate, PublicationDate
    from .extract.meetings import MeetingMention
    from .extract.memberships import JoinMention
    from .extract.resolutions import ResolutionMention
    from .extract.roles import Role
    from .gazetteer import Place
    from .linking import Mention, OrgEntry
    from .ner import Entity
    from .persons import PersonCluster
    from .pipeline import ArticleResult
    from .text import Sentence, Token
    return {c.__name__: c for c in (ArticleResult, Sentence, Token, Entity, Mention, PartialDate, PublicationDate,
                                    PersonCluster,
                                    Role, ResolutionMention, JoinMention, MeetingMention, Place, OrgEntry)}


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[tuple[str, object], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


# -- writing ---------------------------------------------------------------------------------

def _enc(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, tuple):
        return {"t": [_enc(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"s": [_enc(x) for x in v]}
    if isinstance(v, dict):
        return {"d": [[_enc(k), _enc(x)] for k, x in v.items()]}
    name = type(v).__name__
    if dataclasses.is_dataclass(v) and classes().get(name) is type(v):
        return {"c": name, "v": [_enc(getattr(v, f)) for f, _ in _fields(type(v))]}
    raise TypeError(f"cannot serialize a {type(v).__qualname__}")


def pack(result) -> bytes:
    """An article's facts (a :class:`.pipeline.ArticleResult`), its article left out."""
    cls = classes()["ArticleResult"]
    if type(result) is not cls:
        raise TypeError(f"expected an ArticleResult, got a {type(result).__qualname__}")
    body = [_enc(getattr(result, f)) for f, _ in _fields(cls) if f != "article"]
    return zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass"),
                         3)


# -- reading ---------------------------------------------------------------------------------

def _dec(v, depth: int):
    if depth > MAX_DEPTH:
        raise SerialError("nested too deeply")
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [_dec(x, depth + 1) for x in v]
    if not isinstance(v, dict) or len(v) != (2 if "c" in v else 1):
        raise SerialError("a value of unknown shape")
    if "t" in v and isinstance(v["t"], list):
        return tuple(_dec(x, depth + 1) for x in v["t"])
    if "s" in v and isinstance(v["s"], list):
        out = set()
        for x in v["s"]:
            x = _dec(x, depth + 1)
            if isinstance(x, (list, dict, set)):
                raise SerialError("an unhashable set member")
            out.add(x)
        return out
    if "d" in v and isinstance(v["d"], list):
        out = {}
        for pair in v["d"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise SerialError("a dict entry of unknown shape")
            k = _dec(pair[0], depth + 1)
            if isinstance(k, (list, dict, set)):
                raise SerialError("an unhashable dict key")
            out[k] = _dec(pair[1], depth + 1)
        return out
    if "c" in v and "v" in v and isinstance(v["c"], str) and isinstance(v["v"], list):
        return _make(v["c"], v["v"], depth)
    raise SerialError("a value of unknown shape")


def _make(name: str, values: list, depth: int):
    cls = classes().get(name)
    if cls is None or name == "ArticleResult":
        raise SerialError(f"unknown class {name!r}")
    fields = _fields(cls)
    if len(values) != len(fields):
        raise SerialError(f"{name}: {len(values)} fields, expected {len(fields)}")
    args = []
    for (fname, hint), raw in zip(fields, values):
        val = _dec(raw, depth + 1)
        if not conforms(val, hint):
            raise SerialError(f"{name}.{fname}: a {type(val).__name__} is not {hint}")
        args.append(val)
    obj = cls(*args)
    if name == "Place":
        from .gazetteer import shared_place
        obj = shared_place(obj)
    return obj


def conforms(value, hint) -> bool:
    """Whether ``value`` is of the annotated type ``hint`` (the subset of typing the facts use)."""
    if hint is typing.Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(conforms(value, a) for a in args)
    if origin is None:
        if hint is float:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if hint is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(hint, type) and isinstance(value, hint)
    if not isinstance(value, origin):
        return False
    if origin is list or origin is set or origin is frozenset:
        return not args or all(conforms(x, args[0]) for x in value)
    if origin is tuple:
        if not args:
            return True
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(x, args[0]) for x in value)
        return len(value) == len(args) and all(conforms(x, a) for x, a in zip(value, args))
    if origin is dict:
        return not args or all(conforms(k, args[0]) and conforms(x, args[1]) for k, x in value.items())
    return True


def unpack(blob: bytes, article):
    """The facts :func:`pack` wrote, with ``article`` as their article; :class:`SerialError` for
    anything else."""
    try:
        body = json.loads(zlib.decompress(blob).decode("utf-8", "surrogatepass"))
    except (zlib.error, UnicodeDecodeError, ValueError, RecursionError, TypeError) as exc:
        raise SerialError(f"not a facts row ({type(exc).__name__})") from None
    cls = classes()["ArticleResult"]
    fields = [(f, h) for f, h in _fields(cls) if f != "article"]
    if not isinstance(body, list) or len(body) != len(fields):
        raise SerialError("not a facts row")
    args = {"article": article}
    try:
        for (fname, hint), raw in zip(fields, body):
            val = _dec(raw, 1)
            if not conforms(val, hint):
                raise SerialError(f"ArticleResult.{fname}: a {type(val).__name__} is not {hint}")
            args[fname] = val
        return cls(**args)
    except RecursionError:
        raise SerialError("nested too deeply") from None
    except TypeError as exc:          # a dataclass refusing its arguments
        raise SerialError(str(exc)) from None
