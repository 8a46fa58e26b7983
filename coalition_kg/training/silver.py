"""Silver training data: unlabelled Arabic sentences tagged by a stronger tagger (the teacher), so
that a smaller tagger (the student, e.g. ``train-ner --transformer-layers 8``) learns the
teacher's decisions on more text than ANERcorp holds — distillation through hard labels, the only
form Stanza's trainer takes.

Text sources (their own annotation is never read: the teacher's tags follow ANERcorp's
conventions, which AQMAR's and WikiFANE's classes do not):

- ``aqmar:DIR`` — AQMAR's training files (its held-back quarter, :func:`.aqmar.split_files`, stays
  unseen so that ``eval-ner --aqmar-part held-out`` remains out of sample);
- ``wikifane:FILE`` — WikiFANE Gold's sentences, its split clitics joined back onto their words
  (``و`` / ``ف`` onto the next word, pronoun suffixes onto the previous one) so that the text
  reads like ANERcorp's.

The silver file is JSON: ``{"teacher": …, "sources": […], "sentences": [[[token, tag], …], …]}``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from ..atomic import write_bytes
from ..text import sentences_from_words, strip_invisible
from .anercorp import CorpusError, Sentence, read_corpus_text

# WikiFANE splits these off their words; ANERcorp (and news) writes them attached
_PREFIX_CLITICS = frozenset({"و", "ف"})
_SUFFIX_CLITICS = frozenset({"ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "كن", "نا", "ي"})


def join_clitics(tokens: list[str]) -> list[str]:
    """Split clitics joined back: ``و`` / ``ف`` onto the following word, pronoun suffixes onto the
    preceding word (never onto punctuation or numbers)."""
    out: list[str] = []
    pending = ""
    for tok in tokens:
        if tok in _PREFIX_CLITICS:
            pending += tok
            continue
        if tok in _SUFFIX_CLITICS and out and out[-1][-1:].isalpha() and not pending:
            # a word's ta marbuta is written ta before a suffix: عاصمة + ها -> عاصمتها
            out[-1] = (out[-1][:-1] + "ت" if out[-1].endswith("ة") else out[-1]) + tok
            continue
        if pending and tok[:1].isalpha():
            tok = pending + tok
        elif pending:
            out.append(pending)
        pending = ""
        out.append(tok)
    if pending:
        out.append(pending)
    return out


def read_wikifane_text(path: str | Path) -> list[list[str]]:
    """WikiFANE Gold's sentences as words (labels dropped, clitics joined back)."""
    path = Path(path)
    raw = read_corpus_text(path)
    sentences, current = [], []
    for line in raw.splitlines():
        parts = line.split()
        if not parts:
            if current:
                sentences.append(join_clitics(current))
            current = []
            continue
        token = strip_invisible(parts[0]) if len(parts) > 1 else ""
        if token:
            current.append(token)
    if current:
        sentences.append(join_clitics(current))
    if not sentences:
        raise CorpusError(f"{path}: no sentences found")
    return sentences


def read_source(spec: str) -> list[list[str]]:
    """Sentences (as words) of a source ``aqmar:DIR`` or ``wikifane:FILE``."""
    kind, _, where = spec.partition(":")
    if kind == "aqmar" and where:
        from .aqmar import read_aqmar, split_files
        train_files, _held = split_files(where)
        return [[tok for tok, _tag in s] for s in read_aqmar(where, [f.name for f in train_files])]
    if kind == "wikifane" and where:
        return read_wikifane_text(where)
    raise CorpusError(f"{spec}: a silver text source is aqmar:DIR or wikifane:FILE")


def make_silver(sources: list[str], out: str | Path, *, ner_model: str = "transformer",
                limit: int | None = None, max_words: int = 80, min_words: int = 4, seed: int = 1234,
                precision: str | None = None) -> dict:
    """Tag the sentences of ``sources`` (at most ``limit``, drawn at random; sentences of
    ``min_words``–``max_words`` words) with the tagger ``ner_model`` and write the silver file."""
    from ..ner import Recognizer

    words = []
    for spec in sources:
        words += [s for s in read_source(spec) if min_words <= len(s) <= max_words]
    if limit is not None and len(words) > limit:
        words = random.Random(seed).sample(words, limit)
    rec = Recognizer(ner_model, precision=precision)
    tags = rec.tag(sentences_from_words(words))
    sentences = [list(zip(w, t)) for w, t in zip(words, tags)]
    info = {"teacher": rec.source, "precision": rec.precision if rec.transformer else None,
            "sources": sources, "sentences": len(sentences),
            "entities": sum(t.startswith("B-") for ts in tags for t in ts)}
    write_bytes(out, json.dumps(dict(info, sentences=sentences), ensure_ascii=False).encode("utf-8"))
    return info


def read_silver(path: str | Path) -> list[Sentence]:
    path = Path(path)
    raw = read_corpus_text(path)
    try:
        data = json.loads(raw)
        sentences = [[(str(tok), str(tag)) for tok, tag in s] for s in data["sentences"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: not a silver file ({type(exc).__name__}: {exc})") from None
    return [s for s in sentences if s]
