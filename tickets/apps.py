from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from tickets.core.append_only import append_only_install


def _append_only_after_migrate(*, using: str, **kwargs: Any) -> None:
    # SQLite loses a table's triggers when a migration rebuilds it: put them back every time.
    append_only_install(connection=connections[using])


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("工单")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_append_only_after_migrate, sender=self,
                             dispatch_uid="tickets.append_only")
        # Registers the tasks in every process (web too): services queue them by name
        # (tickets.core.queueing) and never import this module themselves.
        from tickets import tasks  # noqa: F401
