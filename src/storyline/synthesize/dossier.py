"""A story's dossier: what all its reports say together, with evidence for every line.

:func:`build_dossier` is the synthesize stage's one entry point. It reads a
:class:`~storyline.model.StoryMaterial` (the story's articles, their annotations and corpus
entities) and assembles the parts, each built by its own module:

* claims, their corroboration and the disagreements between them (:mod:`.claims`,
  :mod:`.disagreements`);
* the dated timeline (:mod:`.timeline`);
* quotes grouped by canonical speaker (:mod:`.quotes`);
* the extractive brief (:mod:`.brief`), optionally through a user's summarizer.

It reads nothing but its argument, so a dossier is a pure function of the story's material:
the same store gives the same dossier, byte for byte, in every run.
"""

from __future__ import annotations

import importlib

from storyline.config import DossierSettings
from storyline.errors import ConfigError
from storyline.model import Dossier, DossierArticle, StoryMaterial
from storyline.synthesize.brief import Summarizer, build_brief
from storyline.synthesize.claims import analyze_claims
from storyline.synthesize.quotes import quotes_by_speaker
from storyline.synthesize.timeline import build_timeline

__all__ = ["build_dossier", "load_summarizer"]


def load_summarizer(spec: str) -> Summarizer | None:
    """The summarizer a ``dossier.summarizer`` setting names (``"package.module:factory"``),
    made by calling the factory; None for an empty setting."""
    if not spec:
        return None
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"dossier.summarizer must be 'module:callable', not {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"dossier.summarizer {spec!r} cannot be loaded: {exc}") from exc
    summarizer: Summarizer = factory()
    return summarizer


def build_dossier(
    material: StoryMaterial,
    settings: DossierSettings | None = None,
    *,
    summarizer: Summarizer | None = None,
) -> Dossier:
    """The dossier of one story.

    ``summarizer`` overrides the one ``settings.summarizer`` names (callers that build many
    dossiers load it once with :func:`load_summarizer`).
    """
    settings = settings or DossierSettings()
    if summarizer is None:
        summarizer = load_summarizer(settings.summarizer)
    timeline = build_timeline(material)
    claims, disagreements = analyze_claims(material, timeline)
    brief = build_brief(
        material,
        claims,
        disagreements,
        max_sentences=settings.brief_sentences,
        summarizer=summarizer,
    )
    return Dossier(
        id=material.story.id,
        title=material.story.title,
        articles=tuple(
            DossierArticle(
                id=a.id,
                source=a.source,
                published=a.published,
                url=a.url,
                title=a.title,
                duplicate_of=a.duplicate_of,
            )
            for a in material.articles
        ),
        entities=material.entities,
        quotes=quotes_by_speaker(material),
        claims=claims,
        disagreements=disagreements,
        timeline=timeline,
        brief=brief,
    )
