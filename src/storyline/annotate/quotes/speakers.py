"""Speakers: who a quote's source mention refers to, from the article's entities.

The speaker mention is the subject of the cue: the passive agent, a relative pronoun ("who said
..."), the subject of the verb a "saying ..." or "before asking ..." clause hangs off. Its
``canonical`` is resolved with the article's entities: a name gives the entity's canonical name;
"who" gives what the noun it modifies resolves to; "he"/"she" gives one of the last few people
named whose title shows that gender ("Ms.", "spokeswoman"), else the most recent person named as
a subject. A definite nominal whose head is a role ("the minister", "the town's mayor", "the
general") gives the one person the article gives that role, before or after the quote ("Maj.
Gen." counts as "general"; "the minister" is not the prime minister and "the mayor" no deputy
mayor); two such people leave the nominal as it is. "The authority", "the customs agency" give
the one organisation whose name has that head word and those modifiers ("Tessin Water
Authority"). A possessor or an "of" phrase is never the speaker ("Eastbrook's mayor, Ines
Carver", "Mayor Ines Carver of Eastbrook" -> "Ines Carver"). A name NER missed or mislabelled is
read off the proper nouns of the mention, titles cut off into the role ("Mayor"), and a later
surname alone ("Carver") resolves to it, as to any full name of the article; so do "Title Name"
chains elsewhere in the article ("Governor Ana Ruiz toured ...") when a lookup needs them. The
role is the entity's, or the title words next to the name in the article ("Foreign Minister"
Linda Park, Tom Berg, "a spokesman for the airline"). Without entities from the
``storyline_entities`` component, spaCy's ``doc.ents`` are used, and a person's surname alone
("Park") resolves to the fullest name in the article that ends with it ("Linda Park").
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from storyline.annotate.entities import is_title_word
from storyline.annotate.quotes.cues import np_range, token_end
from storyline.annotate.quotes.roles import (
    appos_name,
    compound_role,
    has_article,
    is_definite,
    modifier_ranges,
    role_keys,
    role_phrase,
    speaker_chain,
    strip_honorifics,
)
from storyline.model import Entity, Speaker

_PERSONAL = frozenset({"he", "she", "him", "her"})
_RELATIVE = frozenset({"who", "which", "that", "whom"})
_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})


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
        role = compound_role(span.start, span.root)  # "Mark Lund, a rival"
    return _Ent(
        e.start, e.end, e.label, e.canonical, role, *_mention_facts(doc, e.start, e.end, role, span)
    )


class SpeakerResolver:
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
            for key in role_keys(role):
                self.by_role.setdefault(key, set()).add(name)

    def learn(self, lo: int, hi: int, head: Token) -> None:
        """Note a full name NER missed in a speaker phrase ("said Mayor Ines Carver"), so that
        a later "Carver" or "the mayor" finds it."""
        chain = speaker_chain(head, lo, hi)
        if chain is None:
            return
        name_lo, name_hi, role = chain
        start, end = self.doc[name_lo].idx, token_end(self.doc[name_hi - 1])
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
                self._know(doc[i + 1 : j].text, strip_honorifics(doc, k, i + 1))

    def _full_name(self, surname: str) -> str | None:
        names = self.surnames.get(surname)
        if names is None and not self.scanned:
            self._scan_titles()
            names = self.surnames.get(surname)
        return next(iter(names)) if names is not None and len(names) == 1 else None

    def _by_role(self, head: Token) -> str | None:
        """The one person the article gives the role a nominal names ("the town's mayor")."""
        phrase = role_phrase(head)
        keys = role_keys(phrase)
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
                if role_keys(self.roles.get(name, ""))[:1] == [bare]
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
        mods = [m.lower() for m in role_phrase(head).split()[:-1]]
        names = {n for n in names if all(m in n.lower().split() for m in mods)}
        return next(iter(names)) if len(names) == 1 else None

    def _overlapping(self, start: int, end: int) -> list[_Ent]:

        i = bisect.bisect_left(self.starts, end)
        found = []
        for e in self.ents[max(0, i - 8) : i]:
            if e.start < end and start < e.end:
                found.append(e)
        return found

    def _antecedent(self, pos: int, pronoun: str) -> _Ent | None:
        """The person "he"/"she" at ``pos`` most likely stands for: the most recent person of a
        compatible gender, preferring one named as a subject in the last few mentions."""

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
        start, end = doc[lo].idx, token_end(doc[hi - 1])
        text = self.text[start:end]
        low = head.lower_
        if low in _RELATIVE and head.head.dep_ == "relcl" and head.head.head.i < head.i:
            # "Ryan, who said ...": "who" is the mention, the noun it modifies says who it is.
            noun = head.head.head
            via = self.speaker(*np_range(noun), noun)
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
        skip = modifier_ranges(head)
        ent = next((e for e in found if e.start <= head.idx < e.end), None)
        every = found
        found = [e for e in found if not any(a <= e.start and e.end <= b for a, b in skip)]
        appos = appos_name(head)
        if ent is None and appos is not None:
            # "Eastbrook's mayor, Ines Carver": the name in apposition, whatever NER called it.
            lo_a, hi_a = appos.left_edge.idx, token_end(appos.right_edge)
            named = next((e for e in found if lo_a <= e.start < hi_a), None)
            if named is not None:
                title = named.role or self.roles.get(named.canonical) or role_phrase(head)
                return Speaker(
                    text=text, start=start, end=end, canonical=named.canonical, role=title
                )
        chain = speaker_chain(head, lo, hi)
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
        if head.pos_ == "NOUN" and is_definite(head):
            # "the minister", "the town's mayor": the one person the article gives that role,
            # before or after; "the authority": the one organisation of that name.
            holder = self._by_role(head)
            if holder is not None:
                role = self.roles.get(holder)
                return Speaker(text=text, start=start, end=end, canonical=holder, role=role)
            org = self._by_org_head(head) if has_article(head) else None
            if org is not None:
                return Speaker(text=text, start=start, end=end, canonical=org)
        return Speaker(text=text, start=start, end=end, canonical=text)


# Abbreviated titles, so that "the general" finds "Maj. Gen. Omar Reyes".
def _mention_role(doc: Doc, ent: _Ent) -> str | None:
    """The title a mention gives next to its name: "Foreign Minister" in "Foreign Minister
    Linda Park", "spokeswoman" in "a spokeswoman, Anna White"."""
    span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return compound_role(span.start, span.root)


_NAME_TITLES = frozenset({"mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr", "sen.", "rep."})


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
            role = compound_role(e.start, e.root)
        subject, gender = _mention_facts(doc, e.start_char, e.end_char, role, e)
        out.append(_Ent(e.start_char, e.end_char, e.label_, canonical, role, subject, gender))
    return out
