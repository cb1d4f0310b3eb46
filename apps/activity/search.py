"""Free-text search over stored activity, served by an index on each database.

The document is the words people look an event up by: its name, actor, address and every key
and value of its details. Type and status have their own exact filters, and the host is the
team's own name on every event: indexing their words made each stored row dearer (bench/store.py)
and found nothing the filters do not. Both databases cut it into runs of letters and digits (`teams_owner`
is "teams owner", `auth0|ada` is "auth0 ada"), so a query is cut the same way in Python and each
typed term becomes a phrase of whole words: "ada lovelace" finds "Ada Lovelace", "203.0.113"
finds that address and nothing with the numbers apart. Whole words, not prefixes: a prefix of
a common word ("example:*") makes PostgreSQL collect every matching row before intersecting,
where whole words let GIN skip through the long lists using the rare ones.

- PostgreSQL: a stored generated tsvector column (`to_tsvector('simple', …)` of the document,
  computed once as a row is written) under a GIN index. Stored rather than an expression index
  because a plan that checks rows one by one (the newest page of a common word, the capped
  count) would otherwise rebuild each row's tsvector, about 50 µs a row. The column is not on
  the model: Django never selects it and the sync's bulk insert names its columns. PostgreSQL
  refuses to change the type of a column a generated column reads: a migration that alters one
  of COLUMNS drops the search column first and adds it back after (postgresql_drop/_create).
- SQLite: an FTS5 table over the event's columns, external content (it stores only the index),
  kept in step by triggers, so the sync's bulk insert needs no change. A migration that makes
  Django rebuild the events table on SQLite drops the triggers with the old table: run
  sqlite_drop and sqlite_create after it (test_word_index_follows_stored_and_deleted_events
  fails until then).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from apps.activity.models import ActivityEvent

FTS_TABLE = "activity_event_fts"
COLUMNS = ("current_event", "actor_id", "actor_name", "ip", "details")
_TABLE = ActivityEvent._meta.db_table
# IMMUTABLE pieces only (an index expression must be): `||` on NOT NULL columns, not concat_ws.
DOCUMENT_PG = (
    "to_tsvector('simple'::regconfig, regexp_replace("
    + " || ' ' || ".join(f'"{c}"' if c != "details" else '"details"::text' for c in COLUMNS)
    + ", '[^[:alnum:]]+', ' ', 'g'))"
)
INDEX_PG = "activity_event_search"
COLUMN_PG = "search_document"
_WORD = re.compile(r"[^\W_]+")


def terms(text: str) -> list[list[str]]:
    """The typed terms (split on spaces), each as its words; terms without words are dropped."""
    found = (_WORD.findall(term.lower()) for term in text.split())
    return [words for words in found if words]


def _tsquery(phrases: list[list[str]]) -> str:
    return " & ".join(" <-> ".join(words) for words in phrases)


def _fts5_query(phrases: list[list[str]]) -> str:
    # Words hold letters and digits only, so quoting them cannot break the query syntax.
    return " ".join('"' + " ".join(words) + '"' for words in phrases)


def matches(text: str, *, phrase: bool = False) -> Q:
    """Events whose document holds every term of `text` (an empty text matches everything).

    With `phrase`, the whole text is one phrase: a name or id ("User 10") is looked up as its
    words in a row, not as words that each occur somewhere ("10" is in many addresses).
    """
    phrases = terms(text)
    if not phrases:
        return Q()
    if phrase:
        phrases = [[word for words in phrases for word in words]]
    if connection.vendor == "postgresql":
        sql = f'"{_TABLE}"."{COLUMN_PG}" @@ to_tsquery(\'simple\'::regconfig, %s)'
        return Q(RawSQL(sql, [_tsquery(phrases)], output_field=BooleanField()))  # noqa: S611 - bound
    if connection.vendor == "sqlite":
        sql = f'"{_TABLE}"."id" IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)'  # noqa: S608 - fixed names
        return Q(RawSQL(sql, [_fts5_query(phrases)], output_field=BooleanField()))  # noqa: S611 - bound
    # Another database: a scan over the columns (not details), correct but unindexed.
    return Q(
        *(
            Q.create([(f"{column}__icontains", word) for column in COLUMNS[:-1]], connector=Q.OR)
            for words in phrases
            for word in words
        )
    )


def _columns(prefix: str) -> str:
    return ", ".join(f"{prefix}{c}" for c in COLUMNS)


def sqlite_create() -> list[str]:
    """The FTS5 table, its triggers and its first fill (names are fixed, nothing is user input)."""
    plain, new, old = _columns(""), _columns("new."), _columns("old.")
    delete = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {plain}) VALUES ('delete', old.id, {old});"  # noqa: S608
    )
    insert = f"INSERT INTO {FTS_TABLE}(rowid, {plain}) VALUES (new.id, {new});"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({plain}, content='{_TABLE}', "
        "content_rowid='id', tokenize='unicode61')",
        f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON {_TABLE} BEGIN {insert} END",
        f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON {_TABLE} BEGIN {delete} END",
        f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE ON {_TABLE} BEGIN {delete} {insert} END",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",  # noqa: S608
    ]


def sqlite_drop() -> list[str]:
    triggers = [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}" for suffix in ("ai", "ad", "au")]
    return [*triggers, f"DROP TABLE IF EXISTS {FTS_TABLE}"]


def postgresql_create() -> list[str]:
    return [
        f'ALTER TABLE "{_TABLE}" ADD COLUMN {COLUMN_PG} tsvector '
        f"GENERATED ALWAYS AS ({DOCUMENT_PG}) STORED",
        f'CREATE INDEX {INDEX_PG} ON "{_TABLE}" USING gin ({COLUMN_PG})',
    ]


def postgresql_drop() -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {INDEX_PG}",
        f'ALTER TABLE "{_TABLE}" DROP COLUMN IF EXISTS {COLUMN_PG}',
    ]
