from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from org.admin_mixins import ReadOnlyAdminMixin
from org.models import ExtraShift, Holiday, Leave, ServiceHeartbeat, Staff, Unit, WeeklyShift
from org.roles import is_superuser, staff_of


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "parent", "is_district_wide",
                    "always_on", "auto_threshold", "duty_lead", "active"]
    list_filter = ["kind", "active", "is_district_wide", "always_on"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent", "duty_lead"]
    readonly_fields = ["created_at", "updated_at"]


class WeeklyShiftInline(admin.TabularInline):
    model = WeeklyShift
    extra = 0


class ExtraShiftInline(admin.TabularInline):
    model = ExtraShift
    extra = 0


class LeaveInline(admin.TabularInline):
    model = Leave
    extra = 0


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    # The duty roster is edited per person: weekly shifts, one-off shifts, leave.
    inlines = [WeeklyShiftInline, ExtraShiftInline, LeaveInline]
    list_display = ["user", "full_name", "unit", "role", "on_duty", "capacity", "phone"]
    list_filter = ["role", "on_duty", "unit__kind", "unit"]
    search_fields = ["user__username", "user__first_name", "unit__name", "phone"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description="姓名")
    def full_name(self, obj: Staff) -> str:
        return obj.user.get_full_name()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Staff]:
        staff = super().get_queryset(request)
        me = staff_of(request.user)
        if is_superuser(request.user) or (me and me.unit.is_district_wide):
            return staff
        return staff.filter(unit_id=me.unit_id) if me else staff.none()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A unit lead manages duty and capacity of their own people, not their unit or role.
        if is_superuser(request.user):
            return tuple(self.readonly_fields)
        return (*self.readonly_fields, "user", "unit", "role")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]


@admin.register(ServiceHeartbeat)
class ServiceHeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "seen_at", "hostname"]
