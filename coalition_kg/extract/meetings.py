"""Meeting triggers and the slots their own sentence fills.

A meeting word (اجتماع، اجتمع، التقى، مؤتمر، قمة) or a hosting expression (بدعوة من، استضاف، احتضن،
برئاسة، ترأس) starts a candidate frame; a reception (استقبل X نظيره Y) is a bilateral meeting
hosted by X.  Hosts are read from the coordinated chain after the cue (persons, or countries
where no person is named), from the subject of "X، الذي استضاف", and "مع نظيره الإيطالي" is
resolved to the person holding the same role for that country.  :mod:`.frames` completes the
frames from the rest of the article and merges mentions of one meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .. import gazetteer
from ..dates import PartialDate, find_dates, relative_date
from ..linking import Mention
from ..text import Sentence, normalize
from .roles import _COUNTERPART, ROLE_HEADS, _head_at
from .lexicon import verbs, words
from .words import _bare, _is, _starts


_MEETING_NOUNS = words("meeting_nouns")
_PLURAL_NOUNS = words("meeting_plural_nouns")
_MEETING_VERBS = verbs("meeting_verbs")
_HOST_VERBS = verbs("host_verbs")
# "استقبل وزير الخارجية المغربي ناصر بوريطة نظيره الأمريكي": a reception is a (bilateral)
# meeting hosted by the one who receives
_PART_NOUNS = words("participation_nouns")
_PART_VERBS = verbs("participation_verbs")
_RECEIVE_VERBS = verbs("receive_verbs")
_DELEGATION = words("delegation_nouns")
_ADOPT_VERBS = verbs("adopt_verbs")
_MINISTERIAL = words("ministerial_words")
_DIRECTORS = words("director_words")


@lru_cache(maxsize=1 << 16)     # asked of every word with each verb lexicon
def _form_of_cached(word: str, lexicon_id: int) -> str | None:
    forms = _VERB_LEXICONS[lexicon_id]
    for v in _bare(word):
        kind = forms.get(v)
        if kind is not None:
            return kind
    return None


_VERB_LEXICONS: dict[int, dict[str, str]] = {}


def _form_of(word: str, forms: dict[str, str]) -> str | None:
    """Which form of a verb of ``forms`` (a :func:`.lexicon.verbs` map) the normalized ``word``
    is, its prepositions stripped too (لاستضافة), or None."""
    _VERB_LEXICONS.setdefault(id(forms), forms)
    return _form_of_cached(word, id(forms))


def is_future(word: str) -> bool:
    """A future form (سيستضيف، ستحتضن، سيترأس، ستستقبل…) of any verb the meeting reader knows."""
    return any(_form_of(word, f) == "future" for f in (_MEETING_VERBS, _HOST_VERBS, _VENUE_VERBS, _RECEIVE_VERBS,
                                                         _CONVENE_VERBS, _CHAIR_VERBS))


@dataclass
class MeetingMention:
    sentence: int
    start: int
    end: int
    city: Mention | None = None
    country: str | None = None
    hosts: list[str] = field(default_factory=list)          # person node keys
    host_countries: list[str] = field(default_factory=list)  # governments named as hosts
    host_spans: list[tuple[str, int, int, int]] = field(default_factory=list)  # (node, sentence, start, end)
    # persons and governments that took part ("بمشاركة …", "وحضر الاجتماع …"), hosts aside
    participant_spans: list[tuple[str, int, int, int]] = field(default_factory=list)
    date: PartialDate | None = None
    planned: bool = False
    kind: str | None = None
    definite: bool = False     # "الاجتماع": refers back to a meeting already introduced
    cue: str = ""
    confidence: float = 0.8
    evidence: list[tuple[int, int, int, str]] = field(default_factory=list)  # sentence, start, end, extractor
    plural: bool = False       # "اجتماعين"، "الاجتماعات": several meetings spoken of at once
    past: bool = False         # a meeting before the one reported ("آخر اجتماع"، "كان … قد عقدوا")
    venue: str | None = None   # "قاعدة أندروز الجوية": placed, even without a city
    virtual: bool = False      # by video: no city
    other_body: bool = False   # another body's session ("اجتماع مجلس جامعة الدول العربية"): dropped
    # how sure each slot value is and which cue gave it: {(slot, value): confidence}, {(slot, value): cue}
    slot_confidence: dict = field(default_factory=dict)
    slot_cues: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "planned" if self.planned else ("past" if self.past else "held")

    def note(self, slot: str, value: str, confidence: float, cue: str) -> None:
        """Record the confidence and cue of one slot value (the best one wins)."""
        if confidence >= self.slot_confidence.get((slot, value), 0.0):
            self.slot_confidence[(slot, value)] = round(min(confidence, self.confidence + 0.1), 2)
            self.slot_cues[(slot, value)] = cue

    def set_city(self, city: Mention, confidence: float, cue: str) -> None:
        self.city, self.country = city, city.attrs["place"].country
        self.note("city", city.node, confidence, cue)


def find_mentions(text: str, sentences: list[Sentence], places: list[Mention], persons: list[Mention],
                  person_roles: dict[str, set], art_date: PartialDate | None,
                  orgs: list[Mention] = ()) -> list[MeetingMention]:
    """Meeting mentions of one article, sentence by sentence, in text order (not merged)."""
    place_by_sent: dict[int, list[Mention]] = {}
    for m in places:
        place_by_sent.setdefault(m.sentence, []).append(m)
    pers_by_sent: dict[int, list[Mention]] = {}
    for m in persons:
        pers_by_sent.setdefault(m.sentence, []).append(m)
    mentions: list[MeetingMention] = []
    for sent in sentences:
        splaces = sorted(place_by_sent.get(sent.index, []) + capital_places(text, sent, place_by_sent.get(sent.index, [])),
                         key=lambda m: m.first_token)
        spers = sorted(pers_by_sent.get(sent.index, []), key=lambda m: m.first_token)
        sorgs = [m for m in orgs if m.sentence == sent.index]
        mentions.extend(_sentence_meetings(sent, splaces, spers, persons, person_roles, art_date, sorgs))
        mentions.extend(_receptions(sent, splaces, spers, art_date))
    return mentions


def _receptions(sent, splaces, spers, art_date) -> list[MeetingMention]:
    """"استقبل X نظيره Y" / "استقبل X وفدا …": a bilateral meeting hosted by X (a person, or a
    country named as the subject).  Without a person or a delegation received it is no meeting
    ("استقبل الأردن لاجئين")."""
    words = [normalize(t.text) for t in sent.tokens]
    out = []
    for k, w in enumerate(words):
        if not _form_of(w, _RECEIVE_VERBS) or w.startswith("ب"):
            continue
        subject = next((p for p in spers if k < p.first_token <= k + 6), None)
        if subject is None:
            subject = next((c for c in splaces if c.kind == "Country" and not c.nisba and c.first_token == k + 1), None)
        if subject is None or any(k < p.first_token < subject.first_token for p in spers):
            continue
        after = subject.last_token
        received = any(after <= p.first_token <= after + 4 for p in spers if p is not subject) or \
            any(words[x] in _DELEGATION or any(v in _OFFICIALS for v in _bare(words[x]))
                for x in range(after, min(len(words), after + 4)))
        # "استقبل الأمير X ولي العهد رئيس مجلس الوزراء، في الرياض اليوم، وزير الخارجية الأمريكي Y":
        # the subject's own titles, place and time between; the one received is named with a title
        nxt = next((p for p in spers if p.first_token >= after and p is not subject), None)
        if not received and nxt is not None and _clause_open(words, after, nxt.first_token) and \
                any(_head_at(words[x]) or any(v in _COUNTERPART for v in _bare(words[x]))
                    for x in range(max(after, nxt.first_token - 4), nxt.first_token)) and \
                not any(sent.tokens[x].text in {".", ":", "؟"} for x in range(after, nxt.first_token)):
            received = True
        if not received:
            continue
        mm = MeetingMention(sent.index, sent.tokens[k].start, sent.tokens[k].end, confidence=0.7)
        mm.cue, mm.kind = sent.tokens[k].text, "bilateral"
        if any(v in _OFFICIALS for x in range(after, min(len(words), after + 4)) for v in _bare(words[x])):
            mm.kind = None                  # "يستقبل X نظراءه": a multilateral meeting, not a bilateral one
        cities = [c for c in splaces if c.kind == "City"]
        city, cue = clause_place(sent, words, k, -1, len(words), cities)
        mm.venue = venue_at(sent, words, k, len(words))
        if city is not None and not (mm.venue and city.first_token > k + 1 and not _locative_before(sent, words, city)):
            mm.set_city(city, 0.7, cue)
        _add_host(mm, subject.node, sent, subject.start, subject.end)
        dates = [(abs(a - k), d) for d, a, b in find_dates(sent) if d.year or d.month]
        mm.date = min(dates, key=lambda x: x[0])[1].anchored(art_date) if dates else relative_date(sent, art_date)
        mm.planned = _form_of(w, _RECEIVE_VERBS) == "future"
        mm.evidence.append((sent.index, mm.start, mm.end, "meeting-rules"))
        out.append(mm)
    return out


def _sentence_meetings(sent, splaces, spers, persons, person_roles, art_date, orgs=()) -> list[MeetingMention]:
    """One candidate per meeting word of a sentence; hosting cues attach to the nearest one."""
    words = [normalize(t.text) for t in sent.tokens]
    # words inside names ("التحالف الدولي لمحاربة داعش") open no topic phrase
    inside_names = set(x for m in list(orgs) + list(spers) for x in range(m.first_token, m.last_token))
    # … and neither does the word that joins an organization to its aim ("التحالف الدولي | لهزيمة |
    # تنظيم داعش"، "التحالف ضد داعش")
    inside_names |= {m.last_token for m in orgs if m.last_token < len(words) and words[m.last_token] in _TOPIC_BREAKS}
    inside_names = frozenset(inside_names)
    flags = [_word_flags(w) for w in words]
    present = 0
    for f in flags:
        present |= f
    if not present:
        return []          # no word of any cue lexicon: most sentences of the news
    nouns = [k for k, f in enumerate(flags) if f & _F_NOUN
             and not (k + 1 < len(words) and words[k + 1] in _NON_MEETING)]
    backref = [k for k, f in enumerate(flags) if f & _F_BACKREF and k not in nouns]
    nouns = sorted(nouns + backref)
    convened = _convened(sent, words, spers, flags) if present & _F_VERBS and spers else {}
    verbs = [k for k, f in enumerate(flags) if f & _F_MEETING_VERB]
    invite = [k for k, f in enumerate(flags[:-1]) if f & _F_INVITE and words[k + 1] == "من"]
    # "… الذي دعا إليه وزير الخارجية الأمريكي مايك بومبيو": the one who called the meeting
    invite += [k for k, f in enumerate(flags[:-1]) if f & _F_CALLED and words[k + 1] in {"اليه", "اليها", "له", "لها"}]
    hostv = [k for k, f in enumerate(flags) if f & _F_HOST_VERB]
    takes_part = [k for k, f in enumerate(flags) if f & _F_PART]
    adopt = [k for k, f in enumerate(flags) if f & _F_ADOPT]
    if not (nouns or verbs or invite or hostv or adopt or convened):
        # "كما حضر وزير الشؤون الخارجية الجزائري أحمد عطاف …": a verb of taking part with no
        # meeting word refers back to the meeting the article reports
        out = []
        for k in takes_part:
            if words[k] in _PART_NOUNS:
                continue
            mm = MeetingMention(sent.index, sent.tokens[k].start, sent.tokens[k].end, definite=True, confidence=0.6)
            mm.cue = sent.tokens[k].text
            _take_hosts(mm, sent, k + 1, spers, splaces, persons, person_roles, add=_add_participant)
            if mm.participant_spans:
                mm.evidence.append((sent.index, mm.start, mm.end, "meeting-rules"))
                out.append(mm)
        return out[:1]
    cities = [m for m in splaces if m.kind == "City"]
    dates = [(d, a, b) for d, a, b in find_dates(sent) if d.year or d.month]
    # adjacent meeting words (اجتمع ... الاجتماع) describe one meeting unless a city separates them
    anchors = sorted(set(nouns + verbs))
    candidates: list[tuple[int, float]] = []
    for k in anchors:
        plural = any(v in _PLURAL_NOUNS for v in _bare(words[k]))
        if plural and sum(1 for c in cities if 0 < c.first_token - k <= 12) > 1:
            continue   # "الاجتماعات الثلاثة التي عقدت في بروكسل وروما ومراكش": a list, not one meeting
        candidates.append((k, 0.85))
    for k in adopt:
        # "المبادئ التي تم تبنيها في مدينة الكويت": a document adopted in a city implies a meeting there
        if any(0 < c.first_token - k <= 4 for c in cities):
            candidates.append((k, 0.6))
    if not candidates:
        # a hosting cue with no meeting word in its sentence refers to the meeting reported
        # ("وجرى ذلك برئاسة وزير الخارجية"، "وترأس الجلسة الافتتاحية …")، but a finite verb of hosting
        # (استضاف، احتضن) with another object hosts
        # something else ("تحتضن الرياض مقر التحالف الإسلامي"، "تحتضن طوكيو منتدى للاستثمار")
        for k in sorted(invite + hostv):
            if k in hostv and _form_of(words[k], _VENUE_VERBS) in ("perfect", "imperfect", "future") \
                    and not _form_of(words[k], _CHAIR_VERBS) and not sent.tokens[k].text.endswith(("ه", "ها")):
                continue
            candidates.append((k, 0.8))
    for k in convened:
        # "جمع X قادة جيوش 21 دولة"، "استضاف X وزراء خارجية الدول الأعضاء": the verb itself is the
        # trigger when no meeting word follows it in the sentence
        if not any(a > k for a, _ in candidates):
            candidates = [(a, c) for a, c in candidates if a != k] + [(k, 0.75)]
    if not candidates:
        return []
    candidates.sort()
    out: list[MeetingMention] = []
    for n, (k, conf) in enumerate(candidates):
        nxt = candidates[n + 1][0] if n + 1 < len(candidates) else len(words)
        mm = MeetingMention(sent.index, sent.tokens[k].start, sent.tokens[k].end, confidence=conf)
        mm.cue = sent.tokens[k].text
        # city: the first city after the word (before the next meeting word), else just before it
        after = [c for c in cities if k < c.first_token < max(nxt, k + 3) and c.first_token - k <= 10
                 and _where(words, k, c)
                 and not any(words[x] in _TOPIC_BREAKS for x in range(k + 1, c.first_token) if x not in inside_names)]
        before = [c for c in cities if 0 <= k - c.last_token <= 3
                  and all(sent.tokens[x].text.isalpha() for x in range(c.last_token, k))]   # not a dateline's dash
        city = after[0] if after else (before[-1] if before else None)
        cue = "city after the meeting word" if after else "city before the meeting word"
        planned = _planned(words, k)
        if city is None:
            # the locative of the trigger's clause, further away: "افتتح في باريس، الاثنين …،
            # المؤتمر"؛ "عقد … في الثاني والعشرين من أيلول الماضي في مدينة نيويورك"
            prev_k = candidates[n - 1][0] if n > 0 else -1
            city, cue = clause_place(sent, words, k, prev_k, nxt, cities, inside_names, planned)
        mm.venue = venue_at(sent, words, k, nxt)
        mm.virtual = is_virtual(words)
        if city is not None:
            mm.set_city(city, 0.85 if cue.startswith("city") else 0.75, cue)
        else:
            # "… أعمال الاجتماع الوزاري للتحالف في الكويت": only the country is named
            # (the first في after the meeting word: "عقد الاجتماع في ظل … في العراق" is no place)
            where = next((c for c in splaces if c.kind == "Country" and not c.nisba
                          and k < c.first_token < max(nxt, k + 3) and c.first_token - k <= 8
                          and words[c.first_token - 1] in {"في", "فى"}
                          and not any(w in _CLAUSE_BREAK or w in {"في", "فى"} for w in words[k + 1:c.first_token - 1])),
                         None)
            if where is not None:
                mm.country = where.attrs["place"].code
        anchor = city.first_token if city is not None else k
        prev = candidates[n - 1][0] if n > 0 else -1
        near = [(abs(a - anchor), d) for d, a, b in dates if prev < a < nxt and min(abs(a - anchor), abs(b - anchor)) <= 20]
        mm.date = min(near, key=lambda x: x[0])[1].anchored(art_date) if near else relative_date(sent, art_date)
        mm.planned = planned
        mm.definite = any(v.startswith(("الاجتماع", "اللقاء", "المؤتمر", "القمه")) for v in _bare(words[k])) \
            or k in backref                                   # (والاجتماع، فالمؤتمر: behind a conjunction too)
        mm.plural = any(v in _PLURAL_NOUNS for v in _bare(words[k]))
        mm.past = not mm.planned and is_past(words, k)
        clause = words[max(0, k - 8):nxt]
        if k + 2 < len(words) and words[k + 1] == "مع" and not words[k].startswith("ال") and \
                not any(0 < k - h <= 3 for h in hostv) and (
                any(v in _COUNTERPART for v in _bare(words[k + 2]))
                or any(k + 2 <= p.first_token <= k + 5 for p in spers)):
            mm.kind = "bilateral"       # "عقد X اجتماعا مع نظيره العراقي Y"
        elif any(_is(w, *_DIRECTORS) for w in clause):
            mm.kind = "political directors"
        elif any(_is(w, *_MINISTERIAL) for w in clause):
            mm.kind = "ministerial"
        mm.other_body = _other_body(sent, words, k, orgs)
        mm.evidence.append((sent.index, mm.start, mm.end, "meeting-rules"))
        out.append(mm)

    def owner(pos: int) -> MeetingMention:
        """The candidate a hosting cue at ``pos`` belongs to: the last one at or before it, else the first."""
        best = out[0]
        for (k, _), mm in zip(candidates, out):
            if k <= pos:
                best = mm
        return best

    # "احتضنت العاصمة الأمريكية واشنطن، أمس الخميس، اجتماعا"، "الاجتماع الذي احتضنته أربيل"،
    # "تستضيف وزارة الداخلية النمساوية الاجتماع": a place or a government as the hosting verb's subject
    placev = [k for k, w in enumerate(words) if _form_of(w, _PLACE_VERBS)]
    receivev = [k for k, f in enumerate(flags) if f & _F_RECEIVE]
    # "تعتزم استضافة اجتماع": the intention verb stands for the hosting verb
    intend = [k for k in range(len(words) - 1) if _form_of(words[k], _INTENTION)
              and flags[k + 1] & _F_HOST_VERB]
    placed = _place_subjects(sent, words, sorted(set(hostv + receivev + intend)), placev, splaces, spers,
                             candidates, out, person_roles, intend)
    for k in invite:
        _take_hosts(owner(k), sent, k + 2, spers, splaces, persons, person_roles)
    # "تحت رعاية رئيس الوزراء X"، "برعاية X": the patron hosts
    for k, w in enumerate(words):
        if any(v in _PATRONAGE for v in _bare(w)):
            mm = owner(k)
            before = set(mm.hosts) | set(mm.host_countries)
            _take_hosts(mm, sent, k + 1, spers, splaces, persons, person_roles)
            for node in set(mm.hosts) - before:
                mm.slot_confidence[("host", node)] = 0.7
                mm.slot_cues[("host", node)] = "patron (تحت رعاية / برعاية)"
    for k in hostv:
        if k in placed:
            continue          # its subject is a place or a government: read by the step above
        verb = words[k]
        # "ترأس X وفد بلاده المشارك في الاجتماع": heading a delegation is taking part, not chairing
        if _heads_delegation(sent, words, k):
            subj = next((p for p in spers if k < p.first_token and _clause_open(words, k + 1, p.first_token)), None)
            if subj is not None:
                _add_participant(owner(k), subj.node, sent, subj.start, subj.end)
            continue
        # "استضاف الاجتماع" / "الاجتماع الذي استضافته": the verb must host a meeting, not refugees;
        # a verb carrying the meeting as its object pronoun ("اجتماعا لوزراء … ترأسه وزير …") refers
        # back to a meeting word anywhere earlier in the sentence
        raw = sent.tokens[k].text
        masdar = verb.startswith("ب") or raw.endswith("ة")      # استضافة / برئاسة, not استضافه (hosted it)
        pronoun = raw.endswith(("ه", "ها")) and not masdar and any(n < k for n in nouns)
        # "ترأس وزير الخارجية المغربي ناصر بوريطة بالاشتراك مع نظيره … الاجتماع": a long subject
        # (names or countries) between the verb and the meeting word it governs
        far = next((n for n in nouns if 4 < n - k and _clause_open(words, k + 1, n)), None)
        # ("استضافت دولة الكويت اليوم الأربعاء اجتماع …": a government as that subject)
        far_subject = far is not None and any(k < x.first_token < far for x in list(spers) + [
            c for c in splaces if c.kind == "Country" and not c.nisba and c.first_token <= k + 3]) and \
            not any(w in {"الذي", "التي"} for w in words[k + 1:far])
        if not masdar and not pronoun and not far_subject \
                and not any(0 < n - k <= 4 or 0 < k - n <= 4 for n in nouns):
            continue
        mm = owner(k)
        if masdar:
            _take_hosts(mm, sent, k + 1, spers, splaces, persons, person_roles)
            continue
        # "X، الذي استضاف الاجتماع مع نظيره الإيطالي": the subject stands before the relative pronoun
        subject = None
        if k >= 1 and words[k - 1] in {"الذي", "التي", "الذين"}:
            subject = next((p for p in reversed(spers) if p.last_token <= k - 1 and k - 1 - p.last_token <= 1), None)
        if subject is not None:
            _add_host(mm, subject.node, sent, subject.start, subject.end)
            _counterpart(mm, sent, k + 1, words, subject, splaces, persons, person_roles)
            continue
        # the subject follows the verb (استضافت السعودية اجتماعا) and stands before the meeting word
        # it hosts; with the meeting word right after the verb, the subject came first
        # ("أن الكويت ستستضيف مؤتمرا … العراق": Kuwait hosts, Iraq is the topic)
        obj = next((n for n in nouns if n > k), None)
        if obj is not None and obj - k <= 1:
            subj = next((x for x in list(spers) + [c for c in splaces if c.kind == "Country" and not c.nisba]
                         if x.last_token == k), None)
            if subj is None and not words[k].endswith(("ه", "ها")):
                # verb, object, subject: "وترأس الاجتماع الذي عقد في لندن وزير الخارجية البريطاني
                # بوريس جونسون" — a titled person after the meeting phrase, nothing else in between
                later = next((p for p in spers if obj < p.first_token and _clause_open(words, obj, p.first_token)), None)
                if later is not None and any(_head_at(words[x]) for x in range(max(obj, later.first_token - 4),
                                                                               later.first_token)) and \
                        not any(sent.tokens[x].text in {".", "،", ":", "؟"} or x in takes_part
                                for x in range(obj, later.first_token)):
                    subj = later
            if subj is None and k >= 1 and (own := _own_country_word(words, k - 1, splaces)):
                # "أن بلاده ستستضيف اجتماعا": the speaker's government hosts
                _add_own_country(mm, sent, k - 1, spers, splaces, person_roles, own)
            if subj is not None:
                _add_host(mm, subj.node, sent, subj.start, subj.end)
        elif k + 1 < len(words) and (own := _own_country_word(words, k + 1, splaces)):
            _add_own_country(mm, sent, k + 1, spers, splaces, person_roles, own)   # "تستضيف بلاده الاجتماع"
        else:
            _take_hosts(mm, sent, k + 1, spers, splaces, persons, person_roles, stop=obj)
    # "تحت رئاسة مشتركة لكل من إيطاليا والسعودية"، "وتناوب على رئاسة جلساته كل من X وY"،
    # "ترأس X، إلى جانب Y، الاجتماع": every chair of the list hosts
    for k in _chair_cues(sent, words):
        if _heads_delegation(sent, words, k):
            continue                      # "ترأس وفد بلاده"، "سيترأس وفدا يضم …": heading a delegation
        chairs = _chair_list(sent, words, k, spers, splaces)
        if not chairs:
            continue
        obj = _meeting_object(sent, words, k + 1, candidates, out)
        mm = obj or owner(k)
        for node, a, b, *title_country in chairs:
            _add_host(mm, node, sent, a, b)
            mm.note("host", node, 0.75, "a chair in the list after a chairing cue")
            if title_country and not any(c for _, c in person_roles.get(node, ())):
                # "اللواء الأميركي جون برينان" with no role that names a country: the title's nisba does
                _add_host(mm, title_country[0], sent, a, b)
                mm.note("host", title_country[0], 0.7, "the nisba of a chair's title")
    for k, subj in convened.items():
        mm = owner(k)
        _add_host(mm, subj.node, sent, subj.start, subj.end)
        mm.note("host", subj.node, 0.75, "subject of a convening verb with officials as object")
    # "بمشاركة وزراء خارجية الأردن ومصر"، "وشارك في الاجتماع وزير الخارجية العراقي فؤاد حسين"
    for k in takes_part:
        _take_hosts(owner(k), sent, k + 1, spers, splaces, persons, person_roles, add=_add_participant)
    # "عقدت الولايات المتحدة ونيجيريا ... اجتماعا": governments right after عقد, before the meeting noun
    for k, w in enumerate(words):
        if any(v in {"عقدت", "عقد", "عقدا"} for v in _bare(w)) and any(n > k for n in nouns):
            _take_hosts(owner(min(n for n in nouns if n > k)), sent, k + 1, spers, splaces, persons,
                        person_roles, countries_only=True)
    return [mm for mm in out if (mm.city or mm.country or mm.hosts or mm.host_countries or mm.date or mm.definite)
            and not mm.other_body]


_GOVERNMENT_NOUNS = words("government_nouns")
_SUBJECT_SKIP = {"،", ",", "(", ")", "-", "–"}


def _subject_after(sent: Sentence, words: list[str], k: int, splaces: list[Mention],
                   spers: list[Mention]) -> tuple[Mention | None, str | None, int]:
    """The subject right after the verb at ``k`` when it is a place or a government: a city (or
    "العاصمة" + nisba), a country named (not a nisba), or a government noun phrase ("وزارة
    الداخلية النمساوية"، "حكومة مملكة النرويج"، "الحكومة الموريتانية") — its country is the one
    the phrase names before any punctuation.  Returns (city or None, country code or None, the
    token after the subject); (None, None, k) when the subject is no such thing."""
    j = k + 1
    # "شهدت العاصمة الأردنية عمّان"، "احتضنت مدينة …": the capital's description before its name
    while j < len(words) and (any(v in _CAPITAL_WORDS | {"مدينه"} for v in _bare(words[j]))
                              or any(c.first_token == j and c.nisba for c in splaces)) \
            and not any(c.first_token == j and c.kind == "City" for c in splaces):
        nis = next((c for c in splaces if c.first_token == j and c.nisba), None)
        j = nis.last_token if nis is not None else j + 1
    if j >= len(words):
        return None, None, k
    here = [c for c in splaces if c.first_token == j]
    city = next((c for c in here if c.kind == "City"), None)
    if city is not None:
        return city, city.attrs["place"].country, city.last_token
    country = next((c for c in here if c.kind == "Country" and not c.nisba), None)
    if country is not None:
        return _city_state(country), country.attrs["place"].code, country.last_token
    if not any(v in _GOVERNMENT_NOUNS for v in _bare(words[j])):
        return None, None, k
    # the government's noun phrase: up to punctuation, a person or another verb's subject
    t = j + 1
    while t < len(words) and sent.tokens[t].text not in _STOPS | {"،", ","} \
            and not any(p.first_token == t for p in spers):
        c = next((c for c in splaces if c.first_token == t and c.kind == "Country"), None)
        if c is not None:
            return None, c.attrs["place"].code, c.last_token
        if _word_flags(words[t]) & (_F_NOUN | _F_VERBS):
            break
        t += 1
    return None, None, k


def _city_state(country: Mention) -> Mention | None:
    """A country whose capital bears its name (سنغافورة، الكويت، جيبوتي) hosting a meeting names
    that city too: the City mention over the same words, else None."""
    gz = gazetteer.load()
    code = country.attrs["place"].code
    cap = gz.capitals.get(code)
    if cap is None or gazetteer.key(cap.name_ar) != gazetteer.key(country.attrs["place"].name_ar):
        return None
    return Mention(f"city:{cap.code}", "City", country.text, country.start, country.end, country.sentence,
                   country.first_token, country.last_token, "cue", 0.7,
                   attrs={"place": cap, "label_ar": cap.name_ar, "capital_of": code})


def _subject_before(sent: Sentence, words: list[str], k: int, splaces: list[Mention]) -> tuple[Mention | None, str | None]:
    """The place named just before the verb at ``k`` as its subject (SVO: "أن روما ستستضيف"،
    "المنامة سوف تستضيف"، "دولة قطر ستحتضن"): a city or a country named (not a nisba)."""
    j = k - 1 if k >= 1 and words[k - 1] not in {"سوف"} else k - 2
    if j < 0:
        return None, None
    ending = [c for c in splaces if c.last_token == j + 1]
    city = next((c for c in ending if c.kind == "City"), None)
    if city is not None:
        return city, city.attrs["place"].country
    country = next((c for c in ending if c.kind == "Country" and not c.nisba), None)
    return (None, country.attrs["place"].code) if country is not None else (None, None)


def _meeting_object(sent: Sentence, words: list[str], start: int, candidates, out) -> "MeetingMention | None":
    """The meeting a verb governs as its object: the first meeting word from ``start`` on in the
    same clause (adverbials and parentheticals between are allowed: "تستضيف أوتاوا، في العشرين من
    فبراير الجاري، اجتماعا"; a stop, reported speech or another verb's clause is not)."""
    for (n, _), mm in zip(candidates, out):
        if n < start:
            continue
        if _clause_open(words, start, n):
            return mm
        return None
    return None


def _antecedent(sent: Sentence, words: list[str], rel: int, candidates, out) -> "MeetingMention | None":
    """The meeting word a relative pronoun at ``rel`` (الذي، التي) hangs on: the last meeting word
    before it whose noun phrase reaches the pronoun — genitives and adjectives between, no stop,
    no other clause, a comma only right before the pronoun ("اجتماع مجموعة عمل الاستقرار التابعة
    للتحالف، الذي احتضنته أربيل"; not "… الانقلاب العسكري الذي شهدته نيامي" after a meeting word)."""
    target = None
    for (n, _), mm in zip(candidates, out):
        if n < rel:
            target = (n, mm)
    if target is None:
        return None
    n, mm = target
    # the noun phrase: after a definite noun only definite adjectives or prepositional genitives
    # follow ("الاجتماع الوزاري للتحالف"); an indefinite noun takes its genitive ("اجتماع مجموعة
    # عمل الاستقرار"); an indefinite word after a definite one opens another phrase ("في الاجتماع
    # تداعيات الزلزال الذي شهدته …": the relative hangs on الزلزال)
    definite = words[n].startswith(("ال", "وال", "فال"))
    for x in range(n + 1, rel):
        tok = sent.tokens[x].text
        w = words[x]
        if tok in {"،", ","} and x == rel - 1:
            continue
        if tok in _STOPS or tok in {"،", ","} or w in _CLAUSE_BREAK or w in {"الذي", "التي", "الذين"}:
            return None
        if not tok.isalpha():
            continue
        if w.startswith(("ال", "لل")):
            definite = True
        elif w[:1] in "لب" and len(w) > 3:
            definite = False          # a prepositional genitive ("لمحاربة عصابة داعش")
        elif definite:
            return None
    return mm


_INTENTION = verbs("intention_verbs")


def _place_subjects(sent, words, verbs, placev, splaces, spers, candidates, out, person_roles=None,
                    intend=()) -> set[int]:
    """Step *place and host from the subject*: a hosting / receiving verb whose subject is a city,
    a capital, a country or a government, and whose object is a meeting word of its clause, places
    that meeting in the city and makes the government of the city (or the country) its host.
    Three clause shapes: verb–subject–object ("احتضنت أبوظبي، اليوم، اجتماع …"), subject–verb–object
    ("أن المنامة سوف تستضيف … اجتماع") and the relative clause after the meeting word ("الاجتماع
    الذي احتضنته أربيل"، "… الذي استضافته وزارة الداخلية الكينية").  A verb of witnessing
    (شهدت) places the meeting but names no host."""
    placed: set[int] = set()
    if not out:
        return placed
    for k in sorted(set(verbs) | set(placev)):
        hosting = k in verbs
        raw = sent.tokens[k].text
        if raw.startswith(("ب", "ل")) and k not in intend or raw.endswith("ة") and k not in intend:
            continue                      # a masdar (باستضافة، استضافة): no clause of its own
        if k - 1 in intend:
            continue                      # the masdar after "تعتزم": read at the intention verb
        relative = k >= 1 and words[k - 1] in {"الذي", "التي"} and raw.endswith(("ه", "ها"))
        city, code, after = _subject_after(sent, words, k, splaces, spers)
        if city is None and code is None and not relative:
            city, code = _subject_before(sent, words, k, splaces)
            after = k + 1
        if k in intend:
            after = max(after, k + 2)
        if city is None and code is None:
            # "إن بلاده ستستضيف في سبتمبر المقبل اجتماعا"، "«حكومتنا تعتزم استضافة اجتماع»":
            # the speaker's own country or government as the subject
            own_at = next((j for j in (k - 1, k - 2, k + 1) if 0 <= j < len(words)
                           and (j != k - 2 or words[k - 1] == "سوف") and _own_country_word(words, j, splaces)), None)
            if own_at is None or person_roles is None or not hosting:
                continue
            target = _meeting_object(sent, words, max(after, own_at + 1), candidates, out)
            if target is not None:
                _add_own_country(target, sent, own_at, spers, splaces, person_roles,
                                 _own_country_word(words, own_at, splaces))
            continue
        if relative:
            # the meeting word the relative clause hangs on: the last one before the verb
            target = _antecedent(sent, words, k - 1, candidates, out)
        else:
            target = _meeting_object(sent, words, after, candidates, out)
        if target is None:
            continue
        placed.add(k)
        if city is not None and target.city is None:
            target.set_city(city, 0.8, "city as subject of a hosting verb")
        if hosting and code:
            _add_host(target, f"country:{code}", sent, sent.tokens[k].start, sent.tokens[k].end)
            target.note("host", f"country:{code}", 0.75,
                        "place or government as subject of a hosting verb")
    return placed


_CHAIR_VERBS = verbs("chair_verbs")
_CHAIR_OPENERS = words("chair_list_openers")
_SESSION_NOUNS = words("session_nouns")
_CO_CHAIR = words("co_chair_links")
_GROUP_NOUNS = words("group_nouns")
_TIME_ADVERBS = words("time_adverbs")
_CHAIR_TITLES = words("chair_title_heads")


def _chair_cues(sent: Sentence, words: list[str]) -> list[int]:
    """Tokens that open a list of chairs: a chairing verb (ترأس، يترأس، ترأست), برئاسة, or
    رئاسة after تحت / على.  A verb whose object is a standing group ("يترأس هذه المجموعة
    بالتناوب") chairs the group, not the meeting."""
    out = []
    for k, w in enumerate(words):
        bare = _bare(w)
        if not _form_of(w, _CHAIR_VERBS):
            continue
        if "رياسه" in bare and not w.startswith("ب") and not (k > 0 and words[k - 1] in {"تحت", "على", "علي"}):
            continue
        nxt = [x for x in range(k + 1, min(len(words), k + 3)) if words[x] not in {"هذه", "هذا"}]
        if nxt and any(v in _GROUP_NOUNS for v in _bare(words[nxt[0]])):
            continue
        if w.endswith(("ها", "ه")) and k > 0 and words[k - 1] in {"الذي", "التي"}:
            continue                  # a relative clause: read by the hosting-verb step
        out.append(k)
    return out


def _heads_delegation(sent: Sentence, words: list[str], k: int) -> bool:
    """The chairing verb at ``k`` heads a delegation: a delegation noun (وفد، وفدها، الوفد) is
    its object or follows its subject in the same clause, before any meeting word."""
    for x in range(k + 1, len(words)):
        if sent.tokens[x].text in _STOPS or words[x] in _CLAUSE_BREAK or _word_flags(words[x]) & _F_NOUN:
            return False
        if any(v.startswith(("وفد", "وفود")) for v in _bare(words[x])):
            return True
    return False


def _chair_list(sent: Sentence, words: list[str], k: int, spers: list[Mention],
                splaces: list[Mention]) -> list[tuple]:
    """Step *chairs*: the coordinated chairs after a chairing cue at ``k``, as (node, start, end),
    a person's with the country its title's nisba names appended when there is one.

    Each conjunct is a noun phrase: a person with the titles before and after the name, a country,
    or a title whose nisba names a country ("المبعوثين البريطاني والإماراتي"، "المدير العام …
    في وزارة الخارجية الألمانية"، "الجانبين الإيطالي والأمريكي").  Openers ("مشتركة لكل من"،
    "بالتناوب") and the sitting chaired ("الجلسة الافتتاحية"، "جلسات المؤتمر") may come first;
    conjuncts are joined by و, "، و", "إلى جانب" or "بالاشتراك مع", with a time adverbial allowed
    before a link.  The list ends at anything else: a stop, a clause, a participation phrase."""
    n = len(words)
    person_at = {p.first_token: p for p in spers}
    place_at = {c.first_token: c for c in splaces if c.kind == "Country"}
    t = k + 1
    while t < n and (words[t] in _CHAIR_OPENERS or any(v in _SESSION_NOUNS for v in _bare(words[t]))
                     or _word_flags(words[t]) & (_F_NOUN | _F_BACKREF)):
        t += 1
    found: list[tuple[str, int, int]] = []

    def link_at(x: int) -> int | None:
        """Start of the next conjunct if a link stands at ``x``, else None."""
        y = x
        while y < n and words[y] in _TIME_ADVERBS:
            y += 1
        if y < n and sent.tokens[y].text in {"،", ","}:
            y += 1
        if y + 1 < n and words[y] in {"الي", "الى"} and words[y + 1] in _CO_CHAIR:
            return y + 2
        if y + 1 < n and words[y] == "بالاشتراك" and words[y + 1] == "مع":
            return y + 2
        if y < n and words[y].startswith("و") and len(words[y]) > 2 and (
                y in person_at or y in place_at or _head_at(words[y][1:])
                or any(v in _CHAIR_TITLES for v in _bare(words[y][1:])) or words[y][1:] in _CHAIR_OPENERS):
            return y
        return None

    while t < n:
        x, item, nisbas = t, None, []
        while x < n:
            tok = sent.tokens[x].text
            if tok in _STOPS or words[x] in _CLAUSE_BREAK or words[x] in _PART_NOUNS or x in person_at and item:
                break
            if x > t and link_at(x) is not None and (item or nisbas):
                break
            if tok in {"،", ","}:
                if not item and x + 1 in person_at:
                    x += 1            # the name in apposition after its title: "مساعدة وزير الخزانة الأمريكي، X،"
                    continue
                break
            if x in person_at:
                p = person_at[x]
                item, x = (p.node, p.start, p.end), p.last_token
                # the person's own title after the name ("X وزير الخارجية السعودي"): skip it
                if x < n and words[x] in ROLE_HEADS:
                    while x < n and sent.tokens[x].text not in _STOPS | {"،", ","} and link_at(x) is None \
                            and x not in person_at:
                        x += 1
                break
            if x in place_at:
                c = place_at[x]
                nisbas.append((c.node, c.start, c.end))
                x = c.last_token
                continue
            if _word_flags(words[x]) & (_F_NOUN | _F_VERBS) and (item or nisbas):
                break
            x += 1
        if item:
            # (with the nisba of the chair's title: "اللواء الأميركي جون برينان" — the caller makes
            # that government a host when the person's roles name no country)
            found.append(item + ((nisbas[0][0],) if nisbas else ()))
        elif nisbas:
            found.append(nisbas[0])       # "… في دولة الإمارات العربية المتحدة": the country it names
            # (the first: "المبعوث الخاص للرئيس الأمريكي إلى سوريا" is the American envoy)
        else:
            break
        nxt = link_at(x)
        if nxt is None:
            break
        t = nxt
        while t < n and (words[t] in _CHAIR_OPENERS):
            t += 1
    return found


_OTHER_BODY = words("other_body_words")


def _other_body(sent: Sentence, words: list[str], k: int, orgs) -> bool:
    """Step *whose meeting*: the meeting word at ``k`` is another body's session when its genitive
    chain (the words that follow it up to a preposition of place, a relative pronoun, a stop or a
    verb) names another body ("اجتماع مجلس جامعة الدول العربية"، "القمة العربية"، "اجتماعا للمجلس
    الأعلى للدفاع"، "اجتماع وزراء خارجية دول حلف شمال الأطلسي") and not the coalition
    ("الاجتماع الوزاري للتحالف" is the coalition's)."""
    other = False
    for x in range(k + 1, len(words)):
        tok = sent.tokens[x].text
        w = words[x]
        if tok in _STOPS or tok in {"،", ",", "(", ")"} or w in {"في", "فى", "الذي", "التي", "حيث"} \
                or w in _CLAUSE_BREAK or w in _TOPIC_BREAKS or (x > k + 1 and _word_flags(w) & (_F_VERBS | _F_NOUN)):
            break                       # (a topic, "اجتماع … حول إعادة الإعمار", is no part of the name)
        bare = _bare(w)
        if any(v in {"التحالف", "تحالف"} for v in bare) or any(
                m.first_token == x and m.node == "org:global-coalition" for m in orgs):
            return False
        if any(v in _OTHER_BODY for v in bare):
            other = True
    return other


_VENUE_VERBS = verbs("venue_verbs")
_OWN_COUNTRY = words("own_country_words")
_LOCATIVE = words("locatives")
_CLAUSE_BREAK = words("clause_breaks")


def _where(words: list[str], k: int, city: Mention) -> bool:
    """A city after the meeting word at ``k`` is where the meeting was: named right after it
    ("مؤتمر لندن"), or behind a locative (في، بمدينة، المنعقد في العاصمة البلجيكية …) with no
    clause in between ("افتتاح الاجتماع إن معركة الموصل والرقة …" is about the battle)."""
    between = words[k + 1:city.first_token]
    if any(w in _CLAUSE_BREAK for w in between):
        return False
    if not between:
        return True
    # "… الذي ستستضيفه العاصمة السعودية الرياض": the city is the host verb's subject
    if any(_form_of(w, _VENUE_VERBS) for w in between):
        return True
    return any(w in _LOCATIVE for w in between) or words[city.first_token].startswith("ب") or \
        len(between) <= 2 and all(_is(w, "مدينه", "العاصمه", "المدينه") or w.startswith("ال") for w in between)


def _add_host(mm: MeetingMention, node: str, sent: Sentence, start: int, end: int) -> None:
    mm.note("host", node, mm.confidence, f"hosting cue of «{mm.cue}»")
    if node.startswith("country:"):
        code = node.split(":", 1)[1]
        if code not in mm.host_countries:
            mm.host_countries.append(code)
    elif node not in mm.hosts:
        mm.hosts.append(node)
    mm.host_spans.append((node, sent.index, start, end))


def _own_country_word(words: list[str], k: int, splaces) -> str | None:
    """``"own"`` when word ``k`` says "his / our country" (بلاده، بلادنا), ``"kingdom"`` for a bare
    "المملكة" (no country name starting there: المملكة العربية السعودية is a country mention)."""
    if any(c.first_token == k for c in splaces):
        return None
    w = words[k]
    for v in (w, w[1:] if w[:1] in "وف" else ""):
        if v in _OWN_COUNTRY:
            return "own"
        if v == "المملكه":
            return "kingdom"
    return None


@lru_cache(maxsize=1)
def _kingdoms() -> frozenset[str]:
    """Countries whose Arabic names call them a kingdom (المملكة المغربية، مملكة البحرين), from the
    gazetteer's country names."""
    return frozenset(code for name, code in gazetteer.load().country_names.items()
                     if name.startswith(("المملكه", "مملكه")))


def _add_own_country(mm: MeetingMention, sent: Sentence, k: int, spers, splaces, person_roles,
                     kind: str = "own") -> None:
    """Token ``k`` says "his / our country" (بلاده، بلادنا): the host is the government of the
    one speaking — the nearest person named before it in the sentence whose roles name one
    country (وزير الخارجية الإيطالي أنطونيو تاياني), else a title's nisba with no name
    (وقال وزير الخارجية الإيطالي إن بلاده …), with no other country named in between.
    ``kind="kingdom"`` (a bare المملكة): the same, if that country is a kingdom (Morocco's
    minister's "المملكة" is Morocco).  Nothing when the antecedent is not that clear."""
    code = None
    person = next((p for p in reversed(spers) if p.last_token <= k), None)
    if person is not None:
        countries = {c for _, c in person_roles.get(person.node, ()) if c}
        code = countries.pop() if len(countries) == 1 else None
    if code is None:
        before = [c for c in splaces if c.kind == "Country" and c.last_token <= k
                  and (person is None or c.first_token >= person.last_token)]
        if before and before[-1].nisba:
            code = before[-1].attrs["place"].code
    if code is None or kind == "kingdom" and code not in _kingdoms():
        return
    tok = sent.tokens[k]
    _add_host(mm, f"country:{code}", sent, tok.start, tok.end)
    mm.note("host", f"country:{code}", 0.7, "the speaker's own country (بلاده) as the hosting verb's subject")


def _add_participant(mm: MeetingMention, node: str, sent: Sentence, start: int, end: int) -> None:
    if not any(n == node for n, *_ in mm.participant_spans):
        mm.participant_spans.append((node, sent.index, start, end))


def _take_hosts(mm, sent, start, spers, splaces, persons, person_roles, countries_only=False,
                stop: int | None = None, add=_add_host):
    """Hosts coordinated after a cue (up to token ``stop``): persons, else countries named without a person."""
    names = [p for p in spers if p.first_token >= start]
    countries = [c for c in splaces if c.kind == "Country" and c.first_token >= start]
    words = [normalize(t.text) for t in sent.tokens]
    pos, gap_limit = start, 12
    k = start
    found_any = False
    end = len(words) if stop is None else min(stop, len(words))
    while k < end:
        tok = sent.tokens[k].text
        if tok in {".", ":", "؟", "!", "«", "»", "\"", "“", "”"}:
            break
        if tok in {"،", ","} and found_any:
            # "ترأس X وزير الخارجية السعودي، ووزير الخارجية الأمريكي Y، الاجتماع": a co-host after
            # the comma is a title or a name joined by و, with the name a few words on
            nxt = k + 1
            if countries_only or nxt >= end or not sent.tokens[nxt].text.startswith("و"):
                break
            joined = next((x for x in names if x.first_token == nxt), None)
            if joined is None and words[nxt].startswith("و") and words[nxt][1:] in ROLE_HEADS:
                joined = next((x for x in names if nxt < x.first_token <= nxt + 5
                               and not any(sent.tokens[j].text in {"،", ",", "."} for j in range(nxt, x.first_token))),
                              None)
            if joined is None:
                break
            k = joined.first_token
            continue
        p = next((x for x in names if x.first_token == k), None)
        c = next((x for x in countries if x.first_token == k), None)
        if p is not None and not countries_only:
            add(mm, p.node, sent, p.start, p.end)
            found_any, k, pos = True, p.last_token, p.last_token
            # co-hosts: "… وX", "… بالاشتراك مع X", "… مع نظيره الأمريكي X"
            if k + 1 < len(words) and words[k] == "بالاشتراك" and words[k + 1] == "مع":
                k += 2
                continue
            if k < len(words) and words[k] == "مع" and k + 1 < len(words) and \
                    any(v in _COUNTERPART for v in _bare(words[k + 1])):
                k += 1
                continue
            if k < len(words) and words[k] in ROLE_HEADS:
                # the host's own title after the name ("فيصل بن فرحان وزير الخارجية السعودي"):
                # skip it, so that its nisba is not read as another host
                t = k + 1
                while t < end and t - k <= 6 and sent.tokens[t].text not in {"،", ",", ".", ":"} and \
                        not any(x.first_token == t for x in names):
                    t += 1
                k = pos = t
                continue
            if k < len(words) and not sent.tokens[k].text.startswith("و"):
                break
            continue
        if c is not None:
            # a country inside a title belongs to the person that follows it (وزير خارجية الولايات المتحدة أنتوني)
            nxt_person = next((x for x in names if x.first_token >= c.last_token), None)
            title_ahead = nxt_person is not None and nxt_person.first_token - c.last_token <= 2 and not countries_only
            if not c.nisba and not title_ahead:
                add(mm, c.node, sent, c.start, c.end)
                found_any = True
            elif c.nisba and not title_ahead and not countries_only:
                # "نظيره الإيطالي" or "وزير الخارجية الإيطالي" with no name: the person with that role, else the country
                who = _person_with_role(persons, person_roles, c.attrs["place"].code)
                add(mm, who or c.node, sent, c.start, c.end)
                found_any = True
            k, pos = c.last_token, c.last_token
            # "برئاسة سعودية أمريكية": nisbas side by side are co-hosts
            adjacent_nisba = c.nisba and any(x.first_token == k and x.nisba for x in countries)
            if found_any and k < len(words) and not sent.tokens[k].text.startswith("و") and not title_ahead \
                    and not adjacent_nisba:
                break
            continue
        if k - pos > gap_limit or (countries_only and not found_any and k - start > 1):
            break
        k += 1


def _person_with_role(persons: list[Mention], person_roles: dict[str, set], country: str,
                      role: str | None = None) -> str | None:
    found = {p.node for p in persons if any(c == country and (role is None or r == role)
                                            for r, c in person_roles.get(p.node, ()))}
    return found.pop() if len(found) == 1 else None


def _counterpart(mm, sent, start, words, subject, splaces, persons, person_roles):
    """"مع نظيره الإيطالي": the person with the subject's role for that country (or the country)."""
    for k in range(start, min(len(words), start + 6)):
        if any(v in _COUNTERPART for v in _bare(words[k])):
            nis = next((c for c in splaces if c.kind == "Country" and c.first_token in (k + 1, k + 2)), None)
            if nis is None:
                return
            code = nis.attrs["place"].code
            subject_roles = {r for r, _ in person_roles.get(subject.node, ())}
            who = None
            for r in subject_roles or {None}:
                who = who or _person_with_role(persons, person_roles, code, r)
            _add_host(mm, who or nis.node, sent, sent.tokens[k].start, nis.end)
            return


# ---------------------------------------------------------------------------------------------
# the place slot, read from the trigger's clause

_CAPITAL_WORDS = words("capital_words")
_TOPIC_BREAKS = words("topic_breaks")
_VENUE_NOUNS = words("venue_nouns")
_PAST_MARKERS = words("past_markers")
_PLUPERFECT = words("pluperfect_words")
_STOPS = {".", "؟", "!", ":", "؛", ";", "«", "»", "\"", "“", "”"}


def capital_places(text: str, sent: Sentence, splaces: list[Mention]) -> list[Mention]:
    """"في العاصمة الفرنسية" names France's capital: a City mention over العاصمة + nisba, unless
    the capital is named right after it ("العاصمة الأردنية عمّان": that name is the mention)."""
    from ..gazetteer import load
    gz = load()
    starts = {m.first_token for m in splaces}
    out = []
    for c in splaces:
        t = c.first_token
        if c.kind != "Country" or not c.nisba or t == 0 or c.last_token in starts:
            continue
        if not any(v in _CAPITAL_WORDS for v in _bare(normalize(sent.tokens[t - 1].text))):
            continue
        cap = gz.capitals.get(c.attrs["place"].code)
        if cap is None:
            continue
        start, end = sent.tokens[t - 1].start, c.end
        out.append(Mention(f"city:{cap.code}", "City", text[start:end], start, end, sent.index, t - 1,
                           c.last_token, "cue", 0.75, attrs={"place": cap, "label_ar": cap.name_ar,
                                                             "capital_of": c.attrs["place"].code}))
    return out


def _locative_before(sent: Sentence, words: list[str], city: Mention) -> bool:
    """The city is the object of a locative: في/بـ + (مدينة/العاصمة + nisba) + city, or بمدينة X."""
    t = city.first_token
    if sent.tokens[t].text.startswith("ب") and not normalize(city.text).startswith("ب" * 2):
        return True
    # back over "مدينة"، "العاصمة الأردنية" to the locative
    j = t - 1
    while j >= 0 and t - j <= 3 and (words[j] in {"مدينه", "المدينه"} or any(v in _CAPITAL_WORDS for v in _bare(words[j]))
                                     or words[j].startswith("ال")):
        if words[j] in _LOCATIVE or any(v in _CAPITAL_WORDS | {"مدينه"} for v in _bare(words[j])) and words[j][0] == "ب":
            break
        j -= 1
    return j >= 0 and (words[j] in _LOCATIVE or words[j] in {"في", "فى"})


def _clause_open(words: list[str], a: int, b: int) -> bool:
    """No clause boundary among tokens a..b-1: reported speech, أن/إن, sentence punctuation
    (quotes around a short name, «داعش», are no boundary)."""
    for x in range(max(a, 0), min(b, len(words))):
        w = words[x]
        if w in {"«", "»", "\"", "“", "”"} and _short_quote(words, x):
            continue
        if w in _CLAUSE_BREAK or w in _STOPS:
            return False
    return True


def _short_quote(words: list[str], x: int) -> bool:
    closing = {"«": "»", "“": "”", "\"": "\""}
    if words[x] in closing:
        return closing[words[x]] in words[x + 1:x + 5]
    opening = {v: k for k, v in closing.items()}
    return opening.get(words[x], words[x]) in words[max(0, x - 4):x]


_TRAVEL = words("travel_nouns")


def _planned(words: list[str], k: int) -> bool:
    """The meeting word at ``k`` is of a meeting still to come: a future form near it, المقبل
    after it, or an intention (يعتزم، من المقرر) before it."""
    return (any(is_future(w) for w in words[max(0, k - 5):k + 4])
            or any(_is(w, "المقبل", "القادم", "المقبله", "القادمه", "المرتقب", "المرتقبه") for w in words[k + 1:k + 4])
            or any(_is(w, "يعتزم", "يعتزمون", "تعتزم", "عزمهم", "عزمه", "المقرر", "سيعقد", "ستعقد") for w in words[:k]))


def clause_place(sent: Sentence, words: list[str], k: int, prev_k: int, nxt: int,
                 cities: list[Mention], inside_names: frozenset = frozenset(),
                 planned: bool = False) -> tuple[Mention | None, str]:
    """The city behind a locative in the clause of the trigger at ``k``: first after it (up to
    the next trigger, no clause boundary and no topic phrase between — "اجتماع لبحث الأوضاع في
    حلب" is about Aleppo; for a ``planned`` meeting, no arrival or departure of the speaker
    between — "…، لدى وصوله إلى فيينا"), else before it (after the previous trigger, no clause
    boundary)."""
    for c in cities:
        if k < c.first_token < nxt and _locative_before(sent, words, c) \
                and _clause_open(words, k + 1, c.first_token) \
                and not any(words[x] in _TOPIC_BREAKS for x in range(k + 1, c.first_token) if x not in inside_names) \
                and not (planned and any(v in _TRAVEL for x in range(k + 1, c.first_token) for v in _bare(words[x]))):
            return c, "locative of the trigger's clause"
    for c in reversed(cities):
        if prev_k < c.first_token and c.last_token <= k and k - c.last_token <= 15 \
                and _locative_before(sent, words, c) and _clause_open(words, c.last_token, k):
            return c, "locative before the trigger"
    return None, ""


def venue_at(sent: Sentence, words: list[str], k: int, nxt: int) -> str | None:
    """A venue behind a locative near the trigger ("في قاعدة أندروز الجوية"، "بمقر وزارة الخارجية")."""
    lo = max(0, k - 12)
    for j in range(lo, min(nxt, k + 30, len(words))):
        w = words[j]
        bare = _bare(w)
        if not any(v in _VENUE_NOUNS for v in bare):
            continue
        prefixed = w[:1] == "ب" and w[1:] in _VENUE_NOUNS
        if prefixed or (j > 0 and words[j - 1] in {"في", "فى"}) or \
                (j > 0 and _form_of(words[j - 1], _VENUE_VERBS)):
            a, b = (j, k) if j < k else (k + 1, j)
            if _clause_open(words, a, b):
                end = j + 1
                while end < len(words) and end - j < 4 and sent.tokens[end].text not in _STOPS | {"،", ","}:
                    end += 1
                return " ".join(t.text for t in sent.tokens[j:end])
    return None


def is_virtual(words: list[str]) -> bool:
    joined = " " + " ".join(words) + " "
    return any(f" {normalize(v)} " in joined for v in _VIRTUAL)


_VIRTUAL = sorted(words("virtual_words"))


def is_past(words: list[str], k: int) -> bool:
    """The meeting at ``k`` lies before the one reported: "آخر اجتماع"، "اللقاء السابق"، a
    pluperfect "كان … قد" opening its clause, "أيلول الماضي" naming its date."""
    if k > 0 and any(v in _PAST_MARKERS for v in _bare(words[k - 1])) and words[k - 1] not in {"الماضي", "الفائت"}:
        return True
    if k + 1 < len(words) and _is(words[k + 1], "السابق", "الاخير", "الماضي", "الفائت"):
        return True
    # كان … قد: both in the words before the trigger, inside its clause
    j = k - 1
    seen_qad = False
    while j >= 0 and k - j <= 10 and words[j] not in _STOPS and words[j] not in _CLAUSE_BREAK:
        if words[j] == "قد":
            seen_qad = True
        if seen_qad and words[j] in _PLUPERFECT:
            return True
        j -= 1
    after = words[k + 1:k + 14]
    return any(w in {"الماضي", "الفايت"} for w in after) and _clause_open(words, k + 1, k + 14) and \
        not any(w in {"اليوم", "امس"} for w in after)


_BACKREF = words("backref_nouns")
_OFFICIALS = words("officials_nouns")
_CONVENE_VERBS = verbs("convene_verbs")


def _officials_after(sent: Sentence, words: list[str], start: int, spers: list[Mention]) -> int | None:
    """Token of a group of officials after ``start`` in the same clause ("… قادة جيوش"، "نظراءه"):
    no sentence stop, no reported speech and no other person between."""
    for j in range(start, len(words)):
        if sent.tokens[j].text in _STOPS or words[j] in _CLAUSE_BREAK or any(p.first_token == j for p in spers):
            return None
        if any(v in _OFFICIALS for v in _bare(words[j])) and not (j > 0 and _head_at(words[j - 1])):
            return j          # ("رئيس الوزراء"، "نائب رئيس الوزراء": a title, not a group of ministers)
    return None


def _convened(sent: Sentence, words: list[str], spers: list[Mention], flags: list[int]) -> dict[int, Mention]:
    """Verbs of convening, hosting or receiving with a person as subject and a group of officials
    as object: verb token → the subject (``flags``: :func:`_word_flags` of each word)."""
    out = {}
    for k, w in enumerate(words):
        if not flags[k] & _F_VERBS:
            continue
        raw = sent.tokens[k].text
        if raw.startswith("ب") or raw.endswith("ة") or raw.endswith(("ه", "ها")) and not flags[k] & _F_CONVENE:
            continue
        if k > 0 and (words[k - 1] in {"الذي", "التي"} or flags[k - 1] & _F_NOUN):
            continue          # "لقاء جمع X وY": the meeting brought them together; nobody hosts
        subject = next((p for p in spers if k < p.first_token <= k + 8), None)
        if subject is None or any(sent.tokens[x].text in _STOPS for x in range(k, subject.first_token)):
            continue
        if _officials_after(sent, words, subject.last_token, spers) is not None:
            out[k] = subject
    return out
_PATRONAGE = words("patronage_nouns")
_NON_MEETING = words("non_meeting_modifiers")
_PLACE_VERBS = verbs("place_verbs")

# what each cue lexicon says of a word, as bits, worked out once per distinct word (a sentence's
# words are tested against all of them: one cached answer per word instead of one per lexicon)
(_F_NOUN, _F_BACKREF, _F_MEETING_VERB, _F_HOST_VERB, _F_CONVENE, _F_RECEIVE, _F_INVITE, _F_CALLED,
 _F_PART, _F_ADOPT) = (1 << b for b in range(10))
_F_VERBS = _F_MEETING_VERB | _F_HOST_VERB | _F_CONVENE | _F_RECEIVE   # a verb that can convene


@lru_cache(maxsize=1 << 16)     # bounded: every worker holds one
def _word_flags(w: str) -> int:
    bare = _bare(w)
    # (``not S.isdisjoint(...)``: some reading of the word is in S)
    return ((_F_NOUN if not _MEETING_NOUNS.isdisjoint(bare) else 0)
            | (_F_BACKREF if not _BACKREF.isdisjoint(bare) else 0)
            | (_F_MEETING_VERB if _form_of(w, _MEETING_VERBS) else 0)
            | (_F_HOST_VERB if _form_of(w, _HOST_VERBS) else 0)
            | (_F_CONVENE if _form_of(w, _CONVENE_VERBS) else 0)
            | (_F_RECEIVE if _form_of(w, _RECEIVE_VERBS) else 0)
            | (_F_INVITE if _is(w, "دعوه", "بدعوه", "مبادره", "بمبادره") else 0)
            | (_F_CALLED if _is(w, "دعا", "دعت") else 0)
            | (_F_PART if w in _PART_NOUNS or _form_of(w, _PART_VERBS) else 0)
            | (_F_ADOPT if _form_of(w, _ADOPT_VERBS) else 0))
