"""Admin for channels, tickets and their trail. Every ticket change goes through the services."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
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
from tickets.core.errors import IllegalTransition, TicketError, action_label
from tickets.core.selectors import ticket_visible_to
from tickets.intake.services import intake_replay
from tickets.models import (
    AccessLog,
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
from tickets.services.privacy import (
    MASKED,
    PersonalDataView,
    intake_body_read,
    personal_data_view,
    ticket_pii_reveal,
)

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


def _swapped(names: Iterable[Any], swap: Mapping[str, str]) -> list[Any]:
    return [swap.get(n, n) if isinstance(n, str) else n for n in names]


def _masked_display(model: type[models.Model], name: str) -> Callable[[Any], Any]:
    """A read-only column showing the field as somebody without the permission sees it."""
    field = model._meta.get_field(name)
    label = getattr(field, "verbose_name", name)  # a relation's reverse side has none

    @admin.display(description=str(label))
    def shown(obj: Any) -> Any:
        value = getattr(obj, name)
        return MASKED.text(value) if isinstance(value, str) else MASKED.data(value)

    return shown


class PersonalTextAdmin(admin.ModelAdmin):
    """Rows whose free text may hold citizens' numbers (tickets.services.privacy): for people
    without the permission, and on anonymised tickets, each of ``personal_fields`` is shown
    masked, in the list and on the page."""

    personal_fields: tuple[str, ...] = ()

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        for name in self.personal_fields:
            setattr(self, f"{name}_masked", _masked_display(model, name))

    def personal_data(self, request: HttpRequest, obj: Any = None) -> PersonalDataView:
        return personal_data_view(user=request.user, ticket=getattr(obj, "ticket", None))

    def personal_swap(self, request: HttpRequest, obj: Any = None) -> dict[str, str]:
        if self.personal_data(request, obj).text_in_full:
            return {}
        return {name: f"{name}_masked" for name in self.personal_fields}

    def get_list_display(self, request: HttpRequest) -> Any:
        return _swapped(super().get_list_display(request), self.personal_swap(request))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # In place of each field, once (the masked columns are also read-only fields below).
        fields = _swapped(super().get_fields(request, obj), self.personal_swap(request, obj))
        return list(dict.fromkeys(fields))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Read-only, so the model form never asks for them as fields of its own.
        swap = self.personal_swap(request, obj)
        fields = _swapped(super().get_readonly_fields(request, obj), swap)
        return [*fields, *(m for m in swap.values() if m not in fields)]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "action", "actor_label", "from_state", "to_state",
                                "reason", "payload")
    extra = 0
    can_delete = False
    ordering = ["at", "id"]
    reason_masked = staticmethod(_masked_display(TicketEvent, "reason"))
    payload_masked = staticmethod(_masked_display(TicketEvent, "payload"))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _swap(self, request: HttpRequest, ticket: Any) -> dict[str, str]:
        shown = personal_data_view(user=request.user,
                                   ticket=ticket if isinstance(ticket, Ticket) else None)
        return {} if shown.text_in_full else {"reason": "reason_masked",
                                              "payload": "payload_masked"}

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return _swapped(super().get_fields(request, obj), self._swap(request, obj))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return _swapped(super().get_readonly_fields(request, obj), self._swap(request, obj))


def _person(request: HttpRequest) -> User:
    """The signed-in staff member (the admin site lets nobody else in)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@admin.register(Ticket)
class TicketAdmin(FSMAdminMixin, PersonalTextAdmin):
    """Read-only ticket pages with two ways to act, both through the catalogue: the state
    machine's buttons (状态流转) and every catalogue action the person is offered (办理), each
    on its own page (…/act/<name>/) with the console's form. The citizen's phone and ID number
    are masked for everybody; the reveal page (…/reveal-pii/) shows them, as a reveal_pii
    event."""

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
        ("诉求人", {"fields": ["citizen_name", "citizen_phone", "citizen_id_number",
                               "anonymised_at"]}),
        ("地点", {"fields": ["address", "street", "community", "latitude", "longitude"]}),
        ("分拨", {"fields": ["category_l1", "category_l2", "category_l3", "predicted_unit",
                             "prediction_confidence", "prediction_top3", "unit", "assignee",
                             "assisting_units", "parent"]}),
        ("办理", {"fields": ["assigned_at", "contacted_at", "met_at", "resolved_at", "reply",
                             "satisfaction", "follow_up_note", "closed_at", "return_count",
                             "transfer_count", "reopen_count", "version"]}),
    ]

    personal_fields = ("title", "content", "reply", "follow_up_note")

    def personal_data(self, request: HttpRequest, obj: Any = None) -> PersonalDataView:
        return personal_data_view(user=request.user, ticket=obj if isinstance(obj, Ticket)
                                  else None)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        masked = {"citizen_phone": "citizen_phone_masked",
                  "citizen_id_number": "citizen_id_masked", **self.personal_swap(request, obj)}
        return [(title, {"fields": _swapped(opts["fields"], masked)})
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
        return MASKED.phone(obj.citizen_phone)

    @admin.display(description="身份证号")
    def citizen_id_masked(self, obj: Ticket) -> str:
        return MASKED.id_number(obj.citizen_id_number)

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
            path("<path:object_id>/reveal-pii/",
                 self.admin_site.admin_view(self.reveal_pii_view),
                 name=f"{meta.app_label}_{meta.model_name}_reveal_pii"),
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
        may_reveal = ticket is not None and self.personal_data(request, ticket).may_reveal
        response: HttpResponse = super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "ticket_actions": offered,
                                           "may_reveal": may_reveal})
        return response

    def reveal_pii_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The citizen's full phone and ID number: asked for with a POST (a GET only offers
        the button), shown once, recorded as a reveal_pii event like the console's reveal."""
        ticket = self._ticket(request, object_id)
        if ticket is None:
            gone: HttpResponse = self._get_obj_does_not_exist_redirect(  # type: ignore[attr-defined]
                request, self.opts, object_id)
            return gone
        revealed, status = None, 200
        if request.method == "POST":
            try:
                revealed = ticket_pii_reveal(ticket=ticket, actor=_person(request))
            except TicketError as err:
                self.message_user(request, refusal_message(err), level=messages.ERROR)
                status = 409 if isinstance(err, IllegalTransition) else 403
        context = {**self.admin_site.each_context(request), "opts": self.opts,
                   "original": ticket, "title": f"{ticket.number} · 查看完整个人信息",
                   "revealed": revealed, "citizen_phone": MASKED.phone(ticket.citizen_phone),
                   "citizen_id_number": MASKED.id_number(ticket.citizen_id_number)}
        return render(request, "tickets/admin/reveal_pii.html", context, status=status)

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
class TicketEventAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("reason", "payload")
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


BODY_SHOWN_CHARS = 20_000


@admin.register(IntakeRecord)
class IntakeRecordAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    """What arrived, without the raw body and headers: those only on their own page
    (…/body/), for superusers, each look an AccessLog row."""

    list_display = ["id", "channel", "received_at", "outcome", "external_id", "ticket",
                    "replay_count"]
    list_filter = ["outcome", "channel__family", "channel"]
    search_fields = ["external_id", "ticket__number"]
    date_hierarchy = "received_at"
    list_select_related = ["channel", "ticket"]
    fields = readonly_fields = ("channel", "received_at", "outcome", "external_id", "ticket",
                                "processed_at", "replay_count", "error_detail", "body_sha256",
                                "body_purged_at", "raw_body")
    personal_fields = ("error_detail",)  # a refusal may quote what was sent
    actions = ["replay"]

    @admin.display(description="原始请求")
    def raw_body(self, obj: IntakeRecord) -> str:
        if obj.body_purged_at is not None:
            return "已按保存期限清除（保留 SHA-256）"
        return format_html('<a href="{}">查看原始请求体和请求头（仅超级管理员，记录每次查看）</a>',
                           reverse("admin:tickets_intakerecord_body", args=[obj.pk]))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        return fields if request.user.is_superuser else [f for f in fields if f != "raw_body"]

    def get_urls(self) -> list[URLPattern]:
        return [path("<path:object_id>/body/", self.admin_site.admin_view(self.body_view),
                     name="tickets_intakerecord_body"),
                *super().get_urls()]

    def body_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self.get_object(request, object_id)
        if not isinstance(record, IntakeRecord):
            raise Http404
        body = intake_body_read(record=record, actor=_person(request))  # 403 unless superuser
        context = {**self.admin_site.each_context(request), "opts": self.opts,
                   "original": record, "title": f"受理原始记录 #{record.pk} · 原始请求",
                   "body": body, "shown": (body.text or "")[:BODY_SHOWN_CHARS],
                   "cut": len(body.text or "") > BODY_SHOWN_CHARS}
        return render(request, "tickets/admin/intake_body.html", context)

    @admin.action(description="重放所选记录（修复适配器后）")
    def replay(self, request: HttpRequest, queryset: QuerySet[IntakeRecord]) -> None:
        outcomes = intake_replay(records=queryset.select_related("channel"))
        self.message_user(request, f"生成工单 {outcomes['accepted']}，"
                                   f"重复 {outcomes['duplicate']}，仍无效 {outcomes['invalid']}，"
                                   f"原始请求体已清除 {outcomes['purged']}")


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "original", "score", "reasons", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["ticket__number", "original__number"]
    list_select_related = ["ticket", "original"]


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("payload",)  # the public reply
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
class ReturnRequestAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("text", "decision_note")
    list_display = ["ticket", "unit", "reason_code", "state", "requested_at", "decided_at"]
    list_filter = ["state", "reason_code"]
    search_fields = ["ticket__number"]


@admin.register(Ruling)
class RulingAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("reason",)
    list_display = ["ticket", "state", "returned_by", "unit", "requested_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["ticket__number"]


@admin.register(AssistTask)
class AssistTaskAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("task", "reply")
    list_display = ["ticket", "unit", "assignee", "state", "created_at", "replied_at"]
    list_filter = ["state"]
    search_fields = ["ticket__number"]


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("note",)
    list_display = ["ticket", "state", "due_at", "satisfaction", "done_at"]
    list_filter = ["state", "satisfaction"]
    search_fields = ["ticket__number"]


@admin.register(DispatchCorrection)
class DispatchCorrectionAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("reason",)
    list_display = ["ticket", "kind", "predicted_unit", "chosen_unit", "actor_label", "at"]
    list_filter = ["kind"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, PersonalTextAdmin):
    personal_fields = ("text",)  # a new ticket's notice quotes its title
    list_display = ["recipient", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who looked at raw intake bodies: superusers only, like the bodies themselves."""

    list_display = ["at", "actor_label", "kind", "intake_record", "ticket"]
    list_filter = ["kind"]
    search_fields = ["actor_label", "ticket__number"]
    date_hierarchy = "at"
    list_select_related = ["intake_record", "ticket"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


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
