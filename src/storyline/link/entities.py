"""Cross-document entities: one corpus entity per real-world referent, across all articles.

The annotate stage gives every mention a ``canonical`` name within its own article ("Park" ->
"Linda Park", "TWA" -> "Tessin Water Authority"). :class:`EntityLinker` takes each article's
distinct canonical names and links each to a corpus entity, founding one when none fits:

>>> from storyline.model import Annotations, Entity
>>> def names(*pairs):
...     return Annotations(entities=tuple(
...         Entity(text=t, start=0, end=len(t), label=label, canonical=c)
...         for t, label, c in pairs))
>>> linker = EntityLinker(MemoryEntityIndex())
>>> first = linker.add("a1", names(("Muammar Gaddafi", "PERSON", "Muammar Gaddafi"),
...                                ("ECB", "ORG", "European Central Bank")))
>>> later = linker.add("a2", names(("Moammar Qadhafi", "PERSON", "Moammar Qadhafi"),
...                                ("ECB", "ORG", "ECB")))
>>> [(x.canonical, x.how) for x in later]
[('Moammar Qadhafi', 'variant'), ('ECB', 'acronym')]
>>> linker.entity(later[0].entity_id).aliases
('Moammar Qadhafi',)

Rules, in the order they are tried for a name (a ``label`` is the majority label of the name's
mentions in the article):

1. **User aliases** (:class:`AliasTable`): a canonical name whose key is an entry's canonical
   name or alias links to that entry's entity, whatever else matches.
2. **Surname** (a one-word PERSON name the article could not resolve: "Haddad"): it links to
   the one person of the same article whose surname it is; failing that, to the one known
   corpus person with that surname who already co-occurred with this article's other entities
   (their shared entities must be specific enough: summed ``log((N + 1) / df)`` at least
   :data:`SURNAME_EVIDENCE`). Anything less stays apart.
3. **Same name**: the same :func:`~storyline.link.features.name_key` (case, accents,
   punctuation, ``al-``/``el-``, common transliteration letters), whatever the labels: NER on
   the small model is noisy, and the corpus label is the majority of all mentions.
4. **Acronym** (an all-capitals canonical: "ECB"): an entity some article wrote it for
   ("European Central Bank (ECB)", or "ECB" linked in-article to the long form), else the one
   entity whose initials it spells; only when exactly one entity fits.
5. **Variant** (spelling and transliteration): the same consonant skeleton of the name key
   ("yusuf hadad", "yusef hadad" -> "isf hdd"), the same kind of label, and each word within one
   edit (two for words of 8 letters or more) of the other; persons also meet on first + last
   name ("Ana María Ortega", "Ana Ortega"). Short words must match exactly ("Jon"/"Jan").
   One-word names other than persons only meet by rule 3.

The work per article is a bounded number of key look-ups (:data:`LOOKUP_LIMIT` ids each) and,
for unresolved surnames, the entities of each candidate's :data:`RECENT_ARTICLES` most recent
articles: it does not grow with the number of entities stored. Corpus entity ids are ``e-`` and
a hash of the first canonical name and label: deterministic, and never renamed (a later, more
frequent form only changes the displayed canonical).
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from storyline.errors import ConfigError
from storyline.link.entity_index import EntityIndex, EntityRecord, MemoryEntityIndex
from storyline.link.features import name_key
from storyline.model import Annotations, CorpusEntity, Entity, LinkedEntity

__all__ = [
    "LOOKUP_LIMIT",
    "RECENT_ARTICLES",
    "SURNAME_EVIDENCE",
    "AliasEntry",
    "AliasTable",
    "EntityLinker",
    "entity_id_for",
    "skeleton",
]

LOOKUP_LIMIT = 8
"""Entity ids read per key look-up (a key with more is ambiguous anyway)."""
RECENT_ARTICLES = 64
"""Most recent articles of a candidate person read to check co-occurrence."""
SURNAME_EVIDENCE = 2.0
"""Summed ``log((N + 1) / df)`` of the entities a bare surname's article shares with a
candidate person (N linked articles, df those of the shared entity): entities that are nearly
everywhere ("Valdoria") count little; two specific ones, or many ordinary ones, are enough."""
MAX_ALIASES = 50
"""Other names kept per entity (the first seen)."""

_LABEL_GROUPS = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "norp",
}
_LONG_FORM_LABELS = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC"})
_INITIAL_STOPWORDS = frozenset(
    {"of", "the", "for", "and", "on", "in", "to", "&", "de", "du", "des", "la", "le", "et"}
)
_VOWELS = frozenset("aeiou")


def entity_id_for(canonical: str, label: str, n: int = 0) -> str:
    """The id of a corpus entity founded by ``canonical`` with ``label`` (``n`` > 0 only when
    an entity of that name and label was founded before and is another referent).

    >>> entity_id_for("Linda Park", "PERSON")
    'e-f3dfb2ec2175'
    """
    seed = f"{canonical}\x00{label}" + (f"\x00{n}" if n else "")
    return "e-" + hashlib.sha256(seed.encode()).hexdigest()[:12]


def skeleton(key: str) -> str:
    """The consonant skeleton of a :func:`~storyline.link.features.name_key`: each word's first
    letter and its consonants.

    >>> [skeleton(name_key(n)) for n in ("Yusuf al-Haddad", "Youssef Haddad", "Muammar Kadafi")]
    ['isf hdd', 'isf hdd', 'mmr kdf']
    """
    return " ".join(w[0] + "".join(c for c in w[1:] if c not in _VOWELS) for w in key.split())


def _is_acronym(text: str) -> bool:
    letters = text.replace(".", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


def _initials(name: str) -> set[str]:
    """ "Federal Bureau of Investigation" -> {"FBI", "FBOI"}; nothing for one word."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if len(words) < 2 or any(_is_acronym(w) for w in words):
        return set()
    every = "".join(w[0] for w in words).upper()
    content = "".join(w[0] for w in words if w.lower() not in _INITIAL_STOPWORDS).upper()
    return {k for k in (every, content) if len(k) >= 2}


def _close(a: str, b: str) -> bool:
    """Whether two name words are spelling variants: equal, or within one edit (two from 8
    letters), and never for words under 5 letters ("jon"/"jan")."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 5:
        return False
    return _edits(a, b, 2 if shorter >= 8 else 1)


def _edits(a: str, b: str, most: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is at most ``most``."""
    if abs(len(a) - len(b)) > most:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > most:
            return False
        previous = current
    return previous[-1] <= most


def _variant(a: str, b: str, *, person: bool) -> bool:
    """Two name keys are variants: word by word close ("yusuf hadad", "yusef hadad"); for
    persons, first and last words close when the word counts differ ("ana maria ortega")."""
    wa, wb = a.split(), b.split()
    if len(wa) == len(wb):
        return all(_close(x, y) for x, y in zip(wa, wb, strict=True))
    if person and min(len(wa), len(wb)) >= 2:
        return _close(wa[0], wb[0]) and _close(wa[-1], wb[-1])
    return False


# -- user aliases -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasEntry:
    """One entity of the user alias file."""

    canonical: str
    aliases: tuple[str, ...] = ()
    label: str | None = None


class AliasTable:
    """User aliases: names that always mean one entity, whatever the linker would learn.

    >>> table = AliasTable([AliasEntry(canonical="Muammar Gaddafi", aliases=("Colonel",))])
    >>> table.find("colonel").canonical, table.find("Qaddafi") is None
    ('Muammar Gaddafi', True)
    """

    def __init__(self, entries: Iterable[AliasEntry] = ()) -> None:
        self.entries: tuple[AliasEntry, ...] = tuple(entries)
        self._by_key: dict[str, AliasEntry] = {}
        for entry in self.entries:
            for name in (entry.canonical, *entry.aliases):
                key = name_key(name)
                if not key:
                    raise ValueError(f"alias {name!r} has no letters or digits")
                held = self._by_key.setdefault(key, entry)
                if held.canonical != entry.canonical:
                    raise ValueError(
                        f"{name!r} is given for both {held.canonical!r} and {entry.canonical!r}"
                    )

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, name: str) -> AliasEntry | None:
        """The entry ``name`` is the canonical name or an alias of (by name key), if any."""
        return self._by_key.get(name_key(name))

    @classmethod
    def from_data(cls, data: Any) -> AliasTable:
        """From ``{"canonical": ["alias", ...]}`` or ``{"entity": [{"canonical", "aliases",
        "label"}]}`` (the TOML ``[[entity]]`` form); ValueError when malformed."""
        entries: list[AliasEntry] = []
        if isinstance(data, Mapping) and "entity" in data and isinstance(data["entity"], list):
            for item in data["entity"]:
                if not isinstance(item, Mapping) or not isinstance(item.get("canonical"), str):
                    raise ValueError("each [[entity]] needs a canonical name (text)")
                aliases = item.get("aliases", [])
                label = item.get("label")
                unknown = set(item) - {"canonical", "aliases", "label"}
                if unknown:
                    raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))} in [[entity]]")
                if not _texts(aliases) or not (label is None or isinstance(label, str)):
                    raise ValueError(f"bad aliases or label for {item['canonical']!r}")
                entries.append(
                    AliasEntry(canonical=item["canonical"], aliases=tuple(aliases), label=label)
                )
        elif isinstance(data, Mapping):
            for canonical, aliases in data.items():
                if not _texts(aliases):
                    raise ValueError(f"aliases of {canonical!r} must be a list of names")
                entries.append(AliasEntry(canonical=str(canonical), aliases=tuple(aliases)))
        else:
            raise ValueError("expected a table of canonical names to lists of aliases")
        return cls(entries)

    @classmethod
    def load(cls, path: str | Path) -> AliasTable:
        """Read a TOML (``.toml``) or JSON file; a bad file is a ConfigError naming it."""
        file = Path(path)
        try:
            raw = file.read_bytes()
            data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else json.loads(raw)
            return cls.from_data(data)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(f"bad entity aliases file {file}: {exc}") from None


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# -- linking ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Name:
    """One distinct canonical name of an article, with what its mentions say."""

    canonical: str
    key: str
    first: int
    labels: Counter[str] = field(default_factory=Counter)
    forms: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        # Majority; ties go to the label seen first.
        best = max(self.labels.values())
        return next(label for label in self.labels if self.labels[label] == best)

    @property
    def mentions(self) -> int:
        return sum(self.labels.values())

    @property
    def person(self) -> bool:
        return self.label == "PERSON"


def _group(entities: Iterable[Entity]) -> list[_Name]:
    names: dict[str, _Name] = {}
    for e in sorted(entities, key=lambda e: e.start):
        canonical = " ".join(e.canonical.split())
        key = name_key(canonical)
        if not key or not any(c.isupper() for c in canonical):
            continue  # "foreign ministry", "van driver": not names
        name = names.get(canonical)
        if name is None:
            name = names[canonical] = _Name(canonical=canonical, key=key, first=e.start)
        name.labels[e.label] += 1
        form = " ".join(e.text.split())
        if form != canonical and form not in name.forms:
            name.forms.append(form)
        if " " in canonical and _is_acronym(form) and form not in name.acronyms:
            name.acronyms.append(form)
    return list(names.values())


def _ends_name(full: _Name, short: _Name) -> bool:
    """Whether ``full`` is a person's name of two words or more ending with ``short``."""
    words = full.key.split()
    return full.person and len(words) >= 2 and _close(words[-1], short.key)


def _majority(labels: Mapping[str, int], fallback: str) -> str:
    if not labels:
        return fallback
    best = max(labels.values())
    if labels.get(fallback) == best:
        return fallback
    return min(label for label, n in labels.items() if n == best)


class EntityLinker:
    """Links each article's canonical names to corpus entities kept in an :class:`EntityIndex`.

    ``add`` is idempotent: an article linked before returns its stored links (``how="stored"``)
    and changes nothing.
    """

    def __init__(self, index: EntityIndex | None = None, *, aliases: AliasTable | None = None):
        self.index: EntityIndex = index if index is not None else MemoryEntityIndex()
        self.aliases = aliases if aliases is not None else AliasTable()

    # -- public API ------------------------------------------------------------------------

    def add(self, article_id: str, annotations: Annotations) -> list[LinkedEntity]:
        """Link the article's distinct canonical names (one :class:`LinkedEntity` each, in
        order of first mention)."""
        stored = self.index.article_links(article_id)
        names = _group(annotations.entities)
        if stored:
            return [
                LinkedEntity(
                    article_id=article_id,
                    canonical=n.canonical,
                    entity_id=stored[n.canonical],
                    label=n.label,
                    mentions=n.mentions,
                    how="stored",
                )
                for n in names
                if n.canonical in stored
            ]
        # Full names first, bare surnames last: they resolve against the rest of the article.
        order = sorted(names, key=lambda n: (self._is_surname(n, names), n.first))
        resolved: dict[str, tuple[str, str]] = {}
        for name in order:
            resolved[name.canonical] = self._resolve(name, names, resolved)
        touched: dict[str, EntityRecord] = {}
        for name in order:
            entity_id, how = resolved[name.canonical]
            record = touched.get(entity_id) or self.index.entity(entity_id)
            touched[entity_id] = self._update(record, entity_id, name, how, article_id)
        for record in touched.values():
            self.index.put_entity(replace(record, articles=record.articles + 1))
        self.index.add_links(article_id, {n.canonical: resolved[n.canonical][0] for n in names})
        return [
            LinkedEntity(
                article_id=article_id,
                canonical=n.canonical,
                entity_id=resolved[n.canonical][0],
                label=n.label,
                mentions=n.mentions,
                how=resolved[n.canonical][1],
            )
            for n in names
        ]

    def entity(self, entity_id: str) -> CorpusEntity:
        """A corpus entity by id; KeyError when unknown."""
        record = self.index.entity(entity_id)
        if record is None:
            raise KeyError(entity_id)
        return self._public(record)

    def entities(
        self, *, limit: int | None = None, offset: int = 0, query: str | None = None
    ) -> list[CorpusEntity]:
        """Corpus entities, most articles first; ``query`` keeps those with a name or alias
        containing it (compared by name key: "qadhafi" finds "Gaddafi")."""
        search = None
        if query is not None:
            search = name_key(query)
            if not search:
                return []
        records = self.index.top(limit=limit, offset=offset, search=search)
        return [self._public(r) for r in records]

    def links(self, article_id: str) -> dict[str, str]:
        """In-article canonical name -> corpus entity id, for a linked article."""
        return self.index.article_links(article_id)

    # -- resolution ------------------------------------------------------------------------

    @staticmethod
    def _is_surname(name: _Name, names: Sequence[_Name]) -> bool:
        """A one-word name tagged PERSON, or ending a person's full name in the article
        (whatever spaCy tagged it: "El-Haddad" as ORG next to "Yousef el-Haddad")."""
        if " " in name.key or _is_acronym(name.canonical):
            return False
        return "PERSON" in name.labels or any(_ends_name(n, name) for n in names)

    def _resolve(
        self, name: _Name, names: Sequence[_Name], resolved: Mapping[str, tuple[str, str]]
    ) -> tuple[str, str]:
        entry = self.aliases.find(name.canonical)
        if entry is not None:
            return self._user_entity(entry, name), "user"
        if self._is_surname(name, names):
            found = self._surname(name, names, resolved, corpus="PERSON" in name.labels)
            if found is not None:
                return found, "surname"
        for other in names:
            if other.key == name.key and other.canonical in resolved:
                return resolved[other.canonical]  # "ARLEN" and "Arlen" in one article
        same = self._one(self.index.lookup("name", name.key, limit=LOOKUP_LIMIT))
        if same is not None:
            return same, "name"
        if _is_acronym(name.canonical):
            letters = name.canonical.replace(".", "")
            acronym = self.index.lookup("acr", letters, limit=LOOKUP_LIMIT)
            if not acronym:
                acronym = self.index.lookup("ini", letters, limit=LOOKUP_LIMIT)
            found = self._one(acronym)
            if found is not None:
                return found, "acronym"
        found = self._variant(name)
        if found is not None:
            return found, "variant"
        return self._new_id(name), "new"

    @staticmethod
    def _one(ids: Sequence[str]) -> str | None:
        return ids[0] if len(ids) == 1 else None

    def _user_entity(self, entry: AliasEntry, name: _Name) -> str:
        key = name_key(entry.canonical)
        found = self.index.lookup("user", key, limit=1)
        if found:
            return found[0]
        same = self._one(self.index.lookup("name", key, limit=LOOKUP_LIMIT))
        if same is not None:
            return same
        return self._new_id(name, canonical=entry.canonical, label=entry.label)

    def _new_id(
        self, name: _Name, *, canonical: str | None = None, label: str | None = None
    ) -> str:
        text, tag = canonical or name.canonical, label or name.label
        n = 0
        while self.index.entity(entity_id_for(text, tag, n)) is not None:
            n += 1
        return entity_id_for(text, tag, n)

    def _variant(self, name: _Name) -> str | None:
        group = _LABEL_GROUPS.get(name.label, name.label)
        if " " not in name.key and group != "person":
            return None
        keys = [("skel", skeleton(name.key))]
        words = name.key.split()
        if group == "person" and len(words) >= 2:
            keys.append(("fl", skeleton(f"{words[0]} {words[-1]}")))
        ids = list(
            dict.fromkeys(i for kind, k in keys for i in self.index.lookup(kind, k, limit=8))
        )
        fits = []
        for record in self.index.entities(ids).values():
            if _LABEL_GROUPS.get(record.label, record.label) != group:
                continue
            forms = [name_key(n) for n in (*record.names, record.canonical)]
            if any(_variant(name.key, k, person=group == "person") for k in forms):
                fits.append(record.id)
        return fits[0] if len(fits) == 1 else None

    def _surname(
        self,
        name: _Name,
        names: Sequence[_Name],
        resolved: Mapping[str, tuple[str, str]],
        *,
        corpus: bool,
    ) -> str | None:
        """A bare surname -> the one person it can only be, or None. Without ``corpus``, only
        the people of the same article are considered."""
        surname = skeleton(name.key)
        here = {
            resolved[n.canonical][0]
            for n in names
            if n is not name and n.canonical in resolved and _ends_name(n, name)
        }
        if len(here) == 1:
            return next(iter(here))
        if here or not corpus:
            return None  # two people of that name in the article: either
        candidates = self.index.lookup("sur", surname, limit=LOOKUP_LIMIT)
        if not candidates or len(candidates) >= LOOKUP_LIMIT:
            return None
        records = self.index.entities(candidates)
        candidates = [
            c
            for c in candidates
            if c in records
            and records[c].label == "PERSON"
            and any(_close(name_key(n).split()[-1], name.key) for n in records[c].names)
        ]
        others = {entity_id for entity_id, _ in resolved.values()}
        if not candidates or not others:
            return None
        total = max(self.index.linked_article_count(), 1)
        df = {i: r.articles for i, r in self.index.entities(list(others)).items()}
        qualified = []
        for candidate in candidates:
            recent = self.index.article_ids(candidate, limit=RECENT_ARTICLES)
            seen: set[str] = set()
            for ids in self.index.article_entities(recent).values():
                seen |= ids
            shared = (seen & others) - {candidate}
            evidence = sum(math.log((total + 1) / max(df.get(i, 1), 1)) for i in shared)
            if evidence >= SURNAME_EVIDENCE:
                qualified.append(candidate)
        return qualified[0] if len(qualified) == 1 else None

    # -- updates ---------------------------------------------------------------------------

    def _update(
        self, record: EntityRecord | None, entity_id: str, name: _Name, how: str, article_id: str
    ) -> EntityRecord:
        entry = self.aliases.find(name.canonical) if how == "user" else None
        if record is None:
            record = EntityRecord(
                id=entity_id,
                canonical=entry.canonical if entry else name.canonical,
                label=(entry.label if entry and entry.label else name.label),
                seq=self.index.entity_count(),
                user=entry is not None,
            )
            # Stored now so keys filed below sort by this entity's age.
            self.index.put_entity(record)
        labels = Counter(record.labels)
        labels.update(name.labels)
        names = dict(record.names)
        names[name.canonical] = names.get(name.canonical, 0) + 1
        aliases = list(record.aliases)
        for form in (name.canonical, *name.forms):
            if len(aliases) < MAX_ALIASES and form not in aliases:
                aliases.append(form)
        user = record.user or entry is not None
        canonical = entry.canonical if entry else record.canonical
        if not user:
            # The most used canonical form; all capitals ("ARLEN" datelines) rank last.
            canonical = max(
                names,
                key=lambda n: (names[n], not n.isupper(), n == record.canonical),
            )
        label = record.label
        if not (user and entry is not None and entry.label):
            label = _majority(labels, record.label)
        keys = self._keys(name, how, label)
        if entry is not None:
            keys.append(("user", name_key(entry.canonical)))
            keys += [("name", name_key(a)) for a in (entry.canonical, *entry.aliases)]
        self.index.add_keys(entity_id, keys)
        return replace(
            record,
            canonical=canonical,
            label=label,
            labels=dict(labels),
            names=names,
            aliases=tuple(a for a in aliases if a != canonical),
            user=user,
        )

    @staticmethod
    def _keys(name: _Name, how: str, label: str) -> list[tuple[str, str]]:
        keys: list[tuple[str, str]] = [("alias", name_key(f)) for f in name.forms]
        keys += [("acr", a.replace(".", "")) for a in name.acronyms]
        if how in ("surname", "acronym"):
            # A bare surname or acronym is evidence for this article only: filing it under
            # "name" would let later articles skip the checks that linked it.
            return [*keys, ("alias", name.key)]
        words = name.key.split()
        keys += [("name", name.key), ("skel", skeleton(name.key))]
        if name.person and len(words) >= 2:
            keys.append(("fl", skeleton(f"{words[0]} {words[-1]}")))
            keys.append(("sur", skeleton(words[-1])))
        if name.label in _LONG_FORM_LABELS and label != "PERSON":
            keys += [("ini", i) for i in _initials(name.canonical)]
        return keys

    def story_entities(
        self, article_ids: Sequence[str]
    ) -> tuple[list[CorpusEntity], dict[str, dict[str, str]]]:
        """The corpus entities the given articles mention (their ``article_ids`` limited to
        those articles, most mentioned first) and, per article, each in-article canonical name's
        entity id."""
        names = {a: self.index.article_links(a) for a in article_ids}
        mentioned: dict[str, list[str]] = {}
        for article_id, links in names.items():
            for entity_id in dict.fromkeys(links.values()):
                mentioned.setdefault(entity_id, []).append(article_id)
        records = self.index.entities(list(mentioned))
        entities = [
            CorpusEntity(
                id=r.id,
                canonical=r.canonical,
                label=r.label,
                aliases=r.aliases,
                article_ids=tuple(mentioned[r.id]),
            )
            for r in records.values()
        ]
        entities.sort(key=lambda e: (-len(e.article_ids), e.canonical, e.id))
        return entities, {a: dict(links) for a, links in names.items() if links}

    def _public(self, record: EntityRecord) -> CorpusEntity:
        return CorpusEntity(
            id=record.id,
            canonical=record.canonical,
            label=record.label,
            aliases=record.aliases,
            article_ids=tuple(self.index.article_ids(record.id)),
        )
