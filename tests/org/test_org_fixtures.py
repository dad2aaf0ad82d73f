from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from org.directory import DEFAULT_FIXTURES_DIR
from org.models import Staff, Unit
from tickets.intake.channels import directory_load
from tickets.models import Channel

STREETS = {"园岭", "南园", "福田", "沙头", "香蜜湖", "梅林", "莲花", "华富", "福保", "华强北"}


@pytest.fixture
def loaded(db):
    return directory_load()


def _snapshot() -> dict[str, list[tuple]]:
    return {
        "channels": list(Channel.objects.order_by("code").values_list(
            "code", "name", "family", "active", "signing_secrets", "updated_at")),
        "units": list(Unit.objects.order_by("code").values_list(
            "code", "name", "kind", "parent__code", "active", "always_on", "updated_at")),
        "groups": list(Group.objects.order_by("name", "permissions__codename").values_list(
            "name", "permissions__codename")),
    }


def test_there_are_exactly_33_active_channels_and_89_active_units(loaded):
    assert Channel.objects.filter(active=True).count() == 33
    assert Unit.objects.filter(active=True).count() == 89


def test_the_ten_street_offices_are_all_there(loaded):
    names = set(Unit.objects.filter(kind="street_office").values_list("short_name", flat=True))
    assert {n.removesuffix("街道") for n in names} == STREETS


def test_every_unit_kind_and_the_named_channels_are_present(loaded):
    assert set(Unit.objects.values_list("kind", flat=True)) == {
        "district_department", "street_office", "city_branch", "public_utility"}
    for code in ["police", "transport", "ecology", "planning", "market", "water-group", "power",
                 "gas", "metro"]:
        assert Unit.objects.filter(code=code).exists(), code
    names = " ".join(Channel.objects.values_list("name", flat=True))
    for expected in ["12345", "信访来信", "信访来访", "网上信访", "舆情", "i福田", "区委书记在线",
                     "区长信箱", "@深圳-民意速办", "网格员上报", "智眼", "12315", "窗口",
                     "媒体", "企业服务"]:
        assert expected in names, expected


def test_every_channel_family_has_at_least_one_channel(loaded):
    assert set(Channel.objects.values_list("family", flat=True)) == {
        "hotline", "web_form", "petition", "public_opinion", "machine_event", "city_platform"}


def test_the_centre_and_the_supervision_office_see_the_whole_district(loaded):
    wide = set(Unit.objects.filter(is_district_wide=True).values_list("code", flat=True))
    assert wide == {"center", "supervision"}


def test_it_creates_the_four_role_groups_with_their_admin_permissions(loaded):
    perms = {g.name: set(g.permissions.values_list("codename", flat=True))
             for g in Group.objects.all()}
    assert set(perms) == {"分拨员", "经办人", "单位负责人", "督办员"}
    assert perms["经办人"] == {"view_ticket", "change_ticket", "view_ticketevent", "view_unit",
                             "view_citizen_pii"}
    assert "change_staff" in perms["单位负责人"] and "change_staff" not in perms["分拨员"]


def test_it_creates_no_people(loaded):
    assert get_user_model().objects.count() == 0
    assert Staff.objects.count() == 0


def test_public_utilities_promise_round_the_clock_service_and_nobody_else_does(loaded):
    always_on = set(Unit.objects.filter(always_on=True).values_list("kind", flat=True))
    assert always_on == {"public_utility"}
    for code in ["water-group", "power", "gas", "metro"]:
        assert Unit.objects.get(code=code).always_on, code
    assert not Unit.objects.get(code="street-lianhua").always_on


def test_channels_get_a_signing_secret_each(loaded):
    secrets = [c.signing_secrets[0] for c in Channel.objects.all()]
    assert len(set(secrets)) == 33 and all(len(s) == 64 for s in secrets)


def test_loading_twice_changes_nothing(loaded):
    before = _snapshot()
    again = directory_load()
    assert not again.changed
    assert again.unchanged["units"] == 89 and again.unchanged["channels"] == 33
    assert again.unchanged["groups"] == 4
    assert _snapshot() == before


def test_the_command_loads_and_reports_an_unchanged_second_run(db):
    out = StringIO()
    call_command("load_org", stdout=out)
    call_command("load_org", stdout=out)
    assert "units: 新建 89" in out.getvalue()
    assert "groups: 新建 4" in out.getvalue()
    assert "users" not in out.getvalue()
    assert "units: 新建 0，更新 0，未变 89" in out.getvalue()
    assert "组织目录已是最新" in out.getvalue()


def test_operational_changes_survive_a_reload(loaded):
    channel = Channel.objects.get(code="hotline-12345")
    channel.signing_secrets = ["rotated", "old"]
    channel.save()
    Unit.objects.filter(code="gas").update(always_on=False)
    Unit.objects.filter(code="street-lianhua").update(always_on=True, active=False)
    directory_load()
    assert Channel.objects.get(code="hotline-12345").signing_secrets == ["rotated", "old"]
    assert not Unit.objects.get(code="gas").always_on
    lianhua = Unit.objects.get(code="street-lianhua")
    assert lianhua.always_on and not lianhua.active


def test_a_renamed_unit_in_the_fixtures_is_updated_on_reload(loaded, tmp_path: Path):
    shutil.copy(DEFAULT_FIXTURES_DIR / "channels.json", tmp_path / "channels.json")
    units = json.loads((DEFAULT_FIXTURES_DIR / "units.json").read_text(encoding="utf-8"))
    units[0]["name"] = "福田区民意速办指挥中心"
    (tmp_path / "units.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    report = directory_load(fixtures_dir=tmp_path)
    assert report.updated["units"] == 1 and report.created["units"] == 0
    assert Unit.objects.get(code=units[0]["code"]).name == "福田区民意速办指挥中心"


def test_units_point_to_their_parents(loaded):
    assert Unit.objects.get(code="traffic-police").parent.code == "police"
    assert Unit.objects.get(code="water-drainage").parent.code == "water-group"
