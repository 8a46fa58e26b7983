"""The whole build against the NER alone, on a corpus of N real Arabic articles.

    python bench/pipeline.py --articles N [--workers W] [--repeat R] [--workdir DIR] [--keep]
                             [--input txt|jsonl|both] [--reading-only]

The corpus is made reproducibly from real Arabic text: the seed articles and the development
articles in ../shared, then ANERcorp's sentences (newswire) grouped in document order into
articles of 12-30 sentences (a fixed seed picks the lengths); each further pass over ANERcorp
groups its sentences anew from another starting point, so articles do not repeat while the same
persons and places recur.  Each phase runs the real command line in its own process (start-up
included), one after the other, with a facts cache of its own:

* ``ner_only_s``: ``coalition-kg ner`` over all the articles (the same batching and workers);
* ``pipeline_s``: ``coalition-kg build … --store`` (NER, extraction, resolution, RDF, store, Turtle);
* ``rebuild_unchanged_s``: the same build again into the same store, nothing changed;

and prints one JSON object with ``articles``, ``tokens``, ``articles_per_s``, ``tokens_per_s``,
``peak_rss_mb`` (the largest summed resident memory of a phase's process tree: the command and
its workers), ``ner_only_s``, ``pipeline_s``, ``rebuild_unchanged_s``, ``store_mb`` and
``who_hosted_what_ms`` (median of 20, embedded store), and the build's own split of its time
(``build_seconds``: articles, resolve, rdf_and_store, output), and the CPU seconds of each
phase's whole process tree (``ner_only_cpu_s``, ``pipeline_cpu_s`` and their ratio: the work done,
steadier than wall time on a shared machine).  Read ratios, not seconds: these
machines are shared.  ``--repeat R`` runs the NER-alone phase and the build R times, alternating
(each build into a fresh store, with a fresh facts cache), and reports the medians, every run's
figures (``runs``) and the ratio of each NER/build pair: a machine that slows down for a while
then shifts one pair, not the median.

``--input jsonl`` feeds the same articles as one JSON Lines file (``corpus.jsonl``: id, url,
date, outlet and text a line) to both commands instead of N ``.txt`` files; ``--input both``
runs the whole bench once per form and prints ``{"txt": …, "jsonl": …, "jsonl_over_txt": …}``.
``--reading-only`` measures only what differs between the two, reading the inputs into
articles (:func:`coalition_kg.readers.iter_inputs`, in this process, median of 5), and prints
``read_txt_s``, ``read_jsonl_s`` (and gzip-compressed, ``read_jsonl_gz_s``) with their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def anercorp_sentences(path: Path) -> list[str]:
    sentences, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            continue
        cur.append(parts[0])
        if parts[0] == ".":
            sentences.append(" ".join(cur))
            cur = []
    return sentences


def anercorp_articles(path: Path, rng: random.Random, offset: int = 0) -> list[str]:
    """ANERcorp's sentences in document order, from ``offset`` on (wrapping around), grouped
    into articles of 12-30 sentences."""
    sentences = anercorp_sentences(path)
    sentences = sentences[offset:] + sentences[:offset]
    out, i = [], 0
    while i < len(sentences):
        n = rng.randint(12, 30)
        out.append("\n".join(sentences[i:i + n]))
        i += n
    return out


def corpus(n: int, directory: Path) -> int:
    """N articles: the seeds and the development articles, then ANERcorp articles; past one
    pass over ANERcorp the next pass groups its sentences anew (another seed, another starting
    point), so that no article repeats another while the same persons and places recur, as in
    years of news; a seed or development article met again is marked as another copy."""
    real = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    real += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "dev" / "docs").glob("*.txt"))]
    anercorp = SHARED / "data" / "anercorp" / "ANERCorp.txt"
    directory.mkdir(parents=True, exist_ok=True)
    tokens, k, rnd, seen = 0, 0, 0, set()
    while k < n:
        texts = [t if rnd == 0 else f"{t}\n(نسخة {rnd})" for t in real]
        texts += anercorp_articles(anercorp, random.Random(20261201 + rnd), offset=rnd * 97)
        for text in texts:
            if k >= n:
                break
            if text in seen:                  # a regrouping that gave an article already made
                text = f"{text}\n(نسخة {rnd})"
            seen.add(text)
            (directory / f"a{k:05d}.txt").write_text(text, encoding="utf-8")
            tokens += len(text.split())
            k += 1
        rnd += 1
    return tokens


def write_jsonl(directory: Path, path: Path) -> None:
    """The corpus's .txt files as one JSON Lines file (streamed), the same texts; ids as the
    files' stems, so the two forms build the same articles."""
    import datetime as dt
    with path.open("w", encoding="utf-8") as out:
        for k, p in enumerate(sorted(directory.glob("*.txt"))):
            day = dt.date(2020, 1, 1) + dt.timedelta(days=k % 1500)
            out.write(json.dumps({"id": p.stem, "url": f"https://bench.example/{p.stem}", "date": day.isoformat(),
                                  "outlet": "bench", "text": p.read_text(encoding="utf-8")},
                                 ensure_ascii=False) + "\n")


def reading_only(docs: Path, jsonl: Path, repeat: int = 5) -> dict:
    import gzip
    from coalition_kg.readers import iter_inputs
    gz = jsonl.with_name(jsonl.name + ".gz")
    gz.write_bytes(gzip.compress(jsonl.read_bytes()))
    out = {}
    for name, inputs in (("txt", [docs]), ("jsonl", [jsonl]), ("jsonl_gz", [gz])):
        times, n = [], 0
        for _ in range(repeat):
            t = time.perf_counter()
            n = len(list(iter_inputs(inputs, [], [])))
            times.append(time.perf_counter() - t)
        out[f"read_{name}_s"] = round(statistics.median(times), 4)
        out[f"articles_{name}"] = n
    out["jsonl_over_txt"] = round(out["read_jsonl_s"] / out["read_txt_s"], 3)
    out["jsonl_gz_over_txt"] = round(out["read_jsonl_gz_s"] / out["read_txt_s"], 3)
    out["jsonl_mb"] = round(jsonl.stat().st_size / 1e6, 2)
    return out


def _reset_facts(path: Path) -> None:
    """A fresh facts cache: the SQLite file and its write-ahead log (a log left beside a new file
    would be read as the new file's)."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


def _children_cpu() -> float:
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_phase(cmd: list[str], env: dict, output: list | None = None) -> tuple[float, float, float, float]:
    """Wall seconds, the peaks of the summed resident memory (RSS) and of the summed
    proportional set size (PSS: shared library pages counted once) of the command's process tree
    (the main process and its workers), sampled every 0.25 s, and the CPU seconds (user + system)
    the whole tree used."""
    import psutil
    cpu = _children_cpu()
    t = time.perf_counter()
    out_file = tempfile.TemporaryFile() if output is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out_file, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    peak = peak_pss = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [ps, *ps.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
            peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.25)
    wall = time.perf_counter() - t
    cpu = _children_cpu() - cpu
    err = proc.stderr.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}): {err[-800:]}")
    if output is not None:
        out_file.seek(0)
        output.append(out_file.read().decode("utf-8", "replace"))
        out_file.close()
    return wall, peak / 1e6, peak_pss / 1e6, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--workers", type=int, help="passed to both commands (default: theirs, the cores)")
    ap.add_argument("--repeat", type=int, default=1, help="run the NER-alone phase and the build this many "
                    "times, alternating; medians are reported")
    ap.add_argument("--no-ner-only", action="store_true",
                    help="skip the NER-alone phase (for memory at large N: ner_only_s is then null)")
    ap.add_argument("--input", choices=("txt", "jsonl", "both"), default="txt",
                    help="feed the articles as N .txt files (default), as one JSON Lines file, or both in turn")
    ap.add_argument("--reading-only", action="store_true",
                    help="only time reading the articles from .txt files and from one JSON Lines file")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="ckg-bench-"))
    docs = work / "docs"
    tokens = corpus(args.articles, docs)
    jsonl = work / "corpus.jsonl"
    if args.input != "txt" or args.reading_only:
        write_jsonl(docs, jsonl)
    if args.reading_only:
        print(json.dumps({"articles": args.articles, "tokens": tokens, **reading_only(docs, jsonl)}))
    elif args.input == "both":
        res = {form: bench(args, work, docs, jsonl, tokens, form) for form in ("txt", "jsonl")}
        res["jsonl_over_txt"] = {k: round(res["jsonl"][k] / res["txt"][k], 3)
                                 for k in ("pipeline_s", "pipeline_cpu_s", "ner_only_s", "rebuild_unchanged_s")
                                 if res["txt"].get(k) and res["jsonl"].get(k)}
        print(json.dumps(res))
    else:
        print(json.dumps(bench(args, work, docs, jsonl, tokens, args.input)))
    if not args.keep and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


def bench(args, work: Path, docs: Path, jsonl: Path, tokens: int, form: str) -> dict:
    out, store = work / "out", work / "store"
    for p in (out, store):
        shutil.rmtree(p, ignore_errors=True)
    cli = [sys.executable, "-m", "coalition_kg.cli"]
    files = sorted(str(p) for p in docs.glob("*.txt")) if form == "txt" else [str(jsonl)]
    source = str(docs) if form == "txt" else str(jsonl)
    # a facts cache of its own: the first build processes every article, the second none
    env = dict(os.environ, COALITION_KG_FACTS=str(work / "facts.sqlite"))
    _reset_facts(Path(env["COALITION_KG_FACTS"]))
    workers = ["--workers", str(args.workers)] if args.workers else []
    runs = []
    for r in range(max(1, args.repeat)):
        for p in (out, store):
            shutil.rmtree(p, ignore_errors=True)
        _reset_facts(Path(env["COALITION_KG_FACTS"]))
        ner = (None, 0.0, 0.0, None) if args.no_ner_only else run_phase(cli + ["ner"] + workers + files, env)
        printed: list[str] = []
        build = run_phase(cli + ["build", source, "--out", str(out), "--store", str(store), "-q", "--json"]
                          + workers, env, printed)
        try:
            split = json.loads(printed[0]).get("seconds")
        except (ValueError, IndexError):
            split = None
        runs.append({"ner_only_s": ner[0] and round(ner[0], 2), "pipeline_s": round(build[0], 2),
                     "pipeline_over_ner": ner[0] and round(build[0] / ner[0], 3),
                     "ner_only_cpu_s": ner[3] and round(ner[3], 1), "pipeline_cpu_s": round(build[3], 1),
                     "cpu_pipeline_over_ner": ner[3] and round(build[3] / ner[3], 3), "build_seconds": split,
                     "rss": (ner[1], build[1]), "pss": (ner[2], build[2])})
    med = statistics.median
    ner_s = None if args.no_ner_only else med(r["ner_only_s"] for r in runs)
    build_s = med(r["pipeline_s"] for r in runs)
    rss_ner, rss_build = max(r["rss"][0] for r in runs), max(r["rss"][1] for r in runs)
    pss_ner, pss_build = max(r["pss"][0] for r in runs), max(r["pss"][1] for r in runs)
    for r in runs:
        r.pop("rss"), r.pop("pss")
    rebuild_s, rss_rebuild, pss_rebuild, _ = run_phase(cli + ["build", source, "--out", str(out), "--store", str(store), "-q"]
                                       + workers, env)
    from coalition_kg.query import resolve_query
    from coalition_kg.store import OxigraphStore
    st = OxigraphStore(store, read_only=True)
    q = resolve_query("who_hosted_what")
    times = []
    for _ in range(20):
        t = time.perf_counter()
        st.query(q.text, q.bind({}))
        times.append((time.perf_counter() - t) * 1000)
    store_mb = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 1e6
    return {
        "input": form, "articles": args.articles, "tokens": tokens,
        "articles_per_s": round(args.articles / build_s, 3), "tokens_per_s": round(tokens / build_s, 1),
        "peak_rss_mb": round(max(rss_ner, rss_build, rss_rebuild), 1),
        "peak_pss_mb": round(max(pss_ner, pss_build, pss_rebuild), 1),
        "ner_only_s": ner_s and round(ner_s, 2), "pipeline_s": round(build_s, 2),
        "rebuild_unchanged_s": round(rebuild_s, 2),
        "pipeline_over_ner": ner_s and round(build_s / ner_s, 3), "rebuild_over_pipeline": round(rebuild_s / build_s, 3),
        "peak_rss_mb_phases": {"ner": round(rss_ner), "build": round(rss_build), "rebuild": round(rss_rebuild)},
        "store_mb": round(store_mb, 2), "workers": args.workers or os.cpu_count(),
        "who_hosted_what_ms": round(statistics.median(times), 2), "cpus": os.cpu_count(),
        "ner_only_cpu_s": ner_s and med(r["ner_only_cpu_s"] for r in runs),
        "pipeline_cpu_s": med(r["pipeline_cpu_s"] for r in runs),
        "cpu_pipeline_over_ner": ner_s and med(r["cpu_pipeline_over_ner"] for r in runs),
        "build_seconds": runs[-1]["build_seconds"],
        **({"runs": runs, "pipeline_over_ner_median": med(r["pipeline_over_ner"] for r in runs)}
           if len(runs) > 1 and ner_s else {}),
    }


if __name__ == "__main__":
    main()
