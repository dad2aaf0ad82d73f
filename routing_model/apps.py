from django.apps import AppConfig


class RoutingModelConfig(AppConfig):
    """Text -> unit. Imports nothing else of the project (an import-linter contract)."""

    name = "routing_model"
    verbose_name = "智能分拨模型"
