"""The AQMAR Arabic Wikipedia NER corpus (Mohit et al., EACL 2012), read as ANERcorp's classes.

A directory of ``*.txt`` files, one ``token TAG`` pair a line, a blank line between sentences.
Its tags are mapped onto ANERcorp's four classes:

- ``PER`` -> ``PERS``; ``LOC``, ``ORG`` kept;
- every miscellaneous subclass (``MIS0``-``MIS3``, and the release's variants ``MIS``, ``MIS-1``,
  ``MISS1``, ``MIS1```) -> ``MISC``;
- the prefix may carry stray characters (``I--ORG``): a tag is read as ``B``/``I``, dashes, class;
- anything else (``O``, ``OO``, ``IO``, ``B-ENGLISH``, ``B-SPANISH``) -> ``O``.

The corpus is used as a second, out-of-domain test set (``eval-ner --data DIR``): the project
does not train on it, so all of it is held out.  Its MISC is much broader than ANERcorp's
(sports, sciences, religions…), so its MISC figure says more about the annotation than the tagger.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..text import strip_invisible
from .anercorp import CorpusError, Sentence

_TAG = re.compile(r"^([BI])-+(PER|LOC|ORG|MISS?)")
_CLASS = {"PER": "PERS", "LOC": "LOC", "ORG": "ORG", "MIS": "MISC", "MISS": "MISC"}


def normalize_tag(tag: str) -> str:
    m = _TAG.match(tag.strip())
    return f"{m.group(1)}-{_CLASS[m.group(2)]}" if m else "O"


def is_aqmar(path: str | Path) -> bool:
    path = Path(path)
    return path.is_dir() and any(path.glob("*.txt"))


def _repair_bio(sentence: Sentence) -> Sentence:
    """An I- tag that does not continue an entity of its type (its B- token was dropped) opens it."""
    out, prev = [], "O"
    for tok, tag in sentence:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append((tok, tag))
        prev = tag
    return out


def read_aqmar(path: str | Path) -> list[Sentence]:
    """Every sentence of every file of the directory, files in name order."""
    path = Path(path)
    files = sorted(p for p in path.glob("*.txt") if p.name.lower() != "readme.txt")
    if not files:
        raise CorpusError(f"{path}: no AQMAR *.txt files")
    sentences: list[Sentence] = []
    for f in files:
        try:
            raw = f.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{f}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        current: Sentence = []
        for line in raw.splitlines():
            parts = line.split()
            if not parts:
                if current:
                    sentences.append(current)
                current = []
                continue
            if len(parts) == 1:
                continue
            token = strip_invisible("".join(parts[:-1]))
            if token:        # a token of direction marks only (some lines hold one) is dropped
                current.append((token, normalize_tag(parts[-1])))
        if current:
            sentences.append(current)
    sentences = [_repair_bio(s) for s in sentences if s]
    if not sentences:
        raise CorpusError(f"{path}: no annotated tokens found")
    return sentences
