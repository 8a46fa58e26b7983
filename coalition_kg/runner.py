"""Running the per-article steps over a whole batch: where and how, not what.

What happens to one article is :func:`.pipeline.process_article`'s business; this module runs it
over thousands of them:

* **batched NER**: the sentences of a chunk of articles go to the tagger in one call (sorted by
  length inside :meth:`.ner.Recognizer.tag`; :func:`.text.split_sentences` caps a sentence's
  tokens and characters, so one pathological sentence cannot blow up time or memory);
* **workers**: chunks run in ``workers`` processes (default: the machine's cores), each loading
  the tagger once, or on a **Dask** cluster (``scheduler``: ``"local"`` for a
  ``LocalCluster``, or ``tcp://HOST:PORT``), the tagger loaded once per Dask worker by a worker
  plugin;
* **the facts cache** (:mod:`.cache`): an article whose text and code/model version are unchanged
  is not processed again; every finished chunk is committed at once, so a killed build, run
  again, goes on where it stopped.

Results come back in input order (build-level resolution must not depend on which worker was
faster), compact (:meth:`.pipeline.ArticleResult.compact`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .ner import entities_from_tags
from .pipeline import ArticleResult, extract_article
from .reader import Article, shown
from .text import split_sentences

log = logging.getLogger(__name__)

CHUNK_WORDS = 6000          # words per chunk of articles sent to the tagger together (about 15 articles)
CHUNK_ARTICLES = 64         # and at most this many articles ($COALITION_KG_CHUNK_ARTICLES: fewer, so
                            # that a build commits its facts more often)
ENV_CHUNK = "COALITION_KG_CHUNK_ARTICLES"
WORKER_CHUNKS = 250         # chunks a worker process handles before a fresh one replaces it


@dataclass(frozen=True)
class TaggerSpec:
    """What a worker needs to load the same tagger as the main process (picklable)."""
    model: str | None = None
    stanza_dir: str | None = None
    transformer: str | None = None

    def load(self):
        from .ner import Recognizer
        return Recognizer(self.model, self.stanza_dir, transformer_dir=self.transformer)

    def is_transformer(self) -> bool:
        """Whether the tagger runs a transformer (reads the checkpoint's config, loads nothing
        else): such a tagger takes about a gigabyte per process, so a batch runs one of it."""
        from .ner import ModelError, tagger_choice, uses_transformer
        model_dir, stanza_dir = tagger_choice(self.model, self.stanza_dir)
        if model_dir is None:
            return False
        try:
            return uses_transformer(model_dir)
        except ModelError:
            return False        # loading it will report the problem


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:       # not Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# one chunk: what a worker does

def tag_chunk(articles: list[Article], recognizer) -> list:
    """(sentences, entities) per article, the chunk's sentences tagged in one call; when that
    call fails, article by article, so that one bad article is reported alone."""
    sentences = [split_sentences(a.text) for a in articles]
    flat = [s for ss in sentences for s in ss]
    try:
        tags = recognizer.tag(flat)
    except Exception:
        if len(articles) == 1:
            raise
        out = []
        for a in articles:
            try:
                out.extend(tag_chunk([a], recognizer))
            except Exception as exc:
                out.append(exc)
        return out
    out, k = [], 0
    for a, ss in zip(articles, sentences):
        out.append((ss, entities_from_tags(a.text, ss, tags[k:k + len(ss)])))
        k += len(ss)
    return out


def tag_chunk_reported(articles: list[Article], recognizer) -> list:
    """:func:`tag_chunk`, a failed article's exception turned into its one-line message."""
    return [f"{a.where}: NER failed ({type(t).__name__}: {t})" if isinstance(t, Exception) else t
            for a, t in zip(articles, tag_chunk(articles, recognizer))]


def process_chunk(articles: list[Article], recognizer, extract: bool = True) -> list:
    """Per article: its compact :class:`ArticleResult` (``extract``) or its entities, or a
    one-line error message."""
    return extract_tagged(articles, tag_chunk_reported(articles, recognizer), extract)


def extract_tagged(articles: list[Article], tagged: list, extract: bool = True) -> list:
    """The facts of tagged articles (``(sentences, entities)`` or an error message each)."""
    out = []
    for a, t in zip(articles, tagged):
        if isinstance(t, str):
            out.append(t)
            continue
        sentences, entities = t
        if not extract:
            out.append(entities)
            continue
        try:
            out.append(extract_article(a, sentences, entities).compact())
        except Exception as exc:  # one broken article must not sink the batch
            out.append(f"{a.where}: extraction failed ({type(exc).__name__}: {exc})")
    return out


# the tagger of a worker process (local pool or Dask worker), loaded once
_TAGGER = None
_SPEC: TaggerSpec | None = None


def _set_threads(threads: int) -> None:
    import torch
    torch.set_num_threads(threads)


def _init_worker(spec: TaggerSpec, threads: int | None) -> None:
    global _TAGGER, _SPEC
    if threads:
        _set_threads(threads)
    _SPEC = spec
    _TAGGER = spec.load()


@dataclass(frozen=True)
class Packed:
    """An article's facts packed by the worker that made them (:func:`.cache.pack`): the main
    process keeps them so until every article is done — a tenth of their size as objects, so
    that its memory stays small while the workers' is large — and stores them in the facts
    cache as they are."""
    blob: bytes


def _worker_tagger(spec: TaggerSpec):
    if _TAGGER is None or _SPEC != spec:       # a Dask worker that joined after the plugin ran
        _init_worker(spec, None)
    return _TAGGER


def _worker_tag(spec: TaggerSpec, articles: list[Article]) -> list:
    """The tagger process of :func:`_run_shared`: tags only."""
    try:
        return tag_chunk_reported(articles, _worker_tagger(spec))
    finally:
        _release_memory()


def _worker_chunk(spec: TaggerSpec, articles: list[Article], extract: bool) -> list:
    try:
        return _packed(process_chunk(articles, _worker_tagger(spec), extract))
    finally:
        _release_memory()


def _packed(outs: list) -> list:
    from .cache import pack
    return [Packed(pack(o)) if isinstance(o, ArticleResult) else o for o in outs]


_LIBC = None


def _release_memory() -> None:
    """Hand the heap's free pages back to the system after a chunk (glibc's ``malloc_trim``):
    a worker's tensors and token lists of every chunk otherwise leave its resident memory
    40-60 MB higher for the rest of the build.  A no-op where there is no glibc."""
    global _LIBC
    if _LIBC is None:
        try:
            import ctypes
            _LIBC = ctypes.CDLL("libc.so.6")
            _LIBC.malloc_trim.argtypes = [ctypes.c_size_t]
        except (OSError, AttributeError):
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)


# ---------------------------------------------------------------------------------------------
# the batch

def chunks(articles: Iterable[Article]) -> Iterator[list[Article]]:
    most = CHUNK_ARTICLES
    if os.environ.get(ENV_CHUNK, "").isdigit() and int(os.environ[ENV_CHUNK]) > 0:
        most = min(most, int(os.environ[ENV_CHUNK]))
    cur, words = [], 0
    for a in articles:
        cur.append(a)
        words += a.text.count(" ") + 1
        if words >= CHUNK_WORDS or len(cur) >= most:
            yield cur
            cur, words = [], 0
    if cur:
        yield cur


def run(articles: Iterable[Article], spec: TaggerSpec | None = None, recognizer=None, workers: int | None = None,
        scheduler: str | None = None, cache=None, errors: list[str] | None = None,
        progress: Callable[[int], None] | None = None, extract: bool = True, stats: dict | None = None) -> list:
    """Process every article; returns, in input order, the compact results (``extract``) or
    ``(article, entities)`` pairs.  Failed articles are reported into ``errors`` and left out.

    ``recognizer``: an already loaded tagger, used when running in this process (one worker);
    otherwise ``spec`` says what to load.  ``cache``: a :class:`.cache.FactsCache`."""
    articles = list(articles)
    errors = errors if errors is not None else []
    spec = spec or TaggerSpec()
    done: dict[int, object] = {}
    todo: list[tuple[int, Article]] = []
    if cache is not None and extract:
        hits = cache.get_many(articles)
        for i, a in enumerate(articles):
            if (a.id, a.key) in hits:
                done[i] = hits[(a.id, a.key)]
            else:
                todo.append((i, a))
        if progress and done:
            progress(len(done))
    else:
        todo = list(enumerate(articles))
    if stats is not None:
        stats.update(reused=len(done), processed=len(todo))
    batches = [list(b) for b in _index_chunks(todo)]
    workers = default_workers() if workers is None else max(1, workers)

    def finished(batch: list[tuple[int, Article]], outs: list) -> None:
        good, packed = [], []
        for (i, a), out in zip(batch, outs):
            if isinstance(out, str):
                errors.append(out)
            elif isinstance(out, Packed):
                done[i] = out
                packed.append((a.id, a.key, out.blob))
            else:
                if extract:
                    # the result's article is a copy made by the worker: keep the one we have
                    # (one copy of every text in memory, not two)
                    out = dataclasses.replace(out, article=a)
                done[i] = out if extract else (a, out)
                good.append(out)
        if cache is not None and extract:
            if good:
                cache.put_many(good)
            if packed:
                cache.put_packed(packed)
        if progress:
            progress(len(batch))

    if scheduler:
        _run_dask(batches, spec, scheduler, workers, extract, finished)
    elif not batches:
        pass                                   # everything came from the cache: no tagger loaded
    elif workers == 1 or len(batches) <= 1:
        rec = recognizer if recognizer is not None else spec.load()
        for batch in batches:
            finished(batch, process_chunk([a for _, a in batch], rec, extract))
    elif recognizer is None and spec.is_transformer():
        _run_shared(batches, spec, workers, extract, finished)
    else:
        _run_pool(batches, spec, min(workers, len(batches)), extract, finished)
    return [_unpacked(done.pop(i), articles[i]) for i in sorted(done)]


def _unpacked(out, article: Article):
    if not isinstance(out, Packed):
        return out
    from .cache import unpack
    # the article inside is a copy made by the worker: keep the one we have (one copy of every
    # text in memory, not two)
    return unpack(out.blob, article)


def _index_chunks(todo: list[tuple[int, Article]]) -> Iterator[list[tuple[int, Article]]]:
    pos = {id(a): (i, a) for i, a in todo}
    for chunk in chunks(a for _, a in todo):
        yield [pos[id(a)] for a in chunk]


def _run_pool(batches, spec, workers, extract, finished) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    # spawn, not fork: a forked torch runtime can hang; each worker loads the tagger once and
    # runs torch on one thread (the workers are the parallelism)
    # (loaded on its first chunk, so that a tagger that cannot load is an ordinary error)
    # a worker is replaced after WORKER_CHUNKS chunks, so that whatever its runtime keeps growing
    # (allocator fragments, caches) stays bounded on builds of many thousand articles
    recycle = {"max_tasks_per_child": WORKER_CHUNKS} if sys.version_info >= (3, 11) else {}
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_set_threads,
                             initargs=(1,), **recycle) as pool:
        _in_order(batches, lambda arts: pool.submit(_worker_chunk, spec, arts, extract), 2 * workers, finished)


def _run_shared(batches, spec, threads, extract, finished) -> None:
    """A transformer tagger: one process tags, its torch on ``threads`` threads, while this one
    extracts the facts of the chunk tagged before.  One tagger's memory instead of one per
    worker (about a gigabyte each), at the speed of the same cores: the transformer's matrix
    products use them all."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    recycle = {"max_tasks_per_child": WORKER_CHUNKS} if sys.version_info >= (3, 11) else {}
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"), initializer=_set_threads,
                             initargs=(threads,), **recycle) as pool:
        _in_order(batches, lambda arts: pool.submit(_worker_tag, spec, arts), 2,
                  lambda batch, tagged: finished(batch, _packed(extract_tagged([a for _, a in batch], tagged, extract))))


def _in_order(batches, submit, limit: int, finished) -> None:
    """Submit the chunks, at most ``limit`` in flight (memory stays flat), and hand each result
    to ``finished`` in submission order."""
    pending: deque = deque()
    for batch in batches:
        pending.append((batch, submit([a for _, a in batch])))
        if len(pending) >= limit:
            b, f = pending.popleft()
            finished(b, f.result())
    while pending:
        b, f = pending.popleft()
        finished(b, f.result())


def _run_dask(batches, spec, scheduler, workers, extract, finished) -> None:
    try:
        from distributed import Client, LocalCluster, WorkerPlugin
    except ImportError:
        raise ValueError("--scheduler needs Dask: pip install 'coalition-kg[dask]'") from None

    class TaggerPlugin(WorkerPlugin):
        """Loads the tagger once in every worker, including workers that join later."""

        def __init__(self, spec: TaggerSpec):
            self.spec = spec

        def setup(self, worker):
            _init_worker(self.spec, 1)

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler, timeout=30)
    try:
        client.register_plugin(TaggerPlugin(spec), name="coalition-kg-tagger")
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        _in_order(batches, lambda arts: client.submit(_worker_chunk, spec, arts, extract, pure=False),
                  2 * n_workers, finished)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
