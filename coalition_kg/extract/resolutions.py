"""UN resolutions: قرار مجلس الأمن (الدولي) رقم 2254، القرار 2254، القرارات 2170 و2178; a
decree "رقم N لسنة YYYY" is none."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import Sentence, normalize


# UN resolutions

_RES = re.compile(
    r"(?:ال)?(?:[وبل]|لل)?(?:ال)?قرار(?:ات|ي|ين|ان)?\s+"
    r"(?P<body>(?:الصادر\s+عن\s+)?مجلس\s+الامن(?:\s+الدولي)?(?:\s+(?:التابع\s+)?للامم\s+المتحده)?\s+)?"
    r"(?:(?P<un>الاممي|الامميين|الامميه|الدولي)\s+)?(?:رقم\s+|ذي\s+الرقم\s+|رقمي\s+)?"
    r"(?P<nums>\d{1,4}(?:\s*(?:\(?\s*\d{4}\s*\)?\s*)?(?:و\s*|،\s*|,\s*)\d{3,4})*)")
# inside the numbers: a number right after another one, with no و or comma between, is the year
# of the resolution ("2178 (2014)" normalizes to "2178 2014")
_RES_NUM = re.compile(r"(?P<sep>و|،|,)?\s*(?P<n>\d{1,4})")


@dataclass
class ResolutionMention:
    number: int
    body: str | None      # "UNSC" or None when the text names no body
    sentence: int
    start: int
    end: int


def find_resolutions(text: str, sentences: list[Sentence], article_mentions_unsc: bool) -> list[ResolutionMention]:
    out = []
    for sent in sentences:
        if not any("قرار" in normalize(t.text) for t in sent.tokens):
            continue          # no resolution without the word (most sentences)
        # normalize token by token and remember where each normalized character came from
        pieces, offsets = [], []
        for t in sent.tokens:
            n = normalize(t.text) or t.text
            if pieces:
                pieces.append(" ")
                offsets.append(t.start)
            for ch in n:
                pieces.append(ch)
                offsets.append(t.start)
            offsets[-1] = t.end - 1 if offsets else t.start
        norm = "".join(pieces)
        for m in _RES.finditer(norm):
            after = norm[m.end():m.end() + 12]
            if re.match(r"\s*(?:لسنه|سنه)\s", after) and not (m.group("body") or m.group("un")):
                continue          # "القرار رقم 215 لسنة 2020": a national decree, not the UN's
            # the UN numbers only the Security Council's resolutions as a plain series, so
            # "القرار الأممي 2254" / "القرار الدولي 2254" is the Council's
            body = "UNSC" if (m.group("body") or m.group("un") or article_mentions_unsc) else None
            numbers = []
            for k, x in enumerate(_RES_NUM.finditer(m.group("nums"))):
                if k > 0 and not x.group("sep"):
                    continue      # a year written after the number: "2254 (2015)"
                numbers.append(int(x.group("n")))
            if not m.group("body") and not m.group("un") and any(n < 100 for n in numbers):
                continue          # "القرار 15" with no body named: not a Security Council resolution
            for n in numbers:
                start = offsets[m.start()]
                end = offsets[m.end() - 1] + 1
                out.append(ResolutionMention(n, body, sent.index, start, min(end, sent.end)))
    return out
