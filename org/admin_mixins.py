from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """For records the system writes (audit trail, counters, heartbeats): look, never touch."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
