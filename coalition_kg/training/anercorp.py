"""Reading ANERcorp and splitting it by document order.

The split used for every figure this project reports:

* the corpus is read in file order and cut into sentences at each ``.`` token (the corpus
  marks no other sentence boundary); empty tokens and the byte-order mark are dropped;
* the **last sixth of the sentences is the test set** — never trained or tuned on;
* of the first five sixths, the last tenth is the development set (model selection),
  the rest is the training set.

The corpus repeats some articles, so evaluation also reports the test sentences that do
not occur verbatim in the training + development part ("unseen").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..text import normalize_for_model

TAGS = {"O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"}
Sentence = list[tuple[str, str]]  # (token, BIO tag)


class CorpusError(ValueError):
    pass


def read_corpus_text(path: str | Path) -> str:
    """A corpus file's text (a byte-order mark dropped); a missing or non-UTF-8 file is one line."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_anercorp(path: str | Path) -> list[Sentence]:
    """Sentences of (token, tag) pairs, in file order."""
    path = Path(path)
    raw = read_corpus_text(path)
    sentences: list[Sentence] = []
    current: Sentence = []
    for lineno, line in enumerate(raw.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) == 1:          # an empty token: only the tag is left
            continue
        token, tag = "".join(parts[:-1]).replace("\u200f", ""), parts[-1]
        if tag not in TAGS:
            raise CorpusError(f"{path}:{lineno}: unknown tag {tag!r}")
        if not token:
            continue
        current.append((token, tag))
        if token == ".":
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    if not sentences:
        raise CorpusError(f"{path}: no annotated tokens found")
    return sentences


@dataclass
class Split:
    train: list[Sentence]
    dev: list[Sentence]
    test: list[Sentence]

    def unseen_test(self) -> list[Sentence]:
        """Test sentences whose token sequence does not occur in train or dev."""
        seen = {tuple(t for t, _ in s) for s in self.train + self.dev}
        return [s for s in self.test if tuple(t for t, _ in s) not in seen]


def split_by_document_order(sentences: list[Sentence]) -> Split:
    n = len(sentences)
    test_start = n - n // 6
    dev_start = test_start - test_start // 10
    return Split(sentences[:dev_start], sentences[dev_start:test_start], sentences[test_start:])


def fix_bio(tags: list[str]) -> list[str]:
    """Repair I- tags that do not continue an entity of the same type (corpus noise)."""
    out = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def to_stanza_json(sentences: list[Sentence]) -> list[list[dict]]:
    """Stanza's NER training format; tokens get the same normalization used at inference."""
    return [
        [{"text": normalize_for_model(tok), "ner": tag}
         for tok, tag in zip([t for t, _ in s], fix_bio([g for _, g in s]))]
        for s in sentences
    ]


def write_split(split: Split, out_dir: str | Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in ("train", "dev", "test"):
        p = out_dir / f"ar_anercorp.{name}.json"
        p.write_text(json.dumps(to_stanza_json(getattr(split, name)), ensure_ascii=False), encoding="utf-8")
        paths[name] = p
    return paths


def common_words(sentences: list[Sentence], min_count: int = 2, max_entity_ratio: float = 0.5) -> list[str]:
    """Normalized words that the annotators mostly left outside entities (المدينة، العاصمة، غير).

    The linker uses this list to decide which gazetteer names are safe to find by scanning the
    text where the NER model saw no entity: "المدينة" is a city in GeoNames but mostly a plain
    word in news."""
    from collections import Counter

    from ..gazetteer import clitic_variants
    from ..text import normalize
    total, inside = Counter(), Counter()
    for s in sentences:
        for tok, tag in s:
            k = normalize(tok)
            if not k:
                continue
            for reading in set(clitic_variants(k)):   # بأمان counts for أمان too
                total[reading] += 1
                if tag != "O":
                    inside[reading] += 1
    return sorted(w for w, c in total.items() if c >= min_count and inside[w] / c < max_entity_ratio)


def write_common_words(split: Split, path: str | Path) -> Path:
    path = Path(path)
    words = common_words(split.train + split.dev)
    header = "# Words mostly outside entities in ANERcorp (train+dev part); generated by coalition-kg train-ner.\n"
    path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return path


def person_name_words(sentences: list[Sentence], gazetteer: list[list[str]] | None = None,
                      min_ratio: float = 0.25) -> list[str]:
    """Normalized words that name people: inside a PERS entity in at least ``min_ratio`` of their
    occurrences in the given sentences, plus every word of a person gazetteer (ANERGazet_Pers).

    Many Arabic given names are also ordinary words (أميرة، ناصر، جميل); the pipeline keeps a
    person made only of ordinary words when one of them is in this list, and drops the tagger's
    noise ("شكرا جزيلا" → جزيلا) when none is."""
    from collections import Counter

    from ..text import normalize
    total, pers = Counter(), Counter()
    for s in sentences:
        for tok, tag in s:
            k = normalize(tok)
            if not k or not k.isalpha() or len(k) < 2:
                continue
            total[k] += 1
            if tag.endswith("PERS"):
                pers[k] += 1
    words = {w for w, c in pers.items() if c / total[w] >= min_ratio}
    for entry in gazetteer or []:
        words.update(w for w in (normalize(t) for t in entry) if len(w) >= 2 and w.isalpha())
    return sorted(words)


def write_person_names(split: Split, path: str | Path, gazetteer: list[list[str]] | None = None) -> Path:
    path = Path(path)
    words = person_name_words(split.train + split.dev, gazetteer)
    header = ("# Words that name people in ANERcorp (train+dev part) and ANERGazet_Pers; "
              "generated by coalition-kg build-lexicons / train-ner.\n")
    path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return path


def read_gazetteer(path: str | Path) -> list[list[str]]:
    """ANERGazet entries as token lists (``====`` lines separate groups and are skipped)."""
    out = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if line and not line.startswith("="):
            out.append(line.split())
    return out


def augment(sentences: list[Sentence], gazetteers: dict[str, list[list[str]]], seed: int = 1234) -> list[Sentence]:
    """Mention replacement: one copy of every training sentence that has a PERS/LOC/ORG entity,
    with each such entity replaced by a random ANERGazet entry of the same type (persons by as
    many random names as the entity had tokens).  Teaches the tagger contexts, not names."""
    import random

    rnd = random.Random(seed)
    out = []
    for s in sentences:
        tags = fix_bio([g for _, g in s])
        toks = [t for t, _ in s]
        new: Sentence = []
        changed = False
        i = 0
        while i < len(toks):
            tag = tags[i]
            if tag.startswith("B-") and tag[2:] in gazetteers and gazetteers[tag[2:]]:
                typ = tag[2:]
                j = i + 1
                while j < len(toks) and tags[j] == "I-" + typ:
                    j += 1
                if typ == "PERS":
                    names = [rnd.choice(gazetteers[typ])[0] for _ in range(j - i)]
                else:
                    names = rnd.choice(gazetteers[typ])
                new += [(n, ("B-" if k == 0 else "I-") + typ) for k, n in enumerate(names)]
                changed = True
                i = j
            else:
                new.append((toks[i], tag))
                i += 1
        if changed:
            out.append(new)
    return out


def cap_sentences(sentences: list[Sentence], max_words: int = 120) -> list[Sentence]:
    """Long sentences cut into pieces of at most ``max_words`` words, never inside an entity
    (a cut falls before a word tagged ``O`` or ``B-…``).  For training a fine-tuned transformer:
    its memory grows with the square of a batch's longest sentence (ANERcorp's training part has
    "sentences" of 1,774 words), and the pipeline never tags sentences longer than 120 tokens
    (:func:`coalition_kg.text.split_sentences`)."""
    out = []
    for s in sentences:
        start = 0
        while len(s) - start > max_words:
            cut = start + max_words
            while cut > start + 1 and s[cut][1].startswith("I-"):
                cut -= 1
            out.append(s[start:cut])
            start = cut
        out.append(s[start:])
    return out
