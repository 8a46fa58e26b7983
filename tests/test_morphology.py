"""The cue lexicons' paradigms (extract/morphology.py): generated forms are the forms an Arabic
morphological analyzer reads as the lexicon's lemma, and the readers match them."""

import pytest

from coalition_kg.extract import lexicon
from coalition_kg.extract.meetings import _HOST_VERBS, _form_of, is_future
from coalition_kg.extract.morphology import FUTURE, IMPERFECT, PERFECT, raw_verb_forms, verb_forms
from coalition_kg.text import normalize

VERB_LEXICONS = [n for n in lexicon.names() if n.endswith("_verbs")]


def test_every_verb_lexicon_line_is_a_lemma_with_its_imperfect():
    assert {"host_verbs", "meeting_verbs", "chair_verbs", "receive_verbs", "venue_verbs"} <= set(VERB_LEXICONS)
    for name in VERB_LEXICONS:
        forms = lexicon.verbs(name)
        assert forms and set(forms.values()) <= {PERFECT, IMPERFECT, FUTURE, "noun"}


@pytest.mark.parametrize("word,kind", [
    ("سوف", None), ("يستضيف", IMPERFECT), ("ستستضيف", FUTURE), ("تستضيفها", IMPERFECT), ("واستضافت", PERFECT),
    ("استضافوه", PERFECT), ("ستحتضن", FUTURE), ("سيترأس", FUTURE), ("يترأسه", IMPERFECT), ("برئاسة", "noun"),
    ("يستضيفون", IMPERFECT), ("احتضنته", PERFECT),
])
def test_forms_of_the_hosting_verbs(word, kind):
    assert _form_of(normalize(word), _HOST_VERBS) == kind


def test_a_masdar_behind_a_preposition():
    # "لاستضافة" normalizes like استضافه (hosted it): either reading is a hosting cue
    assert _form_of(normalize("لاستضافة"), _HOST_VERBS) is not None


def test_defective_meeting_verb():
    forms = lexicon.verbs("meeting_verbs")
    for w in ("التقى", "التقت", "التقوا", "التقيا", "يلتقي", "ويلتقي", "سيلتقي", "يلتقون", "تلتقيان", "يجتمعون",
              "سيجتمع", "اجتمعت"):
        assert normalize(w) in forms, w


def test_future_forms_of_any_cue_verb():
    assert is_future(normalize("ستستقبل")) and is_future(normalize("سيعقد")) and is_future(normalize("ستحتضن"))
    assert not is_future(normalize("استضافت")) and not is_future(normalize("سياسة"))


def test_a_line_without_its_imperfect_is_refused(tmp_path, monkeypatch):
    (tmp_path / "bad_verbs.txt").write_text("استضاف\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "DIR", tmp_path)
    lexicon.verbs.cache_clear()
    try:
        with pytest.raises(ValueError, match="perfect and its imperfect"):
            lexicon.verbs("bad_verbs")
    finally:
        lexicon.verbs.cache_clear()


def test_generated_forms_are_the_lemma_for_an_analyzer():
    """Checked against an independent analyzer (qalsadi, a test dependency only: it is GPL and the
    project is MIT, so the readers use the generator): the verb forms in every person, the future
    and with و, with and without an object pronoun, have the lexicon's lemma among the analyzer's
    readings."""
    lemmatizer = pytest.importorskip("qalsadi.lemmatizer").Lemmatizer()
    checked = agreed = 0
    misses = []
    for name in VERB_LEXICONS:
        for line in lexicon._lines(name):
            perfect, imperfect, *_ = line.split()
            for raw, kind in raw_verb_forms(perfect, imperfect):
                if kind == "noun" or raw[:1] in "فا" or raw.endswith(("ك", "كم", "ني", "هن")):
                    continue
                checked += 1
                got = lemmatizer.lemmatize(raw, all=True)       # every lemma the analyzer reads
                if normalize(perfect) in {normalize(x) for x in got}:
                    agreed += 1
                else:
                    misses.append((raw, got))
    assert checked > 500
    assert agreed / checked >= 0.9, misses[:40]
