from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Everything that exists to demonstrate the service (`make demo`): simulated channels and
    their traffic, demo people and tickets, the synthetic starting model. Production code never
    imports it."""

    name = "demo"
    verbose_name = _("演示")
