# The console's search and history pages: b-tree indexes for the history's pages (a unit's or
# a caseworker's finished tickets, latest first), trigram indexes for text and place search.
#
# What and why (tickets.selectors.search has the whole reasoning): the search's text and place
# terms of 3+ characters are icontains lookups, UPPER(col) LIKE UPPER('%term%'), which only a
# pg_trgm GIN index on UPPER(col) serves. They exist on PostgreSQL only:
#
# - SQLite (the demo) and other databases: this migration does nothing. The indexes are not in
#   Ticket.Meta.indexes (nor in the migration state) on purpose: declared there, SQLite would
#   try to rebuild them "USING gin" whenever it remakes the table for a later migration.
# - The pg_trgm extension is created here if missing. It is a trusted extension (PostgreSQL
#   13+), so a role with CREATE on the database may create it (the database's owner has it).
#   A role without that right, or a server without the contrib package, does not break
#   `migrate`: it prints a warning with the statements to run later, and skips the indexes (the
#   search still answers, by reading the table: correct but slow at a year's scale). The
#   operator runs CREATE EXTENSION pg_trgm as a role that may, then the printed CREATE INDEX
#   CONCURRENTLY statements as the application's role; this migration need not run again.
# - The indexes are built CONCURRENTLY (so the migration is not atomic): on a year's tickets
#   the content index takes minutes, and a plain CREATE INDEX would block intake's writes all
#   that time. One left invalid by an interrupted build is dropped and built again.

import sys

import django.db.models.functions.comparison
from django.db import DatabaseError, migrations, models, transaction

TABLE = 'tickets_ticket'
COLUMNS = ('title', 'content', 'address', 'community')


def _name(column):
    return f'ticket_{column}_trgm'


def _create_sql(column):
    # Exactly the expression Django's icontains compares (UPPER("col"::text)), so the planner
    # matches it; the ::text of a varchar column is only a relabelling.
    return (f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{_name(column)}" ON "{TABLE}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def _warn(message):
    sys.stderr.write(f'\n  tickets.0026_search_indexes: {message}')


def _trigram_extension(connection):
    """pg_trgm is there, or created now; False (with a warning) if this role may not."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return True
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        except DatabaseError as exc:
            _warn(f'could not create the pg_trgm extension ({str(exc).strip()}). The console '
                  'search works without its trigram indexes but reads the whole ticket table. '
                  'To add them, run as a role that may: CREATE EXTENSION pg_trgm; then as the '
                  "application's role:")
            for column in COLUMNS:
                _warn(f'  {_create_sql(column)};')
            sys.stderr.write('\n')
            return False
    return True


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != 'postgresql' or not _trigram_extension(connection):
        return
    with connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute('SELECT i.indisvalid FROM pg_index i JOIN pg_class c '
                           'ON c.oid = i.indexrelid WHERE c.relname = %s', [_name(column)])
            row = cursor.fetchone()
            if row is not None and row[0]:
                continue
            if row is not None:  # left invalid by an interrupted concurrent build
                cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{_name(column)}"')
            cursor.execute(_create_sql(column))


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != 'postgresql':
        return
    # The extension stays: something else may use it, and dropping it needs more rights.
    with connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{_name(column)}"')


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ('tickets', '0025_ticket_attachments'),
    ]

    operations = [
        # The history's pages (tickets.selectors.search.ticket_history): plain b-tree indexes,
        # in Ticket.Meta.indexes, on every database.
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(models.F('unit'), models.OrderBy(django.db.models.functions.comparison.Coalesce('resolved_at', 'closed_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('state__in', ['resolved', 'closed'])), name='ticket_finished_by_unit'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(models.F('assignee'), models.OrderBy(django.db.models.functions.comparison.Coalesce('resolved_at', 'closed_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('state__in', ['resolved', 'closed'])), name='ticket_finished_by_assignee'),
        ),
        # The search's trigram indexes: PostgreSQL only, not in the model state (see above).
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
