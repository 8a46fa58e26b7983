"""The one-way flow, end to end: read → tokenize → NER → link → extract → resolve → (RDF in :mod:`.rdf`).

:func:`process_article` does everything that needs only one article; :func:`resolve` (in
:mod:`.resolve`) does what needs them all (one person across articles, one meeting reported by
several articles).  Each step lives in its own module; this one only calls them in order.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from . import extract, linking, names, persons
from .dates import PartialDate, publication_date
from .extract import JoinMention, MeetingMention, ResolutionMention, Role
from .linking import Mention
from .ner import Entity
from .reader import Article
from .resolve import GOVERNMENT_ROLES, Meeting, Resolved, resolve
from .text import Sentence, split_sentences

__all__ = ["ArticleResult", "process_article", "extract_article", "resolve", "Resolved", "Meeting",
           "GOVERNMENT_ROLES"]


@dataclass
class ArticleResult:
    article: Article
    sentences: list[Sentence]
    entities: list[Entity]
    mentions: list[Mention]                 # places and organizations
    person_mentions: list[Mention]          # node = article-level cluster id
    person_roles: dict[str, set]            # cluster id -> {(role, country)}
    roles: list[tuple[str, Role, int]]      # (cluster id, role, sentence)
    resolutions: list[ResolutionMention]
    joins: list[JoinMention]
    meetings: list[MeetingMention]
    date: PartialDate | None
    clusters: list[persons.PersonCluster] = field(default_factory=list)

    def compact(self) -> "ArticleResult":
        """The same result without the tokens and the tagger's raw entities (linked mentions
        keep what the graph needs): what resolution, RDF and the facts cache need."""
        return dataclasses.replace(self, sentences=[Sentence(s.index, s.start, s.end) for s in self.sentences],
                                   entities=[])


def process_article(article: Article, recognizer) -> ArticleResult:
    sentences = split_sentences(article.text)
    entities = recognizer(article.text, sentences)
    return extract_article(article, sentences, entities)


def extract_article(article: Article, sentences: list[Sentence], entities: list[Entity]) -> ArticleResult:
    text = article.text
    entities = linking.retype_places(sentences, entities)                      # type & link
    mentions = linking.link(text, sentences, entities)
    people = names.article_persons(article, sentences, entities, mentions)    # persons and roles
    mentions = people.mentions
    places = [m for m in mentions if m.kind in ("Country", "City")]
    # the date relative dates are anchored on: the dateline (what the text itself was written
    # against; a page's metadata date may be an update's or a re-publication's), else the
    # publication date the input gives
    art_date = extract.article_date(sentences) or publication_date(article.issued)   # facts
    unsc = any(m.node == "org:unsc" for m in mentions)
    resolutions = extract.find_resolutions(text, sentences, unsc)
    joins = extract.find_joins(sentences, places, extract.coalition_sentences(mentions, sentences))
    orgs = [m for m in mentions if m.kind == "Organization"]
    meetings = extract.find_meetings(text, sentences, places, people.person_mentions, people.person_roles, art_date,
                                     orgs)
    return ArticleResult(article, sentences, entities, mentions, people.person_mentions, people.person_roles,
                         people.roles, resolutions, joins, meetings, art_date, people.clusters)
