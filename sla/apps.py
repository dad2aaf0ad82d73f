from django.apps import AppConfig


class SlaConfig(AppConfig):
    """10-30-24 policies, calendars, deadlines and timers."""

    name = "sla"
    verbose_name = "时限管理"

    def ready(self) -> None:
        from sla import checks  # noqa: F401  registers the system checks
