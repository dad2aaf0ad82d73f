"""The report API for the city platform: same numbers, same scope as the console."""

from __future__ import annotations

import pytest
import time_machine

from tests.reports.conftest import NOW

URL = "/api/reports/sla/?from=2026-12-01&to=2026-12-31"


@pytest.fixture
def get(as_staff):
    def call(staff, url=URL):
        with time_machine.travel(NOW, tick=False):
            return as_staff(staff).get(url)
    return call


def test_a_supervisor_gets_the_summary_and_every_unit(district, org, get):
    body = get(org.centre_supervisor).json()
    assert body["first"] == "2026-12-01" and body["last"] == "2026-12-31"
    assert body["summary"]["received"] == 7
    assert body["summary"]["contact"] == {"on_time": 4, "judged": 6, "rate": pytest.approx(4 / 6)}
    assert {row["unit"]: row["rank"] for row in body["units"]} == {
        org.other_unit.code: 1, org.unit.code: 2, "": None}


def test_a_unit_lead_gets_only_their_unit(district, org, get):
    body = get(org.lead).json()
    assert body["summary"]["received"] == 3
    assert [row["unit"] for row in body["units"]] == [org.unit.code]
    assert get(org.lead, f"{URL}&unit={org.other_unit.code}").status_code == 404
    assert get(org.lead, f"{URL}&unit={org.unit.code}").status_code == 200


def test_other_roles_are_refused(district, org, get):
    assert get(org.assignee).status_code == 403
    assert get(org.centre_dispatcher).status_code == 403


def test_bad_input_is_a_400_in_chinese(db, org, get):
    response = get(org.centre_supervisor, "/api/reports/sla/?from=2026-13-01&to=2026-12-31")
    assert response.status_code == 400
    assert "日期格式应为 YYYY-MM-DD" in response.content.decode()
    response = get(org.centre_supervisor, f"{URL}&urgency=sometimes")
    assert response.status_code == 400


def test_the_trend_comes_per_month(district, org, get):
    body = get(org.centre_supervisor,
               "/api/reports/sla/trend/?from=2026-11-01&to=2027-01-31&granularity=month").json()
    assert [(r["bucket"], r["figures"]["received"]) for r in body["rows"]] == [
        ("2026-11", 1), ("2026-12", 7), ("2027-01", 1)]
