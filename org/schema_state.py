"""Is the database schema what this code expects? Asked by the database system checks and by
/readyz/.

``manage.py migrate`` runs the database checks *before* it migrates, on a database that may be
empty (first deploy) or one release behind (an upgrade). A check that queried its tables then
would crash the very command that creates them, so the checks ask this first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader


def schema_pending_migrations(*, using: str = DEFAULT_DB_ALIAS,
                              app_labels: Iterable[str] | None = None) -> list[str]:
    """The migrations (``app.name``) not yet applied, of ``app_labels`` or of every app.

    The loader reads ``django_migrations`` only if that table exists, so an empty database
    answers with every migration instead of an error."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    wanted = set(app_labels) if app_labels is not None else None
    return sorted(
        f"{app}.{name}" for app, name in loader.graph.nodes
        if (wanted is None or app in wanted) and (app, name) not in loader.applied_migrations
    )


def schema_is_current(*, using: str = DEFAULT_DB_ALIAS, app_labels: Iterable[str]) -> bool:
    return not schema_pending_migrations(using=using, app_labels=app_labels)
