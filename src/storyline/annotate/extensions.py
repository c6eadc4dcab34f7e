"""The ``Doc`` extensions our spaCy components read and write.

Every component of the annotate stage hangs its results off one ``Doc``:

* ``doc._.published``: the article's publication time (``datetime``/``date`` or None), set
  before the pipeline runs; time expressions are resolved against it.
* ``doc._.entities``: ``list[Entity]``, named entities with in-document canonical names.
* ``doc._.quotes``: ``list[Quote]``, direct and indirect quotes with cue and speaker.
* ``doc._.quantities``: ``list[Quantity]``.
* ``doc._.timexes``: ``list[Timex]``.

Values default to None, so a reader can tell "component did not run" from "found nothing".
"""

from __future__ import annotations

from spacy.tokens import Doc

EXTENSIONS = ("published", "entities", "quotes", "quantities", "timexes")


def register_extensions() -> None:
    """Register the ``Doc`` extensions once per process (safe to call again)."""
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()
