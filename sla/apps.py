from django.apps import AppConfig


class SlaConfig(AppConfig):
    """10-30-24 policies, calendars, deadlines and timers."""

    name = "sla"
    verbose_name = "时限管理"

    def ready(self) -> None:
        # The system checks; the tasks, so that services can queue them by name.
        from sla import checks, tasks  # noqa: F401
