from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from notifiers.registry import notifier_get
from tests.receiver import Receiver
from tickets.core.signing import signature_verify
from tickets.models import Notification
from tickets.outbox.notifications import notification_deliver, notification_send, notification_sweep

SENT_SMS: list[tuple[str, str]] = []


class RecordingGateway:
    """An SMS gateway that keeps what it was given (the operator's side of the interface)."""

    def send_sms(self, *, phone: str, text: str) -> None:
        SENT_SMS.append((phone, text))


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _send(org, kind="sla_breach", text="工单 FT1 「联系诉求人」已超时", people=None):
    return notification_send(recipients=people or [org.lead], ticket=None, kind=kind, text=text)


def test_without_notifiers_a_notice_is_in_app_only_and_already_delivered(
        org, settings, django_capture_on_commit_callbacks):
    settings.NOTIFIERS = []
    with django_capture_on_commit_callbacks() as queued:
        rows = _send(org, people=[org.lead, org.lead, None, org.assignee])
    assert len(rows) == 2  # one per distinct person
    assert all(r.delivered_at is not None for r in rows) and queued == []


def test_the_log_notifier_writes_one_line_and_marks_the_notice_delivered(org, settings, caplog):
    settings.NOTIFIERS = ["log"]
    [row] = _send(org)
    with caplog.at_level(logging.INFO, logger="notifiers.log"):
        assert notification_deliver(notification_id=row.pk) == "delivered"
    assert "lianhua.lead" in caplog.text and "已超时" in caplog.text
    row.refresh_from_db()
    assert row.delivered_to == ["log"] and row.delivered_at is not None
    assert notification_deliver(notification_id=row.pk) == "done_before"


def test_the_webhook_notifier_posts_signed_json_and_retries_a_failure(
        org, settings, receiver, django_capture_on_commit_callbacks, monkeypatch):
    from tickets import tasks

    settings.NOTIFIERS = ["log", "webhook"]
    settings.NOTIFY_WEBHOOK_URL = receiver.url
    settings.NOTIFY_WEBHOOK_SECRET = "hook-secret"
    receiver.plan = [503]
    retries = []
    monkeypatch.setattr(tasks.notification_deliver_task, "apply_async",
                        lambda args, countdown: retries.append((args[0], countdown)))
    [row] = _send(org)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.delivered_to == ["log"] and row.delivered_at is None
    assert "webhook" in row.delivery_error and retries == [(row.pk, 10)]
    assert notification_deliver(notification_id=row.pk) == "delivered"
    row.refresh_from_db()
    assert row.delivered_to == ["log", "webhook"] and row.delivery_attempts == 2
    last = receiver.received[-1]
    signature_verify(header=last.headers["x-signature"], body=last.body,
                     secrets=["hook-secret"], now=int(timezone.now().timestamp()))
    body = json.loads(last.body)
    assert (body["kind"], body["recipient"]) == ("sla_breach", "lianhua.lead")


def test_a_notice_that_keeps_failing_is_given_up_with_the_error_kept(org, settings, receiver):
    settings.NOTIFIERS = ["webhook"]
    settings.NOTIFY_WEBHOOK_URL = receiver.url
    settings.NOTIFY_MAX_ATTEMPTS = 2
    receiver.default = 500
    [row] = _send(org)
    assert notification_deliver(notification_id=row.pk) == "retry"
    assert notification_deliver(notification_id=row.pk) == "gave_up"
    row.refresh_from_db()
    assert row.delivered_at is not None and row.delivered_to == []
    assert "500" in row.delivery_error


def test_sms_goes_through_the_configured_gateway_for_chosen_kinds_only(org, settings):
    settings.NOTIFIERS = ["sms"]
    settings.NOTIFY_SMS_GATEWAY = "tests.notifiers.test_delivery.RecordingGateway"
    settings.NOTIFY_SMS_KINDS = ["sla_breach"]
    org.lead.phone = "13800001111"
    org.lead.save()
    SENT_SMS.clear()
    breach, warning = _send(org)[0], _send(org, kind="sla_warning", text="将到期")[0]
    no_phone = _send(org, people=[org.assignee])[0]
    for row in (breach, warning, no_phone):
        assert notification_deliver(notification_id=row.pk) == "delivered"
    assert SENT_SMS == [("13800001111", "【民意速办】工单 FT1 「联系诉求人」已超时")]


def test_the_default_sms_gateway_posts_to_its_url(org, settings, receiver):
    settings.NOTIFIERS = ["sms"]
    settings.NOTIFY_SMS_URL = receiver.url
    org.lead.phone = "13800001111"
    org.lead.save()
    [row] = _send(org)
    assert notification_deliver(notification_id=row.pk) == "delivered"
    assert json.loads(receiver.received[0].body)["phone"] == "13800001111"


def test_an_unknown_or_unconfigured_notifier_is_reported_by_the_checks(settings):
    settings.NOTIFIERS = ["pigeon", "webhook"]
    settings.NOTIFY_WEBHOOK_URL = ""
    ids = {e.id for e in run_checks()}
    assert {"notifiers.E001", "notifiers.E002"} <= ids
    with pytest.raises(ImproperlyConfigured):
        notifier_get("pigeon")


def test_the_sweeper_requeues_notices_whose_task_was_lost(org, settings, monkeypatch):
    from tickets import tasks

    settings.NOTIFIERS = ["log"]
    queued = []
    monkeypatch.setattr(tasks.notification_deliver_task, "apply_async",
                        lambda args, countdown: queued.append(args[0]))
    [old] = _send(org)
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        [fresh] = _send(org)
        assert notification_sweep() == 1
    assert queued == [old.pk]
    notification_deliver(notification_id=old.pk)
    assert Notification.objects.get(pk=old.pk).delivered_at is not None
    assert Notification.objects.get(pk=fresh.pk).delivered_at is None
