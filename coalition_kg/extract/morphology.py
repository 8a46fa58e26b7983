"""Paradigms of the cue words: every form news writes of a verb or a noun a lexicon names by its lemma.

A verb lexicon line gives the perfect and the imperfect (third person masculine singular) and,
optionally, nominal forms that carry the same cue (masdars, participles, a masdar behind its
preposition): ``استضاف يستضيف استضافة باستضافة``; the word ``لازم`` at its end marks a verb
that takes no object (``انعقد ينعقد المنعقد لازم``).  :func:`verb_forms` generates

* the perfect in every person news uses (استضاف، استضافت، استضافا، استضافتا، استضافوا، استضفنا…),
* the imperfect with each person prefix and ending (يستضيف، تستضيف، نستضيف، يستضيفون، تستضيفان…),
* the future with the prefix س (سيستضيف، ستستضيف، سنستضيف; "سوف" is a word of its own),
* each of them with an object pronoun (استضافه، تستضيفها، استضافوها) and behind و / ف,
* the nominal forms with و / ف and a possessive pronoun (استضافته، برئاستها),

and tells which form it is (:func:`analyze`: perfect, imperfect, future, noun), so that a reader
can ask "is this a future form of a hosting verb" instead of listing سيستضيف، ستستضيف، ستحتضن….
Defective verbs (التقى يلتقي) get their own endings.  Forms are normalized as article words are
(:func:`..text.normalize`).  A noun lexicon line gives the singular and, optionally, the plural:
:func:`noun_forms` adds the article, the prepositions, the dual, the accusative and the pronouns.

This is a generator of our own, checked against a morphological analyzer in the tests; it is not
an analyzer: it only knows the lemmas the lexicons name.
"""

from __future__ import annotations

from ..text import normalize

OBJECT_PRONOUNS = ("", "ه", "ها", "هم", "هما", "هن", "نا", "ك", "كم", "ني")
POSSESSIVES = ("", "ه", "ها", "هم", "هما", "نا", "كم")
CONJUNCTIONS = ("", "و", "ف")

PERFECT = "perfect"
IMPERFECT = "imperfect"
FUTURE = "future"
NOUN = "noun"


def _with_objects(form: str) -> list[str]:
    if form.endswith(("تم", "تما", "نا")):        # (استضفتموه، استضفناه: the stem changes)
        return [form]
    if form.endswith("وا"):                       # استضافوا + ه → استضافوه (the alif goes)
        return [form] + [form[:-1] + p for p in OBJECT_PRONOUNS if p]
    if form.endswith("ى"):                        # تبنّى + ه → تبنّاه
        return [form] + [form[:-1] + "ا" + p for p in OBJECT_PRONOUNS if p]
    return [form + p for p in OBJECT_PRONOUNS]


def _perfect(p: str) -> list[str]:
    if p.endswith("ى"):                            # التقى، نوى: التقت، التقوا، التقيا، التقينا
        stem = p[:-1]
        return [p, stem + "ت", stem + "وا", stem + "يا", stem + "تا", stem + "ينا", stem + "يتم", stem + "ين"]
    if p.endswith("ا") and len(p) > 2:             # دعا: دعت، دعوا
        stem = p[:-1]
        return [p, stem + "ت", stem + "وا", stem + "تا", stem + "ونا"]
    # (the persons news writes; a hollow verb's stem changes before the others: استضفتم)
    return [p + s for s in ("", "ت", "ا", "تا", "وا", "نا")]


# the endings each person prefix takes (يفعلون، تفعلين، نفعل، أفعل)
_ENDINGS = {"ي": ("", "ون", "ان", "وا", "ا"), "ت": ("", "ون", "ان", "ين", "وا", "ا", "ي"),
            "ن": ("",), "أ": ("",)}


_INDICATIVE = ("", "ون", "ان", "ين")


def _imperfect(i: str, future: bool = False) -> list[str]:
    """The imperfect in each person (with ``future``: the indicative only, as after س)."""
    stem = i[1:] if i[:1] in ("ي", "ت", "ن", "أ", "ا") else i
    out = []
    defective = stem.endswith(("ي", "ى")) and len(stem) > 2
    for pre, endings in _ENDINGS.items():
        if future:
            endings = tuple(e for e in endings if e in _INDICATIVE)
        if defective:                                # يلتقي: يلتقون، تلتقيان، يلتقوا، تلتقين
            base = stem[:-1]
            two = base + "ي"                          # يلتقيان، يتبنّيان
            forms = {"": stem, "ون": base + "ون", "وا": base + "وا", "ين": base + "ين", "ان": two + "ان",
                     "ا": two + "ا", "ي": None}
            out += [pre + forms[e] for e in endings if forms.get(e)]
        else:
            out += [pre + stem + e for e in endings]
    return out


def _nominal(form: str) -> list[str]:
    """A masdar or participle with its possessive pronouns (ة → ت before them)."""
    out = [form]
    base = form[:-1] + "ت" if form.endswith("ة") else form
    out += [base + p for p in POSSESSIVES if p]
    return out


INTRANSITIVE = "لازم"      # a lexicon line ending in this word: no object pronouns (انعقد ينعقد)


def raw_verb_forms(perfect: str, imperfect: str, nominals: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The verb's forms as written (not normalized), each with which form it is, in paradigm
    order (a form generated twice is listed once, with its first reading).  ``nominals`` ending
    in :data:`INTRANSITIVE` marks a verb that takes no object."""
    out: dict[str, str] = {}
    transitive = INTRANSITIVE not in nominals
    nominals = tuple(n for n in nominals if n != INTRANSITIVE)

    def put(forms, kind, future=False):
        for f in forms:
            for obj in _with_objects(f) if kind != NOUN and transitive else [f]:
                for conj in CONJUNCTIONS:
                    out.setdefault(conj + ("س" if future else "") + obj, FUTURE if future else kind)
    put(_perfect(perfect), PERFECT)
    put(_imperfect(imperfect), IMPERFECT)
    put(_imperfect(imperfect, future=True), IMPERFECT, future=True)
    for n in nominals:
        put(_nominal(n), NOUN)
    return list(out.items())


def verb_forms(perfect: str, imperfect: str, nominals: tuple[str, ...] = ()) -> dict[str, str]:
    """Every normalized surface form of the verb → which form it is (perfect / imperfect /
    future / noun); the first reading wins (a perfect that is also a noun stays a perfect)."""
    out: dict[str, str] = {}
    for raw, kind in raw_verb_forms(perfect, imperfect, nominals):
        out.setdefault(normalize(raw), kind)
    return out


def noun_forms(singular: str, plural: str | None = None) -> set[str]:
    """Every normalized surface form of a noun: with the article, a preposition (ب، ل، ك، لل) and
    و / ف, dual, accusative, possessive pronouns."""
    stems = [singular]
    base = singular[:-1] + "ت" if singular.endswith("ة") else singular
    bare = [singular, singular + "ا", base + "ان", base + "ين"] + [base + p for p in POSSESSIVES if p] \
        + [base + "اه", base + "اها", base + "يه", base + "يها"]
    if plural:
        stems.append(plural)
        pbase = plural
        bare += [plural] + [pbase + p for p in POSSESSIVES if p]
    out: set[str] = set()
    for w in bare:
        definite = [w, "ال" + w, "لل" + w]
        for d in definite:
            for pre in ("", "ب", "ل", "ك"):
                if pre and d.startswith("لل"):
                    continue
                for conj in CONJUNCTIONS:
                    out.add(normalize(conj + pre + d))
    return out


def analyze(forms: dict[str, str], word: str) -> str | None:
    """Which form ``word`` (normalized) is in a verb lexicon's ``forms``, or None."""
    return forms.get(word)
