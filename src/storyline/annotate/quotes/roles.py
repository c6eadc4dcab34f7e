"""Roles and titles of speakers: lookup keys of a role ("Maj. Gen." -> "general"), the role words
of a nominal ("the town's mayor" -> "mayor"), the name and title in a speaker phrase ("Mayor
Ines Carver of Eastbrook"), and the title a mention gives next to a name.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from storyline.annotate.entities import is_title_word
from storyline.annotate.quotes.cues import np_range, token_end

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


def role_keys(role: str) -> list[str]:
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


def role_phrase(noun: Token) -> str:
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


def has_article(noun: Token) -> bool:
    """ "the agency", not "his office" or "the prosecutor's office"."""
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children)


def is_definite(noun: Token) -> bool:
    """ "the mayor", "this agency", "the town's mayor", "its director"."""
    return any(
        (c.dep_ == "det" and c.lower_ in ("the", "this", "that")) or c.dep_ == "poss"
        for c in noun.children
    )


def modifier_ranges(head: Token) -> list[tuple[int, int]]:
    """Character ranges of the possessors and "of" phrases of a speaker head and of a name in
    apposition to it."""
    out = []
    for tok in (head, *(c for c in head.children if c.dep_ == "appos")):
        for c in tok.children:
            if c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ == "of"):
                out.append((c.left_edge.idx, token_end(c.right_edge)))
    return out


def appos_name(head: Token) -> Token | None:
    """The proper noun in apposition to a common-noun head: "Ines Carver" in "Eastbrook's mayor,
    Ines Carver"."""
    if head.pos_ != "NOUN":
        return None
    return next((c for c in head.rights if c.dep_ == "appos" and c.pos_ == "PROPN"), None)


def strip_honorifics(doc: Doc, lo: int, hi: int) -> str | None:
    while lo < hi and doc[lo].lower_ in _HONORIFICS:
        lo += 1
    return doc[lo:hi].text if lo < hi else None


def speaker_chain(head: Token, lo: int, hi: int) -> tuple[int, int, str | None] | None:
    """The proper-noun name in a speaker phrase, as ``(name start, name end, role)`` token
    indices: "Mayor Ines Carver of Eastbrook" -> "Ines Carver" with "Mayor";
    "Eastbrook's mayor, Ines Carver" -> "Ines Carver" with "mayor". Titles are cut off the
    name; possessors and "of" phrases are never part of it."""
    doc = head.doc
    name = head if head.pos_ == "PROPN" else appos_name(head)
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
    role = strip_honorifics(doc, title_lo, k)
    if role is None and name.i != head.i:
        role = role_phrase(head)
    return k, name.i + 1, role


_HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "mr", "mrs", "ms", "miss", "mx."})
"""Forms of address, which are not roles."""


def compound_role(ent_start: int, root: Token) -> str | None:
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
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.tag_ != "NNS":
            return _phrase(doc, *np_range(child))
    if (
        root.dep_ == "appos"
        and root.head.pos_ == "NOUN"
        and root.head.tag_ != "NNS"
        and root.head.i < root.i
    ):
        # "a spokeswoman, Anna White": the noun the name is in apposition to. A plural ("Two
        # former ministry officials charged; Ortega not a suspect") is a group, not her role.
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
