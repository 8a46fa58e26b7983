"""Measuring the graph against hand-made gold facts (``coalition-kg eval-kg``).

This module only *reads* a gold file to score what the pipeline already produced; nothing in
the build path imports it.  Matching rules:

* a predicted person is a gold person when one of its surface forms in that article equals
  (after :func:`text.normalize`) one of the gold Arabic spellings;
* countries by ISO code, cities by GeoNames English name, resolutions as ``UNSC 2254``;
* meeting hosts and meeting cities per article, over the meetings the article reports;
* roles as (person, role label, country); joined members as ISO codes.

Scores are micro-averaged over articles; ``overall_f1`` is the mean of the categories' F1.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import gazetteer
from .extract import ROLE_LABELS
from .pipeline import Resolved
from .text import normalize

CATEGORIES = ("persons", "countries", "cities", "un_resolutions", "meeting_hosts", "meeting_host_countries",
              "meeting_cities", "roles", "joined")


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def predicted_facts(resolved: Resolved) -> dict[str, dict[str, set]]:
    gz = gazetteer.load()
    out: dict[str, dict[str, set]] = {}
    meetings_of: dict[str, list] = {}
    for m in resolved.meetings:
        for aid, _ in m.mentions:
            if m not in meetings_of.setdefault(aid, []):
                meetings_of[aid].append(m)
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
            f["meeting_hosts"] |= {("person", h) for h in m.hosts if h.startswith("person:")}
            f["meeting_host_countries"] |= set(m.host_countries)
            if m.city:
                f["meeting_cities"].add(gz.cities_by_code(m.city.split(":")[1]).name_en)
        for cid, role, _ in r.roles:
            if not role.former:
                f["roles"].add((resolved.person_of[cid], ROLE_LABELS[role.role], role.country))
        f["joined"] = {j.country for j in r.joins}
        f["_surfaces"] = surfaces
        f["_all_surfaces"] = all_surfaces   # the same build-wide map for every article
        out[aid] = f
    return out


def evaluate(resolved: Resolved, gold_path: str | Path) -> dict:
    gold_path = Path(gold_path)
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{gold_path}: no such gold file") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{gold_path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    pred = predicted_facts(resolved)
    totals = {c: [0, 0, 0] for c in CATEGORIES}
    details = {}
    for fname, g in gold.items():
        if not fname.endswith(".txt"):
            continue
        aid = fname[:-4]
        if aid not in pred:
            continue
        p = pred[aid]
        spellings = {name: {normalize(s) for s in forms} for name, forms in g.get("persons", {}).items()}

        def gold_name(person_key, local=True):
            forms = p["_surfaces"].get(person_key, set()) if local else p["_all_surfaces"].get(person_key, set())
            for name, sp in spellings.items():
                if forms & sp:
                    return name
            # a host named in another article: match on any of its spellings across the build
            for name, sp in spellings.items():
                if p["_all_surfaces"].get(person_key, set()) & sp:
                    return name
            return None

        pmap = {k: gold_name(k) for _, k in p["persons"]}
        sets = {
            "persons": ({pmap[k] or f"?{k}" for _, k in p["persons"]}, set(spellings)),
            "countries": (p["countries"], set(g.get("countries", []))),
            "cities": (p["cities"], set(g.get("cities", []))),
            "un_resolutions": (p["un_resolutions"], set(g.get("un_resolutions", []))),
            "meeting_hosts": ({gold_name(k, local=False) or f"?{k}" for _, k in p["meeting_hosts"]},
                              {h for m in g.get("meetings", []) for h in m.get("hosts", [])}),
            "meeting_host_countries": (p["meeting_host_countries"],
                                       {c for m in g.get("meetings", []) for c in m.get("host_countries", [])}),
            "meeting_cities": (p["meeting_cities"], {m["city"] for m in g.get("meetings", []) if m.get("city")}),
            "roles": ({(gold_name(k) or f"?{k}", role, c) for k, role, c in p["roles"]},
                      {tuple(x) for x in g.get("roles", [])}),
            "joined": (p["joined"], set(g.get("joined_coalition", []))),
        }
        details[aid] = {}
        for c, (pr, gd) in sets.items():
            tp, fp, fn = len(pr & gd), len(pr - gd), len(gd - pr)
            totals[c][0] += tp
            totals[c][1] += fp
            totals[c][2] += fn
            details[aid][c] = {"missing": sorted(map(str, gd - pr)), "extra": sorted(map(str, pr - gd))}
    report = {c: _prf(*totals[c]) for c in CATEGORIES}
    report["overall_f1"] = round(sum(report[c]["f1"] for c in CATEGORIES) / len(CATEGORIES), 4)
    report["same_meeting"] = _same_meeting_check(gold, resolved)
    report["details"] = details
    return report


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
