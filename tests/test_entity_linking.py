"""Cross-document entities: one corpus entity per referent, over the memory and SQLite indexes.

The articles are short news paragraphs we wrote (real and fictional names), annotated by the
real pipeline once per module; a few rules are checked on hand-made annotations, where the
small model's tagging would only get in the way.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import DEMO_CORPUS
from storyline.annotate.pipeline import Annotator
from storyline.config import Settings, load_settings
from storyline.errors import ConfigError, NotFoundError
from storyline.link.entities import AliasEntry, AliasTable, EntityLinker, entity_id_for
from storyline.link.entity_index import EntityIndex, MemoryEntityIndex
from storyline.model import Annotations, Article, CorpusEntity, Entity
from storyline.project import open_project
from storyline.store import open_store
from storyline.store.migrations import SQLITE_MIGRATIONS
from test_cli import run

# Publication order: the Libya story, a flood in Eastbrook, a mining story, then follow-ups.
TEXTS = {
    "g1": (
        "TRIPOLI - Muammar Gaddafi addressed supporters in Tripoli on Friday. Gaddafi said the "
        "rebels would be defeated. The European Central Bank (ECB) froze assets linked to his "
        "family."
    ),
    "f1": (
        "Mayor Linda Park of Eastbrook said the flood barriers held overnight. Park thanked "
        "volunteers from the Tessin Water Authority."
    ),
    "m1": (
        "David Park, the chief executive of Halvard Mining, said profits fell by a third. Park "
        "blamed lower copper prices in Chile."
    ),
    "g2": (
        "Moammar Qadhafi's forces shelled Misrata overnight, residents said. Qadhafi has ruled "
        "Libya since 1969. The ECB said on Monday that the frozen funds would stay blocked."
    ),
    "m2": (
        "Shares in Halvard Mining rose on Tuesday after Park told investors that output in "
        "Chile would recover by the summer."
    ),
    "f2": (
        "Water levels in Eastbrook fell on Wednesday. Park said the Tessin Water Authority "
        "would inspect the barriers before residents return."
    ),
    "g3": (
        "Rebels in Misrata said al-Qaddafi had lost control of the coast of Libya, and Tripoli "
        "was quiet."
    ),
}
ORDER = list(TEXTS)


@pytest.fixture(scope="module")
def annotated() -> dict[str, Annotations]:
    articles = [Article(id=k, text=v) for k, v in TEXTS.items()]
    out = {}
    for article, found in Annotator().annotate_articles(articles):
        assert found is not None
        out[article.id] = found
    return out


@pytest.fixture(params=["memory", "sqlite"])
def make_index(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], EntityIndex]]:
    stores = []

    def make() -> EntityIndex:
        if request.param == "memory":
            return MemoryEntityIndex()
        store = open_store(tmp_path / f"entities{len(stores)}.db")
        stores.append(store)
        return store.entity_index()

    yield make
    for store in stores:
        store.close()


def link_all(
    linker: EntityLinker, annotated: dict[str, Annotations], ids: list[str] | None = None
) -> dict[str, dict[str, str]]:
    """Link articles in order; returns article -> in-article canonical -> entity id."""
    return {
        a: {x.canonical: x.entity_id for x in linker.add(a, annotated[a])} for a in (ids or ORDER)
    }


def names(*triples: tuple[str, str, str]) -> Annotations:
    """Annotations from (text, label, canonical) triples, in that order."""
    out, at = [], 0
    for text, label, canonical in triples:
        out.append(
            Entity(text=text, start=at, end=at + len(text), label=label, canonical=canonical)
        )
        at += len(text) + 1
    return Annotations(entities=tuple(out))


def by_name(linker: EntityLinker, name: str) -> CorpusEntity:
    found = [e for e in linker.entities() if e.canonical == name or name in e.aliases]
    assert len(found) == 1, (name, found)
    return found[0]


def test_transliteration_variants_link(
    make_index: Callable[[], EntityIndex], annotated: dict[str, Annotations]
) -> None:
    linker = EntityLinker(make_index())
    links = link_all(linker, annotated)
    gaddafi = links["g1"]["Muammar Gaddafi"]
    assert links["g2"]["Moammar Qadhafi"] == gaddafi  # spelling variant
    assert links["g3"]["al-Qaddafi"] == gaddafi  # bare surname, in the same story
    entity = linker.entity(gaddafi)
    assert entity.canonical == "Muammar Gaddafi" and entity.label == "PERSON"
    assert {"Moammar Qadhafi", "al-Qaddafi"} <= set(entity.aliases)
    assert entity.article_ids == ("g1", "g2", "g3")
    assert [e.id for e in linker.entities(query="Qaddafi")] == [gaddafi]


def test_same_surname_in_different_stories_stays_apart(
    make_index: Callable[[], EntityIndex], annotated: dict[str, Annotations]
) -> None:
    linker = EntityLinker(make_index())
    links = link_all(linker, annotated)
    linda, david = links["f1"]["Linda Park"], links["m1"]["David Park"]
    assert linda != david
    # A bare "Park" goes to the Park its story is about, never to the other one.
    assert links["m2"]["Park"] == david
    assert links["f2"]["Park"] == linda
    assert linker.entity(linda).article_ids == ("f1", "f2")
    assert linker.entity(david).article_ids == ("m1", "m2")


def test_bare_surname_without_evidence_stays_apart(make_index: Callable[[], EntityIndex]) -> None:
    linker = EntityLinker(make_index())
    linker.add(
        "a1", names(("Linda Park", "PERSON", "Linda Park"), ("Eastbrook", "GPE", "Eastbrook"))
    )
    linker.add("a2", names(("Mira Sol", "PERSON", "Mira Sol"), ("Velden", "GPE", "Velden")))
    [park, _] = linker.add("a3", names(("Park", "PERSON", "Park"), ("Halden", "GPE", "Halden")))
    assert park.how == "new"
    assert linker.entity(park.entity_id).canonical == "Park"


def test_acronym_learned_in_one_article_applies_in_another(
    make_index: Callable[[], EntityIndex], annotated: dict[str, Annotations]
) -> None:
    linker = EntityLinker(make_index())
    links = link_all(linker, annotated)
    ecb = links["g1"]["European Central Bank"]
    assert links["g2"]["ECB"] == ecb
    assert linker.entity(ecb).aliases == ("ECB",)


def test_ambiguous_acronym_links_nothing(make_index: Callable[[], EntityIndex]) -> None:
    linker = EntityLinker(make_index())
    linker.add(
        "a1", names(("Port Authority", "ORG", "Port Authority"), ("PA", "ORG", "Port Authority"))
    )
    linker.add("a2", names(("Press Association", "ORG", "Press Association")))
    [pa] = linker.add("a3", names(("PA", "ORG", "PA")))
    # Learned from a1 ("PA" was written for Port Authority): it wins over Press Association's
    # initials. Once "PA" is written for both, it is ambiguous and links to neither.
    assert pa.how == "acronym"
    linker.add(
        "a4",
        names(
            ("Press Association", "ORG", "Press Association"), ("PA", "ORG", "Press Association")
        ),
    )
    [again] = linker.add("a5", names(("PA", "ORG", "PA")))
    assert again.how == "new"
    [initials] = linker.add("a6", names(("FBI", "ORG", "FBI")))
    assert initials.how == "new"


def test_different_first_names_with_one_surname_stay_apart(
    make_index: Callable[[], EntityIndex],
) -> None:
    linker = EntityLinker(make_index())
    pairs = [
        ("Anika Brandt", "Sofia Brandt"),
        ("Jon Berg", "Jan Berg"),
        ("Yusuf al-Haddad", "Youssef Haddad"),
        ("Ana María Ortega", "Ana Ortega"),
    ]
    for i, (a, b) in enumerate(pairs):
        first = linker.add(f"x{i}", names((a, "PERSON", a)))[0]
        second = linker.add(f"y{i}", names((b, "PERSON", b)))[0]
        same = first.entity_id == second.entity_id
        assert same == (i >= 2), (a, b)


def test_user_aliases_win(
    make_index: Callable[[], EntityIndex], annotated: dict[str, Annotations]
) -> None:
    table = AliasTable(
        [
            AliasEntry(canonical="Saif al-Islam Gaddafi", aliases=("al-Qaddafi",)),
            AliasEntry(canonical="Eastbrook", aliases=(), label="GPE"),
        ]
    )
    linker = EntityLinker(make_index(), aliases=table)
    links = link_all(linker, annotated)
    saif = linker.entity(links["g3"]["al-Qaddafi"])
    assert saif.canonical == "Saif al-Islam Gaddafi"
    assert saif.id != links["g1"]["Muammar Gaddafi"]
    assert linker.entity(links["f1"]["Eastbrook"]).label == "GPE"  # NER said PERSON


def test_label_is_the_majority_and_the_id_never_changes(
    make_index: Callable[[], EntityIndex],
) -> None:
    linker = EntityLinker(make_index())
    [first] = linker.add("a1", names(("Eastbrook", "PERSON", "Eastbrook")))
    assert first.entity_id == entity_id_for("Eastbrook", "PERSON")
    linker.add("a2", names(("EASTBROOK", "ORG", "EASTBROOK"), ("Eastbrook", "GPE", "Eastbrook")))
    linker.add("a3", names(("Eastbrook", "GPE", "Eastbrook")))
    entity = linker.entity(first.entity_id)
    assert entity.label == "GPE" and entity.canonical == "Eastbrook"
    assert entity.aliases == ("EASTBROOK",)
    assert entity.article_ids == ("a1", "a2", "a3")


def test_ids_are_stable_across_runs_and_more_articles(
    make_index: Callable[[], EntityIndex], annotated: dict[str, Annotations]
) -> None:
    first = EntityLinker(make_index())
    early = link_all(first, annotated, ORDER[:4])
    second = EntityLinker(make_index())
    full = link_all(second, annotated)
    for article, links in early.items():
        assert full[article] == links
    # Linking an article again changes nothing.
    before = [e.to_dict() for e in second.entities()]
    again = second.add("g2", annotated["g2"])
    assert {x.canonical: x.entity_id for x in again} == full["g2"]
    assert {x.how for x in again} == {"stored"}
    assert [e.to_dict() for e in second.entities()] == before


def test_memory_and_sqlite_indexes_agree(tmp_path: Path, annotated: dict[str, Annotations]) -> None:
    memory = EntityLinker(MemoryEntityIndex())
    link_all(memory, annotated)
    with open_store(tmp_path / "agree.db") as store:
        sqlite = EntityLinker(store.entity_index())
        with store.transaction():
            link_all(sqlite, annotated)
        assert [e.to_dict() for e in sqlite.entities()] == [e.to_dict() for e in memory.entities()]
        for query in ("park", "Qadhafi", "ECB", "zzz"):
            assert sqlite.entities(query=query) == memory.entities(query=query)
        assert sqlite.entities(limit=2, offset=1) == memory.entities(limit=2, offset=1)


def test_alias_files(tmp_path: Path) -> None:
    plain = tmp_path / "aliases.json"
    plain.write_text(json.dumps({"Muammar Gaddafi": ["Qaddafi", "Colonel Gaddafi"]}))
    table = AliasTable.load(plain)
    entry = table.find("colonel gaddafi")
    assert entry is not None and entry.canonical == "Muammar Gaddafi"
    toml = tmp_path / "aliases.toml"
    toml.write_text(
        '[[entity]]\ncanonical = "European Central Bank"\naliases = ["ECB", "the bank"]\n'
        'label = "ORG"\n'
    )
    entry = AliasTable.load(toml).find("ECB")
    assert entry is not None and entry.label == "ORG"
    for bad in ('{"A": "not a list"}', "[1, 2]", "{", '{"A": ["X"], "B": ["x"]}'):
        plain.write_text(bad)
        with pytest.raises(ConfigError, match=r"aliases\.json"):
            AliasTable.load(plain)
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        AliasTable.load(tmp_path / "missing.toml")


def test_aliases_file_setting(tmp_path: Path) -> None:
    settings = load_settings(environ={"STORYLINE_ENTITIES_ALIASES_FILE": "x.toml"})
    assert settings.entities.aliases_file == "x.toml"
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    config = load_settings(environ={"STORYLINE_ENTITIES_ALIASES_FILE": str(bad)})
    with (
        open_project(tmp_path / "s.db", settings=config) as project,
        pytest.raises(ConfigError, match=r"bad\.json"),
    ):
        project.entities()


# -- the project, the CLI and the demo corpus ---------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("entities") / "demo.db"
    with open_project(db, settings=Settings()) as project:
        project.ingest([DEMO_CORPUS])
    return db


def test_demo_corpus_entities(demo_db: Path) -> None:
    with open_project(demo_db, settings=Settings()) as project:
        every = project.entities()
        assert len(every) < 200  # 61 articles; about 170 referents
        twa = [e for e in every if e.canonical == "Tessin Water Authority"]
        assert len(twa) == 1 and "TWA" in twa[0].aliases and len(twa[0].article_ids) >= 8
        assert not [e for e in every if e.canonical == "TWA"]
        park = [e for e in every if e.canonical == "Linda Park"]
        assert len(park) == 1 and len(park[0].article_ids) >= 8
        haddad = project.entities(query="haddad")
        assert [e.canonical for e in haddad] == ["Yusuf al-Haddad"]
        assert {"Youssef Haddad", "Yousef el-Haddad", "Al-Haddad"} <= set(haddad[0].aliases)
        pca = [e for e in every if e.canonical == "Port of Calder Authority"]
        assert len(pca) == 1 and "b04" in pca[0].article_ids  # "PCA" alone there
        brandts = sorted(e.canonical for e in project.entities(query="brandt"))
        assert brandts == ["Anika Brandt", "Sofia Brandt"]
        castells = sorted(
            e.canonical for e in project.entities(query="castell") if e.canonical.endswith("l")
        )
        assert castells == ["Ingrid Castell", "Irene Castell"]
        arlen = project.entities(query="arlen")[0]
        assert arlen.canonical == "Arlen" and arlen.label == "GPE"  # "ARLEN" datelines join
        assert project.entity(twa[0].id) == twa[0]
        with pytest.raises(NotFoundError):
            project.entity("e-000000000000")


def test_entities_cli_contract(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(demo_db), "entities", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema_version"] == 1 and doc["entities"]
    for entity in doc["entities"]:
        assert set(entity) == {"id", "canonical", "label", "aliases", "article_ids"}
        assert entity["id"].startswith("e-") and entity["article_ids"]
    counts = [len(e["article_ids"]) for e in doc["entities"]]
    assert counts == sorted(counts, reverse=True)
    code, out, _ = run(
        capsys,
        "--db",
        str(demo_db),
        "entities",
        "--search",
        "TWA",
        "--limit",
        "1",
        "--format",
        "json",
    )
    [twa] = json.loads(out)["entities"]
    assert twa["canonical"] == "Tessin Water Authority"
    code, out, _ = run(capsys, "--db", str(demo_db), "entity", twa["id"], "--format", "json")
    assert code == 0 and json.loads(out) == {"schema_version": 1, **twa}
    code, out, _ = run(capsys, "--db", str(demo_db), "entities", "--limit", "3")
    assert code == 0 and "Valdoria" in out
    code, out, _ = run(capsys, "--db", str(demo_db), "entity", twa["id"])
    assert code == 0 and "TWA" in out
    code, _, err = run(capsys, "--db", str(demo_db), "entity", "e-000000000000")
    assert code == 2 and "not_found" in err


# -- stores from before entity linking ----------------------------------------------------------

_ENTITY_TABLES = ("entity_counters", "entities", "entity_keys", "entity_links", "entity_articles")


def _store_without_links(source: Path, db: Path) -> None:
    """A copy of ``source`` as a store ingested before cross-document entity linking existed
    (annotated articles in stories, no entities), upgraded the way the migration that queues
    unlinked articles upgrades such a store (its backfill statement)."""
    with sqlite3.connect(source) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    (backfill,) = (
        statement
        for migration in SQLITE_MIGRATIONS
        for statement in migration
        if statement.lstrip().startswith("INSERT INTO entity_pending")
    )
    conn = sqlite3.connect(db)
    try:
        conn.execute("BEGIN")
        for table in (*_ENTITY_TABLES, "entity_pending"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute(backfill)
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_ingest_links_the_entities_of_a_store_from_before_linking(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    _store_without_links(demo_store, old)
    with open_project(old, settings=Settings()) as project:
        assert project.entities() == []
        annotated, stories = project.stats().annotated, project.stats().stories
    # The migration queues every annotated article; the next ingest links them all, in the
    # order a fresh ingest did, so the corpus entities come out the same.
    code, out, _ = run(capsys, "--db", str(old), "ingest", str(DEMO_CORPUS), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["articles_added"] == 0 and report["articles_assigned"] == 0
    assert (report["articles_linked"], report["linking_failed"]) == (annotated, 0)
    entities = [
        run(capsys, "--db", str(db), "entities", "--format", "json") for db in (old, demo_store)
    ]
    assert entities[0][0] == 0 and json.loads(entities[0][1])["entities"]
    assert entities[0][1] == entities[1][1]
    with open_project(old, settings=Settings()) as project:
        assert project.stats().stories == stories
        assert project.store.entity_index().linked_article_count() > 0
        # Idempotent: nothing is linked twice.
        assert project.link_pending().articles_linked == 0
    code, out, _ = run(capsys, "--db", str(old), "ingest", str(DEMO_CORPUS), "--format", "json")
    assert code == 0 and json.loads(out)["articles_linked"] == 0


def test_link_pending_pages_through_the_queue(
    demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storyline.project._BATCH", 7)  # many pages from a small corpus
    old = tmp_path / "old.db"
    _store_without_links(demo_store, old)
    seen: list[str] = []
    with open_project(old, settings=Settings()) as project:
        report = project.link_pending(progress=lambda step: seen.append(step.location))
        assert report.articles_linked == project.stats().annotated == len(seen)
        assert project.entities(query="haddad")[0].canonical == "Yusuf al-Haddad"
        assert project.link_pending().articles_linked == 0
