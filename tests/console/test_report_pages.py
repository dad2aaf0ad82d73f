"""The report pages of the console (考核报表): who sees what, the numbers link to exactly the
tickets they count, the charts, bad input, the comparison, the exports and the scheduled files.

December 2026 (Asia/Shanghai); "now" is 2026-12-20 12:00. Units A (莲花街道办事处, org.unit) and
B (区水务局, org.other_unit):

- A1 urgent, A, assigned 12-02 10:00; contact 10:20 (10 min late), meeting 10:40, resolved
  20:00.
- A2 urgent, A, assigned 12-05 10:00 and never contacted: its contact clock is past due (late),
  the ticket overdue now.
- A3 normal, A, assigned 12-03 09:00; contact 09:05 (on time).
- B1 urgent, B, assigned 12-04 09:00; contact 09:05, meeting 09:20, resolved 15:00.

So December: 4 received, 2 resolved; contact on time 2 of 4 (响应率 50.0%), late: A1 and A2
(both A's); A's contact rate 1/3 = 33.3%, B's 1/1 = 100.0%.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from console.templatetags.report_charts import Series, bar_chart, line_chart
from tests.factories import ChannelFactory
from tickets.services import lifecycle as services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 20, 12, 0, tzinfo=SH)
DECEMBER = "from=2026-12-01&to=2026-12-31"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


class Tickets:
    def __init__(self, org) -> None:
        self.org = org
        self.channel = ChannelFactory(code="hotline-12345")
        self.count = 0

    def do(self, when: datetime, step, **kwargs):
        with time_machine.travel(when, tick=False):
            return step(**kwargs)

    def assigned(self, when: datetime, *, unit, person, urgency: str = "urgent"):
        self.count += 1
        ticket = self.do(when, services.ticket_create, channel=self.channel,
                         external_id=f"p-{self.count}", title="路灯不亮",
                         content="小区门口路灯不亮", received_at=when, urgency=urgency).ticket
        return self.do(when, services.ticket_assign, ticket=ticket,
                       actor=self.org.centre_dispatcher.user, unit=unit, assignee=person)

    def contact(self, ticket, when, person):
        return self.do(when, services.ticket_record_contact, ticket=ticket, actor=person.user)

    def meet(self, ticket, when, person):
        return self.do(when, services.ticket_record_meeting, ticket=ticket, actor=person.user)

    def resolve(self, ticket, when, person):
        return self.do(when, services.ticket_resolve, ticket=ticket, actor=person.user,
                       reply="已处理")


@pytest.fixture
def december(org):
    t = Tickets(org)
    a, b = org.unit, org.other_unit
    a1 = t.assigned(at(2026, 12, 2, 10, 0), unit=a, person=org.assignee)
    a1 = t.contact(a1, at(2026, 12, 2, 10, 20), org.assignee)
    a1 = t.meet(a1, at(2026, 12, 2, 10, 40), org.assignee)
    a1 = t.resolve(a1, at(2026, 12, 2, 20, 0), org.assignee)
    a2 = t.assigned(at(2026, 12, 5, 10, 0), unit=a, person=org.assignee)
    a3 = t.assigned(at(2026, 12, 3, 9, 0), unit=a, person=org.coworker, urgency="normal")
    a3 = t.contact(a3, at(2026, 12, 3, 9, 5), org.coworker)
    b1 = t.assigned(at(2026, 12, 4, 9, 0), unit=b, person=org.other_caseworker)
    b1 = t.contact(b1, at(2026, 12, 4, 9, 5), org.other_caseworker)
    b1 = t.meet(b1, at(2026, 12, 4, 9, 20), org.other_caseworker)
    b1 = t.resolve(b1, at(2026, 12, 4, 15, 0), org.other_caseworker)
    return {"A1": a1.number, "A2": a2.number, "A3": a3.number, "B1": b1.number}


@pytest.fixture
def page(login):
    """GET as a staff member at the scenario's "now": (status, body, response)."""
    def get(staff, url: str):
        with time_machine.travel(NOW, tick=False):
            response = login(staff).get(url)
        body = response.content.decode() if not response.get("Content-Disposition") else ""
        return response.status_code, body, response
    return get


def section(body: str, heading: str) -> str:
    """The HTML of the card whose <h2> says ``heading``."""
    start = body.index(f">{heading}</h2>")
    end = body.find("</section>", start)
    return body[start:end]


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def figure_link(html: str, figure: str, **params: str) -> str:
    """The one link to the tickets of ``figure`` with these parameters."""
    found = []
    for href in links(html):
        if not href.startswith("/console/reports/tickets/"):
            continue
        query = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
        if query.get("figure") == figure and all(query.get(k) == v for k, v in params.items()):
            found.append(href)
    assert len(found) == 1, (figure, params, found)
    return found[0]


def ticket_numbers(body: str) -> set[str]:
    return set(re.findall(r'data-number="([^"]+)"', body))


# --- who sees what ------------------------------------------------------------------------------


def test_a_supervisor_sees_every_unit_ranked_with_the_summary(org, december, page):
    status, body, _ = page(org.centre_supervisor, f"/console/reports/?{DECEMBER}")
    assert status == 200
    assert '<a href="/console/reports/"' in body and "考核报表" in body  # the nav entry
    ranking = section(body, "考核排名")
    assert "莲花街道办事处" in ranking and "区水务局" in ranking
    assert "33.3%" in ranking and "100.0%" in ranking  # A's and B's contact rates
    summary = section(body, "汇总")
    for label in ("受理量", "办结量", "在办", "当前超时", "按时联系率（响应率）", "按时约见率",
                  "按时办结率", "解决率", "满意率", "平均办理天数", "办理天数中位数",
                  "平均办理工作日", "工作日中位数", "督办", "自动派单"):
        assert label in summary, label
    assert "50.0%" in summary  # 响应率: 2 of 4 on time
    assert re.search(r"计算用时 \d+\.\d\d 秒", body)


def test_a_unit_lead_sees_only_their_unit_and_never_another(org, december, page):
    status, body, _ = page(org.lead, f"/console/reports/?{DECEMBER}")
    assert status == 200
    ranking = section(body, "考核排名")
    assert "莲花街道办事处" in ranking and "区水务局" not in ranking
    assert 'name="unit"' not in body  # no unit to choose
    summary = section(body, "汇总")
    assert ">3<" in summary  # A's three tickets received
    # Their own unit by URL is fine; another unit's report, tickets and export are not found.
    assert page(org.lead, f"/console/reports/?{DECEMBER}&unit=street-lianhua")[0] == 200
    for url in (f"/console/reports/?{DECEMBER}&unit=water",
                f"/console/reports/tickets/?figure=received&{DECEMBER}&unit=water",
                f"/console/reports/export/?format=xlsx&{DECEMBER}&unit=water",
                f"/console/reports/export/?format=csv&{DECEMBER}&unit=water",
                "/console/reports/compare/?unit=water"):
        assert page(org.lead, url)[0] == 404, url
    # Their list of "received" holds only their unit's tickets.
    _, listed, _ = page(org.lead, f"/console/reports/tickets/?figure=received&{DECEMBER}")
    assert ticket_numbers(listed) == {december["A1"], december["A2"], december["A3"]}


@pytest.mark.parametrize("url", ["/console/reports/", "/console/reports/tickets/?figure=received",
                                 "/console/reports/compare/", "/console/reports/export/",
                                 "/console/reports/files/"])
def test_a_caseworker_may_open_no_report_page(org, page, url):
    status, body, _ = page(org.assignee, url)
    assert status == 403 and "此页面仅供" in body and "考核报表" not in body.split("<main>")[0]


# --- every number leads to its tickets ----------------------------------------------------------


def test_a_units_late_contacts_link_to_exactly_those_tickets(org, december, page):
    _, body, _ = page(org.centre_supervisor, f"/console/reports/?{DECEMBER}")
    href = figure_link(section(body, "考核排名"), "contact_late", unit="street-lianhua")
    query = parse_qs(urlsplit(href).query)
    assert query["from"] == ["2026-12-01"] and query["to"] == ["2026-12-31"]
    status, listed, _ = page(org.centre_supervisor, href)
    assert status == 200
    assert ticket_numbers(listed) == {december["A1"], december["A2"]}
    assert "联系诉求人超时" in listed and "共 2 件" in listed
    assert "2026-12-01 至 2026-12-31" in listed
    for number in (december["A1"], december["A2"]):
        assert f'href="/console/tickets/{number}/"' in listed
    # The summary's number: the same two (both late contacts were A's).
    summary_href = figure_link(section(body, "汇总"), "contact_late")
    assert ticket_numbers(page(org.centre_supervisor, summary_href)[1]) == {
        december["A1"], december["A2"]}
    # B's received: B1 alone.
    b_href = figure_link(section(body, "考核排名"), "received", unit="water")
    assert ticket_numbers(page(org.centre_supervisor, b_href)[1]) == {december["B1"]}


def test_a_trend_rows_numbers_link_to_that_buckets_tickets(org, december, page):
    _, body, _ = page(org.centre_supervisor, f"/console/reports/?{DECEMBER}&granularity=day")
    trend = section(body, "趋势（按日）")
    href = figure_link(trend, "received", **{"from": "2026-12-02", "to": "2026-12-02"})
    assert ticket_numbers(page(org.centre_supervisor, href)[1]) == {december["A1"]}
    week = section(page(org.centre_supervisor,
                        f"/console/reports/?{DECEMBER}&granularity=week")[1], "趋势（按周）")
    # The first week (11-30 to 12-06) is clipped to the period.
    href = figure_link(week, "received", **{"from": "2026-12-01", "to": "2026-12-06"})
    assert ticket_numbers(page(org.centre_supervisor, href)[1]) == set(december.values())


def test_the_ticket_list_is_paginated_fifty_a_page_keeping_its_query(org, page, login):
    t = Tickets(org)
    for _ in range(51):
        t.do(at(2026, 12, 2, 9, 0), services.ticket_create, channel=t.channel,
             external_id=f"bulk-{t.count}", title="噪音", content="夜间施工",
             received_at=at(2026, 12, 2, 9, 0))
        t.count += 1
    url = f"/console/reports/tickets/?figure=received&{DECEMBER}"
    _, first, _ = page(org.centre_supervisor, url)
    assert len(ticket_numbers(first)) == 50 and "1 / 2" in first
    next_href = next(h for h in links(first) if "page=2" in h)
    assert "figure=received" in next_href and "from=2026-12-01" in next_href
    _, second, _ = page(org.centre_supervisor, f"/console/reports/tickets/{next_href}")
    assert len(ticket_numbers(second)) == 1
    with time_machine.travel(NOW, tick=False):  # the queue's rows refresh alone under htmx
        rows = login(org.centre_supervisor).get(f"{url}&partial=1", HTTP_HX_REQUEST="true")
    assert rows.content.decode().lstrip().startswith("<tbody")


def test_an_unknown_figure_is_not_found(org, page):
    assert page(org.centre_supervisor, "/console/reports/tickets/?figure=nope")[0] == 404
    assert page(org.centre_supervisor, "/console/reports/tickets/")[0] == 404


# --- the charts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("granularity", "period", "buckets"), [
    ("day", DECEMBER, 31), ("week", DECEMBER, 5), ("month", "from=2026-01-01&to=2026-12-31", 12),
    ("day", "from=2026-12-02&to=2026-12-02", 1),
])
def test_the_received_chart_has_a_bar_per_bucket(org, december, page, granularity, period,
                                                 buckets):
    _, body, _ = page(org.centre_supervisor,
                      f"/console/reports/?{period}&granularity={granularity}")
    charts = re.findall(r'<svg [^>]*class="chart".*?</svg>', body, flags=re.S)  # not the bell
    assert len(charts) == 2
    bars, lines = charts
    assert bars.count('class="bar"') == buckets
    assert "<title" in bars and "受理量趋势" in bars and "件</title>" in bars
    assert "响应率" in lines and "满意率" in lines and "按时办结率" in lines


def test_the_charts_draw_a_year_of_days_and_nothing_at_all():
    labels = [f"d{i}" for i in range(366)]
    svg = bar_chart(labels=labels, values=list(range(366)), title="受理量", unit="件",
                    caption="件")
    assert svg.count('class="bar"') == 366 and svg.count("<text") < 40  # labels thinned out
    empty = bar_chart(labels=["12-01"], values=[0], title="受理量", unit="件", caption="件")
    assert empty.count('class="bar"') == 1 and "暂无数据" in empty
    none = bar_chart(labels=[], values=[], title="受理量", unit="件", caption="件")
    assert "暂无数据" in none and 'class="bar"' not in none
    gaps = line_chart(labels=["a", "b", "c"], series=[Series("满意率", "#000", [0.5, None, 1.0])],
                      title="比率", caption="比率")
    assert gaps.count('class="point"') == 2 and "M" in gaps and "满意率：50.0%" in gaps
    assert "暂无数据" in line_chart(labels=["a"], series=[Series("满意率", "#000", [None])],
                                   title="比率", caption="比率")
    assert "&lt;b&gt;" in bar_chart(labels=["<b>"], values=[1], title="t", unit="件", caption="c")


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-13-01&to=2026-12-31", "日期格式应为 YYYY-MM-DD"),
    ("from=2026-12-31&to=2026-12-01", "结束日期不能早于开始日期"),
    ("from=2020-01-01&to=2026-12-31", "统计期间最长"),
    ("from=abc&to=", "日期格式应为 YYYY-MM-DD"),
    (f"{DECEMBER}&unit=nope", "没有编码为 nope 的单位"),
    (f"{DECEMBER}&urgency=very", "紧急程度只能是"),
    (f"{DECEMBER}&granularity=hour", "趋势粒度只能是日、周或月"),
])
def test_bad_input_is_told_in_chinese_never_a_500(org, page, query, message):
    status, body, _ = page(org.centre_supervisor, f"/console/reports/?{query}")
    assert status == 400 and message in body and 'name="from"' in body
    status, body, _ = page(org.centre_supervisor,
                           f"/console/reports/tickets/?figure=received&{query}")
    assert status == 400 and message in body
    status, body, _ = page(org.centre_supervisor, f"/console/reports/export/?format=csv&{query}")
    assert status == 400 and message in body


def test_bad_comparison_periods_and_export_options_are_told(org, page):
    status, body, _ = page(org.centre_supervisor,
                           "/console/reports/compare/?before_from=2026-11-30&before_to=2026-11-01")
    assert status == 400 and "对比前期间：结束日期不能早于开始日期" in body
    status, body, _ = page(org.centre_supervisor, f"/console/reports/export/?format=pdf&{DECEMBER}")
    assert status == 400 and "导出格式只能是 xlsx 或 csv" in body


# --- the comparison -----------------------------------------------------------------------------


def test_the_comparison_sets_two_periods_side_by_side(org, december, page):
    status, body, _ = page(org.centre_supervisor,
                           "/console/reports/compare/?before_from=2026-12-01&before_to=2026-12-03"
                           "&after_from=2026-12-04&after_to=2026-12-31")
    assert status == 200
    rows = {cells[0]: cells[1:] for cells in (
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row,
                                                                flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)) if cells}
    # Before: A1 and A3 (one contact late of two); after: B1 and A2 (one late of two).
    assert rows["受理量"] == ["2", "2", "+0", "+0.0%"]
    assert rows["响应率（按时联系）"] == ["50.0%", "50.0%", "+0.0 个百分点", "+0.0%"]
    # Handling days: A1 took 10 h (0.42 d), B1 6 h (0.25 d).
    assert rows["平均办理天数（自然日）"][:2] == ["0.42", "0.25"]
    assert rows["平均办理天数（自然日）"][2] == "-0.17"
    assert "前：2026-12-01 至 2026-12-03" in body
    before = figure_link(body, "received", **{"from": "2026-12-01", "to": "2026-12-03"})
    assert ticket_numbers(page(org.centre_supervisor, before)[1]) == {december["A1"],
                                                                     december["A3"]}


# --- the exports --------------------------------------------------------------------------------


def test_the_export_buttons_give_the_workbook_and_the_csv(org, december, page):
    _, body, _ = page(org.centre_supervisor, f"/console/reports/?{DECEMBER}&granularity=week")
    exports = [h for h in links(body) if h.startswith("/console/reports/export/")]
    assert len(exports) == 4 and all("granularity=week" in h for h in exports)
    status, _, xlsx = page(org.centre_supervisor, next(h for h in exports if "xlsx" in h))
    assert status == 200
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = xlsx["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("UTF-8''")[1]) == "考核报表_2026-12-01_2026-12-31.xlsx"
    book = load_workbook(io.BytesIO(xlsx.content))
    ranking = book["单位考核排名"]
    names = {row[2] for row in ranking.iter_rows(min_row=2, values_only=True)}
    assert {"莲花街道办事处", "区水务局"} <= names

    status, _, units = page(org.centre_supervisor,
                            f"/console/reports/export/?format=csv&{DECEMBER}")
    assert status == 200 and units["Content-Type"].startswith("text/csv")
    assert unquote(units["Content-Disposition"].split("UTF-8''")[1]) == (
        "考核报表_单位排名_2026-12-01_2026-12-31.csv")
    rows = list(csv.reader(io.StringIO(units.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "单位编码", "单位", "考核得分"]
    lianhua = next(r for r in rows if r[1] == "street-lianhua")
    assert lianhua[rows[0].index("受理量")] == "3"
    status, _, trend = page(org.centre_supervisor,
                            f"/console/reports/export/?format=csv&table=trend&{DECEMBER}"
                            "&granularity=week")
    assert len(list(csv.reader(io.StringIO(trend.content.decode("utf-8-sig"))))) == 1 + 5


def test_a_unit_leads_export_is_of_their_unit(org, december, page):
    status, _, response = page(org.lead, f"/console/reports/export/?format=csv&{DECEMBER}")
    assert status == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["street-lianhua"]


# --- the scheduled files ------------------------------------------------------------------------


def test_scheduled_files_are_listed_and_downloaded_by_supervisors_only(org, page):
    from reports.models import ReportFile

    row = ReportFile.objects.create(
        kind="month", period_first=date(2026, 11, 1), period_last=date(2026, 11, 30),
        created_at=at(2026, 12, 1, 2, 0), filename="月报_2026-11-01_2026-11-30.xlsx",
        content=b"PK-workbook", size=11,
        summary={"tickets": 12, "on_time_contact": 0.75, "on_time_resolve": None})
    status, body, _ = page(org.centre_supervisor, "/console/reports/files/")
    assert status == 200 and "月报" in body and "2026-11-01 至 2026-11-30" in body
    assert ">12<" in body and "75.0%" in body
    href = f"/console/reports/files/{row.pk}/"
    assert href in body
    status, _, download = page(org.centre_supervisor, href)
    assert status == 200 and download.content == b"PK-workbook"
    assert unquote(download["Content-Disposition"].split("UTF-8''")[1]) == row.filename
    assert page(org.centre_supervisor, "/console/reports/files/999999/")[0] == 404
    status, body, _ = page(org.lead, "/console/reports/files/")
    assert status == 200 and "仅供督办员下载" in body and href not in body
    assert page(org.lead, href)[0] == 404
