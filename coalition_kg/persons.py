"""Step 4b: one node per real person, across spelling variants and partial mentions.

Names are compared on normalized tokens (diacritics, hamza/alef, ya/ta-marbuta unified;
single-letter initials such as ج ignored).  Two spellings of a *foreign* name transliterated
into Arabic often differ in long vowels (بلينكن، بلينكين، بلكين), so tokens of five letters
or more also match on their consonant skeleton (long vowels ا و ي removed after the first
letter) up to one edit, when both skeletons have four letters or more and begin alike.  Shorter tokens — most Arabic given names — must match exactly, so
حسن and حسين stay apart.

Merging rules, in order:
1. within an article, a full name (2+ tokens) joins a cluster whose name it matches token by
   token (first and last token compatible);
2. within an article, a partial mention (a contiguous part of a full name: لويجي، دي مايو،
   بلينكن) joins the one cluster it fits; if it fits several, it joins none;
3. across articles, clusters merge when they share a compatible full name, or when a
   one-token cluster fits exactly one full-name cluster *and* both hold the same role for the
   same country (أنتوني, "US foreign minister");
4. clusters whose roles name different countries are never merged.
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from dataclasses import dataclass, field

from .text import normalize


# letters that transcribe the same foreign sound in different Arabic spelling traditions:
# hard g as غ (Levant) or ج (Egypt) or گ, v as ڤ or ف, p as پ or ب (سيرغي / سيرجي لافروف)
_PHONETIC = str.maketrans({"غ": "ج", "گ": "ج", "ڤ": "ف", "پ": "ب", "چ": "ج"})
# particles written apart or joined to the next word: عبد الله / عبدالله, لو دريان / لودريان
_JOINED_PARTICLES = {"عبد", "ابو", "لو", "لا", "دي", "دو", "دا", "ديل", "فان", "فون"}


def name_tokens(surface: str) -> list[str]:
    """A name as comparison tokens: normalized, one spelling per foreign sound, particles joined
    to the word they introduce."""
    raw = [t.translate(_PHONETIC) for t in normalize(surface).split()]
    toks: list[str] = []
    k = 0
    while k < len(raw):
        if raw[k] in _JOINED_PARTICLES and k + 1 < len(raw):
            toks.append(raw[k] + raw[k + 1])
            k += 2
            continue
        if len(raw[k]) > 1:
            toks.append(raw[k])
        k += 1
    return toks


@lru_cache(maxsize=1 << 16)
def skeleton(token: str) -> str:
    return token[:1] + "".join(ch for ch in token[1:] if ch not in "اوي")


def _edit_distance_le1(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = diff = 0
    while i < len(a) and j < len(b):
        if a[i] != b[j]:
            diff += 1
            if diff > 1:
                return False
            if len(a) == len(b):
                i += 1
            j += 1
        else:
            i += 1
            j += 1
    return diff + (len(b) - j) + (len(a) - i) <= 1


def _block(token: str) -> tuple:
    return (token[:1], len(skeleton(token)))


def _blocks_near(token: str) -> list[tuple]:
    n = len(skeleton(token))
    return [(token[:1], n - 1), (token[:1], n), (token[:1], n + 1)]


@lru_cache(maxsize=1 << 16)
def _match_keys(token: str) -> tuple:
    """Keys such that any two tokens :func:`token_match` accepts share one: the token itself;
    without a leading ال (الصفدي / صفدي); and, for the fuzzy case, the skeleton and each
    skeleton with one letter deleted (two skeletons one edit apart share one of those)."""
    keys = [("=", token)]
    if token.startswith("ال"):
        keys.append(("=", token[2:]))
    if len(token) >= 5:
        sk = skeleton(token)
        if len(sk) >= 4:
            keys.append(("~", sk))
            keys.extend(("~", sk[:k] + sk[k + 1:]) for k in range(len(sk)))
    return tuple(keys)


@lru_cache(maxsize=1 << 18)      # resolution compares the same name words across thousands of articles
def token_match(a: str, b: str) -> bool:
    if a == b:
        return True
    # a name word with and without the article (صباح الخالد / صباح خالد، الصفدي / صفدي)
    if len(a) >= 3 and len(b) >= 3 and (a == "ال" + b or b == "ال" + a):
        return True
    if len(a) >= 5 and len(b) >= 5:
        sa, sb = skeleton(a), skeleton(b)
        # fuzzy only on long skeletons with the same first letter: كورونا/دريان must not match
        return len(sa) >= 4 and len(sb) >= 4 and sa[0] == sb[0] and _edit_distance_le1(sa, sb)
    return False


def full_match(a: list[str], b: list[str]) -> bool:
    """Two full names (2+ tokens) denote the same person."""
    if len(a) < 2 or len(b) < 2:
        return False
    if not token_match(a[0], b[0]) or not token_match(a[-1], b[-1]):
        return False
    # middle tokens (particles like دي, لو) must agree where both have them
    mid_a, mid_b = a[1:-1], b[1:-1]
    if mid_a and mid_b and len(mid_a) == len(mid_b):
        return all(token_match(x, y) for x, y in zip(mid_a, mid_b))
    return True


def part_of(part: list[str], full: list[str]) -> bool:
    """``part`` is a contiguous run of ``full``'s tokens (each token compatible)."""
    n = len(part)
    if not part or n >= len(full):
        return False
    return any(all(token_match(x, y) for x, y in zip(part, full[i:i + n])) for i in range(len(full) - n + 1))


@dataclass
class PersonCluster:
    id: str
    names: list[list[str]] = field(default_factory=list)    # normalized token lists
    surfaces: list[str] = field(default_factory=list)        # original surface forms
    roles: set[tuple[str, str | None]] = field(default_factory=set)  # (role, country code)
    articles: set[str] = field(default_factory=set)

    @property
    def full_names(self) -> list[list[str]]:
        return [n for n in self.names if len(n) >= 2]

    @property
    def label(self) -> str:
        """Preferred Arabic label: the most frequent of the longest surface forms."""
        best = max(self.surfaces, key=lambda s: (len(name_tokens(s)), self.surfaces.count(s), -len(s)))
        return best.strip()

    def countries(self) -> set[str]:
        return {c for _, c in self.roles if c}

    def fits_full(self, toks: list[str]) -> bool:
        return any(full_match(toks, n) for n in self.full_names)

    def fits_part(self, toks: list[str]) -> bool:
        if any(toks == n for n in self.names):
            return True
        return any(part_of(toks, n) for n in self.full_names)


def _roles_conflict(a: set, b: set) -> bool:
    ca = {c for _, c in a if c}
    cb = {c for _, c in b if c}
    return bool(ca and cb and not ca & cb)


def cluster_article(article_id: str, mentions: list[tuple[str, set]]) -> list[int]:
    """A cluster index per mention (-1 for a mention with no name tokens); see :func:`cluster_mentions`."""
    return cluster_mentions(article_id, mentions)[1]


def cluster_mentions(article_id: str, mentions: list[tuple[str, set]],
                     prefix: str = "") -> tuple[list[PersonCluster], list[int]]:
    """Cluster one article's person mentions: the clusters (ids ``{prefix}{article_id}#{n}``)
    and a cluster index per mention (-1 for a mention with no name tokens).

    ``mentions``: (surface, roles) in text order; roles are (role, country) pairs read from the
    title in front of that mention.  Longer names are placed first, so that a partial mention
    (دي مايو، لويجي) finds the full name wherever it stands in the text."""
    clusters: list[PersonCluster] = []
    assignment: list[int | None] = [None] * len(mentions)
    toks_list = [name_tokens(s) for s, _ in mentions]
    order = sorted(range(len(mentions)), key=lambda i: (-len(toks_list[i]), i))
    for idx in order:
        surface, roles = mentions[idx]
        toks = toks_list[idx]
        if not toks:
            continue
        target = None
        if len(toks) >= 2:
            target = next((ci for ci, c in enumerate(clusters)
                           if c.fits_full(toks) and not _roles_conflict(c.roles, roles)), None)
        if target is None:
            fits = [ci for ci, c in enumerate(clusters) if c.fits_part(toks) and not _roles_conflict(c.roles, roles)]
            if len(fits) == 1:
                target = fits[0]
        if target is None:
            clusters.append(PersonCluster(f"{prefix}{article_id}#{len(clusters)}"))
            target = len(clusters) - 1
        _add(clusters[target], toks, surface, roles, article_id)
        assignment[idx] = target
    return clusters, [a if a is not None else -1 for a in assignment]


def _add(c: PersonCluster, toks, surface, roles, article_id):
    c.names.append(toks)
    c.surfaces.append(surface)
    c.roles |= set(roles)
    c.articles.add(article_id)


def merge_across(clusters: list[PersonCluster]) -> dict[str, int]:
    """Union article-level clusters into build-level persons; returns cluster id -> person index.

    Full names that match are joined first; then a cluster whose longest name is only part of
    one person's full name (بلينكن، دي مايو، أنتوني) joins that person — on a family name, or on
    a given name when both hold the same role for the same country.  A group never takes in
    roles for a different country, and a partial name that fits several persons joins none."""
    parent = list(range(len(clusters)))
    roles = [set(c.roles) for c in clusters]

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i, j) -> bool:
        ri, rj = find(i), find(j)
        if ri == rj:
            return True
        if _roles_conflict(roles[ri], roles[rj]):
            return False
        parent[ri] = rj
        roles[rj] |= roles[ri]
        return True

    # Candidates: clusters with a name token that token_match can accept, found through an index
    # of match keys (every pair token_match accepts shares a key: see _match_keys), and, as
    # before, sharing a block (first letter, skeleton length ±1) — the blocks decide which pairs
    # are compared at all, the keys only make finding them near-linear on large builds.
    index: dict[tuple, set[int]] = {}
    blocks_of: list[set[tuple]] = []
    for i, c in enumerate(clusters):
        own = set()
        for n in c.names:
            for t in n:
                own.add(_block(t))
                for k in _match_keys(t):
                    index.setdefault(k, set()).add(i)
        blocks_of.append(own)

    # Clusters with the same names (one person named alike in many articles) share their
    # candidates and their match results: both are computed once per distinct list of names.
    sig_of: dict[tuple, int] = {}
    sid = [sig_of.setdefault(tuple(tuple(n) for n in c.names), len(sig_of)) for c in clusters]
    full = [c.full_names for c in clusters]
    cand_of: dict[int, set[int]] = {}

    def candidates(i: int) -> set[int]:
        """Every cluster sharing a match key and a block with ``i``'s names (``i`` included)."""
        got = cand_of.get(sid[i])
        if got is None:
            near: set[tuple] = set()
            found: set[int] = set()
            for n in clusters[i].names:
                for t in n:
                    near.update(_blocks_near(t))
                    for k in _match_keys(t):
                        found |= index.get(k, set())
            got = cand_of[sid[i]] = {j for j in found if not near.isdisjoint(blocks_of[j])}
        return got

    # 1. full names, clusters with roles first so that a roleless one cannot bridge two countries
    order = sorted(range(len(clusters)), key=lambda i: (not clusters[i].roles, i))
    rank = {i: x for x, i in enumerate(order)}
    by_rank: dict[int, tuple[list[int], list[int]]] = {}     # signature -> (candidates by rank, their ranks)
    fits_full: dict[tuple[int, int], bool] = {}

    def full_fit(i: int, j: int) -> bool:
        key = (sid[i], sid[j])
        hit = fits_full.get(key)
        if hit is None:
            hit = fits_full[key] = bool(full[j]) and any(clusters[j].fits_full(n) for n in full[i])
        return hit

    # A signature whose clusters all joined one group (every union succeeded) needs nothing more
    # from its later clusters: their candidates ranked after them are among those already joined,
    # so were they in that same group, each of their unions would find it done.  Without this a
    # name in thousands of articles costs a union per pair of its clusters.
    joined: dict[int, int] = {}        # signature -> a cluster whose fits all joined it
    for x, i in enumerate(order):
        a = clusters[i]
        if not full[i]:
            continue
        first = joined.get(sid[i])
        if first is not None and find(first) == find(i):
            continue
        ranked = by_rank.get(sid[i])
        if ranked is None:         # the candidates whose full names fit: the same for every i alike
            js = sorted((j for j in candidates(i) if full_fit(i, j)), key=rank.get)
            ranked = by_rank[sid[i]] = (js, [rank[j] for j in js])
        js, ranks = ranked
        # candidates ranked after i (i itself and those before it are never taken here)
        fits = js[bisect.bisect_right(ranks, x):]
        if not a.roles:
            groups = {find(j) for j in fits}
            if len(groups) > 1 and any(_roles_conflict(roles[g], roles[h]) for g in groups for h in groups):
                continue
        ok = True
        for j in fits:
            ok = union(i, j) and ok
        if ok and first is None:
            joined[sid[i]] = i
    # 2. partial names
    # each signature's candidates that its longest name is a part of, with whether they share its
    # family name: computed once per signature, in index order
    part_cands: dict[int, list[tuple[int, bool]]] = {}
    part_fit: dict[tuple[int, int], tuple[bool, bool]] = {}
    for i, a in enumerate(clusters):
        longest = max(a.names, key=len)
        if any(len(n) > len(longest) for n in a.names):
            continue
        fits = set()
        js = part_cands.get(sid[i])
        if js is None:
            js = []
            for j in sorted(candidates(i)):
                key = (sid[i], sid[j])
                fit = part_fit.get(key)
                if fit is None:   # (is a part of one of j's full names, shares its family name)
                    b_full = full[j]
                    fit = part_fit[key] = (any(len(n) > len(longest) and part_of(longest, n) for n in b_full),
                                           any(token_match(longest[-1], n[-1]) for n in b_full))
                if fit[0]:
                    js.append((j, fit[1]))
            part_cands[sid[i]] = js
        ri = find(i)               # (no union until the loop is done)
        for j, family in js:
            if j == i:
                continue
            rj = find(j)
            if rj == ri or rj in fits:
                continue
            if _roles_conflict(roles[ri], roles[rj]):
                continue
            if family or (a.roles & clusters[j].roles):
                fits.add(rj)
        if len(fits) == 1:
            union(i, fits.pop())
    roots: dict[int, int] = {}
    out = {}
    for i, c in enumerate(clusters):
        r = find(i)
        out[c.id] = roots.setdefault(r, len(roots))
    return out
