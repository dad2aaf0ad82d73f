from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from org.models import Staff, StaffRole, Unit
from tests.factories import StaffFactory, TicketFactory, UnitFactory, UserFactory
from tickets.models import Ticket


@dataclass
class Org:
    """A small district: the centre, the supervision office and two working units."""

    centre: Unit
    supervision: Unit
    unit: Unit
    other_unit: Unit
    centre_dispatcher: Staff
    centre_supervisor: Staff
    lead: Staff
    assignee: Staff
    coworker: Staff
    unit_dispatcher: Staff
    other_lead: Staff
    other_caseworker: Staff

    def ticket(self, state: str, **kwargs: object) -> Ticket:
        defaults: dict[str, object] = {"state": state}
        if "unit" not in kwargs and state in {"assigned", "contacted", "met", "resolved",
                                               "closed"}:
            defaults.update(unit=self.unit, assignee=self.assignee)
        return TicketFactory(**{**defaults, **kwargs})


@pytest.fixture
def org(db) -> Org:
    centre = UnitFactory(code="centre", name="民意速办中心", is_district_wide=True)
    supervision = UnitFactory(code="supervision", name="督查室", is_district_wide=True)
    unit = UnitFactory(code="street-lianhua", name="莲花街道办事处", kind="street_office")
    other = UnitFactory(code="water", name="区水务局")

    def staff(unit: Unit, role: str, username: str) -> Staff:
        return StaffFactory(unit=unit, role=role, user=UserFactory(username=username))

    return Org(
        centre=centre, supervision=supervision, unit=unit, other_unit=other,
        centre_dispatcher=staff(centre, StaffRole.DISPATCHER, "centre.disp1"),
        centre_supervisor=staff(supervision, StaffRole.SUPERVISOR, "supervision.sup1"),
        lead=staff(unit, StaffRole.UNIT_LEAD, "lianhua.lead"),
        assignee=staff(unit, StaffRole.CASEWORKER, "lianhua.cw1"),
        coworker=staff(unit, StaffRole.CASEWORKER, "lianhua.cw2"),
        unit_dispatcher=staff(unit, StaffRole.DISPATCHER, "lianhua.disp1"),
        other_lead=staff(other, StaffRole.UNIT_LEAD, "water.lead"),
        other_caseworker=staff(other, StaffRole.CASEWORKER, "water.cw1"),
    )


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@demo.invalid", "x")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def as_staff():
    """An API client authenticated by the staff member's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client(staff: Staff) -> APIClient:
        c = APIClient()
        token, _ = Token.objects.get_or_create(user=staff.user)
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c
    return client
