"""The unified ticket, its lifecycle (django-fsm-2) and its daily number sequence."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from tickets.models import transition_rules as rules
from tickets.models.channel import Channel

if TYPE_CHECKING:
    from org.calendar import WorkingCalendar
    from org.models import Staff, Unit


class TicketState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    TRIAGE = "triage", _("待人工分拨")
    ASSIGNED = "assigned", _("已派单")
    CONTACTED = "contacted", _("已联系")
    MET = "met", _("已约见")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已归档")
    MERGED = "merged", _("已合并")
    REJECTED = "rejected", _("已作废")


OPEN_STATES = (
    TicketState.RECEIVED,
    TicketState.TRIAGE,
    TicketState.ASSIGNED,
    TicketState.CONTACTED,
    TicketState.MET,
)
WORKING_STATES = (TicketState.ASSIGNED, TicketState.CONTACTED, TicketState.MET)
FINISHED_STATES = (TicketState.RESOLVED, TicketState.CLOSED)
# The condition of the history's partial indexes (a query must imply it to use them).
FINISHED = Q(state__in=[s.value for s in FINISHED_STATES])
S = TicketState


def _admin_action(label: str, help_text: str, *, form: str | None = None) -> dict[str, Any]:
    """django-fsm-2 admin metadata: a button label, its help text and the form it asks for."""
    custom: dict[str, Any] = {"label": _(label), "help_text": _(help_text), "admin": True}
    if form:
        custom["form"] = f"tickets.admin_forms.{form}"
    return custom


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    NORMAL = "normal", _("一般")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Ticket(models.Model):
    number = models.CharField(_("工单编号"), max_length=24, unique=True, editable=False)
    channel = models.ForeignKey(
        Channel, verbose_name=_("受理渠道"), on_delete=models.PROTECT, related_name="tickets",
        db_index=False,  # the unique (channel, external_id) index serves channel lookups
    )
    external_id = models.CharField(_("渠道单号"), max_length=100)
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)

    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("诉求内容"))
    citizen_name = models.CharField(_("诉求人"), max_length=60, blank=True)
    citizen_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    citizen_id_number = models.CharField(_("身份证号"), max_length=18, blank=True)

    address = models.CharField(_("地址"), max_length=300, blank=True)
    street = models.ForeignKey(
        "dispatch.Unit", verbose_name=_("所属街道"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": "street_office"},
    )
    community = models.CharField(_("社区"), max_length=60, blank=True)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    category_l1 = models.CharField(_("一级分类"), max_length=40, blank=True)
    category_l2 = models.CharField(_("二级分类"), max_length=40, blank=True)
    category_l3 = models.CharField(_("三级分类"), max_length=40, blank=True)

    predicted_unit = models.ForeignKey(
        "dispatch.Unit", verbose_name=_("模型建议单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    prediction_confidence = models.FloatField(_("模型置信度"), null=True, blank=True)
    # [{"unit": "<code>", "probability": 0.81}, ...] best first
    prediction_top3 = models.JSONField(_("候选单位"), default=list, blank=True)
    # Why: the terms that weighed most, the place found, the rule that fired, the model version.
    prediction_explanation = models.JSONField(_("分拨依据"), default=dict, blank=True)
    # The router's tokens for this text ({"signature": ..., "tokens": [...]}), so that the
    # nightly retrain does not segment every resolved ticket again.
    routing_tokens = models.JSONField(_("分词缓存"), default=dict, blank=True, editable=False)

    unit = models.ForeignKey(
        "dispatch.Unit", verbose_name=_("承办单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="tickets",
    )
    assignee = models.ForeignKey(
        "dispatch.Staff", verbose_name=_("责任人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="tickets",
        db_index=False,  # ticket_assignee_state (assignee, state) serves it
    )
    assisting_units = models.ManyToManyField(
        "dispatch.Unit", verbose_name=_("协办单位"), blank=True, related_name="assisting_tickets"
    )

    state = FSMField(
        _("状态"), default=TicketState.RECEIVED, choices=TicketState.choices, max_length=16
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("重复件主单"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="duplicates",
    )
    reply = models.TextField(_("答复内容"), blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=24, choices=Satisfaction.choices, blank=True
    )
    follow_up_note = models.TextField(_("回访记录"), blank=True)
    # A supervisor ruled the citizen's dissatisfaction unreasonable: kept out of the unit's rate.
    satisfaction_excluded = models.BooleanField(_("不计入满意率"), default=False)

    # What the channel sent beyond the common fields: photos, source URL and heat, camera image
    # and confidence, petition case number, ... (shown to caseworkers, kept for replay).
    source_details = models.JSONField(_("渠道附加信息"), default=dict, blank=True)
    # The city platform's own number and deadlines, which this ticket must keep.
    upstream_number = models.CharField(_("上级平台单号"), max_length=60, blank=True)
    upstream_contact_due_at = models.DateTimeField(_("上级要求联系时限"), null=True, blank=True)
    upstream_resolve_due_at = models.DateTimeField(_("上级要求办结时限"), null=True, blank=True)
    # Last time the ticket was queued for routing; the sweeper re-queues it if it stays received.
    route_requested_at = models.DateTimeField(_("最近排队分拨时间"), null=True, blank=True)

    # Milestones as facts. The SLA issue adds the matching *_due_at deadlines beside them.
    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    # When a named person first held the ticket: assigned_at moves on with every transfer and
    # reopen, this one is set once (the intake-to-person latency in /metrics).
    first_assigned_at = models.DateTimeField(_("首次派单时间"), null=True, blank=True,
                                             editable=False)
    # The unit the ticket was first handed to, and whether the router did it with no dispatcher:
    # the reports' routing figures (auto-dispatched share, share that stayed with that unit).
    first_unit = models.ForeignKey(
        "dispatch.Unit", verbose_name=_("首次派往单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )
    auto_dispatched = models.BooleanField(_("自动派单"), null=True, blank=True, editable=False)
    contacted_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    met_at = models.DateTimeField(_("约见时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    # Working minutes from received to resolved (SLA_WORKING_HOURS and the holiday table), kept
    # at resolve: the reports' working-day handling time, which SQL cannot compute by itself.
    handling_working_minutes = models.PositiveIntegerField(
        _("办理用时（工作分钟）"), null=True, blank=True, editable=False)
    # Counted in the reports' kept sums (reports.settled sets it; every new event in the trail
    # clears it, in the same UPDATE that moves the trail's head).
    report_settled = models.BooleanField(_("已计入报表汇总"), default=False, editable=False)

    # The SLA policy version this ticket's clocks started with (kept if the policy changes).
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy", verbose_name=_("时限规则"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    # A milestone's deadline passed unmet (set by the SLA timers, never cleared: it happened).
    is_overdue = models.BooleanField(_("已超时"), default=False)
    # When the retention task masked the citizen's name, phone, ID number and the numbers in
    # the free text (tickets.services.retention); set once, never cleared.
    anonymised_at = models.DateTimeField(_("个人信息匿名化时间"), null=True, blank=True,
                                         editable=False)

    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("改派次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    # Optimistic concurrency: every change bumps it; a stale writer gets a conflict error.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    # The hash of the trail's last event (tickets.core.trail): appending moves it with a guarded
    # UPDATE, which also serialises concurrent appends to one ticket's chain.
    trail_head = models.CharField(_("事件链末端哈希"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-received_at"]
        permissions = [("view_citizen_pii", _("查看诉求人完整电话和身份证号"))]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="ticket_unique_channel_external_id"
            ),
        ]
        indexes = [
            # A unit's queue: open tickets of one unit (the unit and caseworker queues).
            models.Index(
                fields=["unit", "state"], name="ticket_open_by_unit",
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
            ),
            # The triage queue: tickets waiting for a dispatcher, oldest first.
            models.Index(
                fields=["received_at"], name="ticket_triage_queue",
                condition=Q(state="triage"),
            ),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state"),
            models.Index(fields=["received_at"], name="ticket_received_at"),
            models.Index(fields=["citizen_phone"], name="ticket_citizen_phone"),
            # The reports: tickets of kept days that still count live (reports.figures, the
            # live cohort's "report_settled = false" beside the kept sums).
            models.Index(fields=["received_at"], name="ticket_report_unsettled",
                         condition=Q(report_settled=False)),
            # The retention task: closed tickets whose citizen data is still there.
            models.Index(fields=["closed_at"], name="ticket_closed_not_anonymised",
                         condition=Q(anonymised_at__isnull=True, closed_at__isnull=False)),
            # Duplicate candidates: open tickets at the same address (intake's 重复件 check).
            models.Index(fields=["address"], name="ticket_address"),
            # The intake sweeper: tickets still waiting in received, by when they were queued.
            models.Index(
                fields=["route_requested_at"], name="ticket_waiting_for_routing",
                condition=Q(state="received"),
            ),
            # The console's history (tickets.selectors.search.ticket_history): a unit's, or a
            # caseworker's, finished tickets, the latest finished first, a page at a time (the
            # order and the period are on this expression: resolve time, else closing time).
            models.Index(F("unit"), Coalesce("resolved_at", "closed_at").desc(), F("id").desc(),
                         name="ticket_finished_by_unit", condition=FINISHED),
            models.Index(F("assignee"), Coalesce("resolved_at", "closed_at").desc(),
                         F("id").desc(), name="ticket_finished_by_assignee", condition=FINISHED),
            # Not declared here, on purpose: the console's search (tickets.selectors.search.
            # ticket_search) needs GIN trigram indexes on UPPER(title), UPPER(content),
            # UPPER(address) and UPPER(community) (ticket_*_trgm: icontains is UPPER(col) LIKE
            # UPPER('%…%')). They are PostgreSQL-only, so migration 0026 creates them there by
            # hand; declared here they would be rebuilt as "USING gin" whenever SQLite (the
            # demo) remakes this table for a later migration, which SQLite refuses.
        ]

    def __str__(self) -> str:
        # The number alone: the admin names a row by str() (breadcrumbs, related rows, its log)
        # to whoever opens it, and a title may hold a citizen's phone number.
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def note_first_assignment(self, *, at: datetime) -> None:
        """Keep the moment a named person first holds the ticket (a unit queue is not one)."""
        if self.assignee_id is not None and self.first_assigned_at is None:
            self.first_assigned_at = at

    # --- lifecycle --------------------------------------------------------------------------------
    # Transition methods only change this instance in memory. Services in tickets.services call
    # them inside a transaction, save, write the TicketEvent and schedule side effects on commit.
    # Every method takes the moment ``at`` so that the services call them all alike.

    @transition(field=state, source=S.RECEIVED, target=S.TRIAGE,
                permission=rules.fsm_permission(rules.may_dispatch),
                custom=_admin_action(
                    "转人工分拨", "交分拨员人工判断承办单位。"
                ))
    def triage(self, *, at: datetime) -> None:
        pass

    @transition(field=state, source=[S.RECEIVED, S.TRIAGE], target=S.ASSIGNED,
                permission=rules.fsm_permission(rules.may_dispatch),
                custom=_admin_action(
                    "派单", "选择承办单位和责任人，时限从派单时开始计算。", form="AssignForm"
                ))
    def assign(self, *, unit: Unit, assignee: Staff | None, auto: bool, at: datetime) -> None:
        self.unit = unit
        self.assignee = assignee
        self.assigned_at = at
        self.note_first_assignment(at=at)
        if self.first_unit_id is None:
            self.first_unit = unit
            self.auto_dispatched = auto

    @transition(field=state, source=S.ASSIGNED, target=S.CONTACTED,
                permission=rules.fsm_permission(rules.may_work),
                conditions=[rules.has_assignee],
                custom=_admin_action(
                    "记录联系", "已与诉求人取得联系（10 分钟时限）。", form="NoteForm"
                ))
    def record_contact(self, *, at: datetime) -> None:
        self.contacted_at = at

    @transition(field=state, source=S.CONTACTED, target=S.MET,
                permission=rules.fsm_permission(rules.may_work),
                custom=_admin_action(
                    "记录约见", "已与诉求人约见或到达现场（30 分钟时限）。", form="NoteForm"
                ))
    def record_meeting(self, *, at: datetime) -> None:
        self.met_at = at

    @transition(field=state, source=S.MET, target=S.RESOLVED,
                permission=rules.fsm_permission(rules.may_work),
                custom=_admin_action(
                    "办结", "填写给诉求人的答复，办结后进入回访。", form="ResolveForm"
                ))
    def resolve(self, *, reply: str, calendar: WorkingCalendar, at: datetime) -> None:
        self.reply = reply
        self.resolved_at = at
        self.handling_working_minutes = calendar.minutes_between(self.received_at, at)

    @transition(field=state, source=S.RESOLVED, target=S.CLOSED,
                permission=rules.fsm_permission(rules.may_follow_up),
                conditions=[rules.citizen_satisfied], custom={"label": _("归档")})
    def close(self, *, at: datetime) -> None:
        self.closed_at = at

    @transition(field=state, source=S.RESOLVED, target=S.ASSIGNED,
                permission=rules.fsm_permission(rules.may_follow_up),
                conditions=[rules.citizen_unsatisfied], custom={"label": _("重办")})
    def reopen(self, *, at: datetime) -> None:
        # 重办 goes back to the same unit and person; the milestones start over.
        self.assigned_at = at
        self.contacted_at = None
        self.met_at = None
        self.resolved_at = None
        self.handling_working_minutes = None
        self.reopen_count += 1

    @transition(field=state, source=[*WORKING_STATES, S.RESOLVED], target=S.CLOSED,
                permission=rules.fsm_permission(rules.may_rule),
                conditions=[rules.citizen_unsatisfied],
                custom={"label": _("审定不合理诉求并归档")})
    def close_unreasonable(self, *, at: datetime) -> None:
        self.closed_at = at
        self.satisfaction_excluded = True

    @transition(field=state, source=list(WORKING_STATES), target=S.TRIAGE,
                permission=rules.fsm_permission(rules.may_return),
                custom=_admin_action(
                    "退单", "本单位负责人审核后退回分拨中心，需写明原因。", form="ReasonForm"
                ))
    def return_to_triage(self, *, at: datetime) -> None:
        self.unit = None
        self.assignee = None
        self.assigned_at = None
        self.contacted_at = None
        self.met_at = None
        self.return_count += 1

    @transition(field=state, source=list(WORKING_STATES), target=S.ASSIGNED,
                permission=rules.fsm_permission(rules.may_transfer),
                custom=_admin_action(
                    "改派", "转给其他单位和责任人办理，需写明原因。", form="TransferForm"
                ))
    def transfer(self, *, unit: Unit, assignee: Staff | None, at: datetime) -> None:
        self.unit = unit
        self.assignee = assignee
        self.assigned_at = at
        self.note_first_assignment(at=at)
        self.contacted_at = None
        self.met_at = None
        self.transfer_count += 1

    @transition(field=state, source=list(OPEN_STATES), target=S.MERGED,
                permission=rules.fsm_permission(rules.may_dispatch),
                conditions=[rules.has_no_merged_children],
                custom=_admin_action(
                    "合并重复件", "把本工单作为重复件并入一张在办工单。", form="MergeForm"
                ))
    def merge(self, *, parent: Ticket, at: datetime) -> None:
        self.parent = parent

    @transition(field=state, source=[S.RECEIVED, S.TRIAGE], target=S.REJECTED,
                permission=rules.fsm_permission(rules.may_reject),
                custom=_admin_action(
                    "作废（无效/骚扰）", "无效诉求或骚扰，需写明原因。", form="ReasonForm"
                ))
    def reject(self, *, at: datetime) -> None:
        pass


class TicketNumberSequence(models.Model):
    """Per-day counter behind FT20261128-000123; the row lock serialises concurrent intake."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号序列")
        verbose_name_plural = _("工单编号序列")

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"
