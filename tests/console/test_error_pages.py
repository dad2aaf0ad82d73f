"""Refusals and missing pages are Chinese pages in the console's look, with the reason and a
way back; under /api/ they are JSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_page_for_another_role_is_a_chinese_403_saying_who_may_open_it(org, login):
    page = login(org.assignee).get("/console/overview/")
    body = page.content.decode()
    assert page.status_code == 403
    assert "无权访问" in body and "此页面仅供督办员、系统管理员使用" in body and "经办人" in body
    assert 'href="/console/"' in body and "返回工作台" in body
    assert 'class="top"' in body  # the console's header, not Django's bare page


@pytest.mark.parametrize("path", ["/console/overview/", "/console/triage/",
                                  "/console/supervisions/", "/console/rulings/",
                                  "/console/open/", "/console/approvals/", "/console/team/"])
def test_a_caseworker_is_refused_every_oversight_page(org, login, path):
    assert login(org.assignee).get(path).status_code == 403


def test_a_refused_decision_on_a_row_is_a_403_page_with_the_services_reason(org, login):
    from tickets.dispatching.collaboration import ticket_return_request

    ticket = org.ticket("assigned")
    request = ticket_return_request(ticket=ticket, actor=org.lead.user, reason_code="other",
                                    text="不归本单位")
    page = login(org.lead).post(f"/console/decide/return/{request.pk}/", {"approve": "1"})
    assert page.status_code == 403
    assert "不能审核自己提交的退单申请" in page.content.decode()


def test_a_missing_page_is_a_chinese_404_that_names_nothing(org, login):
    theirs = org.ticket("assigned", unit=org.other_unit, assignee=org.other_caseworker)
    page = login(org.assignee).get(f"/console/tickets/{theirs.number}/")
    body = page.content.decode()
    assert page.status_code == 404 and "页面不存在" in body and "找不到该页面" in body
    assert "返回工作台" in body
    nowhere = Client().get("/console/no-such-page/")
    assert nowhere.status_code == 404 and "登录工作台" in nowhere.content.decode()


def test_an_admin_refusal_leads_back_to_the_admin(org, login):
    page = login(org.assignee).get("/admin/auth/user/")
    assert page.status_code == 403
    assert "无权访问" in page.content.decode() and 'href="/admin/"' in page.content.decode()


def test_under_the_api_a_path_that_matches_nothing_is_json(org):
    answer = Client().get("/api/no-such-endpoint/")
    assert answer.status_code == 404
    assert answer.json() == {"code": "not_found",
                             "detail": "找不到该页面，或您无权查看。请检查地址或工单号。"}


def test_a_form_without_its_csrf_token_is_refused_in_chinese(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.assignee.user)
    page = client.post("/console/logout/")
    assert page.status_code == 403 and "CSRF 校验失败" in page.content.decode()


def test_a_request_django_refuses_before_any_view_is_a_chinese_400_page(org):
    page = Client().get("/console/login/", HTTP_HOST="not-served.example")
    body = page.content.decode()
    assert page.status_code == 400
    assert "请求无效" in body and 'class="top"' in body and 'href="/console/"' in body
    assert "not-served.example" not in body  # never echoes what was sent


def test_a_server_error_is_a_chinese_page_that_needs_no_database(rf):
    from django.urls import get_resolver

    from console.views.errors import server_error

    handler = get_resolver().resolve_error_handler(500)
    assert handler is server_error
    page = handler(rf.get("/console/mine/"))  # no session, no user: nothing else to lean on
    body = page.content.decode()
    assert page.status_code == 500
    assert "服务器内部错误" in body and 'href="/console/"' in body and "返回工作台" in body
    api = handler(rf.get("/api/tickets/"))
    assert api.status_code == 500 and json.loads(api.content)["code"] == "server_error"


def test_a_refusal_the_code_explains_shows_its_reason(org, login):
    from org.models import StaffRole
    from tests.factories import StaffFactory, UserFactory

    # A unit's own supervisor works as a unit lead in the console but leads no people.
    unit_supervisor = StaffFactory(unit=org.unit, role=StaffRole.SUPERVISOR,
                                   user=UserFactory(username="lianhua.sup1"))
    page = login(unit_supervisor).get("/console/team/")
    assert page.status_code == 403 and "只有单位负责人可以查看" in page.content.decode()


def test_every_page_names_its_icon_and_the_old_address_leads_to_it(org, login):
    body = login(org.assignee).get("/console/mine/").content.decode()
    assert 'rel="icon" href="/static/console/favicon.svg"' in body
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == "/static/console/favicon.svg"
