"""The database itself keeps the trail append-only, whatever client writes to it.

PostgreSQL: a row trigger refuses UPDATE and DELETE (migration 0002) and a statement trigger
refuses TRUNCATE, unless the session has set ``tickets.allow_truncate = on`` (the test settings
do, so that Django can empty the tables between tests; no production connection sets it).
SQLite: row triggers refuse UPDATE and DELETE. SQLite drops a table's triggers whenever a
migration rebuilds the table, so they are put back after every ``migrate`` (post_migrate).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "tickets_ticketevent"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION tickets_ticketevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('tickets.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{TABLE} is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tickets_ticketevent_no_truncate ON {TABLE};
CREATE TRIGGER tickets_ticketevent_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_ticketevent_no_truncate();
"""
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS tickets_ticketevent_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_ticketevent_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END""",
]


def append_only_install(*, connection: BaseDatabaseWrapper) -> None:
    """Create the triggers that are missing (idempotent)."""
    if TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES)
        elif connection.vendor == "sqlite":
            for statement in SQLITE:
                cursor.execute(statement)
