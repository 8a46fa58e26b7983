"""Dates in Arabic news text: Gregorian month names in their Egyptian/Gulf (يونيو), Levantine and
Iraqi (حزيران) and Maghrebi (جوان) forms, numeric dates, and the relative اليوم / أمس.

Dates are partial: a :class:`PartialDate` may know only the year or the year and month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .text import Sentence, normalize

_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7,
    "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8, "ايلول": 9,
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويليه": 7, "اوت": 8,
}
_TWO_WORD = {("كانون", "الثاني"): 1, ("كانون", "الاول"): 12, ("تشرين", "الاول"): 10, ("تشرين", "الثاني"): 11}
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
# ordinal numbers: "الثامن والعشرين من يونيو" (also read by extract.ordinal_at for member numbers)
ORDINAL_UNITS = {"الاول": 1, "الحادي": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6,
                 "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10}
_TENS = {"عشر": 10, "والعشرين": 20, "والعشرون": 20, "والثلاثين": 30, "والثلاثون": 30}
_ROUND = {"العشرين": 20, "العشرون": 20, "الثلاثين": 30, "الثلاثون": 30}


def _ordinal_day_before(words: list[str], k: int) -> tuple[int, int] | None:
    """(day, first token) of an ordinal day ending at token ``k`` (…من), or None."""
    if k >= 0 and words[k] in _ROUND:
        return _ROUND[words[k]], k
    if k >= 1 and words[k] in _TENS and words[k - 1] in ORDINAL_UNITS:
        day = ORDINAL_UNITS[words[k - 1]] + _TENS[words[k]]
        return (day, k - 1) if day <= 31 else None
    if k >= 0 and words[k] in ORDINAL_UNITS:
        return ORDINAL_UNITS[words[k]], k
    return None


@dataclass(frozen=True)
class PartialDate:
    year: int | None
    month: int | None = None
    day: int | None = None
    explicit: bool = True
    direction: str | None = None     # a date without a year: "past" (الماضي) or "next" (المقبل)

    def iso(self) -> str | None:
        if self.year is None:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def compatible(self, other: "PartialDate | None", days: int = 3) -> bool:
        if other is None:
            return True
        if self.year and other.year and self.month and other.month and self.day and other.day:
            a = dt.date(self.year, self.month, self.day)
            b = dt.date(other.year, other.month, other.day)
            return abs((a - b).days) <= days
        for x, y in ((self.year, other.year), (self.month, other.month), (self.day, other.day)):
            if x is not None and y is not None and x != y:
                return False
        return True

    def precision(self) -> int:
        return sum(v is not None for v in (self.year, self.month, self.day))

    def anchored(self, reference: "PartialDate | None") -> "PartialDate":
        """A day and month without a year, placed in time by the article's date: "3 ديسمبر
        الماضي" is the last 3 December before it, "المقبل" the next one, otherwise the one in
        the article's year."""
        if self.year is not None or self.month is None or reference is None or reference.year is None:
            return self
        year = reference.year
        ref = (reference.month or 1, reference.day or 1)
        here = (self.month, self.day or 1)
        if self.direction == "past" and here > ref:
            year -= 1
        elif self.direction == "next" and here < ref:
            year += 1
        return PartialDate(year, self.month, self.day, explicit=False)

    def shifted(self, days: int) -> "PartialDate":
        if self.day is None or self.month is None or self.year is None:
            return self
        d = dt.date(self.year, self.month, self.day) + dt.timedelta(days=days)
        return PartialDate(d.year, d.month, d.day, explicit=False)


def _month_at(words: list[str], i: int) -> tuple[int, int] | None:
    """(month, tokens used) if a month name starts at ``i`` (a leading في/ب is allowed)."""
    w = words[i]
    for cand in (w, w[1:] if w[:1] in "بل" and len(w) > 3 else None, w[2:] if w.startswith("في") else None):
        if not cand:
            continue
        if i + 1 < len(words) and (cand, words[i + 1]) in _TWO_WORD:
            return _TWO_WORD[(cand, words[i + 1])], 2
        if cand in _MONTHS:
            return _MONTHS[cand], 1
    return None


def find_dates(sentence: Sentence) -> list[tuple[PartialDate, int, int]]:
    """Explicit dates in a sentence with their token range [i, j)."""
    words = [normalize(t.text) or t.text for t in sentence.tokens]
    out = []
    i = 0
    while i < len(words):
        raw = sentence.tokens[i].text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
        # a numeric date the tokenizer cut at its dashes: 28 - 06 - 2021
        if i + 4 < len(words) and words[i + 1] == words[i + 3] and words[i + 1] in {"-", "/", "."}:
            joined = "".join(sentence.tokens[x].text for x in range(i, i + 5)).translate(
                str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
            if _NUMERIC.match(joined) or _ISO.match(joined):
                raw, width = joined, 5
            else:
                width = 1
        else:
            width = 1
        m = _NUMERIC.match(raw)
        iso = _ISO.match(raw)
        if iso:
            y, mo, d = map(int, iso.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                out.append((PartialDate(y, mo, d), i, i + width))
            i += width
            continue
        if m:
            d, mo, y = map(int, m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                out.append((PartialDate(y, mo, d), i, i + width))
            i += width
            continue
        hit = _month_at(words, i)
        if not hit:
            i += 1
            continue
        month, used = hit
        start, j = i, i + used
        # alternate name: حزيران / يونيو
        paired = False
        if j + 1 < len(words) and words[j] == "/" and _month_at(words, j + 1):
            j += 1 + _month_at(words, j + 1)[1]
            paired = True
        elif j < len(words) and _month_at(words, j):
            j += _month_at(words, j)[1]
            paired = True
        elif j + 1 < len(words) and words[j] == "(" and _month_at(words, j + 1):   # حزيران (يونيو)
            j += 1 + _month_at(words, j + 1)[1]
            if j < len(words) and words[j] == ")":
                j += 1
            paired = True
        day = None
        k = start - 1
        if k >= 0 and words[k] == "/":
            k -= 1
        if k >= 0 and words[k].isdigit() and 1 <= int(words[k]) <= 31:
            day, start = int(words[k]), k
        elif k >= 1 and words[k] == "من" and _ordinal_day_before(words, k - 1):
            day, start = _ordinal_day_before(words, k - 1)
        if j < len(words) and words[j] == "/":
            j += 1
        year = None
        if j < len(words) and words[j].isdigit() and len(words[j]) == 4:
            year = int(words[j])
            j += 1
        if year is None and day is None:
            # a bare month name is a date only when a year follows nearby ("في يونيو من عام 2021")
            look = words[j:j + 3]
            years = [int(x) for x in look if x.isdigit() and len(x) == 4]
            if years:
                year = years[0]
            elif not paired and not (j < len(words) and words[j] in {"الماضي", "المقبل", "القادم"}):
                i = j
                continue   # a lone word like مايو is more often a name (دي مايو) than a date
        direction = None
        if year is None and j < len(words):
            direction = {"الماضي": "past", "المنصرم": "past", "المقبل": "next", "القادم": "next"}.get(words[j])
        out.append((PartialDate(year, month, day, direction=direction), start, j))
        i = j
    # a bare year after a season/month-less phrase: "خريف 2021", "عام 2018"
    for k, w in enumerate(words):
        if w.isdigit() and len(w) == 4 and 1900 <= int(w) <= 2100:
            if not any(a <= k < b for _, a, b in out) and k > 0 and words[k - 1] in {
                    "عام", "العام", "خريف", "ربيع", "صيف", "شتاء", "بحلول", "منذ", "سنه", "مطلع", "اواخر", "اوائل"}:
                out.append((PartialDate(int(w)), k - 1, k + 1))
    return out


def relative_date(sentence: Sentence, article_date: PartialDate | None) -> PartialDate | None:
    """اليوم → the article's date; أمس → the day before."""
    if article_date is None or article_date.day is None:
        return None
    words = [normalize(t.text) for t in sentence.tokens]
    for w in words:
        for cand in (w, w[1:] if w[:1] in "وف" else w):
            if cand in {"امس", "بالامس"}:
                return article_date.shifted(-1)
    for w in words:
        if w in {"اليوم", "واليوم"}:
            return PartialDate(article_date.year, article_date.month, article_date.day, explicit=False)
    return None


def article_date(sentences: list[Sentence], head_sentences: int = 6) -> PartialDate | None:
    """The dateline: the first full date (day, month, year) in the article's first sentences."""
    for sent in sentences[:head_sentences]:
        for d, _, _ in find_dates(sent):
            if d.day is not None and d.year is not None:
                return d
    return None
