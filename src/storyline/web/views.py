"""What the pages show, arranged from the library's objects: plain data for the templates.

Nothing here returns markup. Article content reaches the page only through the templates, where
Jinja's autoescape escapes it; a highlighted passage is three strings (before, passage, after),
each escaped on its own, never HTML spliced together here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode, urlsplit

from storyline.model import (
    Claim,
    CorpusEntity,
    Disagreement,
    Dossier,
    DossierArticle,
    DossierQuote,
    Evidence,
)
from storyline.web.timeline import MONTHS, date_label

__all__ = [
    "Passage",
    "article_url",
    "passage",
    "passage_url",
    "web_url",
]

ENTITY_GROUPS = {
    "PERSON": "People",
    "ORG": "Organisations",
    "GPE": "Places",
    "LOC": "Places",
    "FAC": "Places",
    "NORP": "Groups",
    "EVENT": "Events",
    "LAW": "Laws and documents",
    "WORK_OF_ART": "Laws and documents",
    "PRODUCT": "Other",
}
_GROUP_ORDER = ("People", "Organisations", "Places", "Groups", "Events", "Laws and documents")


def web_url(url: str | None) -> str | None:
    """``url`` if a browser would open it as an http(s) address, else None (no link made).

    Anything with whitespace or control characters is refused, since browsers strip some of
    them before reading the scheme (``java\\tscript:``).

    >>> web_url("https://example.org/a?b=1"), web_url("javascript:alert(1)"), web_url(" http://x")
    ('https://example.org/a?b=1', None, None)
    """
    if not url or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def day(moment: datetime | None) -> str:
    """``5 Mar 2024`` (empty for an unknown time)."""
    if moment is None:
        return ""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def article_url(article_id: str, start: int | None = None, end: int | None = None) -> str:
    """The article page, with the passage ``[start, end)`` highlighted and scrolled to."""
    path = "/articles/" + quote(article_id, safe="")
    if start is None or end is None:
        return path
    return f"{path}?{urlencode({'start': start, 'end': end})}#passage"


def passage_url(article_id: str, start: int, end: int) -> str:
    """The JSON the story page's source panel shows for one citation."""
    return "/web/passage?" + urlencode({"article": article_id, "start": start, "end": end})


@dataclass(frozen=True, slots=True, kw_only=True)
class Passage:
    """A span of an article's text with some of its context, in three plain strings."""

    before: str
    text: str
    after: str
    clipped_before: bool
    clipped_after: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "before": self.before,
            "passage": self.text,
            "after": self.after,
            "clipped_before": self.clipped_before,
            "clipped_after": self.clipped_after,
        }


def valid_span(text: str, start: int | None, end: int | None) -> bool:
    return start is not None and end is not None and 0 <= start < end <= len(text)


def passage(text: str, start: int, end: int, *, context: int | None = None) -> Passage:
    """``text[start:end]`` with what comes before and after it: all of it, or about
    ``context`` characters each side, cut at a paragraph break or a space.

    >>> p = passage("One. Two three. Four. Five.", 5, 15, context=7)
    >>> (p.before, p.text, p.after, p.clipped_after)
    ('One. ', 'Two three.', ' Four.', True)
    """
    if not valid_span(text, start, end):
        raise ValueError(f"span {start}-{end} is not in a text of {len(text)} characters")
    if context is None:
        return Passage(
            before=text[:start],
            text=text[start:end],
            after=text[end:],
            clipped_before=False,
            clipped_after=False,
        )
    left = max(0, start - context)
    if left > 0:
        cut = text.find("\n", left, start)
        if cut < 0:
            cut = text.find(" ", left, start)
        left = cut + 1 if cut >= 0 else start
    right = min(len(text), end + context)
    if right < len(text):
        cut = text.rfind("\n", end, right)
        if cut < 0:
            cut = text.rfind(" ", end, right)
        right = cut if cut >= 0 else end
    return Passage(
        before=text[left:start].lstrip("\n"),
        text=text[start:end],
        after=text[end:right].rstrip("\n"),
        clipped_before=left > 0,
        clipped_after=right < len(text),
    )


# -- story page --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    """A link to the passage a statement comes from, labelled with the outlet."""

    label: str
    title: str
    href: str
    passage: str

    @classmethod
    def of(cls, evidence: Evidence, articles: Mapping[str, DossierArticle]) -> Citation:
        article = articles.get(evidence.article_id)
        source = (article.source if article else None) or evidence.article_id
        when = day(article.published) if article else ""
        return cls(
            label=source,
            title=f"{source}, {when}" if when else source,
            href=article_url(evidence.article_id, evidence.start, evidence.end),
            passage=passage_url(evidence.article_id, evidence.start, evidence.end),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceGroup:
    """A story's article and the copies of it (wire copies, near-duplicates) folded under it."""

    article: DossierArticle
    copies: tuple[DossierArticle, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimView:
    claim: Claim
    citations: tuple[Citation, ...]
    disputed: tuple[str, ...]
    """The types of the disagreements this claim is part of."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DisagreementView:
    disagreement: Disagreement
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeakerQuotes:
    speaker: str
    role: str | None
    quotes: tuple[tuple[DossierQuote, Citation], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryView:
    dossier: Dossier
    brief: tuple[tuple[str, Citation], ...]
    claims: tuple[ClaimView, ...]
    disagreements: tuple[DisagreementView, ...]
    disagreement_types: tuple[tuple[str, int], ...]
    timeline: tuple[tuple[str, str, str, tuple[Citation, ...]], ...]
    """``(date label, precision, text, citations)`` per entry, in the dossier's order."""
    speakers: tuple[SpeakerQuotes, ...]
    sources: tuple[SourceGroup, ...]
    outlets: int
    entities: tuple[tuple[str, tuple[CorpusEntity, ...]], ...]
    first: str
    last: str


def fold_sources(articles: Sequence[DossierArticle]) -> tuple[SourceGroup, ...]:
    """Each article that copies none of the story's others, with its copies under it."""
    ids = {a.id for a in articles}
    copies: dict[str, list[DossierArticle]] = defaultdict(list)
    for article in articles:
        if article.duplicate_of is not None and article.duplicate_of in ids:
            copies[article.duplicate_of].append(article)
    return tuple(
        SourceGroup(article=a, copies=tuple(copies.get(a.id, ())))
        for a in articles
        if a.duplicate_of is None or a.duplicate_of not in ids
    )


def group_entities(
    entities: Iterable[CorpusEntity],
) -> tuple[tuple[str, tuple[CorpusEntity, ...]], ...]:
    """Entities under reader-friendly headings (People, Organisations, Places...), the most
    reported first in each."""
    groups: dict[str, list[CorpusEntity]] = defaultdict(list)
    for entity in entities:
        groups[ENTITY_GROUPS.get(entity.label, "Other")].append(entity)
    order = [*_GROUP_ORDER, "Other"]
    return tuple(
        (name, tuple(sorted(groups[name], key=lambda e: (-len(e.article_ids), e.canonical))))
        for name in order
        if groups.get(name)
    )


def story_view(dossier: Dossier) -> StoryView:
    """The story page's sections, from the dossier."""
    articles = {a.id: a for a in dossier.articles}

    def cite(evidence: Evidence) -> Citation:
        return Citation.of(evidence, articles)

    disputed: dict[str, list[str]] = defaultdict(list)
    for disagreement in dossier.disagreements:
        for claim_id in disagreement.claim_ids:
            if disagreement.type.value not in disputed[claim_id]:
                disputed[claim_id].append(disagreement.type.value)
    claims = tuple(
        ClaimView(
            claim=c,
            citations=tuple(cite(e) for e in c.support),
            disputed=tuple(disputed.get(c.id, ())),
        )
        for c in dossier.claims
    )
    by_id = {view.claim.id: view for view in claims}
    # Disputed claims first, then the best corroborated (the dossier's order breaks ties).
    claims = tuple(sorted(claims, key=lambda v: (not v.disputed, -v.claim.independent_sources)))
    type_counts: dict[str, int] = defaultdict(int)
    for disagreement in dossier.disagreements:
        type_counts[disagreement.type.value] += 1

    speakers: dict[str, list[DossierQuote]] = {}
    for said in dossier.quotes:
        speakers.setdefault(said.speaker, []).append(said)
    speaker_views = tuple(
        SpeakerQuotes(
            speaker=name,
            role=next((q.role for q in quotes if q.role), None),
            quotes=tuple(
                (q, cite(Evidence(article_id=q.article_id, start=q.start, end=q.end)))
                for q in quotes
            ),
        )
        for name, quotes in sorted(speakers.items(), key=lambda item: (-len(item[1]), item[0]))
    )
    published = [a.published for a in dossier.articles if a.published is not None]
    return StoryView(
        dossier=dossier,
        brief=tuple(
            (
                b.sentence,
                cite(Evidence(article_id=b.article_id, start=b.start, end=b.end)),
            )
            for b in dossier.brief
        ),
        claims=claims,
        disagreements=tuple(
            DisagreementView(
                disagreement=d,
                claims=tuple(by_id[c] for c in d.claim_ids if c in by_id),
            )
            for d in dossier.disagreements
        ),
        disagreement_types=tuple(sorted(type_counts.items())),
        timeline=tuple(
            (
                date_label(t.date),
                t.precision.value,
                t.text,
                tuple(cite(e) for e in t.sources),
            )
            for t in dossier.timeline
        ),
        speakers=speaker_views,
        sources=fold_sources(dossier.articles),
        outlets=len({a.source or a.id for a in dossier.articles}),
        entities=group_entities(dossier.entities),
        first=day(min(published)) if published else "",
        last=day(max(published)) if published else "",
    )
