from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Supervision and evaluation (监督 → 评价): SLA figures per unit and period, their
    exports, and the scheduled 日报 / 周报 / 月报."""

    name = "reports"
    verbose_name = "考核报表"

    def ready(self) -> None:
        # The tasks, so that beat's entries find them by name.
        from reports import tasks  # noqa: F401
