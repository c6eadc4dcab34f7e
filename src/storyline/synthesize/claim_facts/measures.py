"""What a figure counts: the lexicon of measures news reports compare and revise, and the
measure nearest a figure in its clause."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyline.model import Quantity, Span
from storyline.synthesize.claim_facts.context import rx

_PERSON_HEADS = frozenset(
    [
        "people",
        "person",
        "resident",
        "evacuee",
        "inhabitant",
        "villager",
        "local",
        "worker",
        "dockworker",
        "docker",
        "member",
        "protester",
        "striker",
        "demonstrator",
        "man",
        "woman",
        "child",
        "civilian",
        "passenger",
        "employee",
        "family",
        "adult",
        "citizen",
        "refugee",
        "supporter",
        "victim",
        "patient",
        "household",
        "firefighter",
        "officer",
        "policeman",
        "soldier",
        "miner",
        "crew",
        "student",
        "pupil",
        "tourist",
        "fan",
        "driver",
        "nurse",
        "doctor",
        "teacher",
        "journalist",
        "prisoner",
        "migrant",
        "survivor",
        "casualty",
        "sailor",
        "fisherman",
        "farmer",
        "voter",
        "suspect",
        "pirate",
        "hostage",
    ]
)


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    pattern: re.Pattern[str]
    heads: frozenset[str] | None
    """Counted nouns it accepts; None: people (or no noun)."""
    money: bool = False


# Predicates of figures that news reports compare and revise. A figure whose predicate is not
# here can still be a claim (when two origins state it) but is never called a disagreement: we
# do not know that two such figures measure the same thing.
MEASURES: tuple[Measure, ...] = (
    Measure(
        "people evacuated",
        rx(
            r"\bevacu\w*|\bleft (?:their|his|her) homes?|\bfled\b|\bforc\w+ (?:\w+ )?(?:from|out "
            r"of) (?:their )?homes?|\bhad to leave\b|\bdisplaced\b|\baway from (?:their )?homes?"
            r"|\bleave (?:their )?homes?|\bfrom their homes\b"
        ),
        None,
    ),
    Measure(
        "people dead",
        rx(
            r"\bdied\b|\bdead\b|\bkill(?:ed|ing)\b|\b(?:death )?toll\b|\bfatalit\w+"
            r"|\blost (?:their|his|her) li"
        ),
        None,
    ),
    Measure("people injured", rx(r"\binjur\w+|\bhurt\b|\bwound(?:ed|ing)\b"), None),
    Measure(
        "people arrested",
        rx(
            r"\barrest\w*|\bdetain\w*|\bhauled in\b|\bin custody\b"
            r"|\b(?:were|was|are|is|being|been) held\b"
        ),
        None,
    ),
    Measure("people missing", rx(r"\bmissing\b"), None),
    Measure(
        "people in shelters",
        rx(
            r"\bregistered at (?:\w+ ){0,3}shelters?\b|\bsleeping at\b"
            r"|\bin (?:emergency )?shelters\b"
        ),
        None,
    ),
    Measure(
        "people taking part",
        rx(r"\btaking part\b|\btook part\b|\bon strike\b|\bwalked (?:out|off)\b|\bstriking\b"),
        None,
    ),
    Measure(
        "people at protests",
        rx(r"\b(?-i:march\w*)|\bprotest\w*|\bdemonstrat\w+|\bgathered\b|\battended\b|\brall\w+"),
        None,
    ),
    Measure("people rescued", rx(r"\brescued\b|\bpulled\b|\bsaved\b|\bairlifted\b"), None),
    Measure(
        "people returned", rx(r"\breturned\b|\bgone home\b|\bback (?:in|to) their homes\b"), None
    ),
    Measure(
        "homes flooded",
        rx(r"\bflood\w*|\bentered\b|\bunder water\b|\bwater above\b|\bdamaged\b|\binundated\b"),
        frozenset({"home", "house", "building", "property", "dwelling"}),
    ),
    Measure(
        "ships waiting",
        rx(r"\bwait\w*|\bat anchor\b|\bqueu\w+|\bstranded\b|\banchorage\b|\bremained\b"),
        frozenset({"ship", "vessel", "boat", "tanker", "freighter"}),
    ),
    Measure(
        "cost",
        rx(
            r"\bcost(?:s|ing)? (?:the )?(?:economy|country|treasury|taxpayers?|state|budget)\b"
            r"|\bcosting\b|\bdamage\b|\bloss(?:es)?\b|\bhad cost\b|\bstrike cost\b|\blosing\b"
        ),
        frozenset(),
        money=True,
    ),
    Measure(
        "aid",
        rx(r"\baid\b|\breleased\b|\bpledg\w+|\bhand\w* over\b|\ballocat\w+|\bemergency cash\b"),
        frozenset(),
        money=True,
    ),
)
_HEAD_MEASURES = {
    "arrest": "people arrested",
    "death": "people dead",
    "fatality": "people dead",
    "injury": "people injured",
    "evacuee": "people evacuated",
    "evacuation": "people evacuated",
    "detainee": "people arrested",
    "dead": "people dead",
}
"""Counted nouns that are the predicate themselves: "23 arrests", "three deaths"."""
FIGHTER_HEADS = frozenset(
    {
        "fighter",
        "militant",
        "jihadist",
        "rebel",
        "insurgent",
        "gunman",
        "combatant",
        "guerrilla",
        "extremist",
        "militiaman",
        "mercenary",
        "defender",
    }
)
"""Counted nouns of armed groups: "6,000 militants" and "2,000 to 4,000 rebel fighters" are
one measure (how many fighters), whatever a report calls them."""
_NEVER = re.compile(r"(?!)")
_FIGHTERS = Measure("fighters", _NEVER, FIGHTER_HEADS)
_FIGHTER_FATES = ("people dead", "people injured", "people arrested", "people missing")
_CLAUSE_EDGE = re.compile(r"[,;:—()]")
_RISEN_TO = rx(
    r"\b(?:rose|risen|climbed|jumped|reached|increased|grew|went up|stood|stands|fell|dropped)"
    r"\s+(?:to|at)\s+(?:about|around|some|nearly|almost|more than|at least|over)?\s*$"
)
_PROTEST_CONTEXT = rx(r"\b(?:(?-i:march)|protest|rally|demonstration|crowd)")
_MODAL_BEFORE = re.compile(r"\b(?:can|could|would|may|might|will|should)\s+(?:\w+\s+)?$", re.I)
_PREDICATE_REACH = 80
"""Characters either side of a figure, within its segment, where its predicate is looked for."""
_MONEY_UNITS = frozenset({"USD", "EUR", "GBP", "JPY", "valor", "franc", "peso", "rupee"})
_MONEY_UNITS |= frozenset({"krona", "crown", "shilling", "rand"})


def head_of(counts: str | None) -> str | None:
    return None if not counts else counts.split()[-1].lower()


def is_money(unit: str | None) -> bool:
    return unit is not None and unit.split("/")[0] in _MONEY_UNITS


def nearest(matches: list[tuple[int, int, str]], q: Quantity) -> str | None:
    """The candidate closest to the quantity (ties: the earlier one)."""
    best: tuple[int, int, str] | None = None
    for start, end, name in matches:
        distance = q.start - end if end <= q.start else max(start - q.end, 0)
        if best is None or (distance, start) < best[:2]:
            best = (distance, start, name)
    return None if best is None else best[2]


def _fighters(text: str, q: Quantity, sentence: Span) -> Measure:
    """Fighters, or fighters killed, wounded, captured: only a verb in the figure's own clause
    says what happened to them ("6,000 militants were left to hold the town, more than half of
    them killed" counts the defenders, not the dead)."""
    lo = sentence.start
    for m in _CLAUSE_EDGE.finditer(text, max(sentence.start, q.start - 40), q.start):
        lo = m.end()
    hi = min(sentence.end, q.end + 50)
    edge = _CLAUSE_EDGE.search(text, q.end, hi)
    hi = edge.start() if edge else hi
    for fate in MEASURES:
        if fate.name in _FIGHTER_FATES and fate.pattern.search(text, lo, hi):
            name = fate.name.replace("people", "fighters")
            return Measure(name, fate.pattern, FIGHTER_HEADS)
    return _FIGHTERS


def measure_of(
    text: str, q: Quantity, seg: tuple[int, int], sentence: Span, counted_before: bool
) -> Measure | None:
    """The predicate nearest the figure in its segment, else in its sentence.

    A bare figure looks beyond its segment only when an earlier figure of the sentence counts
    something ("8,000 people ..., including about 3,000 in Eastbrook"): else the rest of the
    sentence is likely about something else ("Whether it is 40 or 60, ... at a rally").
    """
    head = head_of(q.counts)
    money = is_money(q.unit)
    if head in FIGHTER_HEADS and q.unit is None:
        return _fighters(text, q, sentence)
    if head in _HEAD_MEASURES and q.unit is None:
        return next(m for m in MEASURES if m.name == _HEAD_MEASURES[head])
    # In its own segment a predicate must be near the figure ("40 firefighters and six pumps
    # ..., and the number evacuated climbed to 850": 850's, not the pumps').
    windows = [(max(seg[0], q.start - _PREDICATE_REACH), min(seg[1], q.end + _PREDICATE_REACH))]
    if counted_before and q.counts is None:
        windows.append((sentence.start, sentence.end))
    for lo, hi in windows:
        candidates: list[tuple[int, int, str]] = []
        for index, m in enumerate(MEASURES):
            if m.money != money:
                continue
            if not money:
                if q.unit is not None:
                    continue
                if m.heads is None:
                    if head is not None and head not in _PERSON_HEADS:
                        continue
                elif head is None:
                    # A bare figure ("nearly 60") counts the noun the sentence is about.
                    plural = "|".join(h + "s" for h in m.heads)
                    if not re.search(rf"\b(?:{plural})\b", text[sentence.start : sentence.end]):
                        continue
                elif head not in m.heads:
                    continue
            for match in m.pattern.finditer(text, lo, hi):
                if _MODAL_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
                    continue  # "they can arrest a hundred of us": a hypothetical
                candidates.append((match.start(), match.end(), str(index)))
        # "the death toll ... has risen to 24": the measure the figure is the new value of.
        rising = [
            c for c in candidates if c[1] <= q.start and _RISEN_TO.search(text, c[1], q.start)
        ]
        found = nearest(rising or candidates, q)
        if found is not None:
            measure = MEASURES[int(found)]
            # The sentence and the one or two before it say what was taken part in.
            context = (max(0, sentence.start - 300), sentence.end)
            if measure.name == "people taking part" and _PROTEST_CONTEXT.search(text, *context):
                # "800 people took part" in a march is a crowd, not a strike's participants.
                return next(m for m in MEASURES if m.name == "people at protests")
            return measure
    return None
