"""Free-text search over stored activity, served by an index on each database.

The document is the event's words: its name, type, status, actor, address, host and every key
and value of its details. Both databases cut it into runs of letters and digits (`teams_owner`
is "teams owner", `auth0|ada` is "auth0 ada"), so a query is cut the same way in Python and each
typed term becomes a phrase whose last word may be a prefix: "ada lov" finds "Ada Lovelace"
while it is being typed, "203.0.113" finds that address and nothing with the numbers apart.

- PostgreSQL: a GIN index over `to_tsvector('simple', …)` of the document (DOCUMENT_PG); the
  query repeats the indexed expression word for word, which is how the planner recognises it.
- SQLite: an FTS5 table over the event's columns, external content (it stores only the index),
  kept in step by triggers, so the sync's bulk insert needs no change.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from apps.activity.models import ActivityEvent

FTS_TABLE = "activity_event_fts"
COLUMNS = ("current_event", "type", "status", "actor_id", "actor_name", "ip", "hostname", "details")
_TABLE = ActivityEvent._meta.db_table
# IMMUTABLE pieces only (an index expression must be): `||` on NOT NULL columns, not concat_ws.
DOCUMENT_PG = (
    "to_tsvector('simple'::regconfig, regexp_replace("
    + " || ' ' || ".join(f'"{c}"' if c != "details" else '"details"::text' for c in COLUMNS)
    + ", '[^[:alnum:]]+', ' ', 'g'))"
)
INDEX_PG = "activity_event_search"
_WORD = re.compile(r"[^\W_]+")


def terms(text: str) -> list[list[str]]:
    """The typed terms (split on spaces), each as its words; terms without words are dropped."""
    found = (_WORD.findall(term.lower()) for term in text.split())
    return [words for words in found if words]


def _tsquery(text: str) -> str:
    return " & ".join(" <-> ".join(words) + ":*" for words in terms(text))


def _fts5_query(text: str) -> str:
    # Words hold letters and digits only, so quoting them cannot break the query syntax.
    return " ".join('"' + " ".join(words) + '"*' for words in terms(text))


def matches(text: str) -> Q:
    """Events whose document holds every term of `text` (an empty text matches everything)."""
    if not terms(text):
        return Q()
    if connection.vendor == "postgresql":
        sql = f"{DOCUMENT_PG} @@ to_tsquery('simple'::regconfig, %s)"
        return Q(RawSQL(sql, [_tsquery(text)], output_field=BooleanField()))  # noqa: S611 - bound
    if connection.vendor == "sqlite":
        sql = f'"{_TABLE}"."id" IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)'  # noqa: S608 - fixed names
        return Q(RawSQL(sql, [_fts5_query(text)], output_field=BooleanField()))  # noqa: S611 - bound
    # Another database: a scan over the columns (not details), correct but unindexed.
    return Q(
        *(
            Q.create([(f"{column}__icontains", word) for column in COLUMNS[:-1]], connector=Q.OR)
            for words in terms(text)
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
    return [f'CREATE INDEX {INDEX_PG} ON "{_TABLE}" USING gin ({DOCUMENT_PG})']


def postgresql_drop() -> list[str]:
    return [f"DROP INDEX IF EXISTS {INDEX_PG}"]
