"""Persons of one article beyond the tagger's spans, and their roles.

The tagger's person spans are repaired (:func:`.linking.person_spans`), then names it missed are
added by rule — after a title (:func:`titled_names`), in a byline (:func:`byline_names`), a
family name echoing a full name (:func:`echoed_names`) — titles are read as roles, mentions are
clustered into the article's persons, and the tagger's noise is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import extract, gazetteer, linking, persons
from .extract import Role
from .linking import Mention
from .ner import Entity
from .reader import Article
from .text import Sentence, normalize


@dataclass
class ArticlePersons:
    mentions: list[Mention]                 # places and organizations, persons' words removed
    person_mentions: list[Mention]          # node = article-level cluster id
    person_roles: dict[str, set]            # cluster id -> {(role, country)}
    roles: list[tuple[str, Role, int]]      # (cluster id, role, sentence)
    clusters: list[persons.PersonCluster]


def article_persons(article: Article, sentences: list[Sentence], entities: list[Entity],
                    mentions: list[Mention]) -> ArticlePersons:
    # ``mentions`` is linking.link's answer for this article: not computed a second time here
    text = article.text
    places = [m for m in mentions if m.kind in ("Country", "City")]
    sent_by_index = {s.index: s for s in sentences}

    # persons: strip titles, read roles, cluster within the article
    raw: list[tuple[Entity, int, int]] = []
    ents_by_sent: dict[int, list[Entity]] = {}
    for e in entities:
        ents_by_sent.setdefault(e.sentence, []).append(e)
    for idx, ents in ents_by_sent.items():
        sent = sent_by_index[idx]
        taken = {k for m in mentions if m.sentence == idx and m.kind != "Place"
                 for k in range(m.first_token, m.last_token)}
        for i, j in linking.person_spans(sent, ents, taken):
            e = next((x for x in ents if x.type == "PERS" and x.first_token < j and i < x.last_token), None)
            if e is not None:        # (a span left with only words added around a trimmed title is none)
                raw.append((e, i, j))
    raw = _trim_echo_tails(sentences, raw)
    titled = titled_names(text, sentences, entities, mentions, raw)
    raw += titled
    bylines = byline_names(text, sentences, mentions, raw)
    raw += bylines
    echoes = echoed_names(text, sentences, entities, mentions, raw)
    raw += echoes
    rule_source = {**{(e.sentence, i): ("title-rule", 0.7) for e, i, j in titled},
                   **{(e.sentence, i): ("byline-rule", 0.6) for e, i, j in bylines},
                   **{(e.sentence, i): ("echo-rule", 0.6) for e, i, j in echoes}}
    ner_entities = set(entities)
    raw.sort(key=lambda x: (x[0].sentence, x[1]))
    # an unknown "place" or organization, or a nisba, that turned out to be part of a person's
    # name is no place
    person_tokens = {(e.sentence, k) for e, i, j in raw for k in range(i, j)}
    mentions = [m for m in mentions if not ((_unknown_place_or_org(m) or m.nisba) and any(
        (m.sentence, k) in person_tokens for k in range(m.first_token, m.last_token)))]
    places = [m for m in mentions if m.kind in ("Country", "City")]
    blocked_by_sent: dict[int, set[int]] = {}
    for e, i, j in raw:
        blocked_by_sent.setdefault(e.sentence, set()).update(range(i, j))
    roles_per_mention = []
    last_role: Role | None = None            # the latest title with a country, for "نظيره الأردني"
    for e, i, j in raw:
        sent = sent_by_index[e.sentence]
        splaces = [m for m in places if m.sentence == e.sentence]
        blocked = blocked_by_sent[e.sentence] - set(range(i, j))
        rs = extract.roles_before(sent, i, splaces, blocked) or extract.roles_after(sent, j, splaces, blocked)
        if not rs and last_role is not None:
            cp = extract.counterpart_before(sent, i, splaces)
            if cp is not None and cp[0] != last_role.country:
                rs = [Role(last_role.role, cp[0], None, False, cp[1], cp[2])]
        last_role = next((r for r in rs if r.country and not r.former), last_role)
        roles_per_mention.append(rs)
    cluster_input = []
    for (e, i, j), rs in zip(raw, roles_per_mention):
        sent = sent_by_index[e.sentence]
        surface = text[sent.tokens[i].start:sent.tokens[j - 1].end]
        cluster_input.append((surface, {(r.role, r.country) for r in rs if not r.former}))
    found, assignment = persons.cluster_mentions(article.id, cluster_input, prefix="person:")
    # the tagger's noise ("شكرا جزيلا", "أورد بإيجاز"): a person with no title anywhere in the
    # article and not one word of any of its names able to carry a name is dropped
    # … and so is a one-word "person" with no title that is an ordinary word of the language,
    # even one that is also a given name ("لتحقيق نصر دائم")
    kept = {ci for ci, c in enumerate(found)
            if c.roles or (any(linking.name_like(t) for s in c.surfaces for t in s.split() if t.strip(".").isalpha())
                           and not all(len(s.split()) == 1 and linking.is_ordinary(s) for s in c.surfaces))}
    keep = [ci in kept for ci in assignment]
    raw, roles_per_mention, cluster_input, assignment = (
        [x for x, k in zip(xs, keep) if k] for xs in (raw, roles_per_mention, cluster_input, assignment))
    clusters = {ci: found[ci] for ci in sorted(kept)}
    person_mentions: list[Mention] = []
    roles: list[tuple[str, Role, int]] = []
    person_roles: dict[str, set] = {}
    for (e, i, j), rs, (surface, rset), ci in zip(raw, roles_per_mention, cluster_input, assignment):
        cid = clusters[ci].id
        sent = sent_by_index[e.sentence]
        by_ner = e in ner_entities
        person_mentions.append(Mention(cid, "Person", surface, sent.tokens[i].start, sent.tokens[j - 1].end,
                                       e.sentence, i, j, *(("ner", 0.85) if by_ner else rule_source[(e.sentence, i)])))
        person_roles.setdefault(cid, set()).update(rset)
        for r in rs:
            roles.append((cid, r, e.sentence))
    # "الوزير بلينكن" says less than "وزير الخارجية الأمريكي": a bare title without a country
    # adds nothing to a person who has a specific role
    specific = {cid for cid, r, _ in roles if r.country or r.org}
    roles = [(cid, r, s) for cid, r, s in roles
             if not (cid in specific and r.role == "minister" and not r.country and not r.org)]
    for cid in person_roles:
        if cid in specific:
            person_roles[cid] = {x for x in person_roles[cid] if not (x[0] == "minister" and x[1] is None)}
    for c in clusters.values():
        if c.id in specific:
            c.roles = {x for x in c.roles if not (x[0] == "minister" and x[1] is None)}

    _anaphoric_nisbas(sentences, places, person_mentions, roles, person_roles, clusters)
    _agency_titles(linking.dateline_agency(sentences, article.publisher), roles, person_roles, clusters)
    return ArticlePersons(mentions, person_mentions, person_roles, roles, list(clusters.values()))


_ANAPHORS = {normalize(w) for w in ("المسؤول", "المسؤولة", "الوزير", "الوزيرة", "الدبلوماسي", "الدبلوماسية",
                                     "رئيس الدبلوماسية", "رئيسة الدبلوماسية")}


def _anaphoric_nisbas(sentences, places, person_mentions, roles, person_roles, clusters) -> None:
    """"وأوضح المسؤول المغربي أن …" with no name after it points back to the last person named
    (in that sentence or the two before): a title of theirs that lacks a country gets this one
    ("وزير الشؤون الخارجية والتعاون الإفريقي … ناصر بوريطة" → Morocco's foreign minister).  A
    person whose roles name another country is left alone."""
    by_id = {c.id: c for c in clusters.values()}
    ordered = sorted(person_mentions, key=lambda m: (m.sentence, m.first_token))
    for sent in sentences:
        words = [normalize(t.text) for t in sent.tokens]
        for m in places:
            if m.sentence != sent.index or not m.nisba or m.kind != "Country" or m.first_token < 1:
                continue
            k = m.first_token
            cue = words[k - 1] if words[k - 1] in _ANAPHORS else " ".join(words[max(0, k - 2):k])
            if cue not in _ANAPHORS:
                continue
            if any(p.sentence == sent.index and m.last_token <= p.first_token <= m.last_token + 1 for p in ordered):
                continue                      # a title in front of a name: read by roles_before
            before = [p for p in ordered if (p.sentence, p.first_token) < (sent.index, k)
                      and sent.index - p.sentence <= 2]
            if not before:
                continue
            cid = before[-1].node
            code = m.attrs["place"].code
            if any(c and c != code for _, c in person_roles.get(cid, ())):
                continue
            _give_country(cid, code, roles, person_roles, by_id)


def _give_country(cid: str, code: str, roles, person_roles, by_id, kinds=None) -> None:
    """Person ``cid``'s present titles that name no country (those of ``kinds`` only, when given)
    are ``code``'s: in ``roles``, in ``person_roles`` and on the cluster."""
    changed = False
    for n, (rid, r, s) in enumerate(roles):
        if rid == cid and r.country is None and r.org is None and not r.former and (kinds is None or r.role in kinds):
            roles[n] = (rid, Role(r.role, code, None, False, r.start, r.end), s)
            changed = True
    if not changed:
        return
    mine = None if kinds is None else {r.role for rid, r, _ in roles if rid == cid and r.country == code}

    def filled(pairs):
        return {(role, code if c is None and (mine is None or role in mine) else c) for role, c in pairs}
    person_roles[cid] = filled(person_roles.get(cid, ()))
    if cid in by_id:
        by_id[cid].roles = filled(by_id[cid].roles)


# titles of a government's own officials: an agency writes its country's with no nisba
_GOVERNMENT_ROLES = {"foreign_minister", "defence_minister", "interior_minister", "minister", "prime_minister",
                     "deputy_prime_minister", "deputy_minister", "president", "king", "crown_prince", "emir"}


def _agency_titles(code: str | None, roles, person_roles, clusters) -> None:
    """In a national agency's dispatch (:func:`.linking.dateline_agency`), a government title with
    no country ("ترأس … وزير الخارجية، اليوم، الاجتماع" in a QNA dispatch) is the agency's
    country's: such dispatches qualify every other country's officials.  A person any of whose
    titles names another country is left alone."""
    if code is None:
        return
    by_id = {c.id: c for c in clusters.values()}
    for cid, held in list(person_roles.items()):
        if not any(c and c != code for _, c in held):
            _give_country(cid, code, roles, person_roles, by_id, _GOVERNMENT_ROLES)


# words between a title and the name: وزير الخارجية الأمريكي السابق / بالإنابة / الجديد
TITLE_MODIFIERS = {normalize(w) for w in ("السابق", "السابقة", "الأسبق", "الأسبقة", "بالإنابة", "بالوكالة",
                                          "الجديد", "الجديدة", "المكلف", "المكلفة", "الحالي", "الحالية")}


def titled_names(text: str, sentences: list[Sentence], entities: list[Entity], mentions: list[Mention],
                 found: list[tuple[Entity, int, int]]) -> list[tuple[Entity, int, int]]:
    """Names the NER model missed right after a title that names a country or an organization.

    "ووزير الخارجية الأمريكي أنتوني تم عقد الاجتماع": after the title (role word … country name,
    nisba or organization) come up to four name tokens, ending at punctuation, at a word joined
    by و, or at an ordinary word (data/common_words_ar.txt, words ANERcorp's annotators mostly
    left outside entities).  A first name that is also an ordinary word ("المبعوث الخاص للأمم
    المتحدة غير بيدرسن.") is taken only when a name-like word follows it, and never when it is
    a function word (في، أمس، أن …) or has the article (الجديد).  Such a span becomes a
    PERS entity with source ``title-rule``."""
    common = linking.common_words()
    busy: dict[int, set[int]] = {}
    for e in entities:
        busy.setdefault(e.sentence, set()).update(range(e.first_token, e.last_token))
    # a LOC or ORG that no gazetteer knows, right after a title, is more likely a name the tagger
    # mistyped ("وزيرة الخارجية الأمريكية بالإنابة فيكتوريا نولاند" tagged ORG)
    for m in mentions:
        if _unknown_place_or_org(m):
            busy.get(m.sentence, set()).difference_update(range(m.first_token, m.last_token))
    for e, i, j in found:
        busy.setdefault(e.sentence, set()).update(range(i, j))
    found_at = {(e.sentence, i): k for k, (e, i, j) in enumerate(found)}
    countries: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.kind in ("Country", "Organization"):
            countries.setdefault(m.sentence, []).append(m)
    out = []
    for sent in sentences:
        words = [normalize(t.text) for t in sent.tokens]
        for k, w in enumerate(words):
            if not extract._head_at(w) or extract.read_title(words[k:k + 4]) is None:
                continue
            c = next((m for m in sorted(countries.get(sent.index, []), key=lambda m: m.first_token)
                      if k < m.first_token <= k + 5), None)
            if c is None:
                continue
            i = c.last_token
            while i < len(words) and words[i] in TITLE_MODIFIERS:     # وزيرة الخارجية الأمريكية بالإنابة
                i += 1
            k_found = found_at.get((sent.index, i + 1))
            if k_found is not None and i not in busy.get(sent.index, set()) \
                    and _could_be_ordinary_first_name(sent, words, i, common):
                # the tagger found the family name but not a first name that is also an ordinary
                # word, right after the title ("المبعوث الخاص للأمم المتحدة غير | بيدرسن")
                e, _, b = found[k_found]
                found[k_found] = (e, i, b)
                busy.setdefault(sent.index, set()).add(i)
                continue
            j = _ordinary_first_name_end(sent, words, i, busy.get(sent.index, set()), common)
            while j < len(words) and j - i < 4:
                tok = sent.tokens[j].text
                if j in busy.get(sent.index, set()):
                    break
                if tok == "." and j > i and len(sent.tokens[j - 1].text) == 1:
                    j += 1
                    continue
                if not tok.isalpha() or (tok.startswith("و") and j > i and not linking.waw_in_name(tok)) \
                        or words[j] in common or linking.is_common(tok, clitic=True) \
                        or (j == i and not linking.name_like(tok) and not (
                            j + 1 < len(words) and sent.tokens[j + 1].text.isalpha()
                            and linking.name_like(sent.tokens[j + 1].text))):
                    break   # an ordinary word alone is no name: "ولي العهد السعودي يستقبل وزير …"
                j += 1
            while j > i and not sent.tokens[j - 1].text.isalpha():
                j -= 1
            j = linking.extend_initials(sent.tokens, j, busy.get(sent.index, set()))
            if j > i and not (j - i == 1 and len(sent.tokens[i].text) < 3):
                start, end = sent.tokens[i].start, sent.tokens[j - 1].end
                ent = Entity(text[start:end], "PERS", start, end, sent.index, i, j)
                out.append((ent, i, j))
                busy.setdefault(sent.index, set()).update(range(i, j))
    return out


def echoed_names(text: str, sentences: list[Sentence], entities: list[Entity], mentions: list[Mention],
                 found: list[tuple[Entity, int, int]]) -> list[tuple[Entity, int, int]]:
    """The family name of a person named in full elsewhere in the article, standing alone where
    the tagger missed it ("وأعلن بوريطة …" after "ناصر بوريطة").  Only family names of at least
    four letters that are neither ordinary words nor places, and only tokens no other entity
    or mention covers."""
    common = linking.common_words()
    g = gazetteer.load()
    surnames = set()
    sent_by_index = {s.index: s for s in sentences}
    owners: dict[str, set[str]] = {}          # family name -> first names it comes with
    for e, i, j in found:
        if j - i >= 2:
            toks = sent_by_index[e.sentence].tokens
            owners.setdefault(normalize(toks[j - 1].text), set()).add(normalize(toks[i].text))
    for e, i, j in found:
        if j - i < 2:
            continue
        last = normalize(sent_by_index[e.sentence].tokens[j - 1].text)
        if len(owners.get(last, ())) > 1:
            continue                          # جو بايدن and هانتر بايدن: a bare بايدن is either
        if len(last) >= 4 and last not in common and linking.name_like(last) and \
                not g.country(gazetteer.key(last)) and not g.city(gazetteer.key(last)) and \
                not g.nisba(gazetteer.key(last)):
            surnames.add(last)
    if not surnames:
        return []
    busy: dict[int, set[int]] = {}

    def lone_surname(sentence: int, a: int, b: int) -> bool:
        # the family name alone, tagged as an organization or an unknown place ("ألباريس"
        # tagged ORG after "خوسيه مانويل ألباريس"): the person, not a second entity
        return b - a == 1 and normalize(sent_by_index[sentence].tokens[a].text) in surnames
    for e in entities:
        if e.type != "PERS" and lone_surname(e.sentence, e.first_token, e.last_token):
            continue
        busy.setdefault(e.sentence, set()).update(range(e.first_token, e.last_token))
    for m in mentions:
        if m.kind in ("Organization", "Place") and lone_surname(m.sentence, m.first_token, m.last_token):
            continue
        busy.setdefault(m.sentence, set()).update(range(m.first_token, m.last_token))
    for e, i, j in found:
        busy.setdefault(e.sentence, set()).update(range(i, j))
    out = []
    for sent in sentences:
        for k, tok in enumerate(sent.tokens):
            if k in busy.get(sent.index, set()) or normalize(tok.text) not in surnames:
                continue
            out.append((Entity(tok.text, "PERS", tok.start, tok.end, sent.index, k, k + 1), k, k + 1))
    return out


def _trim_echo_tails(sentences: list[Sentence], found: list[tuple[Entity, int, int]]) -> list[tuple[Entity, int, int]]:
    """A span that repeats the family name of a person named in full elsewhere in the article and
    goes on with one ordinary word that names nobody ("الجنرال ديمبسي أراد أن" after "مارتن
    ديمبسي") ends before that word: the tagger ran on into the verb."""
    sent_by_index = {s.index: s for s in sentences}
    ends = [normalize(sent_by_index[e.sentence].tokens[j - 1].text) if j - i >= 2 else None for e, i, j in found]
    out = []
    for n, (e, i, j) in enumerate(found):
        toks = sent_by_index[e.sentence].tokens
        family = {w for m, w in enumerate(ends) if w and m != n}       # of the other full names
        last = toks[j - 1].text
        if j - i >= 2 and normalize(toks[j - 2].text) in family and linking.is_ordinary(last) \
                and normalize(last) not in linking.person_name_words() and normalize(last) not in family:
            j -= 1
        out.append((e, i, j))
    return out


def _unknown_place_or_org(m: Mention) -> bool:
    return m.kind == "Place" or (m.kind == "Organization" and m.source == "ner" and not m.attrs.get("org"))


PRONOUN_SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "كم")       # on the surface form: ة is no pronoun


def _could_be_ordinary_first_name(sent: Sentence, words: list[str], i: int, common) -> bool:
    """An ordinary word that may open a name right after a title (غير، بان، نصر): no function
    word, no article, no و in front, no attached pronoun (حينها، نفسه)."""
    tok = sent.tokens[i].text
    return (words[i] in common and words[i] not in linking.FUNCTION_WORDS and not words[i].startswith("ال")
            and tok.isalpha() and not tok.startswith("و") and not tok.endswith(PRONOUN_SUFFIXES))


def _ordinary_first_name_end(sent: Sentence, words: list[str], i: int, busy: set[int], common) -> int:
    """End of a name at ``i`` whose first word is an ordinary word (غير بيدرسن، بان كي مون), or
    ``i`` when there is none: the first word is no function word, has no article or و, and is
    followed by one or two name-like words up to punctuation or an ordinary word."""
    toks = sent.tokens
    if not (i + 1 < len(words) and _could_be_ordinary_first_name(sent, words, i, common)
            and i not in busy and i + 1 not in busy and linking.name_like(toks[i + 1].text)):
        return i
    end = i + 1
    while end < len(words) and end - i < 3 and toks[end].text.isalpha() and linking.name_like(toks[end].text):
        end += 1
    if end - i >= 2 and (end == len(words) or not toks[end].text.isalpha() or words[end] in common):
        return end
    return i


BYLINE_CUES = {normalize(w) for w in ("كتب", "كتبت", "بقلم", "إعداد", "اعداد", "تقرير", "متابعة", "ترجمة", "تحرير")}


def byline_names(text: str, sentences: list[Sentence], mentions: list[Mention],
                 found: list[tuple[Entity, int, int]], max_line_tokens: int = 10,
                 body_tokens: int = 12) -> list[tuple[Entity, int, int]]:
    """The author's name in an article's header, which the tagger rarely sees as a sentence.

    The header is the lines before the first body-length line (``body_tokens`` tokens or more).
    In a short header line (at most ``max_line_tokens`` tokens) a byline is either cue + two to
    four words up to the end of the line ("كتب: أحمد سامي", "بقلم - ليلى خالد"), or a name of two
    or three words closing the line (or making up the whole line, below the title) whose first
    word is a known person-name word (data/person_names_ar.txt) and whose other words can carry
    a name ("طباعة  العنوان المختصر ليلى خالد").  Places and organizations are never names; the
    span becomes a PERS entity with source ``byline-rule``."""
    names = linking.person_name_words()
    taken: dict[int, set[int]] = {}
    nisbas: dict[int, set[int]] = {}       # family names such as المصري are nisbas: fine after a cue
    for m in mentions:
        if m.kind != "Place":
            taken.setdefault(m.sentence, set()).update(range(m.first_token, m.last_token))
        if m.nisba:
            nisbas.setdefault(m.sentence, set()).update(range(m.first_token, m.last_token))
    for e, i, j in found:
        taken.setdefault(e.sentence, set()).update(range(i, j))
    out = []

    def ok(sent, k, cued=False):
        tok = sent.tokens[k].text
        w = normalize(tok)
        blocked = taken.get(sent.index, set()) - (nisbas.get(sent.index, set()) if cued else set())
        return (tok.isalpha() and len(w) > 1 and k not in blocked
                and w not in linking.FUNCTION_WORDS and (cued or w in names or linking.name_like(tok)))

    for sent in sentences:
        toks = sent.tokens
        if len(toks) >= body_tokens:
            break
        if len(toks) > max_line_tokens or not toks:
            continue
        words = [normalize(t.text) for t in toks]
        span = None
        if words[0] in BYLINE_CUES:
            i = 1
            while i < len(toks) and not toks[i].text.isalpha():
                i += 1
            j = i
            while j < len(toks) and j - i < 4 and ok(sent, j, cued=True):
                j += 1
            if j - i >= 2 and j == len(toks):
                span = (i, j)
        else:
            for n in (3, 2):
                i, j = len(toks) - n, len(toks)
                whole_line_below_title = i == 0 and sent.index > 0
                if (i > 0 or whole_line_below_title) and words[i] in names and all(ok(sent, k) for k in range(i, j)):
                    span = (i, j)
                    break
        if span:
            i, j = span
            start, end = toks[i].start, toks[j - 1].end
            out.append((Entity(text[start:end], "PERS", start, end, sent.index, i, j), i, j))
    return out
