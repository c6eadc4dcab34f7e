"""Dossier scores: claims, measure names and disagreements against hand-labelled gold stories.

The gold (``eval/dossier-gold.jsonl``, labelled by the rules of ``docs/labelling-dossiers.md``)
holds labels only, one story a line::

    {"story": "20_ecb", "dataset": "ecbplus", "doc_ids": [...],
     "claims": [{"id", "doc_id", "start", "end", "kind": "figure"|"event", "value", "low"?,
                 "high"?, "unit"?, "measure", "scope"?, "date"?}],
     "disagreements": [{"type", "claim_ids": [...], "note"?}]}

The texts are read from the dataset the story names (``ecbplus/dev.jsonl``,
``polnear/{train,dev}.jsonl`` under the data folder, by default ``../shared/eval``). Each
story's documents are ingested into a fresh temporary project with the real pipeline (ingest,
dedup, annotate, link) and its dossier is built by :func:`storyline.synthesize.build_dossier`;
when story clustering splits the documents, the dossier is still built from all of them. Only
the dossier contract (:class:`storyline.model.Dossier`) is read, so the scorer holds while the
synthesize stage changes.

Matching rules (``docs/labelling-dossiers.md`` explains them with examples):

* a predicted ``quantity`` claim matches a gold ``figure`` claim, an ``event`` claim a gold
  ``event``, when one of its support spans overlaps the gold span in the same document and its
  value agrees (:func:`figure_agrees`, :func:`dates_agree`);
* claim precision counts predicted figure and event claims that match a gold claim, recall
  gold claims that some predicted claim matches;
* measure naming, over matched gold figure claims: a matched claim's subject holds the gold
  measure's two key words (:func:`measure_key_words`), lemmas and the synonyms of
  :data:`MEASURE_SYNONYMS` counting as the same word;
* a predicted disagreement matches a gold one when the gold claims its claims match cover at
  least two different values (two sides) of the gold disagreement; type accuracy is over
  matched gold disagreements, with the predicted disagreement that covers most of it.

>>> figure_agrees((5000.0,), GoldValue(value=5200.0))
True
>>> dates_agree("2016-02", "2016-02-01")
True
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline.config import Settings
from storyline.eval.scores import PRF
from storyline.model import Claim, ClaimKind, Disagreement, Dossier, StoryMaterial, StorySummary

if TYPE_CHECKING:
    from storyline.project import Project

__all__ = [
    "DATASET_FILES",
    "MEASURE_SYNONYMS",
    "DossierScores",
    "GoldClaim",
    "GoldDisagreement",
    "GoldStory",
    "GoldValue",
    "StoryScores",
    "dates_agree",
    "default_data_dir",
    "evaluate_dossiers",
    "figure_agrees",
    "load_gold",
    "measure_key_words",
    "names_measure",
    "parse_figure",
    "report",
    "score_story",
    "story_dossier",
    "verify_gold",
]

DATASET_FILES: Mapping[str, tuple[str, ...]] = {
    "ecbplus": ("ecbplus/dev.jsonl",),
    "polnear": ("polnear/train.jsonl", "polnear/dev.jsonl"),
}
"""Where each dataset's texts are, relative to the data folder."""

SCORED_KINDS = (ClaimKind.QUANTITY, ClaimKind.EVENT)
_GOLD_KIND = {ClaimKind.QUANTITY: "figure", ClaimKind.EVENT: "event"}


# -- gold -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldValue:
    """A gold figure: the stated number, and its band when the text gives a range or a hedge
    ("more than 40": low 40; "as many as 80": high 80; "40 to 70": low 40, high 70)."""

    value: float
    low: float | None = None
    high: float | None = None

    @property
    def band(self) -> tuple[float, float]:
        return (
            self.low if self.low is not None else self.value,
            self.high if self.high is not None else self.value,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldClaim:
    id: str
    doc_id: str
    start: int
    end: int
    kind: str
    """``figure`` or ``event``."""
    measure: str
    figure: GoldValue | None = None
    unit: str | None = None
    scope: str | None = None
    date: str | None = None
    """An event's date, ISO-8601 at the precision the text gives (day, week, month, year)."""

    @property
    def side(self) -> tuple[object, ...]:
        """What a disagreement's sides differ in: the figure and its band, or the date."""
        if self.figure is not None:
            return (self.figure.value, self.figure.band, self.unit)
        return (self.date,)


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldDisagreement:
    type: str
    claim_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldStory:
    story: str
    dataset: str
    doc_ids: tuple[str, ...]
    claims: tuple[GoldClaim, ...]
    disagreements: tuple[GoldDisagreement, ...]


def load_gold(path: str | Path) -> list[GoldStory]:
    """The gold stories of a dossier gold file (JSONL, one story a line)."""
    stories = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                stories.append(_gold_story(json.loads(line)))
    return stories


def _gold_story(record: Mapping[str, Any]) -> GoldStory:
    claims = []
    for c in record["claims"]:
        figure = None
        if c["kind"] == "figure":
            figure = GoldValue(value=float(c["value"]), low=c.get("low"), high=c.get("high"))
        claims.append(
            GoldClaim(
                id=c["id"],
                doc_id=c["doc_id"],
                start=int(c["start"]),
                end=int(c["end"]),
                kind=c["kind"],
                measure=c["measure"],
                figure=figure,
                unit=c.get("unit"),
                scope=c.get("scope"),
                date=c.get("date"),
            )
        )
    ids = {c.id for c in claims}
    disagreements = []
    for d in record.get("disagreements", []):
        unknown = [i for i in d["claim_ids"] if i not in ids]
        if unknown:
            raise ValueError(f"story {record['story']}: disagreement names unknown {unknown}")
        disagreements.append(GoldDisagreement(type=d["type"], claim_ids=tuple(d["claim_ids"])))
    return GoldStory(
        story=record["story"],
        dataset=record["dataset"],
        doc_ids=tuple(record["doc_ids"]),
        claims=tuple(claims),
        disagreements=tuple(disagreements),
    )


# -- values -----------------------------------------------------------------------------------

_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
_RANGE = re.compile(r"\d\s*(?:-|–|to)\s*\d")


def parse_figure(value: str) -> tuple[float, ...]:
    """The numbers a claim's value states, in order: one for a figure, two for a range
    ("3,000-4,000", "800 to 1,000"); hedge words and units are left aside.

    >>> parse_figure("about 4.5 million USD")
    (4500000.0,)
    >>> parse_figure("800-1,000")
    (800.0, 1000.0)
    """
    numbers = []
    scales = []
    for match in _NUMBER.finditer(value):
        number = float(match.group(1).replace(",", "") + (match.group(2) or ""))
        scale = _MULTIPLIERS[match.group(3).lower()] if match.group(3) else 1.0
        numbers.append(number * scale)
        scales.append(scale)
    # "3-4 million": the high end's multiplier is the low end's too.
    if len(numbers) == 2 and scales[0] == 1.0 and scales[1] > 1.0 and _RANGE.search(value):
        numbers[0] *= scales[1]
    return tuple(numbers)


def _significant_step(number: float) -> float:
    """The rounding step a stated number implies: 5,200 -> 100; 5,000 -> 1,000; 5.6 -> 0.1.
    Numbers under 100 are taken as exact counts ("10 killed" is not "about 10")."""
    text = format(Decimal(repr(number)).normalize(), "f")
    if "." in text:
        return float(Decimal(1).scaleb(-len(text.split(".")[1])))
    if abs(number) < 100:
        return 1.0
    trailing = len(text) - len(text.rstrip("0"))
    return float(10**trailing)


def _round_equal(a: float, b: float) -> bool:
    """Equal once the more precise number is rounded to the coarser one's step."""
    step = max(_significant_step(a), _significant_step(b))
    return abs(a - b) <= step / 2 + 1e-9


def figure_agrees(numbers: Sequence[float], gold: GoldValue) -> bool:
    """Whether a predicted value agrees with a gold figure: every number it states lies in the
    gold band, or equals the gold value after rounding (5,000 and 5,200 agree; 52 and 53 do
    not). A value with no number agrees with nothing."""
    if not numbers:
        return False
    low, high = gold.band
    return all(low - 1e-9 <= n <= high + 1e-9 or _round_equal(n, gold.value) for n in numbers)


_ISO_DATE = re.compile(r"\b(\d{4})(?:-(W\d{2}|\d{2})(?:-(\d{2}))?)?\b")


def _interval(value: str) -> tuple[date, date] | None:
    """The days an ISO date at any precision covers (day, ISO week, month, year)."""
    match = _ISO_DATE.search(value)
    if match is None:
        return None
    year, middle, day = match.groups()
    try:
        if middle is None:
            return date(int(year), 1, 1), date(int(year), 12, 31)
        if middle.startswith("W"):
            monday = date.fromisocalendar(int(year), int(middle[1:]), 1)
            return monday, monday + timedelta(days=6)
        if day is None:
            first = date(int(year), int(middle), 1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        exact = date(int(year), int(middle), int(day))
        return exact, exact
    except ValueError:
        return None


def dates_agree(predicted: str, gold: str) -> bool:
    """Whether two dates agree at the coarser precision: the coarser one's days hold the
    finer one's ("2016-02" holds "2016-02-01"; "2016-W05" and "2016-02-01" agree)."""
    a, b = _interval(predicted), _interval(gold)
    if a is None or b is None:
        return False
    return (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1])


def _agrees(claim: Claim, gold: GoldClaim) -> bool:
    if gold.kind == "figure" and gold.figure is not None:
        numbers = parse_figure(claim.value)
        if gold.unit == "percent" and numbers and all(n <= 1 for n in numbers):
            # A share stated as a fraction ("half": 0.5) is the same share in percent.
            numbers = tuple(n * 100 for n in numbers)
        return figure_agrees(numbers, gold.figure)
    return gold.date is not None and dates_agree(claim.value, gold.date)


def _overlaps(claim: Claim, gold: GoldClaim) -> bool:
    return any(
        e.article_id == gold.doc_id and e.start < gold.end and gold.start < e.end
        for e in claim.support
    )


# -- measure names ----------------------------------------------------------------------------

MEASURE_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"kill", "dead", "death", "die", "toll", "fatality", "life", "killing"}),
    frozenset({"injure", "injury", "wound", "hurt", "injured", "casualty"}),
    frozenset({"arrest", "detain", "custody", "detention"}),
    frozenset({"earthquake", "quake", "tremor", "temblor", "shock"}),
    frozenset({"people", "person", "resident", "villager", "individual"}),
    frozenset({"magnitude", "strength", "richter"}),
    frozenset({"fighter", "militant", "rebel", "jihadist", "insurgent"}),
    frozenset({"evacuate", "evacuee", "evacuation"}),
    frozenset({"home", "house", "dwelling", "residence"}),
    frozenset({"vote", "ballot"}),
    frozenset({"share", "percent", "percentage", "%", "proportion"}),
    frozenset({"distance", "away", "off"}),
    frozenset({"win", "victory", "won"}),
    frozenset({"reward", "bounty"}),
    frozenset({"poll", "survey"}),
    frozenset({"debate"}),
)
"""Words that name one thing in news figures: a measure's key word meets any of its group."""

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "to",
        "into",
        "over",
        "with",
        "during",
        "after",
        "before",
        "about",
        "around",
        "against",
        "which",
        "who",
        "whom",
        "that",
        "this",
        "these",
        "those",
        "when",
        "where",
        "while",
        "as",
        "its",
        "his",
        "her",
        "their",
        "our",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "has",
        "have",
        "had",
        "not",
    ]
)


def _lemma(word: str) -> str:
    """A crude lemma, enough to meet inflections in measure names: lower case, no possessive,
    no plural or past-tense ending ("killed" -> "kill", "injuries" -> "injury")."""
    word = word.lower().strip(".,;:()\"'“”’")
    word = re.sub(r"(?:'s|’s|')$", "", word)
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("sses", "ss"), ("ses", "s")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + replacement
    if word.endswith("ed") and len(word) > 4:
        stem = word[:-2]
        doubled = len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz"
        return stem[:-1] if doubled else stem
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[\w%’']+", text) if w.lower() not in _STOPWORDS]


def _synonym_groups() -> dict[str, frozenset[str]]:
    groups: dict[str, frozenset[str]] = {}
    for group in MEASURE_SYNONYMS:
        lemmas = frozenset(_lemma(w) for w in group)
        for lemma in lemmas:
            groups[lemma] = lemmas
    return groups


def _canonical(lemma: str) -> frozenset[str]:
    return _SYNONYM_GROUPS.get(lemma, frozenset({lemma}))


_SYNONYM_GROUPS = _synonym_groups()
_PEOPLE_IMPLIED = frozenset().union(
    *(_canonical(w) for w in ("death", "injury", "arrest", "evacuee"))
)


def measure_key_words(measure: str) -> tuple[str, ...]:
    """The words a subject must hold to name a gold measure: its first two content words
    (articles, prepositions and possessive endings left out), as lemmas.

    >>> measure_key_words("people killed in the earthquake")
    ('people', 'kill')
    >>> measure_key_words("magnitude of the earthquake")
    ('magnitude', 'earthquake')
    >>> measure_key_words("Trump's share of the vote in the New Hampshire primary")
    ('trump', 'share')
    """
    return tuple(_lemma(w) for w in _words(measure)[:2])


def names_measure(subject: str, measure: str) -> bool:
    """Whether a claim's subject names a gold measure: each key word of the measure, or a
    synonym of it, is among the subject's words."""
    present: set[str] = set()
    for word in _words(subject):
        lemma = _lemma(word)
        present |= {lemma} | _canonical(lemma)
    # "deaths", "the toll", "evacuees" name the people they count.
    if present & _PEOPLE_IMPLIED:
        present |= _canonical("people")
    return all(_canonical(k) & present for k in measure_key_words(measure))


# -- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryScores:
    """One story's counts (gold, predicted, matched) for claims, naming and disagreements."""

    story: str
    documents: int
    stories_found: int
    """How many stories the pipeline's clustering made of the documents (1 is right)."""
    claims: PRF
    """Precision over predicted claims, recall over gold claims (``true_positives`` counts
    matched predicted claims; :attr:`gold_claims_matched` the recall numerator)."""
    gold_claims_matched: int
    named: int
    """Matched gold figure claims whose matched claim names the measure."""
    figures_matched: int
    disagreements: PRF
    gold_disagreements_matched: int
    types_right: int
    unscored_disagreements: int = 0
    """Predicted disagreements between claims of other kinds (states, statements)."""

    @property
    def claim_recall(self) -> float:
        return self.gold_claims_matched / self.claims.gold if self.claims.gold else 0.0

    @property
    def naming_accuracy(self) -> float:
        return self.named / self.figures_matched if self.figures_matched else 0.0

    @property
    def disagreement_recall(self) -> float:
        gold = self.disagreements.gold
        return self.gold_disagreements_matched / gold if gold else 0.0

    @property
    def type_accuracy(self) -> float:
        matched = self.gold_disagreements_matched
        return self.types_right / matched if matched else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "story": self.story,
            "documents": self.documents,
            "stories_found": self.stories_found,
            "claims": {
                "precision": round(self.claims.precision, 4),
                "recall": round(self.claim_recall, 4),
                "predicted": self.claims.predicted,
                "predicted_matched": self.claims.true_positives,
                "gold": self.claims.gold,
                "gold_matched": self.gold_claims_matched,
            },
            "measure_naming": {
                "accuracy": round(self.naming_accuracy, 4),
                "named": self.named,
                "figures_matched": self.figures_matched,
            },
            "disagreements": {
                "precision": round(self.disagreements.precision, 4),
                "recall": round(self.disagreement_recall, 4),
                "predicted": self.disagreements.predicted,
                "predicted_matched": self.disagreements.true_positives,
                "gold": self.disagreements.gold,
                "gold_matched": self.gold_disagreements_matched,
                "type_accuracy": round(self.type_accuracy, 4),
                "types_right": self.types_right,
                "unscored": self.unscored_disagreements,
            },
        }


def score_story(gold: GoldStory, dossier: Dossier, *, stories_found: int = 1) -> StoryScores:
    """Score one story's dossier against its gold (the rules are in the module docstring)."""
    predicted = [c for c in dossier.claims if c.kind in SCORED_KINDS]
    matches: dict[str, set[str]] = {}  # predicted claim id -> gold claim ids it matches
    for claim in predicted:
        kind = _GOLD_KIND[claim.kind]
        matches[claim.id] = {
            g.id
            for g in gold.claims
            if g.kind == kind and _overlaps(claim, g) and _agrees(claim, g)
        }
    by_gold: dict[str, list[Claim]] = {}
    for claim in predicted:
        for gold_id in matches[claim.id]:
            by_gold.setdefault(gold_id, []).append(claim)
    gold_by_id = {g.id: g for g in gold.claims}
    figures_matched = [g for g in gold.claims if g.kind == "figure" and g.id in by_gold]
    named = sum(
        1
        for g in figures_matched
        if any(names_measure(c.subject, g.measure) for c in by_gold[g.id])
    )

    scored = [d for d in dossier.disagreements if any(c in matches for c in d.claim_ids)]
    covered: list[tuple[Disagreement, set[str]]] = [
        (d, set().union(*(matches.get(c, set()) for c in d.claim_ids))) for d in scored
    ]
    matched_predicted = 0
    best: dict[int, tuple[int, Disagreement]] = {}
    for d, gold_ids in covered:
        hit = False
        for index, g in enumerate(gold.disagreements):
            sides = {gold_by_id[i].side for i in g.claim_ids if i in gold_ids}
            if len(sides) >= 2:
                hit = True
                overlap = len(gold_ids & set(g.claim_ids))
                if index not in best or overlap > best[index][0]:
                    best[index] = (overlap, d)
        matched_predicted += hit
    types_right = sum(1 for i, (_, d) in best.items() if d.type.value == gold.disagreements[i].type)
    return StoryScores(
        story=gold.story,
        documents=len(gold.doc_ids),
        stories_found=stories_found,
        claims=PRF(
            true_positives=sum(1 for c in predicted if matches[c.id]),
            predicted=len(predicted),
            gold=len(gold.claims),
        ),
        gold_claims_matched=len(by_gold),
        named=named,
        figures_matched=len(figures_matched),
        disagreements=PRF(
            true_positives=matched_predicted,
            predicted=len(scored),
            gold=len(gold.disagreements),
        ),
        gold_disagreements_matched=len(best),
        types_right=types_right,
        unscored_disagreements=len(dossier.disagreements) - len(scored),
    )


# -- building the dossiers --------------------------------------------------------------------


def default_data_dir() -> Path:
    """The shared evaluation data beside the repository (``../shared/eval``), found from this
    source file in a checkout, else from the working directory."""
    candidates = [
        Path(__file__).resolve().parents[3].parent / "shared" / "eval",
        Path.cwd().resolve().parent / "shared" / "eval",
    ]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def _load_records(dataset: str, data_dir: Path, wanted: set[str]) -> dict[str, dict[str, Any]]:
    if dataset not in DATASET_FILES:
        raise ValueError(f"unknown dataset {dataset!r} (known: {', '.join(DATASET_FILES)})")
    records: dict[str, dict[str, Any]] = {}
    for name in DATASET_FILES[dataset]:
        path = data_dir / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                if record["doc_id"] in wanted:
                    records[record["doc_id"]] = record
    missing = sorted(wanted - records.keys())
    if missing:
        raise ValueError(f"documents not found under {data_dir}: {', '.join(missing[:5])}")
    return records


def _input_article(record: Mapping[str, Any], dataset: str) -> dict[str, Any]:
    """A record in the input-article shape; ECB+ documents carry no publication date."""
    article: dict[str, Any] = {"id": record["doc_id"], "text": record["text"]}
    if record.get("title"):
        article["title"] = record["title"]
    if dataset != "ecbplus" and record.get("published"):
        article["published"] = record["published"]
    if record.get("publisher"):
        article["source"] = record["publisher"]
    return article


def story_dossier(records: Sequence[Mapping[str, Any]], settings: Settings) -> tuple[Dossier, int]:
    """The dossier the real pipeline makes of these input articles, taken as one story, and
    how many stories its clustering made of them.

    The articles are ingested into a fresh temporary project (dedup, annotation, entity
    linking, story assignment); when clustering splits them, the material of all their
    stories is put together, so the dossier always covers every document.
    """
    from storyline.project import open_project
    from storyline.synthesize.dossier import build_dossier

    # Short wire items are part of real stories: the eval keeps them all.
    settings = replace(settings, ingest=replace(settings.ingest, min_text_chars=1))
    with (
        tempfile.TemporaryDirectory(prefix="storyline-eval-") as folder,
        open_project(Path(folder) / "eval.db", settings=settings) as project,
    ):
        project.ingest_records(records, location="gold")
        stories = project.stories()
        if len(stories) == 1:
            material = project.story_material(stories[0].id)
        else:
            material = _joined_material(project, stories, [str(r["id"]) for r in records])
        return build_dossier(material, settings.dossier), len(stories)


def _joined_material(
    project: Project, stories: Sequence[StorySummary], order: Sequence[str]
) -> StoryMaterial:
    """One story's material made of several stories' articles, in story order (earliest
    published first, undated last in input order), under the largest story's id."""
    position = {article_id: i for i, article_id in enumerate(order)}
    articles = [project.article(a) for s in stories for a in s.article_ids]
    articles.sort(
        key=lambda a: (a.published is None, a.published or 0, position.get(a.id, len(position)))
    )
    dated = [a.published for a in articles if a.published is not None]
    main = max(stories, key=lambda s: len(s.article_ids))
    summary = StorySummary(
        id=main.id,
        title=main.title,
        article_ids=tuple(a.id for a in articles),
        first_published=min(dated) if dated else None,
        last_published=max(dated) if dated else None,
        sources=len({a.source for a in articles if a.source}),
    )
    return project.material_of(summary)


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "sixty": 60,
    "dozen": 12, "hundred": 100, "first": 1, "third": 3, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "pair": 2, "double": 2, "half": 50, "quarter": 0.25, "forty-three": 43,
    "forty-four": 44, "forty-six": 46, "a minute": 1, "a year": 1, "a million": 1e6,
}  # fmt: skip
_FRACTION_WORDS = ("half", "third", "quarter")
_DATE_WORDS = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|week|"
    r"month|year|ago|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)


def _span_states(span: str, wanted: float) -> bool:
    """Whether a span states a number: in digits (ECB+ spacing "6. 1", "2, 000" allowed, and
    "thousand/million/billion" multipliers), as m:ss, or in words."""
    text = re.sub(r"(?<=\d)([.,]) (?=\d)", r"\1", span)
    numbers = [n * m for n in parse_figure(text) for m in (1, 1e3, 1e6, 1e9)]
    numbers += [60 * int(a) + int(b) for a, b in re.findall(r"(\d+):(\d\d)", text)]
    numbers += [int(a) + 0.5 for a in re.findall(r"(\d+) 1/2", text)]
    if any(abs(n - wanted) <= 1e-6 * max(1.0, abs(wanted)) for n in numbers):
        return True
    lowered = span.lower()
    for word, number in _NUMBER_WORDS.items():
        if not re.search(r"\b" + word, lowered):
            continue
        if word in _FRACTION_WORDS or any(number * m == wanted for m in (1, 1e3, 1e6, 1e9)):
            return True
    return False


def verify_gold(path: str | Path, data_dir: str | Path) -> list[str]:
    """Problems with a gold file, one line each (an empty list when it is sound): spans
    outside their text, a figure none of whose numbers the span states, an event whose span
    has neither its year nor a relative date word, a document outside the story's
    ``doc_ids``."""
    problems = []
    for gold in load_gold(path):
        texts = {
            doc_id: record["text"]
            for doc_id, record in _load_records(
                gold.dataset, Path(data_dir), set(gold.doc_ids)
            ).items()
        }
        for claim in gold.claims:
            where = f"{gold.story} {claim.id}"
            if claim.doc_id not in texts:
                problems.append(f"{where}: {claim.doc_id} is not among the story's doc_ids")
                continue
            text = texts[claim.doc_id]
            if not 0 <= claim.start < claim.end <= len(text):
                problems.append(f"{where}: span {claim.start}-{claim.end} outside the text")
                continue
            span = text[claim.start : claim.end]
            if claim.figure is not None:
                candidates = {claim.figure.value, *claim.figure.band}
                if not any(_span_states(span, n) for n in candidates):
                    problems.append(f"{where}: the span states no {claim.figure.value:g}")
            elif claim.date is None:
                problems.append(f"{where}: an event without a date")
            elif claim.date[:4] not in span and not _DATE_WORDS.search(span):
                problems.append(f"{where}: nothing in the span dates it {claim.date}")
    return problems


@dataclass(frozen=True, slots=True, kw_only=True)
class DossierScores:
    """Per-story scores and their totals (micro-averaged over all stories)."""

    stories: tuple[StoryScores, ...]
    total: StoryScores = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", _total(self.stories))

    def to_dict(self) -> dict[str, object]:
        return {
            "stories": [s.to_dict() for s in self.stories],
            "total": self.total.to_dict(),
        }


def _total(stories: Iterable[StoryScores]) -> StoryScores:
    items = list(stories)

    def add(name: str) -> int:
        return sum(int(getattr(s, name)) for s in items)

    def summed(counts: Sequence[PRF]) -> PRF:
        return PRF(
            true_positives=sum(c.true_positives for c in counts),
            predicted=sum(c.predicted for c in counts),
            gold=sum(c.gold for c in counts),
        )

    return StoryScores(
        story="total",
        documents=add("documents"),
        stories_found=add("stories_found"),
        claims=summed([s.claims for s in items]),
        gold_claims_matched=add("gold_claims_matched"),
        named=add("named"),
        figures_matched=add("figures_matched"),
        disagreements=summed([s.disagreements for s in items]),
        gold_disagreements_matched=add("gold_disagreements_matched"),
        types_right=add("types_right"),
        unscored_disagreements=add("unscored_disagreements"),
    )


def evaluate_dossiers(
    path: str | Path, settings: Settings, *, data_dir: str | Path
) -> DossierScores:
    """Build every gold story's dossier with the real pipeline and score it."""
    data = Path(data_dir)
    results = []
    for gold in load_gold(path):
        found = _load_records(gold.dataset, data, set(gold.doc_ids))
        for claim in gold.claims:
            text = found[claim.doc_id]["text"]
            if not 0 <= claim.start < claim.end <= len(text):
                raise ValueError(f"story {gold.story}: claim {claim.id} lies outside its text")
        records = [_input_article(found[d], gold.dataset) for d in gold.doc_ids]
        dossier, stories_found = story_dossier(records, settings)
        results.append(score_story(gold, dossier, stories_found=stories_found))
    return DossierScores(stories=tuple(results))


def report(scores: DossierScores) -> str:
    """A table: one row per story and the total."""
    header = (
        f"{'story':<34}{'docs':>5}{'split':>6}{'gold':>6}{'pred':>6}{'claim P':>9}"
        f"{'claim R':>9}{'naming':>8}{'g dis':>7}{'p dis':>7}{'dis P':>7}{'dis R':>7}"
        f"{'type':>7}"
    )
    lines = [header]
    for row in (*scores.stories, scores.total):
        if row is scores.total:
            lines.append("-" * len(header))
        lines.append(
            f"{row.story:<34}{row.documents:>5}{row.stories_found:>6}{row.claims.gold:>6}"
            f"{row.claims.predicted:>6}{row.claims.precision:>9.3f}{row.claim_recall:>9.3f}"
            f"{row.naming_accuracy:>8.3f}{row.disagreements.gold:>7}"
            f"{row.disagreements.predicted:>7}{row.disagreements.precision:>7.3f}"
            f"{row.disagreement_recall:>7.3f}{row.type_accuracy:>7.3f}"
        )
    total = scores.total
    lines.append(
        f"claims: P {total.claims.precision:.3f} (target 0.90), R {total.claim_recall:.3f} "
        f"(target 0.70); measure naming {total.naming_accuracy:.3f}; disagreements: "
        f"P {total.disagreements.precision:.3f} (target 0.80), "
        f"R {total.disagreement_recall:.3f} (target 0.60), type accuracy "
        f"{total.type_accuracy:.3f}; {total.unscored_disagreements} disagreements between "
        "claims of other kinds not scored"
    )
    return "\n".join(lines)
