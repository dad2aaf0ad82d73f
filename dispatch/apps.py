from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("分拨与组织")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for what they connect: the system checks, Celery's logging signals.
        from dispatch import checks, task_logging  # noqa: F401
