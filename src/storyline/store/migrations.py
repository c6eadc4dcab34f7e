"""Schema migrations, one list of statements per version, applied in order and never edited.

A store records its version (SQLite: ``PRAGMA user_version``); opening a store applies the
missing migrations in one transaction each. To change the schema, append a migration.
"""

from __future__ import annotations

SQLITE_MIGRATIONS: list[list[str]] = [
    # 1: articles, rejections, ingest accounting, duplicate index
    [
        """CREATE TABLE articles (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            title TEXT, url TEXT, source TEXT, author TEXT,
            published TEXT, published_from TEXT, language TEXT,
            location TEXT NOT NULL, reader TEXT NOT NULL,
            duplicate_of TEXT, duplicate_group TEXT, story_id TEXT,
            ingested_at TEXT NOT NULL
        )""",
        "CREATE INDEX articles_duplicate_group ON articles (duplicate_group)",
        "CREATE INDEX articles_duplicate_of ON articles (duplicate_of)",
        "CREATE INDEX articles_source ON articles (source)",
        "CREATE INDEX articles_published ON articles (published)",
        """CREATE TABLE rejected (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            location TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL,
            rejected_at TEXT NOT NULL
        )""",
        "CREATE INDEX rejected_code ON rejected (code)",
        """CREATE TABLE ingest_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            finished_at TEXT NOT NULL, sources TEXT NOT NULL,
            records_read INTEGER NOT NULL, articles_added INTEGER NOT NULL,
            duplicates_added INTEGER NOT NULL, already_stored INTEGER NOT NULL,
            rejected INTEGER NOT NULL
        )""",
        """CREATE TABLE dedup_entries (
            arrival INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id TEXT NOT NULL UNIQUE,
            published TEXT, grp TEXT NOT NULL, origin TEXT NOT NULL,
            signature BLOB NOT NULL
        )""",
        "CREATE INDEX dedup_entries_grp ON dedup_entries (grp)",
        """CREATE TABLE dedup_fingerprints (
            fingerprint TEXT PRIMARY KEY, article_id TEXT NOT NULL
        ) WITHOUT ROWID""",
        # Band keys are stored as 64-bit integers (a prefix of the deduper's key), and members
        # by arrival number: small rows keep the largest table of the store compact and fast.
        """CREATE TABLE dedup_bands (
            key INTEGER NOT NULL, arrival INTEGER NOT NULL, PRIMARY KEY (key, arrival)
        ) WITHOUT ROWID""",
    ],
    # 2: annotations (the annotate stage's output as JSON, with the model that made it)
    [
        """CREATE TABLE annotations (
            article_id TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            data TEXT NOT NULL,
            annotated_at TEXT NOT NULL
        ) WITHOUT ROWID""",
    ],
    # 3: the story clusterer's index (storyline.link) and story events
    [
        "CREATE TABLE story_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE story_df (feature TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
        """CREATE TABLE story_postings (
            feature TEXT NOT NULL, story_id TEXT NOT NULL, arrival INTEGER NOT NULL,
            PRIMARY KEY (feature, story_id)
        ) WITHOUT ROWID""",
        # Candidate look-ups read each feature's most recent stories first.
        "CREATE INDEX story_postings_recent ON story_postings (feature, arrival DESC)",
        """CREATE TABLE story_profiles (
            story_id TEXT PRIMARY KEY, data TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE story_articles (
            article_id TEXT PRIMARY KEY, arrival INTEGER NOT NULL, story_id TEXT NOT NULL,
            data TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX story_articles_story ON story_articles (story_id)",
        """CREATE TABLE story_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL, story_ids TEXT NOT NULL, into_id TEXT NOT NULL,
            reason TEXT NOT NULL, at_article TEXT
        )""",
        """CREATE TABLE story_aliases (
            story_id TEXT PRIMARY KEY, into_id TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX articles_story ON articles (story_id)",
    ],
    # 4: cross-document entities (storyline.link.entities)
    [
        """CREATE TABLE entity_counters (
            name TEXT PRIMARY KEY, value INTEGER NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE entities (
            id TEXT PRIMARY KEY, seq INTEGER NOT NULL, articles INTEGER NOT NULL,
            data TEXT NOT NULL
        ) WITHOUT ROWID""",
        # `storyline entities` lists the most mentioned first.
        "CREATE INDEX entities_articles ON entities (articles DESC, seq)",
        # Look-up keys (name key, skeleton, surname, acronym...): read oldest entity first.
        """CREATE TABLE entity_keys (
            kind TEXT NOT NULL, key TEXT NOT NULL, entity_id TEXT NOT NULL, seq INTEGER NOT NULL,
            PRIMARY KEY (kind, key, entity_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX entity_keys_seq ON entity_keys (kind, key, seq)",
        # Which entity each in-article canonical name was linked to.
        """CREATE TABLE entity_links (
            article_id TEXT NOT NULL, canonical TEXT NOT NULL, entity_id TEXT NOT NULL,
            PRIMARY KEY (article_id, canonical)
        ) WITHOUT ROWID""",
        # One row per entity and article, in link order (an entity's articles, newest first).
        """CREATE TABLE entity_articles (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            entity_id TEXT NOT NULL, article_id TEXT NOT NULL,
            UNIQUE (entity_id, article_id)
        )""",
        "CREATE INDEX entity_articles_recent ON entity_articles (entity_id, seq)",
    ],
    # 5: full-text search over article titles and texts (the API's story search), and stories
    # listed by their latest article straight from an index
    [
        # External content: the text stays in `articles`, the FTS table only holds the index.
        """CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='seq',
            tokenize='porter unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
        END""",
        """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        END""",
        """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
        END""",
        # Existing stores: index the articles stored before this migration.
        "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
        "CREATE INDEX articles_story_published ON articles (story_id, published)",
    ],
    # 6: dossiers as built, served again while their story's material is unchanged
    [
        """CREATE TABLE dossiers (
            story_id TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            document TEXT NOT NULL,
            built_at TEXT NOT NULL
        ) WITHOUT ROWID""",
    ],
    # 7: annotated articles whose entities are not linked yet (storyline.link.entities), read
    # in publication order; stores from before migration 4 start with all their annotated
    # articles in it, so the next ingest links them.
    [
        """CREATE TABLE entity_pending (
            article_id TEXT PRIMARY KEY, published TEXT, seq INTEGER NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX entity_pending_order ON entity_pending (published IS NULL, published, seq)",
        """INSERT INTO entity_pending (article_id, published, seq)
            SELECT a.id, a.published, a.seq
            FROM annotations n JOIN articles a ON a.id = n.article_id
            WHERE NOT EXISTS (SELECT 1 FROM entity_links l WHERE l.article_id = a.id)""",
    ],
    # 8: live stories with their size and latest publication, kept by triggers on `articles`
    # (every change is a few index look-ups): story lists are read in order from an index
    # instead of grouping every article. `recent` is the latest publication, '' when unknown.
    [
        """CREATE TABLE story_stats (
            story_id TEXT PRIMARY KEY, articles INTEGER NOT NULL, recent TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX story_stats_recent ON story_stats (recent DESC, story_id)",
        "CREATE INDEX story_stats_largest ON story_stats (articles DESC, recent DESC, story_id)",
        """CREATE TRIGGER story_stats_insert AFTER INSERT ON articles
        WHEN new.story_id IS NOT NULL BEGIN
            INSERT INTO story_stats (story_id, articles, recent)
            VALUES (new.story_id, 1, coalesce(new.published, ''))
            ON CONFLICT (story_id) DO UPDATE
            SET articles = articles + 1, recent = max(recent, excluded.recent);
        END""",
        """CREATE TRIGGER story_stats_update AFTER UPDATE OF story_id, published ON articles BEGIN
            UPDATE story_stats SET articles = articles - 1, recent = coalesce(
                (SELECT max(published) FROM articles WHERE story_id = old.story_id), '')
            WHERE story_id = old.story_id;
            DELETE FROM story_stats WHERE story_id = old.story_id AND articles <= 0;
            INSERT INTO story_stats (story_id, articles, recent)
            SELECT new.story_id, 1, coalesce(new.published, '') WHERE new.story_id IS NOT NULL
            ON CONFLICT (story_id) DO UPDATE
            SET articles = articles + 1, recent = max(recent, excluded.recent);
        END""",
        """CREATE TRIGGER story_stats_delete AFTER DELETE ON articles
        WHEN old.story_id IS NOT NULL BEGIN
            UPDATE story_stats SET articles = articles - 1, recent = coalesce(
                (SELECT max(published) FROM articles WHERE story_id = old.story_id), '')
            WHERE story_id = old.story_id;
            DELETE FROM story_stats WHERE story_id = old.story_id AND articles <= 0;
        END""",
        """INSERT INTO story_stats (story_id, articles, recent)
            SELECT story_id, count(*), coalesce(max(published), '') FROM articles
            WHERE story_id IS NOT NULL GROUP BY story_id""",
    ],
    # 9: story posting lists, one row per feature (storyline.store.story_index): the 32 most
    # recent stories, newest first, as ids and arrival numbers separated by char(31). A
    # look-up reads one row per feature instead of one per story, however many stories
    # are stored. Existing lists are carried over, newest first.
    [
        """CREATE TABLE story_recent (
            feature TEXT PRIMARY KEY, story_ids TEXT NOT NULL, arrivals TEXT NOT NULL
        ) WITHOUT ROWID""",
        """INSERT INTO story_recent (feature, story_ids, arrivals)
            SELECT f.feature,
                (SELECT group_concat(story_id, char(31)) FROM (
                    SELECT story_id FROM story_postings p WHERE p.feature = f.feature
                    ORDER BY arrival DESC, story_id LIMIT 32)),
                (SELECT group_concat(arrival, char(31)) FROM (
                    SELECT arrival FROM story_postings p WHERE p.feature = f.feature
                    ORDER BY arrival DESC, story_id LIMIT 32))
            FROM (SELECT DISTINCT feature FROM story_postings) f""",
        "DROP TABLE story_postings",
    ],
    # 10: story search filters read story ids from covering indexes (by outlet, by publication
    # time) instead of every matching article's row; they replace the single-column indexes.
    [
        "CREATE INDEX articles_source_story ON articles (source, story_id)",
        "CREATE INDEX articles_published_story ON articles (published, story_id)",
        "DROP INDEX articles_source",
        "DROP INDEX articles_published",
    ],
    # 11: `articles_story` is a prefix of `articles_story_published` (story_id, published), which
    # serves every look-up by story; each index on story_id is rewritten when an article is
    # assigned, so the spare one cost a scattered page write per assignment in a large store
    [
        "DROP INDEX articles_story",
    ],
    # 12: story profiles and stored articles become rowid tables. A WITHOUT ROWID table keeps at
    # most about a quarter of a page of a row in its B-tree leaf and chains the rest through
    # overflow pages (SQLite advises rows under 1/20 of a page there); these records are a few
    # kilobytes, so every read of a candidate story hopped over extra pages. A rowid table
    # holds up to a page in the leaf, and a rewritten record lands at the table's end, beside
    # the other records written in the same transaction.
    [
        """CREATE TABLE story_profiles_rowid (
            story_id TEXT PRIMARY KEY, data TEXT NOT NULL
        )""",
        """INSERT INTO story_profiles_rowid (story_id, data)
            SELECT story_id, data FROM story_profiles""",
        "DROP TABLE story_profiles",
        "ALTER TABLE story_profiles_rowid RENAME TO story_profiles",
        """CREATE TABLE story_articles_rowid (
            article_id TEXT PRIMARY KEY, arrival INTEGER NOT NULL, story_id TEXT NOT NULL,
            data TEXT NOT NULL
        )""",
        """INSERT INTO story_articles_rowid (article_id, arrival, story_id, data)
            SELECT article_id, arrival, story_id, data FROM story_articles ORDER BY arrival""",
        "DROP TABLE story_articles",
        "ALTER TABLE story_articles_rowid RENAME TO story_articles",
        "CREATE INDEX story_articles_story ON story_articles (story_id)",
    ],
    # 13: the outlet filter's covering index gains the publication time before the story id.
    # Keyed (source, story_id), an assignment rewrote an entry at a random place within its
    # outlet's range; keyed (source, published, story_id), new reports' entries sit together at
    # the end of each outlet's range. It still covers the filter, and outlet + period together.
    [
        "CREATE INDEX articles_source_published ON articles (source, published, story_id)",
        "DROP INDEX articles_source_story",
    ],
    # 14: back to (source, story_id). Measured on 100,000 stored: the outlet filter's subquery
    # took 8.0 ms on (source, published, story_id) against 5.1 ms (it reads every entry of the
    # outlet, and longer entries fill more pages), while the pages it saved were 13% of those a
    # 1,000-article assignment writes, about 1.5% of its time: not worth slower reads.
    [
        "CREATE INDEX articles_source_story ON articles (source, story_id)",
        "DROP INDEX articles_source_published",
    ],
]
