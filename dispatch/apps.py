from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("分拨与组织")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dispatch import checks  # noqa: F401  registers the system checks
