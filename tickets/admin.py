"""Admin for channels, tickets and their trail. Every ticket change goes through the services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.html import format_html
from django_fsm import Transition
from django_fsm.admin import FSMAdminMixin

from org.admin_mixins import ReadOnlyAdminMixin
from org.models import Unit
from routing_model.models import RoutingRule, RuleAction
from tickets.actions.catalogue import CATALOGUE, ticket_actions_offered
from tickets.actions.forms import ActionForm, refusal_onto_form
from tickets.actions.refusals import refusal_message
from tickets.actions.spec import Result, TicketAction
from tickets.core.errors import TicketError, action_label
from tickets.core.masking import mask_id_number, mask_phone
from tickets.core.selectors import ticket_visible_to
from tickets.intake.services import intake_replay
from tickets.models import (
    AssistTask,
    CallbackDelivery,
    Channel,
    DeliveryStatus,
    DispatchCorrection,
    DuplicateCandidate,
    FollowUpTask,
    IntakeRecord,
    Notification,
    ReturnRequest,
    Ruling,
    Ticket,
    TicketEvent,
    TicketNumberSequence,
    UrgentSignal,
)
from tickets.outbox.callbacks import callback_resend
from tickets.selectors.visible import ticket_is_visible
from tickets.services import lifecycle as services

# The state machine's buttons are performed by the catalogue action that applies each
# transition, with that action's rules and shaping; triage alone is no person's action (the
# router's step, a dispatcher's by hand here) and goes to its service.
ACTION_OF_TRANSITION: dict[str, TicketAction] = {
    transition: entry for entry in CATALOGUE.values() for transition in entry.transitions}


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "family", "active", "rate_limit_per_minute", "has_callback"]
    list_filter = ["family", "active"]
    search_fields = ["code", "name", "description"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["family", "code"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(boolean=True, description="状态回调")
    def has_callback(self, obj: Channel) -> bool:
        return bool(obj.callback_url)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Signing secrets let anyone post as the channel: only superusers see or rotate them.
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded if request.user.is_superuser else [*excluded, "signing_secrets"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "action", "actor_label", "from_state", "to_state",
                                "reason", "payload")
    extra = 0
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _person(request: HttpRequest) -> User:
    """The signed-in staff member (the admin site lets nobody else in)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@admin.register(Ticket)
class TicketAdmin(FSMAdminMixin, admin.ModelAdmin):
    """Read-only ticket pages with two ways to act, both through the catalogue: the state
    machine's buttons (状态流转) and every catalogue action the person is offered (办理), each
    on its own page (…/act/<name>/) with the console's form."""

    fsm_fields = ["state"]
    fsm_transition_form_template = "tickets/admin/transition_form.html"
    fsm_forms = {"return_to_triage": "tickets.admin_forms.ReturnForm"}
    change_form_template = "tickets/admin/ticket_change_form.html"
    list_display = ["number", "title", "state", "urgency", "unit_short", "assignee_name",
                    "received_at"]
    list_filter = ["state", "urgency", "channel__family", "channel", "unit__kind", "unit"]
    search_fields = ["number", "external_id", "title", "content", "citizen_phone", "address"]
    date_hierarchy = "received_at"
    list_select_related = ["channel", "unit", "assignee__user"]
    inlines = [TicketEventInline]
    fieldsets = [
        ("工单", {"fields": ["number", "state", "channel", "external_id", "received_at",
                             "urgency", "title", "content"]}),
        ("诉求人", {"fields": ["citizen_name", "citizen_phone", "citizen_id_number"]}),
        ("地点", {"fields": ["address", "street", "community", "latitude", "longitude"]}),
        ("分拨", {"fields": ["category_l1", "category_l2", "category_l3", "predicted_unit",
                             "prediction_confidence", "prediction_top3", "unit", "assignee",
                             "assisting_units", "parent"]}),
        ("办理", {"fields": ["assigned_at", "contacted_at", "met_at", "resolved_at", "reply",
                             "satisfaction", "follow_up_note", "closed_at", "return_count",
                             "transfer_count", "reopen_count", "version"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if request.user.has_perm("tickets.view_citizen_pii"):
            return self.fieldsets
        masked = {"citizen_phone": "citizen_phone_masked",
                  "citizen_id_number": "citizen_id_masked"}
        return [(title, {"fields": [masked.get(f, f) if isinstance(f, str) else f
                                    for f in opts["fields"]]})
                for title, opts in self.fieldsets]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Nothing is edited in place: state and routed fields change only through the services.
        return tuple(f for _, opts in self.get_fieldsets(request, obj) for f in opts["fields"])

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return ticket_visible_to(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tickets arrive through intake

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # 一单到底: a ticket is never deleted, it is rejected or merged

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any,
                   change: bool) -> None:
        """The change form has no editable fields; saving it must not write the row."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Same: the inline trail is read-only."""

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any,
                                 add: bool = False) -> list[Any]:
        return []  # nothing was saved; the TicketEvent is the record of what happened

    @admin.display(description="承办单位", ordering="unit__short_name")
    def unit_short(self, obj: Ticket) -> str:
        return (obj.unit.short_name or obj.unit.name) if obj.unit else "-"

    @admin.display(description="责任人", ordering="assignee__user__first_name")
    def assignee_name(self, obj: Ticket) -> str:
        return obj.assignee.user.get_full_name() if obj.assignee else "-"

    @admin.display(description="联系电话")
    def citizen_phone_masked(self, obj: Ticket) -> str:
        return mask_phone(obj.citizen_phone)

    @admin.display(description="身份证号")
    def citizen_id_masked(self, obj: Ticket) -> str:
        return mask_id_number(obj.citizen_id_number)

    @staticmethod
    def get_fsm_block_label(fsm_field_name: str) -> str:
        return "状态流转"

    def is_fsm_transition_visible(self, transition: Transition) -> bool:
        # The transitions the model marks for the admin; closing and reopening need the
        # follow-up's result or a ruling's reason, which the catalogue's pages ask for.
        return bool(transition.custom.get("admin"))

    def _apply_fsm_transition(self, *, obj: models.Model, transition_name: str,
                              request: HttpRequest,
                              kwargs: Mapping[str, Any] | None = None) -> bool:
        """Run the button through its catalogue action, so the admin behaves like every other
        interface."""
        entry = ACTION_OF_TRANSITION.get(transition_name)
        transition = self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name)
        if not isinstance(obj, Ticket) or not self.is_fsm_transition_visible(transition) or (
                entry is None and transition_name != "triage"):
            self.message_user(request, f"后台不支持「{action_label(transition_name)}」",
                              level=messages.ERROR)
            return False
        try:
            if entry is not None:
                entry.perform(ticket=obj, actor=_person(request), values=kwargs or {})
            else:
                services.ticket_triage(ticket=obj, actor=_person(request))
        except TicketError as err:
            self.message_user(request, refusal_message(err), level=messages.ERROR)
            return False
        self.message_user(request, f"工单 {obj.number} 已{action_label(transition_name)}",
                          level=messages.SUCCESS)
        return True

    # --- the catalogue's actions ---------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        meta = self.model._meta
        return [
            path("<path:object_id>/act/<slug:action>/",
                 self.admin_site.admin_view(self.action_view),
                 name=f"{meta.app_label}_{meta.model_name}_act"),
            *super().get_urls(),
        ]

    def _ticket(self, request: HttpRequest, object_id: str) -> Ticket | None:
        """The ticket, if the person may see it (the queryset is ticket_visible_to)."""
        found = self.get_object(request, object_id)
        return found if isinstance(found, Ticket) else None

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        ticket = self._ticket(request, object_id)
        offered = [] if ticket is None else ticket_actions_offered(ticket=ticket,
                                                                   user=_person(request))
        response: HttpResponse = super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "ticket_actions": offered})
        return response

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """One catalogue action on one ticket: the console's form, the entry's service, the
        outcome as the admin's message (a refusal also on the form)."""
        entry = CATALOGUE.get(action)
        if entry is None:
            raise Http404
        ticket = self._ticket(request, object_id)
        if ticket is None:
            gone: HttpResponse = self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id)
            return gone
        if not self.has_change_permission(request, ticket):
            raise PermissionDenied
        person = _person(request)
        form = ActionForm(request.POST if request.method == "POST" else None, action=entry)
        status = 200
        if form.is_bound:
            status = 400
            if form.is_valid():
                try:
                    entry.perform(ticket=ticket, actor=person, values=form.cleaned_data)
                except TicketError as err:
                    status = refusal_onto_form(form, err)
                    self.message_user(request, refusal_message(err), level=messages.ERROR)
                else:
                    done = "已提交" if entry.result is Result.ROW else "已完成"
                    self.message_user(request, f"工单 {ticket.number}：{entry.label}，{done}",
                                      level=messages.SUCCESS)
                    if entry.may_leave and not ticket_is_visible(user=person, ticket=ticket):
                        return redirect("admin:tickets_ticket_changelist")
                    return redirect("admin:tickets_ticket_change", ticket.pk)
        context = {**self.admin_site.each_context(request), "opts": self.opts,
                   "original": ticket, "title": f"{ticket.number} · {entry.label}", "action": entry,
                   "form": form}
        return render(request, "tickets/admin/action_form.html", context, status=status)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "ticket_link", "action", "actor_label", "from_state", "to_state"]
    list_filter = ["action", "to_state"]
    search_fields = ["ticket__number", "actor_label", "reason"]
    date_hierarchy = "at"
    list_select_related = ["ticket"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketEvent]:
        visible = ticket_visible_to(user=request.user).values("pk")
        return super().get_queryset(request).filter(ticket_id__in=visible)

    @admin.display(description="工单")
    def ticket_link(self, obj: TicketEvent) -> str:
        return format_html('<a href="../ticket/{}/change/">{}</a>', obj.ticket_id,
                           obj.ticket.number)


@admin.register(TicketNumberSequence)
class TicketNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "last"]
    ordering = ["-day"]


@admin.register(IntakeRecord)
class IntakeRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "channel", "received_at", "outcome", "external_id", "ticket",
                    "replay_count"]
    list_filter = ["outcome", "channel__family", "channel"]
    search_fields = ["external_id", "ticket__number"]
    date_hierarchy = "received_at"
    list_select_related = ["channel", "ticket"]
    fields = readonly_fields = ("channel", "received_at", "outcome", "external_id", "ticket",
                                "processed_at", "replay_count", "headers", "error_detail",
                                "body_text")
    actions = ["replay"]

    @admin.display(description="原始请求体")
    def body_text(self, obj: IntakeRecord) -> str:
        return bytes(obj.body).decode("utf-8", errors="replace")[:20_000]

    @admin.action(description="重放所选记录（修复适配器后）")
    def replay(self, request: HttpRequest, queryset: QuerySet[IntakeRecord]) -> None:
        outcomes = intake_replay(records=queryset.select_related("channel"))
        self.message_user(request, f"生成工单 {outcomes['accepted']}，"
                                   f"重复 {outcomes['duplicate']}，仍无效 {outcomes['invalid']}")


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "original", "score", "reasons", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["ticket__number", "original__number"]
    list_select_related = ["ticket", "original"]


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "channel", "state", "status", "attempts", "next_attempt_at",
                    "last_status_code", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["ticket__number", "idempotency_key"]
    list_select_related = ["ticket", "channel"]
    actions = ["resend"]

    @admin.display(description="状态变更为")
    def state(self, obj: CallbackDelivery) -> str:
        return str(obj.payload.get("state", ""))

    @admin.action(description="重新发送所选死信")
    def resend(self, request: HttpRequest, queryset: QuerySet[CallbackDelivery]) -> None:
        dead = list(queryset.filter(status=DeliveryStatus.DEAD))
        for delivery in dead:
            callback_resend(delivery=delivery)
        self.message_user(request, f"已重新排队 {len(dead)} 条死信")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Actions need the change permission; fields stay read-only (no editable fields).
        return request.user.has_perm("tickets.change_callbackdelivery")


@admin.register(UrgentSignal)
class UrgentSignalAdmin(admin.ModelAdmin):
    list_display = ["phrase", "note", "active"]
    list_editable = ["active"]
    search_fields = ["phrase", "note"]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "unit", "reason_code", "state", "requested_at", "decided_at"]
    list_filter = ["state", "reason_code"]
    search_fields = ["ticket__number"]


@admin.register(Ruling)
class RulingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "state", "returned_by", "unit", "requested_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["ticket__number"]


@admin.register(AssistTask)
class AssistTaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "unit", "assignee", "state", "created_at", "replied_at"]
    list_filter = ["state"]
    search_fields = ["ticket__number"]


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "state", "due_at", "satisfaction", "done_at"]
    list_filter = ["state", "satisfaction"]
    search_fields = ["ticket__number"]


@admin.register(DispatchCorrection)
class DispatchCorrectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "kind", "predicted_unit", "chosen_unit", "actor_label", "at"]
    list_filter = ["kind"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]


class RoutingRuleForm(forms.ModelForm):
    """Units, streets and channels chosen from the directory, so a rule cannot name a unit
    that does not exist."""

    class Meta:
        model = RoutingRule
        fields = ["name", "priority", "active", "keywords", "category_l1", "channel_code",
                  "street_unit", "action", "unit_code", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        data = super().clean() or {}
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
