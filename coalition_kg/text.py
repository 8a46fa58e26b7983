"""Step 2: Arabic text handling — sentence splitting, tokenization and normalization.

Every token keeps its exact character span in the original article text, so that
``text[token.start:token.end] == token.text`` always holds.  Normalization is only
ever used for *matching* (and as the NER model's input features); the original
surface forms are what the graph stores.
"""

from __future__ import annotations

import re
from functools import lru_cache
import unicodedata
from dataclasses import dataclass, field

# Arabic diacritics (harakat, tanween, shadda, sukun, superscript alef, Quranic marks)
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_ALEF_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_MATCH_EXTRA = str.maketrans({"ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def strip_invisible(text: str) -> str:
    """Remove zero-width and direction marks only."""
    return _INVISIBLE.sub("", text)


def strip_marks(text: str) -> str:
    """Remove diacritics, tatweel and invisible direction marks; keep letters as written."""
    text = _INVISIBLE.sub("", text)
    text = _DIACRITICS.sub("", text)
    return text.replace(_TATWEEL, "")


def normalize_for_model(token: str) -> str:
    """Light normalization used for the NER model's input (training and inference).

    Diacritics, tatweel and hamza-on-alef variants vary freely in news text; ى and ة are kept
    because they carry information the model can use.  Never stored in the graph.
    """
    out = strip_marks(unicodedata.normalize("NFKC", token)).translate(_ALEF_VARIANTS)
    # never hand the model an empty token (Stanza rejects one): a token of marks only becomes "_"
    return out if out.strip() else "_"


@lru_cache(maxsize=1 << 16)   # bounded: every worker holds one (a year of news has more words)
def normalize(text: str) -> str:
    """Aggressive normalization for matching names: alef/ya/ta-marbuta/hamza variants unified,
    diacritics, tatweel and punctuation dropped, whitespace collapsed, digits made ASCII."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_marks(text).translate(_ALEF_VARIANTS).translate(_MATCH_EXTRA)
    text = text.translate(_ARABIC_DIGITS)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def norm(self) -> str:
        return normalize_for_model(self.text)


@dataclass(slots=True)
class Sentence:
    index: int
    start: int
    end: int
    tokens: list[Token] = field(default_factory=list)

    def text_of(self, document: str) -> str:
        return document[self.start:self.end]


def sentences_from_words(words: list[list[str]]) -> list[Sentence]:
    """Pretokenized sentences (lists of words) as :class:`Sentence` objects, each token's offsets
    into its sentence's words joined by single spaces: input for the tagger from a corpus."""
    out = []
    for k, sent in enumerate(words):
        tokens, pos = [], 0
        for w in sent:
            tokens.append(Token(w, pos, pos + len(w)))
            pos += len(w) + 1
        out.append(Sentence(k, 0, max(pos - 1, 0), tokens))
    return out


# A token is a run of letters/marks (words, with internal dots as in ج. kept apart), a number
# (with decimal/thousand separators and Arabic-Indic digits kept whole; an ISO date whole), or
# one punctuation char.
_NUMBER = r"[0-9٠-٩۰-۹]+(?:[.,،٫٬/][0-9٠-٩۰-۹]+)*"
_WORD = r"[^\W\d_](?:[^\W\d_]|[\u0610-\u061a\u064b-\u065f\u0670\u0640\u200c\u200d])*"
_ISO_DATE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?![0-9])"       # 2021-06-28 stays one token
_TOKEN_RE = re.compile(rf"{_ISO_DATE}|{_NUMBER}|(?:{_WORD})|[^\s]", re.UNICODE)
# Sentence ends: . ! ? ؟ and the Arabic full stop ۔, or a line break (headlines, datelines).
_SENT_END = {".", "!", "?", "؟", "۔", "…"}


# No word of any language is this long; a longer run (a line of letters with no spaces) is cut
# into pieces of this length, so that the tagger's character model never sees an unbounded token.
MAX_TOKEN_CHARS = 64
# The tagger's character model reads a whole sentence: its memory grows with the characters.
MAX_SENTENCE_CHARS = 1000


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split ``text`` into tokens; ``offset`` is added to every span."""
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        piece = m.group()
        if _INVISIBLE.fullmatch(piece):
            continue
        start = m.start() + offset
        for i in range(0, len(piece), MAX_TOKEN_CHARS):
            part = piece[i:i + MAX_TOKEN_CHARS]
            tokens.append(Token(part, start + i, start + i + len(part)))
    return tokens


def split_sentences(text: str, max_tokens: int = 120, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Sentences of ``text`` with tokens whose spans point into ``text`` itself.

    A sentence ends at final punctuation or at a line break; very long runs without either
    are cut at ``max_tokens`` tokens or ``max_chars`` characters (and tokens at ``MAX_TOKEN_CHARS``)
    so that the tagger never sees an unbounded sequence: time and memory stay linear in the
    length of the text.
    """
    sentences: list[Sentence] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        current: list[Token] = []
        for tok in tokenize(line, offset=pos):
            if current and tok.end - current[0].start > max_chars:
                _close(sentences, current)
                current = []
            current.append(tok)
            if (tok.text in _SENT_END and not _is_initial(current)) or len(current) >= max_tokens:
                _close(sentences, current)
                current = []
        _close(sentences, current)
        pos += len(line)
    return sentences


def _is_initial(tokens: list[Token]) -> bool:
    """True when the last token is a '.' after a one-letter word (an initial: أنتوني ج. بلينكن)."""
    return (len(tokens) >= 2 and tokens[-1].text == "." and len(tokens[-2].text) == 1
            and tokens[-2].text.isalpha() and tokens[-2].end == tokens[-1].start)


def _close(sentences: list[Sentence], tokens: list[Token]) -> None:
    if not tokens:
        return
    sentences.append(Sentence(len(sentences), tokens[0].start, tokens[-1].end, list(tokens)))
