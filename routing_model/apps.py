from django.apps import AppConfig


class RoutingModelConfig(AppConfig):
    """Text -> unit. Imports nothing from tickets, dispatch or sla (the routing issue fills it)."""

    name = "routing_model"
    verbose_name = "智能分拨模型"
