from django.apps import AppConfig


class NotifiersConfig(AppConfig):
    name = "notifiers"
    verbose_name = "通知渠道"

    def ready(self) -> None:
        from notifiers import checks  # noqa: F401  (registers the check)
