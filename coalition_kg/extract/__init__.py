"""Step 5: facts — one module per kind of fact, the cue lexicons beside them as data.

* :mod:`.roles` — titles before and after names;
* :mod:`.resolutions` — UN Security Council resolutions;
* :mod:`.memberships` — countries joining the coalition;
* :mod:`.meetings` — meeting triggers and the slots their sentence fills;
* :mod:`.frames` — meeting frames completed from the whole article and merged;
* :mod:`.lexicon` — the cue word lists (``lexicon/*.txt``), which a linguist can extend.

Works on one article at a time: its sentences, the typed place/organization mentions from
:mod:`..linking` and the person mentions (already clustered within the article).  Cross-article
merging happens in :mod:`..resolve`.
"""

from ..dates import article_date
from .frames import find_meetings, merge_in_article
from .meetings import MeetingMention
from .memberships import JoinMention, coalition_sentences, find_joins, ordinal_at
from .resolutions import ResolutionMention, find_resolutions
from .roles import ROLE_HEADS, ROLE_LABELS, Role, _head_at, counterpart_before, read_title, roles_after, roles_before

__all__ = ["Role", "roles_before", "roles_after", "counterpart_before", "read_title", "find_resolutions",
           "find_joins", "find_meetings", "merge_in_article", "article_date", "ROLE_LABELS", "ROLE_HEADS",
           "coalition_sentences", "ordinal_at", "MeetingMention", "JoinMention", "ResolutionMention", "_head_at"]
