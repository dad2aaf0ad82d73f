"""A person's in-app notices (the console's bell and inbox): their own rows only, newest first.

The kinds are written as plain strings by the code that sends them (sla/, tickets/dispatching/,
reports/scheduled.py); their labels and which of them are urgent are decided here, once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from org.models import Staff
from tickets.core.selectors import ticket_visible_to
from tickets.models import Notification

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Every kind= passed to notification_send / notify, with its label in the inbox.
NOTIFICATION_KIND_LABELS: Final[dict[str, StrOrPromise]] = {
    "assigned": _("新派工单"),
    "unit_queue": _("待派人"),
    "sla_warning": _("时限预警"),
    "sla_breach": _("已超时"),
    "sla_escalate": _("超时升级"),
    "assist": _("协办请求"),
    "assist_reply": _("协办回复"),
    "assist_warning": _("协办预警"),
    "assist_breach": _("协办超时"),
    "supervision": _("督办"),
    "supervision_answer": _("督办回复"),
    "supervision_overdue": _("督办逾期"),
    "return_request": _("退单申请"),
    "ruling_request": _("待审定"),
    "extension": _("延期申请"),
    "suspension": _("暂停计时申请"),
    "suspension_decided": _("暂停计时审批结果"),
    "report": _("报表"),
}

# What needs acting on now: a clock already broken, or an order from the supervision office.
NOTIFICATION_URGENT_KINDS: Final[frozenset[str]] = frozenset({
    "sla_breach", "sla_escalate", "assist_breach", "supervision", "supervision_overdue"})


def notification_kind_label(*, kind: str) -> str:
    """A kind nobody has labelled yet still shows, as its code, rather than nothing."""
    label = NOTIFICATION_KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def notification_list(*, staff: Staff, unread_only: bool = False) -> QuerySet[Notification]:
    """One's own notices, newest first (id breaks ties among rows of one bulk insert)."""
    rows = Notification.objects.filter(recipient=staff)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.select_related("ticket").order_by("-created_at", "-id")


def notification_unread_count(*, staff: Staff) -> int:
    """The bell's number, on every page: recipient + read_at IS NULL is exactly the
    notification_unread partial index, so this stays an index-only count."""
    return Notification.objects.filter(recipient=staff, read_at__isnull=True).count()


def notification_of(*, staff: Staff, pk: int) -> Notification | None:
    """One of one's own notices (another person's id is none: the caller answers 404)."""
    return notification_list(staff=staff).filter(pk=pk).first()


@dataclass(frozen=True)
class InboxItem:
    notification: Notification
    label: str
    urgent: bool
    # The ticket's number while the person may still see it (after a transfer it may have
    # left their unit): only then is it a link.
    ticket_number: str | None

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def notification_inbox_items(*, user: AbstractBaseUser | AnonymousUser,
                             notifications: Iterable[Notification]) -> list[InboxItem]:
    """A page of notices, each with its label, urgency and ticket if still in sight (one
    query for the whole page)."""
    rows = list(notifications)
    ticket_ids = {row.ticket_id for row in rows if row.ticket_id is not None}
    visible = set(ticket_visible_to(user=user).filter(pk__in=ticket_ids)
                  .values_list("pk", flat=True)) if ticket_ids else set()
    return [InboxItem(notification=row, label=notification_kind_label(kind=row.kind),
                      urgent=row.kind in NOTIFICATION_URGENT_KINDS,
                      ticket_number=row.ticket.number
                      if row.ticket is not None and row.ticket_id in visible else None)
            for row in rows]
