"""The actor filter: events written by an actor whose id is the text, or whose name holds it.

The log names a few hundred actors across a million events, so the filter first looks the text
up in ActivityActor (one row per distinct actor id and name, kept by database triggers as
events are stored, whatever stores them), then reads the events through `activity_tenant_actor`
(auth_tenant, actor_id, -created_at): a page is 51 index entries of that actor, at any depth.
Scanning the log in date order instead read about 300 events per match for "User 0" (its words
are everywhere: "0" is in most addresses) and missed the 50 ms goal.

When every name an id has had matches, its events are read by id alone (a count of 3,500
events is then an index-only scan); an id that also carried a name that does not match has its
events compared with the text as well.

- The unique key is (auth_tenant, md5(actor_id), md5(actor_name)) on PostgreSQL: a btree entry
  of the raw columns could pass the index's size limit and fail the sync's insert. SQLite has
  no such limit and no md5(), so there it is the columns themselves.
- PostgreSQL records each statement's new rows at once (a statement trigger with a transition
  table: one INSERT … SELECT DISTINCT per batch, not one per event). SQLite fires per row.
- Events are never updated, but a change of an event's actor is recorded too. A migration that
  makes Django rebuild the events table on SQLite drops these triggers with it: run
  sqlite_drop and sqlite_create after it (test_actors_are_recorded_however_events_are_stored
  fails until then).
"""

from __future__ import annotations

from django.db.models import Q

from apps.activity.models import ActivityActor, ActivityEvent

# More matching actors than this (a text like "a"): the events are compared with the text
# directly, as a list this long no longer narrows the log.
MAX_ACTORS = 50
_EVENTS = ActivityEvent._meta.db_table
_ACTORS = ActivityActor._meta.db_table
_UNIQUE = "activity_actor_unique"
_TRIGGER = "activity_actor_record"


def matches(auth_tenant_id: int, text: str) -> Q:
    """Events whose actor id is `text` or whose actor name holds it (ignoring case)."""
    exact = Q(actor_id=text) | Q(actor_name__icontains=text)
    known = ActivityActor.objects.filter(auth_tenant_id=auth_tenant_id)
    ids = list(known.filter(exact).values_list("actor_id", flat=True).distinct()[: MAX_ACTORS + 1])
    if len(ids) > MAX_ACTORS:
        return exact
    # An id that has also carried a name that does not match: its events need the comparison.
    if ids and known.filter(actor_id__in=ids).exclude(exact).exists():
        return Q(actor_id__in=ids) & exact
    return Q(actor_id__in=ids)  # every event of these ids matches: the index alone answers


def postgresql_create() -> list[str]:
    new_rows = "new_events"
    function = (
        f"CREATE FUNCTION {_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608 - fixed names
        f'INSERT INTO "{_ACTORS}" (auth_tenant_id, actor_id, actor_name) '
        f"SELECT DISTINCT auth_tenant_id, actor_id, actor_name FROM {new_rows} "
        "ON CONFLICT DO NOTHING; RETURN NULL; END $$"
    )
    triggers = [
        f'CREATE TRIGGER {_TRIGGER}_{event.lower()} AFTER {event} ON "{_EVENTS}" '
        f"REFERENCING NEW TABLE AS {new_rows} FOR EACH STATEMENT EXECUTE FUNCTION {_TRIGGER}()"
        for event in ("INSERT", "UPDATE")
    ]
    return [
        f'CREATE UNIQUE INDEX {_UNIQUE} ON "{_ACTORS}" '
        "(auth_tenant_id, md5(actor_id), md5(actor_name))",
        function,
        *triggers,
        _fill(),
    ]


def postgresql_drop() -> list[str]:
    return [
        *(f'DROP TRIGGER IF EXISTS {_TRIGGER}_{e} ON "{_EVENTS}"' for e in ("insert", "update")),
        f"DROP FUNCTION IF EXISTS {_TRIGGER}()",
        f"DROP INDEX IF EXISTS {_UNIQUE}",
    ]


def sqlite_create() -> list[str]:
    insert = (
        f'INSERT OR IGNORE INTO "{_ACTORS}" (auth_tenant_id, actor_id, actor_name) '  # noqa: S608
        "VALUES (new.auth_tenant_id, new.actor_id, new.actor_name);"
    )
    return [
        f'CREATE UNIQUE INDEX {_UNIQUE} ON "{_ACTORS}" (auth_tenant_id, actor_id, actor_name)',
        f'CREATE TRIGGER {_TRIGGER}_insert AFTER INSERT ON "{_EVENTS}" BEGIN {insert} END',
        f"CREATE TRIGGER {_TRIGGER}_update AFTER UPDATE OF actor_id, actor_name "
        f'ON "{_EVENTS}" BEGIN {insert} END',
        _fill(),
    ]


def sqlite_drop() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {_TRIGGER}_insert",
        f"DROP TRIGGER IF EXISTS {_TRIGGER}_update",
        f"DROP INDEX IF EXISTS {_UNIQUE}",
    ]


def _fill() -> str:
    """Record the actors of the events stored before the triggers existed."""
    return (
        f'INSERT INTO "{_ACTORS}" (auth_tenant_id, actor_id, actor_name) '  # noqa: S608 - fixed names
        f'SELECT DISTINCT auth_tenant_id, actor_id, actor_name FROM "{_EVENTS}" '
        # WHERE: without it SQLite would read ON as the start of a join condition.
        "WHERE true ON CONFLICT DO NOTHING"
    )
