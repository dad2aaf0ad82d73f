"""End to end in a real headless Chromium (Debian's package, driven by Playwright).

A channel posts a request → it lands in the dispatcher's open triage queue without a reload →
the dispatcher dispatches it → the caseworker records contact and meeting and resolves it →
the unit lead approves an extension on another ticket → the supervisor sees both. Screenshots
of each main page go to $TEST_ARTIFACTS_DIR (default var/test-artifacts/screenshots).
"""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from sla.models import Extension, SlaClock
from tests.console.browser import act, session, shot
from tests.factories import ChannelFactory
from tickets.core.signing import signature_header
from tickets.dispatching.handoff import ticket_route
from tickets.models import Ticket
from tickets.services import lifecycle as services

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _post_request(live_server, channel) -> str:
    payload = {"call_id": f"e2e-{time.time_ns()}", "call_time": timezone.now().isoformat(),
               "caller_number": "13812345678", "caller_name": "张先生",
               "title": "景田路小区门口路灯不亮",
               "agent_summary": "景田北小区北门外三盏路灯一周不亮，夜间出行不安全，请尽快维修。",
               "address": "福田区景田路景田北小区北门", "urgent": True}
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        f"{live_server.url}/api/intake/{channel.code}/", data=body, method="POST",
        headers={"Content-Type": "application/json", "X-Signature": signature_header(
            secret=channel.signing_secrets[0], timestamp=int(time.time()), body=body)})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)
        return json.loads(response.read())["ticket_number"]


def test_a_request_goes_from_the_channel_to_resolution_and_the_supervisor_sees_it(
        district, browser, live_server):
    org = district
    channel = ChannelFactory(code="hotline-e2e", family="hotline")

    # The dispatcher has the triage queue open before the request arrives.
    dispatcher = session(browser, live_server, org.centre_dispatcher)
    dispatcher.click("#alerts-toggle")  # sound and desktop notice for urgent tickets: on
    assert dispatcher.text_content("#alerts-toggle") == "提醒：开"
    shot(dispatcher, "01-triage-empty")
    number = _post_request(live_server, channel)
    ticket = Ticket.objects.get(number=number)
    ticket_route(ticket_id=ticket.pk)  # what the worker does next: no model yet → triage
    assert Ticket.objects.get(pk=ticket.pk).state == "triage"
    # No reload: the queue polls and the row appears.
    dispatcher.wait_for_selector(f"#rows tr[data-number='{number}']", timeout=25_000)
    # It came in urgent (the channel said so): the page announced it.
    assert dispatcher.evaluate("window.__notices") == [f"新的紧急工单 {number}"]
    shot(dispatcher, "02-triage-with-request")
    dispatcher.click(f"#rows a:text('{number}')")
    shot(dispatcher, "03-ticket-in-triage")
    act(dispatcher, "dispatch", {"unit": "street-lianhua", "reason": "路灯属街道"})
    assert "分拨派单：已完成" in dispatcher.content()
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.state, ticket.assignee) == ("assigned", org.assignee)

    # The caseworker, on a phone, finds it at the top of their queue with live countdowns.
    worker = session(browser, live_server, org.assignee, phone=True)
    worker.wait_for_selector(f"#rows tr[data-number='{number}'] .clock .left")
    first = worker.locator("#rows .clock .left").first.text_content()
    assert first.startswith("剩")  # the countdown ran in the browser
    assert worker.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(worker, "04-my-queue-phone")
    worker.click(f"#rows a:text('{number}')")
    assert "138****5678" in worker.content() and "13812345678" not in worker.content()
    act(worker, "contact", {"method": "电话", "note": "已联系张先生"})
    act(worker, "meeting", {"method": "上门", "note": "到现场查看"})
    worker.click("#action-resolve summary")
    worker.locator("#action-resolve button.primary").click()  # empty reply: refused in place
    worker.wait_for_selector("#action-resolve .error")
    assert "请填写答复内容" in worker.content()
    act(worker, "resolve", {"reply": "已更换三盏路灯，恢复照明。"})
    shot(worker, "05-ticket-resolved")
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"

    # Another ticket: the caseworker asks for an extension, the lead approves it.
    other = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent",
                                                     title="小区供水管道破裂"),
                                   actor=org.centre_dispatcher.user, unit=org.unit,
                                   assignee=org.assignee)
    worker.set_viewport_size({"width": 1366, "height": 768})
    worker.goto(f"{live_server.url}/console/tickets/{other.number}/")
    later = timezone.localtime() + timedelta(days=3)
    act(worker, "extension", {"new_due_at": later.strftime("%Y-%m-%dT%H:%M"),
                               "reason": "需更换主管道，等待材料"})
    extension = Extension.objects.get(ticket=other)
    lead = session(browser, live_server, org.lead)
    lead.goto(f"{live_server.url}/console/approvals/")
    shot(lead, "06-lead-approvals")
    with lead.expect_navigation():
        lead.click(f"#extension-{extension.pk} button[name=approve][value='1']")
    assert Extension.objects.get(pk=extension.pk).state == "approved"
    resolve = SlaClock.objects.get(ticket=other, milestone="resolve", state="running")
    assert resolve.due_at == later.replace(second=0, microsecond=0)
    lead.goto(f"{live_server.url}/console/team/")
    shot(lead, "07-lead-team")

    # The supervisor sees both: the open one in the district's list, each with its trail.
    supervisor = session(browser, live_server, org.centre_supervisor)
    shot(supervisor, "08-supervisor-overview")
    supervisor.goto(f"{live_server.url}/console/open/")
    assert other.number in supervisor.content()
    for shown in (number, other.number):
        supervisor.goto(f"{live_server.url}/console/tickets/{shown}/")
        assert shown in supervisor.title()
    assert "批准延期" in supervisor.content()
    supervisor.goto(f"{live_server.url}/console/tickets/{number}/")
    body = supervisor.content()
    assert "已更换三盏路灯" in body and "联系诉求人" in body and "办结" in body
    shot(supervisor, "09-supervisor-ticket-trail")
