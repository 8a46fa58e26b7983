"""Build-level resolution: one person across articles, one meeting reported by several articles,
one UN resolution number across the build."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import gazetteer, persons
from .dates import PartialDate
from .extract import MeetingMention


@dataclass
class Meeting:
    id: str
    mentions: list[tuple[str, MeetingMention]]   # (article id, mention)
    city: str | None = None                      # city node key
    country: str | None = None                   # ISO2
    hosts: list[str] = field(default_factory=list)          # person node keys (build level)
    host_countries: list[str] = field(default_factory=list)
    date: PartialDate | None = None
    planned: bool = False
    kind: str | None = None
    status: str = "held"          # held / planned / past


@dataclass
class Resolved:
    results: list            # pipeline.ArticleResult
    person_of: dict[str, str]          # article cluster id -> build person key
    persons: dict[str, dict]           # person key -> {label, surfaces, roles, articles}
    meetings: list[Meeting]
    city_labels: dict[str, str] = field(default_factory=dict)    # city key -> the build's commonest spelling
    meetings_of: dict[str, list] = field(default_factory=dict)   # article id -> [(Meeting, its mention there)]

    def __post_init__(self):
        # indexes for writing one article's graph without scanning the whole build each time
        forms: dict[str, list[str]] = {}
        for r in self.results:
            for m in r.mentions:
                if m.kind == "City" and m.attrs.get("label_ar"):
                    forms.setdefault(m.node, []).append(m.attrs["label_ar"])
        # the commonest spelling; a tie goes to the one met first (input order, not hash order)
        self.city_labels = {k: max(dict.fromkeys(v), key=v.count) for k, v in forms.items()}
        self.meetings_of = {}
        for meeting in self.meetings:
            for aid, mm in meeting.mentions:
                self.meetings_of.setdefault(aid, []).append((meeting, mm))


def _slug(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


GOVERNMENT_ROLES = {"foreign_minister", "defence_minister", "interior_minister", "minister", "prime_minister",
                    "deputy_prime_minister", "deputy_minister", "president", "king", "crown_prince", "emir",
                    "military_chief"}


def resolve(results: list) -> Resolved:
    # a number another article of the build gives as a Security Council resolution is that
    # resolution everywhere ("القرار 2254" in one report, "قرار مجلس الأمن 2254" in another)
    unsc = {x.number for r in results for x in r.resolutions if x.body == "UNSC"}
    for r in results:
        for x in r.resolutions:
            if x.body is None and x.number in unsc:
                x.body = "UNSC"
    clusters = [c for r in results for c in r.clusters]
    index = persons.merge_across(clusters)
    groups: dict[int, list[persons.PersonCluster]] = {}
    for c in clusters:
        groups.setdefault(index[c.id], []).append(c)
    person_of, people = {}, {}
    for members in groups.values():
        merged = persons.PersonCluster("tmp")
        for c in members:
            merged.names += c.names
            merged.surfaces += c.surfaces
            merged.roles |= c.roles
            merged.articles |= c.articles
        # a government office read without its country in one report ("وزير الخارجية") is held
        # for the one country the person's other government offices name
        govs = {c for r, c in merged.roles if c and r in GOVERNMENT_ROLES}
        if len(govs) == 1:
            merged.roles = {(r, c or (next(iter(govs)) if r in GOVERNMENT_ROLES else None)) for r, c in merged.roles}
        full = max(merged.names, key=len)
        key = "person:" + _slug(" ".join(full) + "|" + ",".join(sorted(merged.countries())))
        people[key] = {"label": merged.label, "surfaces": sorted(set(merged.surfaces)),
                       "roles": sorted(merged.roles, key=str), "articles": sorted(merged.articles)}
        for c in members:
            person_of[c.id] = key
    # meetings across articles
    meetings: list[Meeting] = []
    by_city: dict[str | None, list[Meeting]] = {}   # blocking: only meetings in the same city compare
    for r in results:
        for mm in r.meetings:
            hosts = [person_of.get(h, h) for h in mm.hosts]
            city_key = mm.city.node if mm.city else None
            target = next((m for m in by_city.get(city_key, []) if _same_meeting(m, mm, hosts, people)), None)
            if target is None:
                target = Meeting("", [])
                meetings.append(target)
                by_city.setdefault(city_key, []).append(target)
            target.mentions.append((r.article.id, mm))
            for h in hosts:
                if h not in target.hosts:
                    target.hosts.append(h)
            for c in mm.host_countries:
                if c not in target.host_countries:
                    target.host_countries.append(c)
            if target.city is None and mm.city is not None:
                target.city, target.country = mm.city.node, mm.country
            elif target.country is None and mm.country is not None:
                target.country = mm.country
            if mm.date and (target.date is None or mm.date.precision() > target.date.precision()
                            or (mm.date.explicit and not target.date.explicit)):
                target.date = mm.date
            target.planned = mm.planned
            target.status = mm.status
            target.kind = target.kind or mm.kind
    gz = gazetteer.load()
    used: set[str] = set()
    for m in meetings:
        # the hosts' governments are host countries too, when their role says so
        for h in m.hosts:
            for role, country in people.get(h, {}).get("roles", []):
                if country and country not in m.host_countries:
                    m.host_countries.append(country)
        city = gz.cities_by_code(m.city.split(":", 1)[1]) if m.city else None
        name = city.name_en if city else (gz.countries[m.country].name_en if m.country in gz.countries else "meeting")
        when = m.date.iso() if m.date and m.date.iso() else "-".join(sorted(m.host_countries)) or "undated"
        base = "meeting:" + _ascii_slug(f"{name}-{when}") + ("" if m.status == "held" else f"-{m.status}")
        m.id, n = base, 2
        while m.id in used:
            m.id, n = f"{base}-{n}", n + 1
        used.add(m.id)
    return Resolved(results, person_of, people, meetings)


def _ascii_slug(s: str) -> str:
    import re
    import unicodedata
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "x"


def _governments(hosts: list[str], countries: list[str], people: dict[str, dict]) -> set[str]:
    """Countries a meeting's hosts stand for: the countries named as hosts and those of the
    host persons' roles (وزير الخارجية السعودي → SA)."""
    out = set(countries)
    for h in hosts:
        out |= {c for _, c in people.get(h, {}).get("roles", []) if c}
    return out


def _same_meeting(m: Meeting, mm: MeetingMention, hosts: list[str], people: dict[str, dict]) -> bool:
    """One meeting when: same planned/held status, compatible dates, the same city (or both
    without one and the same hosts), and hosts that overlap as persons or as governments (one
    report names the ministers, another "بدعوة من السعودية والولايات المتحدة")."""
    if m.status != mm.status or (m.kind == "bilateral") != (mm.kind == "bilateral"):
        return False
    if m.date and mm.date and not m.date.compatible(mm.date):
        return False
    if _different_office_holders(m.hosts, hosts, people):
        return False
    # governments in common say "one meeting" only when one report names no host person (one
    # names the ministers, the other "بدعوة من السعودية والولايات المتحدة"); two reports that
    # both name host persons must share one (a Paris conference chaired by the president is not
    # a Paris ministerial chaired by his foreign minister)
    host_overlap = bool(set(m.hosts) & set(hosts)) or (not (m.hosts and hosts) and bool(
        _governments(m.hosts, m.host_countries, people) & _governments(hosts, mm.host_countries, people)))
    host_empty = not (m.hosts or m.host_countries) or not (hosts or mm.host_countries)
    if m.city and mm.city:
        return m.city == mm.city.node and (host_overlap or host_empty)
    if m.city is None and mm.city is None:
        return bool(hosts) and set(hosts) == set(m.hosts)
    return False


def _different_office_holders(a: list[str], b: list[str], people: dict[str, dict]) -> bool:
    """Two reports whose hosts hold the same office for the same country but are different
    persons (لويجي دي مايو and أنطونيو تاياني, Italy's foreign ministers in 2021 and 2025)
    describe different meetings: an office changes hands between them."""
    offices_a = {(r, c): h for h in a for r, c in people.get(h, {}).get("roles", []) if c}
    for h in b:
        for r, c in people.get(h, {}).get("roles", []):
            other = offices_a.get((r, c))
            if c and other is not None and other != h:
                return True
    return False
