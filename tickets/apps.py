from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("工单")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the tasks in every process (web too): services queue them by name
        # (tickets.core.queueing) and never import this module themselves.
        from tickets import tasks  # noqa: F401
