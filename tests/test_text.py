"""Arabic text handling: tokens map back to the original text exactly; normalization is for matching."""

from coalition_kg.reader import read_article
from coalition_kg.text import normalize, normalize_for_model, split_sentences, tokenize

from conftest import SEED_FILES


def test_every_token_of_every_seed_maps_back_to_the_original_text():
    assert len(SEED_FILES) == 5
    for path in SEED_FILES:
        text = read_article(path).text
        sentences = split_sentences(text)
        assert sentences, path
        n = 0
        for s in sentences:
            assert text[s.start:s.end].startswith(s.tokens[0].text)
            for t in s.tokens:
                assert text[t.start:t.end] == t.text
                n += 1
        # nothing but whitespace is left out
        covered = {i for s in sentences for t in s.tokens for i in range(t.start, t.end)}
        missing = [ch for i, ch in enumerate(text) if i not in covered and not ch.isspace()
                   and ch not in "\u200e\u200f\ufeff"]
        assert missing == [], (path, missing[:10])
        assert n > 100


def test_punctuation_split_off_numbers_kept_whole():
    toks = [t.text for t in tokenize("رحب الوزراء، في 28 حزيران/يونيو 2021، بـ13.5 مليار (دولار).")]
    assert "،" in toks and "28" in toks and "2021" in toks and "13.5" in toks
    assert "الوزراء" in toks and "(" in toks and ")" in toks and "/" in toks
    assert [t.text for t in tokenize("عام ٢٠٢١م")] == ["عام", "٢٠٢١", "م"]


def test_an_initial_does_not_end_the_sentence():
    text = "صدر البيان عن أنتوني ج. بلينكن ووزراء التحالف. ثم انتهى الاجتماع."
    sents = split_sentences(text)
    assert len(sents) == 2
    assert "بلينكن" in [t.text for t in sents[0].tokens]


def test_normalization_unifies_variants_for_matching_only():
    assert normalize("إفريقيا") == normalize("أفريقيا")
    assert normalize("مُنَسَّق") == normalize("منسق")
    assert normalize("الـتحالف") == normalize("التحالف")
    assert normalize("سورية") == "سوريه" and normalize("مصطفى") == normalize("مصطفي")
    assert normalize_for_model("بلّينكن") == "بلينكن"
    # the original is untouched
    text = "مرّة"
    assert tokenize(text)[0].text == "مرّة"
