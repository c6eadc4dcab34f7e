"""A generated corpus for the reliability tests: wire copy about fictional events, rewritten by
several outlets (so deduplication and stories have work), plus a few bad records."""

from __future__ import annotations

import json
import random
from pathlib import Path

_TOWNS = ("Marrowgate", "Eastholm", "Caldren Bay", "Port Vessel", "Hollin Cross", "Saltmere")
_OUTLETS = ("Harbor Gazette", "Daily Ledger", "Northern Wire", "Valley Courier", "Coast Post")
_PEOPLE = ("Irena Valk", "Tomas Brell", "Odile Ferrand", "Kasimir Lund", "Maren Osk")
_EVENTS = (
    ("council approves", "a new tram line", "after a four-hour debate"),
    ("dock workers strike over", "night-shift pay", "halting two container ships"),
    ("flood waters close", "the old river bridge", "as the Vessel rose two metres"),
    ("hospital opens", "a cardiac wing", "three years after ground was broken"),
    ("school board cuts", "the bus budget", "leaving 400 pupils without a route"),
    ("fire destroys", "a grain warehouse", "in the early hours of Tuesday"),
)


def article(number: int, rng: random.Random) -> dict[str, object]:
    event = number % len(_EVENTS)
    verb, what, detail = _EVENTS[event]
    town = _TOWNS[event % len(_TOWNS)]
    person = _PEOPLE[(event + number) % len(_PEOPLE)]
    outlet = _OUTLETS[number % len(_OUTLETS)]
    figure = rng.randint(12, 980)
    text = (
        f"{town.upper()} (Wire) - The {town} {verb} {what} {detail}, officials said on "
        f"Monday. {person}, who spoke for the town hall, said {figure} residents had written "
        f'to the council about {what} since March. "We heard every one of them," {person} '
        f"told reporters outside the chamber. The decision follows months of argument in "
        f"{town} over {what}, and opponents said they would appeal. A further meeting is set "
        f"for next month, when the cost of {what} will be published. ({outlet}, item {number})"
    )
    return {
        "id": f"gen-{number:04d}",
        "title": f"{town} {verb} {what}",
        "text": text,
        "source": outlet,
        "published": f"2024-03-{1 + event * 3 + number % 3:02d}T{8 + number % 10:02d}:00:00Z",
    }


def write_corpus(path: Path, count: int, *, seed: int = 7) -> Path:
    """``count`` generated articles as JSONL, with a malformed line every 50 records."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            out.write(json.dumps(article(number, rng)) + "\n")
            if number % 50 == 49:
                out.write(f'{{"id": "broken-{number}", "text": "cut off mid-rec\n')
    return path
