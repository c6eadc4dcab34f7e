"""What direct and indirect quotes share: the reporting-verb lexicons, a cue's lemma and source
(the subject of the reporting verb), token-range helpers, and :class:`Found`, a quote being built.

The word lists were chosen by meaning and then checked against the PolNeAR training annotations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from storyline.model import QuoteKind, Span

# -- lexicons ---------------------------------------------------------------------------------


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The word lists below were chosen by meaning and then checked against the PolNeAR training
# annotations: a verb stays in a list when, in that role, what it governs is an attribution's
# content (with its subject as the source) often enough to pay for the false alarms.

# Verbs that report speech or writing: they take a quote or a "that"-clause.
SPEECH_VERBS = word_set(
    """
    say tell add write ask note report announce suggest tweet post argue explain continue declare
    acknowledge admit recall conclude claim respond reply state insist warn promise pledge vow
    predict reveal confirm deny testify complain concede contend assert allege maintain observe
    remark comment stress emphasize emphasise indicate caution joke quip boast lament charge
    counter retort urge demand propose question wonder estimate speculate hint signal inform
    assure remind mention describe brag scoff shout yell chant read tout proclaim affirm
    recount muse opine posit reason email text answer exclaim whisper mutter repeat reiterate
    underscore highlight clarify elaborate rebut dispute concur forecast guarantee threaten
    confess disclose divulge advise point blast slam mock criticize criticise accuse praise
    tease ridicule gush snap fume thunder show find imply discuss
    """
)
# Verbs of belief and knowledge that PolNeAR-style attribution counts too.
BELIEF_VERBS = word_set(
    """
    think believe feel know hope fear expect doubt suspect worry assume understand guess reckon
    realize realise recognize recognise figure sense bet imagine suppose trust wish decide
    agree learn anticipate
    """
)
# Verbs whose "to"-clause is what the source wants, plans, asks or promises.
INTENT_VERBS = word_set(
    """
    want plan hope vow promise pledge refuse decline threaten seek aim decide agree urge wish
    offer propose encourage ask call vote order push like tell look chant tweet
    """
)
# Verbs whose direct object is what was said or held: "announced his candidacy", "cited the
# poll", "called him a liar" (with the predicate: "him a liar").
OBJECT_VERBS = word_set(
    """
    cite announce express defend say discuss criticize criticise reject praise issue mention
    question dismiss propose tout note mock post blast slam explain reiterate repeat applaud
    stress decry recall acknowledge voice reference confirm reveal report disclose predict
    emphasize emphasise outline hail bemoan state rebut endorse deny claim call
    """
)
# Verbs whose object and "as" phrase together are what the source holds: "described his
# leadership as a work in progress".
AS_VERBS = word_set(
    """
    describe portray characterize characterise dismiss label brand cast paint frame hail tout
    denounce condemn criticize criticise praise cite identify depict
    """
)
# Verbs whose prepositional object is the content: "called for a ban", "accused her of lying".
PREP_VERBS: dict[str, frozenset[str]] = {
    "for": word_set(
        "call criticize criticise blame praise blast push campaign advocate apologize attack "
        "thank press"
    ),
    "about": word_set("talk speak worry care joke boast brag complain"),
    "of": word_set("accuse speak warn boast"),
    "against": word_set("warn"),
    "to": word_set("refer point"),
    "on": word_set("comment"),
}
_PREP_CUES = frozenset().union(*PREP_VERBS.values())
CUE_VERBS = SPEECH_VERBS | BELIEF_VERBS

_IRREGULAR = {
    "said": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "thought": "think",
    "knew": "know",
    "known": "know",
    "felt": "feel",
    "sought": "seek",
    "understood": "understand",
    "foresaw": "foresee",
    "read": "read",
    "bet": "bet",
    "forecast": "forecast",
    "spoke": "speak",
}


def _inflections(verbs: Iterable[str]) -> dict[str, str]:
    """Inflected form -> lemma for our verbs, so a lemmatizer slip ("hopes" -> "hop") does not
    hide a cue."""
    forms: dict[str, str] = {}
    for v in sorted(verbs):
        stem = v[:-1] if v.endswith("e") else v
        cands = [v, v + "s", v + "es", v + "ed", v + "d", stem + "ing", v + "ing"]
        if v.endswith("y") and v[-2:-1] not in "aeiou":
            cands += [v[:-1] + "ies", v[:-1] + "ied"]
        if len(v) > 2 and v[-1] not in "aeiouwxy" and v[-2] in "aeiou" and v[-3] not in "aeiou":
            cands += [v + v[-1] + "ed", v + v[-1] + "ing"]  # "admitted", "planning"
        for form in cands:
            forms.setdefault(form, v)
    forms.update(_IRREGULAR)
    return forms


_FORMS = _inflections(CUE_VERBS | INTENT_VERBS | OBJECT_VERBS | AS_VERBS | _PREP_CUES)


def cue_lemma(t: Token) -> str:
    return _FORMS.get(t.lower_) or t.lemma_


# -- spans and tokens -------------------------------------------------------------------------


def char_span(text: str, start: int, end: int) -> Span:
    return Span(text=text[start:end], start=start, end=end)


def token_end(t: Token) -> int:
    return t.idx + len(t.text)


def trim_range(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    """Token range ``[lo, hi)`` without punctuation and spaces at either end."""
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space) and not is_quote_token(doc[lo]):
        lo += 1
    while hi > lo and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
        if is_quote_token(doc[hi - 1]):
            break
        hi -= 1
    return lo, hi


def is_quote_token(t: Token) -> bool:
    return t.text in {'"', "“", "”", "«", "»", "''", "``", "'", "‘", "’"}


def np_range(head: Token) -> tuple[int, int]:
    """Token range of the noun phrase ``head`` heads, without relative clauses after it."""
    lo, hi = head.left_edge.i, head.right_edge.i + 1
    for child in head.rights:
        if child.dep_ in ("relcl", "acl") or (child.dep_ == "punct" and child.text in "—–("):
            hi = min(hi, child.left_edge.i)
            break
    doc = head.doc
    for t in doc[lo : head.i]:
        # A subject never reaches back over a paragraph break or a closing quotation mark.
        if t.is_space or "\n" in t.whitespace_ or is_quote_token(t):
            lo = t.i + 1
    # No punctuation or quotation marks at either end.
    while lo < head.i and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    while hi > head.i + 1 and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
        hi -= 1
    return lo, max(hi, head.i + 1)


# -- cue and speaker from the parse -----------------------------------------------------------


def source_of(verb: Token) -> Token | None:
    """The source of what ``verb`` reports: its subject, the passive agent, the noun a relative
    clause modifies, or the subject of the clause a "saying ..." participle hangs off."""
    if verb.lower_ == "according":
        to = next((c for c in verb.children if c.lower_ == "to"), None)
        return None if to is None else next((c for c in to.children if c.dep_ == "pobj"), None)
    v: Token | None = verb
    for _ in range(3):
        if v is None:
            return None
        for child in v.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child  # "who" in "Ryan, who said ...": the resolver looks past it
        for child in v.children:
            if child.dep_ == "agent":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        return pobj
        if v.dep_ in ("conj", "advcl", "xcomp", "acomp") and v.head.pos_ in ("VERB", "AUX", "ADJ"):
            v = v.head
            continue
        if v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head.pos_ in ("VERB", "AUX"):
            v = v.head.head  # "before asking her, ...", "after saying ..."
            continue
        if v.dep_ == "relcl":
            return v.head
        if v.dep_ == "acl" and v.tag_ == "VBG":  # "officials saying that ..."
            return v.head
        return _left_subject(verb)
    return None


_NOT_SPEAKERS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


def _left_subject(verb: Token) -> Token | None:
    """The noun phrase right before a subjectless reporting verb, when the parser attached it
    elsewhere ("On Dec. 2, Col. Steven Warren, a spokesman, said ...")."""
    if cue_lemma(verb) not in SPEECH_VERBS or verb.dep_ not in ("ROOT", "ccomp", "conj"):
        return None
    doc = verb.doc
    i = verb.i - 1
    while i >= 0 and doc[i].is_punct and doc[i].text in ",—–":
        i -= 1
    if i < 0 or doc[i].pos_ not in ("NOUN", "PROPN") or doc[i].ent_type_ in _NOT_SPEAKERS:
        return None
    t = doc[i]
    for _ in range(4):
        if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head.pos_ in ("NOUN", "PROPN"):
            t = t.head.head  # "president of the union"
        elif t.dep_ in ("appos", "compound") and t.head.pos_ in ("NOUN", "PROPN"):
            if t.head.ent_type_ in _NOT_SPEAKERS:
                break
            t = t.head  # "a spokesman" in apposition to "Warren"
        else:
            break
    return t


_COPULAS = frozenset({"be", "remain", "seem", "appear", "become"})


def is_impersonal(cue: Token, subj: Token | None) -> bool:
    """Whether the cue's only subject is a dummy "it": "It is believed that ...", "it is
    impossible to confirm ...". Nobody is reported, so there is no quote; "It said that ..."
    (an organisation named before) keeps its speaker."""
    if any(c.dep_ in ("nsubjpass", "expl") and c.lower_ == "it" for c in cue.children):
        return True
    if subj is None or subj.lower_ != "it":
        return False
    return subj.dep_ == "expl" or (subj.head.i != cue.i and subj.head.lemma_ in _COPULAS)


def cue_span_of(verb: Token, content: tuple[int, int]) -> tuple[int, int]:
    """The verb with its particle ("point out") and, for "tell", who was told."""
    doc = verb.doc
    lo, hi = verb.i, verb.i + 1
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == hi:
            hi = child.i + 1
        elif (
            cue_lemma(verb) == "tell"
            and child.dep_ in ("dobj", "dative")
            and child.i == hi
            and not (content[0] <= child.i < content[1])
        ):
            hi = child.right_edge.i + 1
    return doc[lo].idx, token_end(doc[hi - 1])


@dataclass(slots=True)
class Found:
    lo: int
    hi: int
    kind: QuoteKind
    cue: Token | None
    cue_span: tuple[int, int] | None
    subj: Token | None
    start: int
    end: int
    pieces: list[tuple[int, int]]
    """Token ranges between quotation marks (two for a quote split by its cue)."""
    strong: bool = True
    """Whether ``cue`` is a reporting verb (not just the verb the quote hangs from)."""
    free: bool = False
    """A short quoted phrase without a cue: a quote only as part of a split quote."""


def is_cue(t: Token) -> bool:
    return t.pos_ in ("VERB", "AUX") and cue_lemma(t) in CUE_VERBS


ANY_CUE = CUE_VERBS | INTENT_VERBS | OBJECT_VERBS | AS_VERBS | _PREP_CUES
