from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from demo.staff import demo_admin_ensure, demo_staff_load
from org.directory import OrgNotLoadedError
from org.models import Staff, Unit, WeeklyShift
from org.selectors import roster_gaps
from tests.factories import StaffFactory, UserFactory
from tickets.intake.channels import directory_load


@pytest.fixture
def loaded(db):
    directory_load()
    return demo_staff_load()


def _snapshot() -> dict[str, list[tuple]]:
    user_model = get_user_model()
    return {
        "staff": list(Staff.objects.order_by("user__username").values_list(
            "user__username", "unit__code", "role", "phone", "on_duty", "capacity",
            "updated_at")),
        "users": list(user_model.objects.order_by("username").values_list(
            "username", "password", "first_name", "is_staff", "groups__name")),
        "shifts": list(WeeklyShift.objects.order_by("pk").values_list(
            "staff__user__username", "weekday", "starts", "ends", "on_holidays")),
        "duty_leads": list(Unit.objects.order_by("code").values_list("code",
                                                                     "duty_lead__user__username")),
    }


def test_there_are_539_demo_people_six_per_unit_and_more_at_the_centre(loaded):
    assert Staff.objects.count() == 539
    assert Staff.objects.filter(unit__code="center", role="dispatcher").count() == 4
    assert Staff.objects.filter(unit__code="supervision", role="supervisor").count() == 3
    assert loaded.created["users"] == 539 and loaded.created["staff"] == 539


def test_every_unit_has_staff_in_every_role_and_someone_on_duty(loaded):
    for unit in Unit.objects.all():
        roles = set(unit.staff.values_list("role", flat=True))
        assert roles == {"dispatcher", "caseworker", "unit_lead", "supervisor"}, unit.code
        assert unit.staff.filter(role="caseworker", on_duty=True).count() >= 2, unit.code


def test_demo_people_keep_their_names_usernames_and_phone_numbers(loaded):
    lead = Staff.objects.select_related("user").get(user__username="center.lead")
    assert (lead.user.first_name, lead.phone, lead.capacity) == ("王伟", "0755-80000001", 10)
    cw = Staff.objects.select_related("user").get(user__username="street-lianhua.cw1")
    assert cw.role == "caseworker" and cw.capacity == 20 and cw.user.is_staff
    assert list(cw.user.groups.values_list("name", flat=True)) == ["经办人"]


def test_demo_people_log_in_with_the_demo_password(loaded, client, settings):
    assert client.login(username="street-lianhua.cw1",
                        password=settings.DISPATCH_DEMO_PASSWORD)
    assert not client.login(username="street-lianhua.cw1", password="wrong-password")


def test_loading_twice_changes_nothing(loaded):
    before = _snapshot()
    again = demo_staff_load()
    assert not again.changed
    assert again.unchanged["users"] == 539 and again.unchanged["staff"] == 539
    assert _snapshot() == before


def test_operational_changes_survive_a_reload(loaded):
    Staff.objects.filter(user__username="street-lianhua.cw1").update(on_duty=False, capacity=5)
    demo_staff_load()
    cw = Staff.objects.get(user__username="street-lianhua.cw1")
    assert (cw.on_duty, cw.capacity) == (False, 5)


def test_the_demo_roster_covers_every_round_the_clock_unit_and_is_loaded_once(loaded):
    utilities = Unit.objects.filter(kind="public_utility")
    assert utilities and all(u.always_on for u in utilities)
    assert all(roster_gaps(unit=u) == [] for u in utilities)
    assert all(u.duty_lead and u.duty_lead.role == "unit_lead" and u.duty_lead.unit == u
               for u in Unit.objects.all())
    shifts = WeeklyShift.objects.count()
    assert shifts == 89 * (7 + 7 + 5)
    WeeklyShift.objects.filter(staff__user__username="water.cw1").delete()
    WeeklyShift.objects.create(staff=Staff.objects.get(user__username="water.cw1"), weekday=0,
                               starts="10:00", ends="11:00")
    demo_staff_load()  # an edited roster is left alone; nothing is added twice
    assert WeeklyShift.objects.count() == shifts - 7 + 1


def test_real_staff_keep_their_roster_and_a_chosen_duty_lead_stays(db):
    directory_load()
    water = Unit.objects.get(code="water")
    # a real person whose username happens to end like a demo one
    real = StaffFactory(unit=water, role="unit_lead", user=UserFactory(username="li.cw1"))
    water.duty_lead = real
    water.save()
    demo_staff_load()
    assert not WeeklyShift.objects.filter(staff=real).exists()
    assert Unit.objects.get(code="water").duty_lead == real
    assert Unit.objects.get(code="gas").duty_lead.user.username == "gas.lead"


def test_it_needs_the_org_directory_first(db):
    with pytest.raises(OrgNotLoadedError, match="load_org"):
        demo_staff_load()
    assert get_user_model().objects.count() == 0


@override_settings(DEBUG=False)
def test_the_command_refuses_with_debug_off(db):
    directory_load()
    with pytest.raises(CommandError) as refused:
        call_command("load_demo_staff", stdout=StringIO())
    assert "--allow-production" in str(refused.value)
    assert "演示密码" in str(refused.value)
    assert Staff.objects.count() == 0


@override_settings(DEBUG=False)
def test_the_command_runs_with_debug_off_when_explicitly_allowed(db):
    directory_load()
    out = StringIO()
    call_command("load_demo_staff", "--allow-production", stdout=out)
    assert Staff.objects.count() == 539
    assert "users: 新建 539" in out.getvalue()


@override_settings(DEBUG=True)
def test_the_command_runs_with_debug_on_and_reports_an_unchanged_second_run(db):
    directory_load()
    out = StringIO()
    call_command("load_demo_staff", stdout=out)
    call_command("load_demo_staff", stdout=out)
    assert "staff: 新建 539，更新 0，未变 0" in out.getvalue()
    assert "staff: 新建 0，更新 0，未变 539" in out.getvalue()
    assert "演示人员已是最新" in out.getvalue()


@override_settings(DEBUG=True)
def test_the_command_says_to_load_the_org_first(db):
    with pytest.raises(CommandError, match="load_org"):
        call_command("load_demo_staff", stdout=StringIO())


def test_the_demo_admin_is_created_once(db, client, settings):
    assert demo_admin_ensure() is True
    assert demo_admin_ensure() is False
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert client.login(username="admin", password=settings.DISPATCH_DEMO_PASSWORD)
