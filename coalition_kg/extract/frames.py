"""Meeting frames across an article: mentions of one meeting merged into one frame."""

from __future__ import annotations

from ..dates import PartialDate
from ..linking import Mention
from ..text import Sentence
from .meetings import MeetingMention, find_mentions


def find_meetings(text: str, sentences: list[Sentence], places: list[Mention], persons: list[Mention],
                  person_roles: dict[str, set], art_date: PartialDate | None) -> list[MeetingMention]:
    """The meetings one article reports: mentions found sentence by sentence, merged into frames."""
    return merge_in_article(find_mentions(text, sentences, places, persons, person_roles, art_date))

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
            if m.planned != t.planned or (m.kind == "bilateral") != (t.kind == "bilateral"):
                continue
            if not (m.date is None or t.date is None or m.date.compatible(t.date)):
                continue
            if m.city and t.city:
                if m.city.node == t.city.node:
                    target = t
                    break
                continue
            shared = (set(m.hosts) & set(t.hosts)) or (set(m.host_countries) & set(t.host_countries))
            if shared:
                target = t
                break
        if target is None and m.city is None and not m.planned and m.kind != "bilateral":
            primary = next((t for t in merged if t.city and not t.planned and t.kind != "bilateral"), None)
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
        if m in merged or m.city or m.hosts or m.host_countries or m.planned or not m.date or m.kind == "bilateral":
            continue
        primary = next((t for t in merged if t.city and not t.planned and t.kind != "bilateral"), None)
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
    target.evidence += m.evidence
