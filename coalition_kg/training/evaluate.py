"""Entity-level (exact span and type) evaluation of an NER model: on the ANERcorp test split,
or on all of AQMAR (a directory; out of domain, never trained on)."""

from __future__ import annotations

from collections import Counter
import json
from pathlib import Path

from ..text import sentences_from_words
from .anercorp import fix_bio, read_anercorp, split_by_document_order

DEFAULT_DATA = Path("../shared/data/anercorp/ANERCorp.txt")


def spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """(start, end, type) of every entity in a BIO sequence; a stray I- starts an entity."""
    out, i = set(), 0
    tags = fix_bio(tags)
    while i < len(tags):
        if tags[i].startswith("B-"):
            etype, j = tags[i][2:], i + 1
            while j < len(tags) and tags[j] == "I-" + etype:
                j += 1
            out.add((i, j, etype))
            i = j
        else:
            i += 1
    return out


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2),
            "support": tp + fn}


def score(gold: list[list[str]], pred: list[list[str]]) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred):
        gs, ps = spans(g), spans(p)
        for s in ps & gs:
            tp[s[2]] += 1
        for s in ps - gs:
            fp[s[2]] += 1
        for s in gs - ps:
            fn[s[2]] += 1
    types = sorted(set(tp) | set(fp) | set(fn))
    micro = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return {"micro": micro, "per_type": {t: prf(tp[t], fp[t], fn[t]) for t in types}}


def evaluate(recognizer, data: str | Path = DEFAULT_DATA, aqmar_part: str = "auto") -> dict:
    from .aqmar import is_aqmar
    if is_aqmar(data):
        return evaluate_aqmar(recognizer, data, aqmar_part)
    split = split_by_document_order(read_anercorp(data))

    wrapped = sentences_from_words([[t for t, _ in s] for s in split.test])
    predicted = recognizer.tag(wrapped)           # tagged once; the unseen subset reuses the tags
    gold = [[g for _, g in s] for s in split.test]
    full = score(gold, predicted)
    unseen_ids = {id(s) for s in split.unseen_test()}
    keep = [k for k, s in enumerate(split.test) if id(s) in unseen_ids]
    unseen_sents = [split.test[k] for k in keep]
    unseen = score([gold[k] for k in keep], [predicted[k] for k in keep])
    return {
        "micro_f1": full["micro"]["f1"], "precision": full["micro"]["precision"],
        "recall": full["micro"]["recall"], "per_type": full["per_type"],
        "test_tokens": sum(len(s) for s in split.test), "test_sentences": len(split.test),
        "micro_f1_unseen": unseen["micro"]["f1"], "unseen_sentences": len(unseen_sents),
        "unseen_tokens": sum(len(s) for s in unseen_sents),
        "split": "ANERcorp by document order: last sixth of sentences = test",
        "model": recognizer.source,
    }


def _trained_on_aqmar(recognizer) -> bool:
    info = Path(str(getattr(recognizer, "source", ""))) / "training.json"
    try:
        return bool(json.loads(info.read_text(encoding="utf-8")).get("aqmar"))
    except (OSError, ValueError):
        return False


def evaluate_aqmar(recognizer, data: str | Path, part: str = "auto") -> dict:
    """AQMAR (Wikipedia; classes mapped as in :mod:`.aqmar`) as an out-of-domain test: all of it,
    or (``part="held-out"``; ``"auto"`` for a model trained with AQMAR) the held-back files only."""
    from .aqmar import read_aqmar, split_files
    if part not in ("auto", "all", "held-out"):
        raise ValueError(f"AQMAR part {part!r}: expected auto, all or held-out")
    if part == "auto":
        part = "held-out" if _trained_on_aqmar(recognizer) else "all"
    if part == "held-out":
        held = [f.name for f in split_files(data)[1]]
        sentences = read_aqmar(data, held)
        what = f"AQMAR, held-back files ({len(held)}: every 4th in name order; out of domain: Wikipedia)"
    else:
        sentences = read_aqmar(data)
        what = "AQMAR, all of it (out of domain: Wikipedia)"
    wrapped = sentences_from_words([[t for t, _ in s] for s in sentences])
    predicted = recognizer.tag(wrapped)
    full = score([[g for _, g in s] for s in sentences], predicted)
    return {
        "micro_f1": full["micro"]["f1"], "precision": full["micro"]["precision"],
        "recall": full["micro"]["recall"], "per_type": full["per_type"],
        "test_tokens": sum(len(s) for s in sentences), "test_sentences": len(sentences),
        "micro_f1_unseen": None, "unseen_sentences": 0, "unseen_tokens": 0,
        "split": what,
        "model": recognizer.source,
    }
