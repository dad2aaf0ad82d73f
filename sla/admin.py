from __future__ import annotations

from django.contrib import admin

from org.admin_mixins import ReadOnlyAdminMixin
from sla.models import Breach, Extension, SlaClock, SlaPolicy, Supervision, Suspension


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "urgency", "category_l1", "channel_code", "warn_ratio",
                    "restart_on_transfer", "active"]
    list_filter = ["urgency", "active"]


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "milestone", "state", "due_at", "warned_at", "breached_at",
                    "late_minutes"]
    list_filter = ["milestone", "state"]
    search_fields = ["ticket__number"]


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "milestone", "due_at", "unit", "assignee", "late_minutes"]
    list_filter = ["milestone"]
    search_fields = ["ticket__number"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "state", "old_due_at", "new_due_at", "requested_at", "decided_at"]
    list_filter = ["state"]


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "state", "requested_at", "started_at", "ended_at"]
    list_filter = ["state"]
    search_fields = ["ticket__number"]


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "level", "unit", "issued_by_label", "issued_at", "reply_due_at",
                    "state", "answered_at"]
    list_filter = ["level", "state"]
    search_fields = ["ticket__number"]
