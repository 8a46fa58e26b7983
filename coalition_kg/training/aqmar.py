"""The AQMAR Arabic Wikipedia NER corpus (Mohit et al., EACL 2012), read as ANERcorp's classes.

A directory of ``*.txt`` files, one ``token TAG`` pair a line, a blank line between sentences.
Its tags are mapped onto ANERcorp's four classes:

- ``PER`` -> ``PERS``; ``LOC``, ``ORG`` kept;
- every miscellaneous subclass (``MIS0``-``MIS3``, and the release's variants ``MIS``, ``MIS-1``,
  ``MISS1``, ``MIS1```) -> ``MISC``;
- the prefix may carry stray characters (``I--ORG``): a tag is read as ``B``/``I``, dashes, class;
- anything else (``O``, ``OO``, ``IO``, ``B-ENGLISH``, ``B-SPANISH``) -> ``O``.

The corpus is a second, out-of-domain test set (``eval-ner --data DIR``) and may be added to the
training data (``train-ner --add-aqmar DIR``).  Then a fixed quarter of its files (every fourth in
name order, :func:`split_files`) is held back: a model trained with AQMAR records the files it
saw in its ``training.json`` and ``eval-ner`` scores it on the held-back files only (``--aqmar-part``
chooses; score other taggers on the same part to compare).  Its MISC is much broader than
ANERcorp's (sports, sciences, religions…), so its MISC figure says more about the annotation than
the tagger.
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


HELD_OUT_EVERY = 4     # every fourth file (name order) is held back when AQMAR is trained on


def aqmar_files(path: str | Path) -> list[Path]:
    path = Path(path)
    files = sorted(p for p in path.glob("*.txt") if p.name.lower() != "readme.txt")
    if not files:
        raise CorpusError(f"{path}: no AQMAR *.txt files")
    return files


def split_files(path: str | Path) -> tuple[list[Path], list[Path]]:
    """(training files, held-back files): every fourth file in name order is held back."""
    files = aqmar_files(path)
    held = [f for k, f in enumerate(files) if k % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    return [f for f in files if f not in held], held


def read_aqmar(path: str | Path, names: list[str] | None = None) -> list[Sentence]:
    """Every sentence of every file of the directory (or of the files ``names``), in name order."""
    path = Path(path)
    files = aqmar_files(path)
    if names is not None:
        missing = sorted(set(names) - {f.name for f in files})
        if missing:
            raise CorpusError(f"{path}: AQMAR file {missing[0]} is missing")
        files = [f for f in files if f.name in set(names)]
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
