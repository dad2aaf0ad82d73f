from django.apps import AppConfig


class SlaConfig(AppConfig):
    """10-30-24 policies, calendars, deadlines and timers (the SLA issue fills it)."""

    name = "sla"
    verbose_name = "时限管理"
