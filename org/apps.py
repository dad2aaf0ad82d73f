from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The org directory: units, staff, duty rosters, holidays and the working-time calendar.

    Labelled "dispatch" because that is what it was called when its tables were made: the
    tables (dispatch_unit, dispatch_staff, …), migrations and permissions keep that name."""

    name = "org"
    label = "dispatch"
    verbose_name = _("组织与值班")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from org import checks  # noqa: F401  registers the system checks
