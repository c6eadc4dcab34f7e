"""Event words that meet across wording: lemmas and a small table of news event synonyms.

Two outlets rarely tell one happening in the same words: "troops launched their operation to
retake the town" and "forces began their offensive to recapture the town" share only "town". The
timeline compares clauses by their content words (:func:`storyline.link.features.tokens`, a
light stemmer), so :func:`event_sense` maps each such word to a *sense*:

- its lemma: irregular forms ("began", "retook", "died") to their base, and a final "e" dropped
  so that what the stemmer leaves of "recaptured" and "recapture", "launches" and "launched"
  is one word;
- then its synonym class in :data:`EVENT_SYNONYMS`, a short list of the verbs and nouns news
  uses for the same kind of happening (launch/begin/start, operation/offensive/campaign/assault,
  retake/recapture/reclaim, kill/die/dead...), named by the class's first word.

Phrasal verbs whose particle is a function word ("stepped down", "took back") are rewritten
before tokenising (:func:`rewrite_phrases`), since "down" alone says nothing.

The table is deliberately small and about what happened, not who or where: a wrong synonym
would merge two happenings, and the timeline's date buckets and similarity threshold still
decide. It is not a thesaurus; add a class only for words reports use interchangeably for
one event.
"""

from __future__ import annotations

import re
from functools import cache

from storyline.link.features import tokens

__all__ = ["EVENT_SYNONYMS", "event_sense", "rewrite_phrases"]

EVENT_SYNONYMS: tuple[str, ...] = (
    "begin launch start commence",
    "offensive operation campaign assault onslaught",
    "retake recapture reclaim regain",
    "capture seize overrun",
    "kill die dead death slay perish fatality",
    "injure wound hurt",
    "arrest detain detention apprehend",
    "quake earthquake tremor temblor",
    "resign resignation quit",
    "flee escape",
    "withdraw withdrawal retreat pullout",
    "explode explosion blast detonate detonation",
    "ceasefire truce armistice",
    "end halt stop cease suspend cancel abandon",
    "protest demonstration demonstrator protester",
    "evacuate evacuation",
    "win victory",
)
"""Synonym classes, one a line, the sense's name first. Words are written plainly; they go
through the same stemming and lemmas as the text."""

_IRREGULAR = {
    "began": "begin",
    "begun": "begin",
    "begins": "begin",
    "retook": "retake",
    "retaken": "retake",
    "took": "take",
    "taken": "take",
    "died": "die",
    "dies": "die",
    "dying": "die",
    "deaths": "death",
    "fled": "flee",
    "flees": "flee",
    "fleeing": "flee",
    "struck": "strike",
    "won": "win",
    "winning": "win",
    "withdrew": "withdraw",
    "withdrawn": "withdraw",
    "slain": "slay",
    "slew": "slay",
    "shot": "shoot",
    "fell": "fall",
    "fallen": "fall",
    "broke": "break",
    "broken": "break",
    "caught": "catch",
    "quitting": "quit",
    "sank": "sink",
    "sunk": "sink",
    "overran": "overrun",
    # What the stemmer leaves of "-ing" forms whose double consonant it undoes ("killing"):
    "kil": "kill",
    "shel": "shell",
    "fal": "fall",
    "fle": "flee",
}
"""Irregular forms and stemmer leftovers, as tokens, and their base."""

_PHRASES = (
    (re.compile(r"\bstep(?:s|ped|ping)? down\b", re.IGNORECASE), "resign"),
    (re.compile(r"\b(?:take|takes|took|taken|taking) back\b", re.IGNORECASE), "retake"),
    (re.compile(r"\b(?:win|wins|won|winning) back\b", re.IGNORECASE), "retake"),
    (re.compile(r"\b(?:pull|pulls|pulled|pulling) out\b", re.IGNORECASE), "withdraw"),
    (re.compile(r"\b(?:set|sets|setting) off\b", re.IGNORECASE), "begin"),
    (re.compile(r"\b(?:kick|kicks|kicked|kicking) off\b", re.IGNORECASE), "begin"),
    (re.compile(r"\b(?:call|calls|called|calling) off\b", re.IGNORECASE), "cancel"),
)


def rewrite_phrases(text: str) -> str:
    """``text`` with phrasal event verbs replaced by one word of their sense.

    >>> rewrite_phrases("The minister stepped down and troops took back the port")
    'The minister resign and troops retake the port'
    """
    for pattern, word in _PHRASES:
        if pattern.search(text):
            text = pattern.sub(word, text)
    return text


def _lemma(token: str) -> str:
    """A stemmed token's lemma: irregular forms to their base, a final "e" dropped (the stemmer
    keeps it in "recapture" but not in "recaptured")."""
    token = _IRREGULAR.get(token, token)
    return token[:-1] if len(token) > 4 and token.endswith("e") else token


def _senses() -> dict[str, str]:
    senses: dict[str, str] = {}
    for line in EVENT_SYNONYMS:
        words = [_lemma(t) for w in line.split() for t in (tokens(w) or [w])]
        for word in words:
            senses.setdefault(word, words[0])
    return senses


_SENSES = _senses()


@cache
def event_sense(token: str) -> str:
    """The sense of a content word (a token of :func:`storyline.link.features.tokens`): its
    lemma, or its synonym class's name.

    >>> [event_sense(t) for t in ("launch", "began", "offensive", "operation", "recaptur")]
    ['begin', 'begin', 'offensiv', 'offensiv', 'retak']
    >>> [event_sense(t) for t in ("troop", "town")]
    ['troop', 'town']
    """
    lemma = _lemma(token)
    return _SENSES.get(lemma, lemma)
