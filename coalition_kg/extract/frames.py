"""Meeting frames across an article.

:mod:`.meetings` finds the triggers and the slots their own clause fills; here the mentions of
one meeting become one frame, and a frame's empty place slot is filled from article-level
evidence, each with its own, lower confidence:

* a definite mention elsewhere that refers back to it with a place ("وجرت المباحثات … بمدينة
  جدة"، "اختيار مقر الحلف في بروكسل لاستضافة الاجتماع") — merged in :func:`merge_in_article`;
* the dateline ("روما - (أ ش أ) -"، "الكويت - كونا -"), for the article's first reported
  meeting when it has no place at all: not a past meeting, not one held at a venue the text
  names without a city ("في قاعدة أندروز الجوية"), not one held by video.

Several meetings in one article stay apart when their status (held / planned / past), hosts or
places differ.
"""

from __future__ import annotations

from ..dates import PartialDate
from ..linking import Mention
from ..text import Sentence
from .meetings import MeetingMention, find_mentions


def find_meetings(text: str, sentences: list[Sentence], places: list[Mention], persons: list[Mention],
                  person_roles: dict[str, set], art_date: PartialDate | None,
                  orgs: list[Mention] = ()) -> list[MeetingMention]:
    """The meetings one article reports: mentions found sentence by sentence, merged into frames."""
    frames = merge_in_article(find_mentions(text, sentences, places, persons, person_roles, art_date, orgs))
    # "تستضيف الولايات المتحدة اجتماعين …": a plural names the meetings the article then
    # describes one by one; it is no meeting of its own beside them
    if any(not f.plural for f in frames):
        frames = [f for f in frames if not f.plural]
    _dateline_place(text, sentences, places, frames)
    return frames


def dateline_city(text: str, sentences: list[Sentence], places: list[Mention]) -> Mention | None:
    """The city of a dateline: the article's first words name a city followed by a dash or an
    agency in brackets (a country name there was already read as its city of the same name, as
    in "الكويت - كونا -", by :func:`..linking.link`)."""
    from ..linking import dateline_follows
    for sent in sentences[:2]:
        head = [m for m in places if m.sentence == sent.index and m.first_token == 0]
        if not head or not dateline_follows(sent, head[0].last_token):
            continue
        return head[0] if head[0].kind == "City" else None
    return None


def _dateline_place(text, sentences, places, frames: list[MeetingMention]) -> None:
    first = next((f for f in frames if f.kind != "bilateral"), None)
    if first is None or first.city is not None or first.past or first.venue or first.virtual:
        return
    city = dateline_city(text, sentences, places)
    if city is None or (first.country and first.country != city.attrs["place"].country):
        return
    if first.host_countries and not first.hosts and city.attrs["place"].country not in first.host_countries:
        return      # hosted by another government (named, no person) than the dateline's: reported from elsewhere
    first.set_city(city, 0.55, "dateline")
    first.evidence.append((city.sentence, city.start, city.end, "dateline"))

def merge_in_article(mentions: list[MeetingMention]) -> list[MeetingMention]:
    """Mentions of one article that describe the same meeting become one.

    The primary meeting is the first past meeting with a city.  A mention without a city
    joins the meeting whose hosts it shares, or the primary one when it only refers back to
    it ("الاجتماع", a date, hosts named in another sentence); a mention with a city joins an
    earlier one in the same city with compatible dates."""
    merged: list[MeetingMention] = []
    for m in mentions:
        target = None
        for t in merged:
            if m.status != t.status or (m.kind == "bilateral") != (t.kind == "bilateral"):
                continue
            if not (m.date is None or t.date is None or m.date.compatible(t.date)):
                continue
            if m.city and t.city:
                if m.city.node == t.city.node:
                    target = t
                    break
                continue
            if m.city and t.city is None and m.definite and not t.virtual and not t.venue and (
                    not (m.hosts or m.host_countries) or set(m.hosts) & set(t.hosts)
                    or set(m.host_countries) & set(t.host_countries)):
                # "وجرت المباحثات في قصر المؤتمرات بمدينة جدة": a back-reference places the meeting
                for key_, conf in list(m.slot_confidence.items()):
                    if key_[0] == "city":
                        m.slot_confidence[key_] = min(conf, 0.65)
                        m.slot_cues[key_] = "place of a back-reference (" + m.slot_cues.get(key_, "") + ")"
                target = t
                break
            shared = (set(m.hosts) & set(t.hosts)) or (set(m.host_countries) & set(t.host_countries))
            if shared:
                target = t
                break
        if target is None and m.city is None and not m.planned and not m.past and m.kind != "bilateral":
            primary = next((t for t in merged if t.city and t.status == "held" and t.kind != "bilateral"), None)
            no_hosts = not m.hosts and not m.host_countries
            if primary and (no_hosts or m.definite or not (primary.hosts or primary.host_countries)) \
                    and (m.date is None or primary.date is None or m.date.compatible(primary.date)):
                target = primary
        if target is None:
            if m.city is None and m.country is None and not m.hosts and not m.host_countries:
                continue  # nothing to say about it yet; may join a later meeting
            merged.append(m)
            continue
        _absorb(target, m)
    # a later city-less, host-less mention may precede the primary: give it a second chance
    for m in mentions:
        if m in merged or m.city or m.hosts or m.host_countries or m.planned or m.past or not m.date \
                or m.kind == "bilateral":
            continue
        primary = next((t for t in merged if t.city and t.status == "held" and t.kind != "bilateral"), None)
        if primary and (primary.date is None or m.date.compatible(primary.date)):
            _absorb(primary, m)
    return merged


def _absorb(target: MeetingMention, m: MeetingMention) -> None:
    if target is m:
        return
    for h in m.hosts:
        if h not in target.hosts:
            target.hosts.append(h)
    for c in m.host_countries:
        if c not in target.host_countries:
            target.host_countries.append(c)
    target.host_spans += m.host_spans
    for span in m.participant_spans:
        if not any(n == span[0] for n, *_ in target.participant_spans):
            target.participant_spans.append(span)
    if target.city is None and m.city is not None:
        target.city, target.country = m.city, m.country
    elif target.country is None and m.country is not None:
        target.country = m.country
    if m.date and (target.date is None or (m.date.explicit and not target.date.explicit)
                   or (m.date.explicit == target.date.explicit and m.date.precision() > target.date.precision())):
        target.date = m.date
    target.kind = target.kind or m.kind
    target.venue = target.venue or m.venue
    target.virtual = target.virtual or m.virtual
    for k, v in m.slot_confidence.items():
        if v >= target.slot_confidence.get(k, 0.0):
            target.slot_confidence[k] = v
            target.slot_cues[k] = m.slot_cues.get(k, "")
    target.evidence += m.evidence
