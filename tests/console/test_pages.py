from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from org.models import WeeklyShift
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_a_visitor_is_sent_to_the_login_page(org):
    r = Client().get("/console/mine/")
    assert r.status_code == 302 and r["Location"].startswith("/console/login/")
    page = Client().get("/console/login/")
    assert page.status_code == 200 and "登录工作台" in page.content.decode()


def test_logging_in_with_the_form_lands_on_the_role_home(org):
    org.assignee.user.set_password("pw-12345")
    org.assignee.user.save()
    c = Client()
    r = c.post("/console/login/", {"username": "lianhua.cw1", "password": "pw-12345"})
    assert r.status_code == 302
    assert c.get("/console/")["Location"] == "/console/mine/"
    bad = Client().post("/console/login/", {"username": "lianhua.cw1", "password": "nope"})
    assert "账号或密码不正确" in bad.content.decode()


@pytest.mark.parametrize(("who", "home"), [
    ("centre_dispatcher", "/console/triage/"), ("assignee", "/console/mine/"),
    ("lead", "/console/unit/"), ("centre_supervisor", "/console/overview/"),
    ("unit_dispatcher", "/console/unit/"),
])
def test_each_role_has_its_own_home_and_navigation(org, login, who, home):
    c = login(getattr(org, who))
    assert c.get("/console/")["Location"] == home
    assert c.get(home).status_code == 200


def test_an_account_without_a_staff_role_is_told_so(db, django_user_model):
    c = Client()
    c.force_login(django_user_model.objects.create_user("visitor", password="x"))
    r = c.get("/console/mine/")
    assert r.status_code == 403 and "没有工作台权限" in r.content.decode()


def test_the_caseworker_queue_sorts_by_the_nearest_deadline_and_filters(org, login):
    from sla.models import SlaClock, SlaPolicy
    from tickets.services import lifecycle as services

    SlaPolicy.objects.filter(urgency="normal").update(active=False)
    urgent = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent", title="燃气泄漏"),
                                    actor=org.centre_dispatcher.user, unit=org.unit,
                                    assignee=org.assignee)
    quiet = org.ticket("assigned", title="路灯不亮", citizen_phone="13900001111")
    other = org.ticket("assigned", title="别人的", assignee=org.coworker)
    c = login(org.assignee)
    body = c.get("/console/mine/").content.decode()
    assert body.index(urgent.number) < body.index(quiet.number)  # a clock runs only on one
    assert other.number not in body
    assert SlaClock.objects.filter(ticket=urgent).exists() and 'data-due="' in body
    assert quiet.number not in c.get("/console/mine/?urgency=urgent").content.decode()
    found = c.get("/console/mine/?q=13900001111").content.decode()
    assert quiet.number in found and urgent.number not in found
    assert urgent.number in c.get("/console/mine/?q=燃气").content.decode()
    assert urgent.number in c.get(f"/console/mine/?q={urgent.number}").content.decode()


def test_the_queue_refreshes_its_rows_alone_when_htmx_polls(org, login):
    c = login(org.assignee)
    first = c.get("/console/mine/?partial=1", HTTP_HX_REQUEST="true").content.decode()
    assert first.lstrip().startswith("<tbody") and "<html" not in first
    new = org.ticket("assigned", urgency="urgent")
    again = c.get("/console/mine/?partial=1", HTTP_HX_REQUEST="true").content.decode()
    assert new.number in again and 'data-urgent="1"' in again


def test_the_triage_queue_shows_the_models_top3_terms_and_duplicates(org, login):
    from tickets.models import DuplicateCandidate

    original = org.ticket("assigned", title="原单")
    ticket = org.ticket("triage", unit=None, assignee=None, prediction_top3=[
        {"unit": "street-lianhua", "probability": 0.61}, {"unit": "water", "probability": 0.2}],
        prediction_explanation={"terms": ["路灯", "维修"]})
    DuplicateCandidate.objects.create(ticket=ticket, original=original, score=0.9,
                                      reasons=["同一电话"])
    body = login(org.centre_dispatcher).get("/console/triage/").content.decode()
    assert ticket.number in body and "莲花街道办事处" in body and "61%" in body
    assert "路灯、维修" in body and original.number in body


def test_another_units_ticket_is_404_not_403_even_by_typing_its_url(org, login):
    theirs = org.ticket("assigned", unit=org.other_unit, assignee=org.other_caseworker)
    c = login(org.assignee)
    assert c.get(f"/console/tickets/{theirs.number}/").status_code == 404
    assert c.post(f"/console/tickets/{theirs.number}/contact/",
                  {"contact-method": "电话"}).status_code == 404
    assert c.get("/console/tickets/FT-NOSUCH/").status_code == 404


def test_the_phone_and_id_are_masked_and_each_reveal_is_an_audited_event(org, login,
                                                                          may_see_pii):
    ticket = org.ticket("assigned", citizen_phone="13812345678",
                        citizen_id_number="440304199001011234")
    c = login(org.assignee)
    page = c.get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "显示完整信息" not in page  # no permission, no button
    assert c.post(f"/console/tickets/{ticket.number}/reveal/").status_code == 403
    may_see_pii(org.assignee)
    c = login(org.assignee)
    shown = c.post(f"/console/tickets/{ticket.number}/reveal/").content.decode()
    assert "13812345678" in shown and "440304199001011234" in shown
    event = TicketEvent.objects.get(ticket=ticket, action="reveal_pii")
    assert event.actor == org.assignee.user


def test_every_form_needs_the_csrf_token(org, login):
    ticket = org.ticket("assigned")
    c = login(org.assignee, csrf=True)
    r = c.post(f"/console/tickets/{ticket.number}/contact/", {"contact-method": "电话"})
    assert r.status_code == 403
    assert ticket.events.filter(action="record_contact").count() == 0
    page = c.get(f"/console/tickets/{ticket.number}/").content.decode()
    assert page.count("csrfmiddlewaretoken") >= page.count('method="post"')


def test_the_console_speaks_english_when_chosen(org, login):
    c = login(org.assignee)
    assert "我的工单" in c.get("/console/mine/").content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/console/mine/"})
    assert "My tickets" in c.get("/console/mine/").content.decode()


def test_the_lead_sees_workload_and_edits_the_roster_of_their_own_unit_only(org, login):
    c = login(org.lead)
    page = c.get("/console/team/").content.decode()
    assert "lianhua.cw1" in page and "water.cw1" not in page
    r = c.post("/console/team/shifts/", {"staff": org.assignee.pk, "weekday": 0,
                                         "starts": "08:00", "ends": "20:00"})
    assert r.status_code == 302
    shift = WeeklyShift.objects.get(staff=org.assignee)
    assert (shift.starts, shift.ends) == (time(8), time(20))
    r = c.post("/console/team/shifts/", {"staff": org.other_caseworker.pk, "weekday": 0,
                                         "starts": "08:00", "ends": "20:00"})
    assert r.status_code == 400 and "staff" in r.context["form"].errors
    dup = c.post("/console/team/shifts/", {"staff": org.assignee.pk, "weekday": 0,
                                           "starts": "08:00", "ends": "12:00"})
    assert "已有同一开始时间的班次" in dup.content.decode()
    theirs = WeeklyShift.objects.create(staff=org.other_caseworker, weekday=1, starts=time(8),
                                        ends=time(9))
    assert c.post(f"/console/team/shifts/{theirs.pk}/delete/").status_code == 404
    assert c.post(f"/console/team/shifts/{shift.pk}/delete/").status_code == 302
    assert not WeeklyShift.objects.filter(pk=shift.pk).exists()
    assert login(org.assignee).get("/console/team/").status_code == 403


def test_the_supervisor_sees_every_unit_and_the_orders(org, login):
    from datetime import timedelta

    from django.utils import timezone

    from sla.supervision import supervision_issue

    ticket = org.ticket("assigned", is_overdue=True)
    supervision_issue(ticket=ticket, actor=org.centre_supervisor.user, level="listed",
                      instructions="限期办结", reply_due_at=timezone.now() + timedelta(hours=2))
    c = login(org.centre_supervisor)
    overview = c.get("/console/overview/").content.decode()
    assert "莲花街道办事处" in overview and "区水务局" in overview
    orders = c.get("/console/supervisions/").content.decode()
    assert ticket.number in orders and "挂牌督办" in orders and "限期办结" in orders
    # The unit's lead lists the orders on its own tickets; a caseworker sees an order on the
    # ticket's page, not the district's list.
    assert ticket.number in login(org.lead).get("/console/supervisions/").content.decode()
    assert login(org.assignee).get("/console/supervisions/").status_code == 403
    assert "限期办结" in login(org.assignee).get(
        f"/console/tickets/{ticket.number}/").content.decode()
    assert ticket.number not in login(org.other_lead).get(
        "/console/supervisions/").content.decode()


def test_the_ticket_page_links_the_attachments_and_the_map(org, login):
    from decimal import Decimal

    ticket = org.ticket("assigned", latitude=Decimal("22.5235"), longitude=Decimal("114.0371"),
                        source_details={"photos": ["https://img.example.cn/a1.jpg",
                                                   "javascript:alert(1)"],
                                        "image_url": "https://cam.example.cn/s.jpg"})
    page = login(org.assignee).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert 'href="https://img.example.cn/a1.jpg"' in page
    assert 'href="https://cam.example.cn/s.jpg"' in page and "javascript:" not in page
    assert "uri.amap.com/marker?position=114.0371" in page


def test_the_lead_switches_a_person_off_duty_and_only_in_their_unit(org, login):
    c = login(org.lead)
    assert c.post(f"/console/team/people/{org.assignee.pk}/duty/",
                  {"on_duty": "0"}).status_code == 302
    org.assignee.refresh_from_db()
    assert org.assignee.on_duty is False
    assert c.post(f"/console/team/people/{org.other_caseworker.pk}/duty/",
                  {"on_duty": "0"}).status_code == 404
    assert login(org.coworker).post(f"/console/team/people/{org.assignee.pk}/duty/",
                                    {"on_duty": "1"}).status_code == 403
    org.assignee.refresh_from_db()
    assert org.assignee.on_duty is False
