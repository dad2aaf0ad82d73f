from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dispatch.models import ExtraShift, Holiday, Leave, ServiceHeartbeat, Staff, Unit, WeeklyShift
from routing_model.models import RoutingRule, RuleAction
from tickets.admin_mixins import ReadOnlyAdminMixin
from tickets.transition_rules import is_superuser, staff_of


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


class RoutingRuleForm(forms.ModelForm):
    """Units, streets and channels chosen from the directory, so a rule cannot name a unit
    that does not exist."""

    class Meta:
        model = RoutingRule
        fields = ["name", "priority", "active", "keywords", "category_l1", "channel_code",
                  "street_unit", "action", "unit_code", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tickets.models import Channel

        blank = [("", "（不限）")]
        units = [(u.code, u.name) for u in Unit.objects.filter(active=True).order_by("name")]
        streets = [(u.code, u.name) for u in Unit.objects.filter(kind="street_office")]
        channels = [(c.code, c.name) for c in Channel.objects.order_by("code")]
        self.fields["unit_code"] = forms.ChoiceField(
            label="派往单位", choices=[("", "（强制转人工时不填）"), *units], required=False)
        self.fields["street_unit"] = forms.ChoiceField(
            label="所在街道", choices=blank + streets, required=False)
        self.fields["channel_code"] = forms.ChoiceField(
            label="渠道", choices=blank + channels, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == RuleAction.ROUTE and not data.get("unit_code"):
            self.add_error("unit_code", "“派给指定单位”的规则必须选择单位")
        if not any(data.get(k) for k in ("keywords", "category_l1", "channel_code",
                                         "street_unit")):
            raise forms.ValidationError("至少填写一个匹配条件（关键词、分类、渠道或街道）")
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ("name", "priority", "active", "action", "unit_code", "keywords",
                    "category_l1", "channel_code", "street_unit", "updated_at")
    list_filter = ("active", "action")
    search_fields = ("name", "keywords", "unit_code")
