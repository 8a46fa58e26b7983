"""Measuring the graph against hand-made gold facts (``coalition-kg eval-kg``).

This module only *reads* a gold file to score what the pipeline already produced; nothing in
the build path imports it.  Two gold layouts are read:

* the seeds' (``seeds.json``): articles keyed by file name, ``persons`` as {name: [spellings]},
  ``roles``, ``un_resolutions``, ``joined_coalition``, ``same_meeting`` pairs;
* the development set's (``dev/gold.json``): articles keyed by file stem, ``persons`` as a list
  with ``persons_ar`` {name: spelling}, ``joined``, a top-level ``_city_geonames`` map.

Matching rules:

* a predicted person is a gold person when one of its surface forms (after
  :func:`text.normalize`) equals a gold spelling, or one is the other with words added around
  it (``الأمير سعود الفيصل`` for ``سعود الفيصل``; the words of the shorter one must be a run of
  the longer one's and include its last word);
* countries by ISO code, cities by GeoNames English name, resolutions as ``UNSC 2254``;
* **who hosted what** — the three figures users ask for, over the meetings each article reports:
  ``whw_cities`` (meeting cities by GeoNames id), ``whw_host_countries`` (host governments by
  ISO code: governments named as hosts and those the host persons represent) and
  ``whw_host_persons``;
* roles as (person, role label, country); joined members as ISO codes.

A category the gold file does not give for any article is not scored.  Scores are
micro-averaged over articles; ``overall_f1`` is the mean of the scored categories' F1.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import gazetteer
from .extract import ROLE_LABELS
from .pipeline import Resolved
from .text import normalize

CATEGORIES = ("persons", "countries", "cities", "un_resolutions", "whw_cities", "whw_host_countries",
              "whw_host_persons", "roles", "joined")
WHO_HOSTED_WHAT = ("whw_cities", "whw_host_countries", "whw_host_persons")
THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _meetings_of(resolved: Resolved) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in resolved.meetings:
        for aid, _ in m.mentions:
            if m not in out.setdefault(aid, []):
                out[aid].append(m)
    return out


def _fact_confidence(m, aid: str, slot: str, value: str) -> float:
    """The best confidence any of the article's mentions of meeting ``m`` gives ``value`` in
    ``slot`` (``city`` / ``host`` / ``host_country``); 1.0 where the mention records none."""
    best = 0.0
    for a, mm in m.mentions:
        if a != aid:
            continue
        conf = getattr(mm, "slot_confidence", None) or {}
        best = max(best, conf.get((slot, value), mm.confidence if hasattr(mm, "confidence") else 1.0))
    return best or 1.0


def predicted_facts(resolved: Resolved, min_confidence: float = 0.0) -> dict[str, dict[str, set]]:
    gz = gazetteer.load()
    out: dict[str, dict[str, set]] = {}
    meetings_of = _meetings_of(resolved)
    all_surfaces = {k: {normalize(s) for s in v["surfaces"]} for k, v in resolved.persons.items()}
    for r in resolved.results:
        aid = r.article.id
        surfaces: dict[str, set[str]] = {}
        for pm in r.person_mentions:
            surfaces.setdefault(resolved.person_of[pm.node], set()).add(normalize(pm.text))
        f = {c: set() for c in CATEGORIES}
        f["persons"] = {("person", k) for k in surfaces}
        f["countries"] = {m.node.split(":")[1] for m in r.mentions if m.kind == "Country"}
        f["cities"] = {gz.cities_by_code(m.node.split(":")[1]).name_en for m in r.mentions if m.kind == "City"}
        f["un_resolutions"] = {f"{x.body or 'UN'} {x.number}" for x in r.resolutions}
        for m in meetings_of.get(aid, []):
            hosts_by_country = {}
            for h in m.hosts:
                if h.startswith("person:") and _fact_confidence(m, aid, "host", h) >= min_confidence:
                    f["whw_host_persons"].add(("person", h))
                    for _, c in resolved.persons.get(h, {}).get("roles", []):
                        if c:
                            hosts_by_country.setdefault(c, h)
            for c in m.host_countries:
                if (_fact_confidence(m, aid, "host_country", c) >= min_confidence
                        or (c in hosts_by_country and _fact_confidence(m, aid, "host", hosts_by_country[c])
                            >= min_confidence)):
                    f["whw_host_countries"].add(c)
            if m.city and _fact_confidence(m, aid, "city", m.city) >= min_confidence:
                f["whw_cities"].add(int(m.city.split(":")[1]))
        for cid, role, _ in r.roles:
            if not role.former:
                f["roles"].add((resolved.person_of[cid], ROLE_LABELS[role.role], role.country))
        f["joined"] = {j.country for j in r.joins}
        f["_surfaces"] = surfaces
        f["_all_surfaces"] = all_surfaces   # the same build-wide map for every article
        out[aid] = f
    return out


def _same_name(a: str, b: str) -> bool:
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if len(short) < 2 and len(long_) > 1:
        return False
    n = len(short)
    return any(long_[i:i + n] == short for i in range(len(long_) - n + 1)) and short[-1] in long_[-2:]


def _gold_articles(gold: dict) -> dict[str, dict]:
    """Article id (file stem) → its gold facts, in one layout whatever the file's."""
    cities = gold.get("_city_geonames", {})
    gz = None
    out = {}
    for key, g in gold.items():
        if key.startswith("_") or not isinstance(g, dict) or key == "same_meeting":
            continue
        aid = key[:-4] if key.endswith(".txt") else key
        persons = g.get("persons", {})
        if isinstance(persons, list):
            ar = g.get("persons_ar", {})
            persons = {n: ([ar[n]] if isinstance(ar.get(n), str) else list(ar.get(n, []))) for n in persons}

        def city_id(name):
            nonlocal gz
            if name in cities:
                return int(cities[name])
            gz = gz or gazetteer.load()
            hit = [p for p in gz.by_geonames.values() if p.name_en == name]
            return max(hit, key=lambda p: p.population).geonames_id if hit else name
        meetings = g.get("meetings", [])
        out[aid] = {
            "persons": {n: {normalize(s) for s in forms} for n, forms in persons.items()},
            "countries": set(g.get("countries", [])),
            "cities": set(g.get("cities", [])),
            "un_resolutions": set(g["un_resolutions"]) if "un_resolutions" in g else None,
            "whw_cities": {city_id(m["city"]) for m in meetings if m.get("city")},
            "whw_host_countries": {c for m in meetings for c in m.get("host_countries", [])},
            "whw_host_persons": {h for m in meetings for h in m.get("hosts", [])},
            "roles": {tuple(x) for x in g["roles"]} if "roles" in g else None,
            "joined": set(g.get("joined_coalition", g.get("joined", []))),
        }
    return out


def evaluate(resolved: Resolved, gold_path: str | Path, thresholds=None) -> dict:
    gold = _read_gold(gold_path)
    garts = _gold_articles(gold)
    report, details = _score(resolved, garts, 0.0, with_details=True)
    report["overall_f1"] = round(sum(report[c]["f1"] for c in report) / len(report), 4)
    report["who_hosted_what_f1"] = {c: report[c]["f1"] for c in WHO_HOSTED_WHAT if c in report}
    report["articles"] = len([a for a in garts if a in {r.article.id for r in resolved.results}])
    if thresholds:
        report["thresholds"] = {str(t): {c: v for c, v in _score(resolved, garts, t)[0].items()
                                         if c in WHO_HOSTED_WHAT} for t in thresholds}
    report["same_meeting"] = _same_meeting_check(gold, resolved)
    report["details"] = details
    return report


def evaluate_per_article(results: list, gold_path: str | Path, groups: dict[str, tuple[str, ...]] | None = None,
                         thresholds=None) -> dict:
    """Score each article **built alone** (resolved on its own, as a reader of one article sees
    it) and sum the counts: cross-article merging cannot fill one report's gaps from another's.

    ``results``: per-article results (:func:`..pipeline.process_article`); ``groups``: named
    subsets of article ids given by their prefixes (``{"old": ("b", "c")}``), each scored on its
    own beside ``all``.  Returns ``{"all": report, group: report, …, "details": {...}}`` with
    each report as :func:`evaluate`'s categories plus ``overall_f1`` and ``articles``."""
    from .pipeline import resolve
    gold = _read_gold(gold_path)
    garts = _gold_articles(gold)
    groups = {"all": ("",), **(groups or {})}
    scored = [c for c in CATEGORIES if any(g[c] is not None for g in garts.values())]
    per: dict[str, dict] = {}
    details: dict[str, dict] = {}
    levels = [0.0] + [t for t in (thresholds or []) if t]
    for r in results:
        aid = r.article.id
        if aid not in garts:
            continue
        resolved = resolve([r])
        per[aid] = {}
        for t in levels:
            counts, det = _score(resolved, {aid: garts[aid]}, t, with_details=True, scored=scored)
            per[aid][t] = counts
            if t == 0.0:
                details.update(det)
    out: dict = {}
    for name, prefixes in groups.items():
        aids = [a for a in per if a.startswith(prefixes)]
        rep = {}
        for c in scored:
            tp = sum(per[a][0.0][c]["tp"] for a in aids)
            fp = sum(per[a][0.0][c]["fp"] for a in aids)
            fn = sum(per[a][0.0][c]["fn"] for a in aids)
            rep[c] = _prf(tp, fp, fn)
        rep["overall_f1"] = round(sum(rep[c]["f1"] for c in scored) / len(scored), 4) if scored else 0.0
        rep["who_hosted_what_f1"] = {c: rep[c]["f1"] for c in WHO_HOSTED_WHAT if c in rep}
        rep["articles"] = len(aids)
        rep["all_right"] = sum(1 for a in aids if all(per[a][0.0][c]["fp"] == per[a][0.0][c]["fn"] == 0
                                                       for c in WHO_HOSTED_WHAT if c in scored))
        if len(levels) > 1:
            rep["thresholds"] = {str(t): {c: _prf(*(sum(per[a][t][c][x] for a in aids) for x in ("tp", "fp", "fn")))
                                          for c in WHO_HOSTED_WHAT if c in scored} for t in levels[1:]}
        out[name] = rep
    out["details"] = details
    return out


def _read_gold(gold_path: str | Path) -> dict:
    gold_path = Path(gold_path)
    try:
        return json.loads(gold_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{gold_path}: no such gold file") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{gold_path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None


def _score(resolved, garts, min_confidence, with_details=False, scored=None):
    pred = predicted_facts(resolved, min_confidence)
    scored = scored or [c for c in CATEGORIES if any(g[c] is not None for g in garts.values())]
    totals = {c: [0, 0, 0] for c in scored}
    details = {}
    for aid, g in garts.items():
        if aid not in pred:
            continue
        p = pred[aid]
        spellings = g["persons"]

        def gold_name(person_key, local=True):
            for forms in ((p["_surfaces"].get(person_key, set()) if local else set()),
                          p["_all_surfaces"].get(person_key, set())):
                for name, sp in spellings.items():
                    if any(_same_name(a, b) for a in forms for b in sp):
                        return name
            return None

        pmap = {k: gold_name(k) for _, k in p["persons"]}
        sets = {
            "persons": {pmap[k] or f"?{k}" for _, k in p["persons"]},
            "countries": p["countries"], "cities": p["cities"], "un_resolutions": p["un_resolutions"],
            "whw_cities": p["whw_cities"], "whw_host_countries": p["whw_host_countries"],
            "whw_host_persons": {gold_name(k, local=False) or f"?{_label(resolved, k)}"
                                 for _, k in p["whw_host_persons"]},
            "roles": {(gold_name(k) or f"?{k}", role, c) for k, role, c in p["roles"]},
            "joined": p["joined"],
        }
        gold_sets = dict(g)
        gold_sets["persons"] = set(spellings)
        details[aid] = {}
        for c in scored:
            pr, gd = sets[c], gold_sets[c] or set()
            tp, fp, fn = len(pr & gd), len(pr - gd), len(gd - pr)
            totals[c][0] += tp
            totals[c][1] += fp
            totals[c][2] += fn
            if gd - pr or pr - gd:
                details[aid][c] = {"missing": sorted(map(str, gd - pr)), "extra": sorted(map(str, pr - gd))}
    return {c: _prf(*totals[c]) for c in scored}, details


def _label(resolved, key):
    return resolved.persons.get(key, {}).get("label", key)


def _same_meeting_check(gold: dict, resolved: Resolved) -> dict:
    """For each pair of gold meetings that are one meeting, is there one predicted meeting
    reported by both articles in the gold city?"""
    gz = gazetteer.load()
    out = {"pairs": 0, "merged": 0}
    for a, b in gold.get("same_meeting", []):
        fa, ida = a.split("#")
        fb, idb = b.split("#")
        city = next((m.get("city") for m in gold.get(fa, {}).get("meetings", []) if m["id"] == ida), None)
        out["pairs"] += 1
        for m in resolved.meetings:
            arts = {x for x, _ in m.mentions}
            name = gz.cities_by_code(m.city.split(":")[1]).name_en if m.city else None
            if fa[:-4] in arts and fb[:-4] in arts and name == city:
                out["merged"] += 1
                break
    return out
