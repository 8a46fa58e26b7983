"""The trie of wordfreq's Arabic table gives exactly wordfreq's Zipf frequencies."""

import random

from wordfreq import get_frequency_dict, zipf_frequency

from coalition_kg import frequency


def test_zipf_matches_wordfreq_exactly(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    frequency._trie.cache_clear()
    frequency.zipf.cache_clear()
    try:
        words = random.Random(7).sample(sorted(get_frequency_dict("ar", "best")), 3000)
        # unknown forms, digits (wordfreq smashes them), tatweel and diacritics (removed), several
        # tokens (frequencies combined), Latin, empty
        words += [w + "ة" for w in words[:500]] + ["ال" + w for w in words[:500]]
        words += ["2014", "عام2014", "ـالقاهرة", "قِمّة", "القاهرة بغداد", "hello", "", "و", "١٢٣"]
        mismatched = [w for w in words if frequency.zipf(w) != zipf_frequency(w, "ar")]
        assert not mismatched, mismatched[:10]
        assert frequency._cache_file().is_file()
        assert frequency.zipf("القاهرة") > 4 and frequency.zipf("كسكسكسكس") == 0
    finally:
        frequency._trie.cache_clear()
        frequency.zipf.cache_clear()


def test_damaged_trie_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    frequency._trie.cache_clear()
    frequency.zipf.cache_clear()
    try:
        path = frequency._cache_file()
        path.parent.mkdir(parents=True)
        path.write_bytes(b"not a trie")
        assert frequency.zipf("القاهرة") == zipf_frequency("القاهرة", "ar")
        assert path.stat().st_size > 1_000_000
    finally:
        frequency._trie.cache_clear()
        frequency.zipf.cache_clear()
