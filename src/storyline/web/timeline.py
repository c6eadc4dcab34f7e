"""The story timeline as a plot: where each dated entry sits on a time axis, ready to draw as SVG.

:func:`timeline_plot` only computes coordinates; the template draws them (so every label goes
through Jinja's autoescape). The axis covers the story's own period (its reports' dates, with a
margin); entries far outside it, such as "the worst flood since 2002", are drawn in an
*earlier* or *later* band at the edges, one column per date, so they do not squash the rest.

Each entry is a point stacked above the axis at the middle of its period, its shape showing the
date's precision (day, week, month, year); an entry coarser than a day also gets a bar below
the axis spanning the whole period it could be in.

>>> from storyline.model import DatePrecision, TimelineEntry
>>> entry = TimelineEntry(date="2024-03-05", precision=DatePrecision.DAY, text="x", sources=())
>>> plot = timeline_plot([entry])
>>> [(m.index, m.precision, m.band) for m in plot.points]
[(0, 'day', 'main')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storyline.model import TimelineEntry

__all__ = ["PlotBar", "PlotPoint", "PlotTick", "TimelinePlot", "period_of", "timeline_plot"]

WIDTH = 960
"""Width of the plot's coordinate system (the SVG scales to its container)."""
_MARGIN = 24
_GUTTER = 130
"""Width of the earlier/later bands, when there are entries to put there."""
_RADIUS = 5.0
_STEP = 11.0
"""Vertical distance between stacked points."""
_MAX_LEVELS = 12
_BAR_LANE = 9.0
_MAX_LANES = 8
_TOP = 14.0
_PAST_MARGIN = timedelta(days=90)
"""Entries up to this long before the first report (and after the last) stay on the main axis."""
_FUTURE_MARGIN = timedelta(days=45)

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"(\d{4})")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True, kw_only=True)
class PlotPoint:
    """One timeline entry drawn as a point."""

    index: int
    """The entry's position in the dossier's timeline (the list item ``#tl-<index>``)."""
    x: float
    y: float
    precision: str
    band: str
    """``main``, ``earlier`` or ``later``."""
    label: str
    """The tooltip: date, precision, what happened, how many sources."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlotBar:
    """The whole period of an entry dated coarser than a day, below the axis."""

    index: int
    x: float
    width: float
    y: float
    precision: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlotTick:
    x: float
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlotBand:
    """An earlier/later band: its extent and the dates of its columns."""

    name: str
    x: float
    width: float
    ticks: tuple[PlotTick, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelinePlot:
    width: float
    height: float
    axis_y: float
    axis_left: float
    axis_right: float
    points: tuple[PlotPoint, ...]
    bars: tuple[PlotBar, ...]
    ticks: tuple[PlotTick, ...]
    bands: tuple[PlotBand, ...]
    reports: tuple[float, ...]
    """Where the story's articles were published, on the main axis."""
    overflow: tuple[tuple[float, float, int], ...]
    """``(x, y, n)``: a stack too high to draw whole, and how many points it leaves out."""
    undated: int
    """Entries whose date could not be placed (not drawn)."""

    @property
    def empty(self) -> bool:
        return not self.points


def period_of(value: str) -> tuple[date, date] | None:
    """The days ``[first, last]`` a timeline date stands for, or None if it is not one.

    >>> period_of("2024-W11")
    (datetime.date(2024, 3, 11), datetime.date(2024, 3, 17))
    >>> period_of("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    """
    try:
        if m := _DAY.fullmatch(value):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return day, day
        if m := _WEEK.fullmatch(value):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return first, first + timedelta(days=6)
        if m := _MONTH.fullmatch(value):
            first = date(int(m[1]), int(m[2]), 1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if m := _YEAR.fullmatch(value):
            return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    except ValueError:
        return None
    return None


def date_label(value: str) -> str:
    """A timeline date as a reader says it: ``5 Mar 2024``, ``week 11, 2024``, ``Mar 2024``.

    >>> date_label("2024-03-05"), date_label("2024-W11"), date_label("2024-03")
    ('5 Mar 2024', 'week 11, 2024', 'Mar 2024')
    """
    if m := _DAY.fullmatch(value):
        return f"{int(m[3])} {MONTHS[int(m[2]) - 1]} {m[1]}" if 1 <= int(m[2]) <= 12 else value
    if m := _WEEK.fullmatch(value):
        return f"week {int(m[2])}, {m[1]}"
    if m := _MONTH.fullmatch(value):
        return f"{MONTHS[int(m[2]) - 1]} {m[1]}" if 1 <= int(m[2]) <= 12 else value
    return value


def _tooltip(entry: TimelineEntry) -> str:
    text = " ".join(entry.text.split())
    if len(text) > 160:
        text = text[:160].rsplit(" ", 1)[0] + " …"
    n = len(entry.sources)
    return (
        f"{date_label(entry.date)} ({entry.precision.value}): {text} "
        f"[{n} source{'s' if n != 1 else ''}]"
    )


def _ticks(first: date, last: date, x_of: _Scale) -> list[PlotTick]:
    span = (last - first).days
    ticks: list[PlotTick] = []
    if span <= 20:
        day = first
        while day <= last:
            ticks.append(PlotTick(x=x_of(day), label=f"{day.day} {MONTHS[day.month - 1]}"))
            day += timedelta(days=1 if span <= 10 else 2)
    elif span <= 75:
        day = first + timedelta(days=(7 - first.weekday()) % 7)  # Mondays
        while day <= last:
            ticks.append(PlotTick(x=x_of(day), label=f"{day.day} {MONTHS[day.month - 1]}"))
            day += timedelta(days=7)
    elif span <= 1100:
        step = 1 if span <= 400 else 3
        month = date(first.year, first.month, 1)
        while month <= last:
            if month >= first and (month.month - 1) % step == 0:
                name = MONTHS[month.month - 1]
                label = f"{name} {month.year}" if month.month == 1 or not ticks else name
                ticks.append(PlotTick(x=x_of(month), label=label))
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    else:
        years = last.year - first.year + 1
        step = max(1, -(-years // 10))
        for year in range(first.year + 1, last.year + 1):
            if year % step == 0:
                ticks.append(PlotTick(x=x_of(date(year, 1, 1)), label=str(year)))
    return ticks


class _Scale:
    """Days to x coordinates over ``[first, last + 1 day)``."""

    def __init__(self, first: date, last: date, left: float, right: float) -> None:
        self.first = first
        self.days = max((last - first).days + 1, 1)
        self.left = left
        self.width = right - left

    def __call__(self, day: date, fraction: float = 0.0) -> float:
        offset = (day - self.first).days + fraction
        return self.left + self.width * offset / self.days


def _stack(xs: Sequence[tuple[int, float]]) -> dict[int, int]:
    """A level for each point so that no two points on one level are closer than a diameter."""
    placed: list[list[float]] = []
    levels: dict[int, int] = {}
    for key, x in sorted(xs, key=lambda item: item[1]):
        level = 0
        while level < len(placed) and x - placed[level][-1] < 2 * _RADIUS + 1:
            level += 1
        if level == len(placed):
            placed.append([])
        placed[level].append(x)
        levels[key] = level
    return levels


def timeline_plot(
    entries: Sequence[TimelineEntry], published: Sequence[datetime | None] = ()
) -> TimelinePlot:
    """Coordinates for drawing ``entries`` (a dossier's timeline) on one time axis.

    ``published`` are the publication times of the story's articles: they set the main axis
    (with a margin) and are drawn as a rug of ticks under it.
    """
    periods = {i: p for i, e in enumerate(entries) if (p := period_of(e.date)) is not None}
    report_days = sorted(p.date() for p in published if p is not None)
    if report_days:
        low = report_days[0] - _PAST_MARGIN
        high = report_days[-1] + _FUTURE_MARGIN
    elif periods:
        days = sorted(d for first, last in periods.values() for d in (first, last))
        low, high = days[0], days[-1]
    else:
        low = high = date.today()
    middle = {i: first + (last - first) / 2 for i, (first, last) in periods.items()}
    main = {i: p for i, p in periods.items() if low <= middle[i] <= high}
    earlier = {i: p for i, p in periods.items() if middle[i] < low}
    later = {i: p for i, p in periods.items() if middle[i] > high}

    # The main axis: the reports' days and the middles of the entries on it, with some air.
    spread = [middle[i] for i in main] + report_days
    first = min(spread) if spread else low
    last = max(spread) if spread else high
    pad = timedelta(days=max(1, (last - first).days // 30))
    first, last = first - pad, last + pad

    left = _MARGIN + (_GUTTER if earlier else 0)
    right = WIDTH - _MARGIN - (_GUTTER if later else 0)
    x_of = _Scale(first, last, left, right)

    columns: list[tuple[int, float]] = []
    for i in main:
        columns.append((i, x_of(max(first, min(middle[i], last)), 0.5)))
    bands: list[PlotBand] = []
    for name, group, x0 in (
        ("earlier", earlier, _MARGIN),
        ("later", later, WIDTH - _MARGIN - _GUTTER),
    ):
        if not group:
            continue
        values = sorted({entries[i].date for i in group}, key=_date_key)
        slot = _GUTTER / (len(values) + 1)
        where = {v: x0 + slot * (n + 1) for n, v in enumerate(values)}
        for i in group:
            columns.append((i, where[entries[i].date]))
        bands.append(
            PlotBand(
                name=name,
                x=x0,
                width=_GUTTER,
                ticks=tuple(PlotTick(x=x, label=date_label(v)) for v, x in where.items()),
            )
        )

    levels = _stack(columns)
    top_level = min(max(levels.values(), default=0), _MAX_LEVELS - 1)
    axis_y = _TOP + _RADIUS + top_level * _STEP + _RADIUS + 8
    points: list[PlotPoint] = []
    hidden: dict[float, int] = {}
    band_of = (
        {i: "main" for i in main} | {i: "earlier" for i in earlier} | {i: "later" for i in later}
    )
    for i, x in columns:
        level = levels[i]
        if level >= _MAX_LEVELS:
            hidden[x] = hidden.get(x, 0) + 1
            continue
        points.append(
            PlotPoint(
                index=i,
                x=round(x, 1),
                y=round(axis_y - 8 - _RADIUS - level * _STEP, 1),
                precision=entries[i].precision.value,
                band=band_of[i],
                label=_tooltip(entries[i]),
            )
        )
    points.sort(key=lambda p: p.index)

    # Bars for coarse dates, in lanes below the axis (greedy: first lane where it fits).
    lanes: list[float] = []
    bars: list[PlotBar] = []
    for i, (start, end) in sorted(main.items(), key=lambda item: item[1]):
        if entries[i].precision.value == "day":
            continue
        x1 = x_of(max(start, first))
        x2 = x_of(min(end, last), 1.0)
        lane = next((n for n, edge in enumerate(lanes) if edge + 2 <= x1), len(lanes))
        if lane == len(lanes):
            lanes.append(x2)
        else:
            lanes[lane] = x2
        bars.append(
            PlotBar(
                index=i,
                x=round(x1, 1),
                width=round(max(x2 - x1, 3.0), 1),
                y=round(axis_y + 26 + min(lane, _MAX_LANES - 1) * _BAR_LANE, 1),
                precision=entries[i].precision.value,
            )
        )
    bars_height = min(len(lanes), _MAX_LANES) * _BAR_LANE
    reports = tuple(round(x_of(d, 0.5), 1) for d in report_days if first <= d <= last)
    # Stacks cut off close together share one "+n" label.
    merged: list[list[float]] = []
    for x, n in sorted(hidden.items()):
        if merged and x - merged[-1][0] < 4 * _RADIUS:
            merged[-1][1] += n
        else:
            merged.append([x, n])
    top = round(axis_y - 8 - _RADIUS - (_MAX_LEVELS - 1) * _STEP, 1)
    overflow = tuple((round(x, 1), top, int(n)) for x, n in merged)
    return TimelinePlot(
        width=WIDTH,
        height=round(axis_y + max(30 + bars_height, 75 if bands else 0) + 16, 1),
        axis_y=round(axis_y, 1),
        axis_left=left,
        axis_right=right,
        points=tuple(points),
        bars=tuple(bars),
        ticks=tuple(_ticks(first, last, x_of)),
        bands=tuple(bands),
        reports=reports,
        overflow=overflow,
        undated=len(entries) - len(periods),
    )


def _date_key(value: str) -> tuple[date, str]:
    period = period_of(value)
    return (period[0] if period else date.min, value)
