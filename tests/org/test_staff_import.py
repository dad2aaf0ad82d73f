from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from org.directory import OrgNotLoadedError
from org.models import Staff, Unit
from org.staff_import import StaffImportError, staff_import, staff_import_csv
from tests.factories import StaffFactory, UnitFactory, UserFactory
from tickets.intake.channels import directory_load

HEADER = "username,name,unit,role,phone,capacity\n"
GOOD = (HEADER
        + "zhang.wei,张伟,street-lianhua,caseworker,13812345678,\n"
        + "li.na,李娜,street-lianhua,单位负责人,0755-83001234,8\n"
        + "wang.fang,王芳,center,分拨员,,\n")


@pytest.fixture
def directory(db):
    directory_load()


def _file(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "staff.csv"
    path.write_bytes(text.encode(encoding))
    return path


def _errors(text: str) -> list[tuple[int, str]]:
    with pytest.raises(StaffImportError) as refused:
        staff_import_csv(data=text.encode())
    return [(e.line, e.message) for e in refused.value.errors]


def _snapshot() -> list[tuple]:
    return list(get_user_model().objects.order_by("username", "groups__name").values_list(
        "username", "password", "first_name", "last_name", "is_staff", "groups__name",
        "staff__unit__code", "staff__role", "staff__phone", "staff__capacity",
        "staff__updated_at"))


def test_it_creates_accounts_without_a_usable_password_in_their_role_group(directory, tmp_path):
    report = staff_import(path=_file(tmp_path, GOOD))
    assert report.created == ["zhang.wei", "li.na", "wang.fang"]
    zhang = Staff.objects.select_related("user", "unit").get(user__username="zhang.wei")
    assert (zhang.user.first_name, zhang.unit.code, zhang.role, zhang.phone, zhang.capacity,
            zhang.on_duty) == ("张伟", "street-lianhua", "caseworker", "13812345678", 20, True)
    assert not zhang.user.has_usable_password()
    assert zhang.user.is_staff and not zhang.user.is_superuser
    assert list(zhang.user.groups.values_list("name", flat=True)) == ["经办人"]
    li = Staff.objects.get(user__username="li.na")
    assert (li.role, li.capacity, li.phone) == ("unit_lead", 8, "0755-83001234")
    assert list(li.user.groups.values_list("name", flat=True)) == ["单位负责人"]
    wang = Staff.objects.get(user__username="wang.fang")
    assert (wang.role, wang.capacity, wang.phone) == ("dispatcher", 0, "")


def test_importing_the_same_file_twice_changes_nothing(directory, tmp_path):
    path = _file(tmp_path, GOOD)
    staff_import(path=path)
    before = _snapshot()
    again = staff_import(path=path)
    assert (again.created, again.updated) == ([], [])
    assert again.unchanged == ["zhang.wei", "li.na", "wang.fang"]
    assert not again.changed
    assert _snapshot() == before


def test_an_existing_person_is_updated_and_keeps_their_password(directory, tmp_path):
    staff_import(path=_file(tmp_path, GOOD))
    zhang = get_user_model().objects.get(username="zhang.wei")
    zhang.set_password("a-long-private-passphrase")
    zhang.save()
    other_group = Group.objects.create(name="报表查看")
    zhang.groups.add(other_group)
    moved = GOOD.replace("zhang.wei,张伟,street-lianhua,caseworker,13812345678,",
                         "zhang.wei,张伟伟,water,督办员,0755 8300 5678,3")
    report = staff_import(path=_file(tmp_path, moved))
    assert report.updated == ["zhang.wei"] and report.unchanged == ["li.na", "wang.fang"]
    zhang = Staff.objects.select_related("user", "unit").get(user__username="zhang.wei")
    assert (zhang.user.first_name, zhang.unit.code, zhang.role, zhang.phone, zhang.capacity) == (
        "张伟伟", "water", "supervisor", "075583005678", 3)
    assert set(zhang.user.groups.values_list("name", flat=True)) == {"督办员", "报表查看"}
    assert zhang.user.check_password("a-long-private-passphrase")


def test_an_existing_account_without_a_staff_row_becomes_staff(directory, tmp_path):
    user = UserFactory(username="zhang.wei", first_name="旧名", is_staff=False)
    user.set_password("kept-password-123")
    user.save()
    report = staff_import(path=_file(tmp_path, GOOD))
    assert report.updated == ["zhang.wei"]
    user.refresh_from_db()
    assert user.first_name == "张伟" and user.is_staff and user.check_password("kept-password-123")
    assert user.staff.unit.code == "street-lianhua"


def test_it_reports_every_bad_row_with_its_line_number(directory):
    text = (HEADER
            + "a.one,甲,no-such-unit,caseworker,,\n"          # 2
            + "b.two,乙,water,boss,,\n"                       # 3
            + "c.three,丙,water,caseworker,,\n"               # 4 (good)
            + "c.three,丙二,water,caseworker,,\n"             # 5
            + "d.four,丁,water,caseworker,,lots\n"            # 6
            + ",戊,water,caseworker,,\n"                      # 7
            + "f.six,己,water,caseworker,12345,\n"            # 8
            + "g.seven,,water,caseworker,,-1\n"               # 9
            + "h eight,庚,water,caseworker,,\n"               # 10
            + "i.nine,辛,water\n"                             # 11
            + "\n"                                            # 12 (blank: skipped)
            + "j.ten,壬,water,caseworker,13900001111,70000\n")  # 13
    assert _errors(text) == [
        (2, "未知单位编码 “no-such-unit”"),
        (3, "未知角色 “boss”（可用：dispatcher/分拨员、caseworker/经办人、"
            "unit_lead/单位负责人、supervisor/督办员）"),
        (5, "账号 c.three 与第 4 行重复"),
        (6, "承办容量 “lots” 应为 0 到 32767 之间的整数"),
        (7, "缺少账号（username）"),
        (8, "电话 “12345” 格式不对（手机号 11 位，座机如 0755-12345678）"),
        (9, "缺少姓名（name）"),
        (9, "承办容量 “-1” 应为 0 到 32767 之间的整数"),
        (10, "账号 “h eight” 只能包含字母、数字和 @ . + - _"),
        (11, "有 3 列，表头有 6 列"),
        (13, "承办容量 “70000” 应为 0 到 32767 之间的整数"),
    ]
    assert get_user_model().objects.count() == 0  # the good row 4 was not imported either


def test_a_bad_file_imports_nothing_and_changes_no_one(directory, tmp_path):
    staff_import(path=_file(tmp_path, GOOD))
    before = _snapshot()
    text = (GOOD.replace(",8\n", ",9\n") + "new.person,新人,water,caseworker,,\n"
            + "bad,坏,nowhere,经办人,,\n")
    with pytest.raises(StaffImportError) as refused:
        staff_import(path=_file(tmp_path, text))
    assert [str(e) for e in refused.value.errors] == ["第 6 行：未知单位编码 “nowhere”"]
    assert _snapshot() == before
    assert not get_user_model().objects.filter(username="new.person").exists()


@pytest.mark.parametrize(("header", "message"), [
    ("username,name,unit,role,phone\n", "表头缺少列 capacity"),
    ("username,name,unit,role,phone,capacity,email\n", "表头有未知列 email"),
    ("用户名,姓名,单位,角色,电话,容量\n", "表头缺少列 username、name、unit、role、phone、capacity"),
    ("username,name,unit,role,phone,phone,capacity\n", "表头列重复 phone"),
])
def test_a_wrong_header_is_reported_on_line_one(directory, header, message):
    errors = _errors(header + "zhang.wei,张伟,water,caseworker,,\n")
    assert len(errors) == 1
    assert errors[0][0] == 1 and errors[0][1].startswith(message)
    assert errors[0][1].endswith("（应为 username,name,unit,role,phone,capacity）")


def test_an_empty_file_or_one_with_only_a_header_is_refused(directory):
    assert _errors("") == [(1, "文件为空，第一行应为表头：username,name,unit,role,phone,capacity")]
    assert _errors(HEADER) == [(1, "文件只有表头，没有人员")]


def test_columns_may_come_in_any_order_with_spaces_and_capitals_in_the_header(directory):
    text = " Role , USERNAME,name,unit,capacity,phone\n经办人,zhang.wei, 张伟 ,water,5,\n"
    staff_import_csv(data=text.encode())
    zhang = Staff.objects.select_related("user").get(user__username="zhang.wei")
    assert (zhang.user.first_name, zhang.role, zhang.capacity) == ("张伟", "caseworker", 5)


def test_a_file_saved_by_excel_with_a_bom_is_accepted(directory, tmp_path):
    report = staff_import(path=_file(tmp_path, GOOD, encoding="utf-8-sig"))
    assert report.created == ["zhang.wei", "li.na", "wang.fang"]


def test_a_file_that_is_not_utf8_is_refused_with_the_line_of_the_first_bad_byte(directory,
                                                                                 tmp_path):
    with pytest.raises(StaffImportError) as refused:
        staff_import(path=_file(tmp_path, GOOD, encoding="gbk"))
    (error,) = refused.value.errors
    assert error.line == 2 and "UTF-8" in error.message
    assert get_user_model().objects.count() == 0


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers_right(directory):
    text = (HEADER + 'zhang.wei,"张\n伟",water,caseworker,,\n'
            + "li.na,李娜,water,nobody,,\n")
    assert _errors(text)[0][0] == 4


def test_a_superuser_cannot_be_changed_by_an_import(directory):
    get_user_model().objects.create_superuser("zhang.wei", "z@example.invalid", "x")
    assert _errors(HEADER + "zhang.wei,张伟,water,caseworker,,\n") == [
        (2, "账号 zhang.wei 是超级管理员，不能通过导入修改")]


def test_an_inactive_unit_is_refused(directory):
    Unit.objects.filter(code="water").update(active=False)
    assert _errors(HEADER + "zhang.wei,张伟,water,caseworker,,\n") == [
        (2, "单位 water（福田区水务局）已停用")]


def test_it_needs_the_org_directory_first(db):
    UnitFactory(code="water")
    with pytest.raises(OrgNotLoadedError, match="load_org"):
        staff_import_csv(data=(HEADER + "zhang.wei,张伟,water,caseworker,,\n").encode())


def test_the_command_prints_one_set_password_link_per_new_account(directory, tmp_path, settings):
    settings.SITE_URL = "https://minyi.example.gov.cn"
    out = StringIO()
    call_command("import_staff", str(_file(tmp_path, GOOD)), stdout=out)
    text = out.getvalue()
    assert "新建 3，更新 0，未变 0" in text
    links = [line.split("\t") for line in text.splitlines() if "\t" in line]
    assert [username for username, _ in links] == ["zhang.wei", "li.na", "wang.fang"]
    assert all(link.startswith("https://minyi.example.gov.cn/console/password/set/")
               for _, link in links)
    assert "3 天内有效" in text

    again = StringIO()
    call_command("import_staff", str(_file(tmp_path, GOOD)), "--base-url",
                 "http://127.0.0.1:9000/", stdout=again)
    assert "新建 0，更新 0，未变 3" in again.getvalue()
    assert "/console/password/set/" not in again.getvalue()


def test_the_command_fails_listing_every_bad_row_and_imports_nothing(directory, tmp_path):
    text = HEADER + "a.one,甲,nowhere,caseworker,,\nb.two,乙,water,caseworker,,\nc,丙,water,x,,\n"
    err = StringIO()
    with pytest.raises(CommandError, match="2 行有错误，没有导入任何人员"):
        call_command("import_staff", str(_file(tmp_path, text)), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines()[0] == "第 2 行：未知单位编码 “nowhere”"
    assert err.getvalue().splitlines()[1].startswith("第 4 行：未知角色 “x”")
    assert get_user_model().objects.count() == 0


def test_the_command_refuses_a_bad_base_url_before_importing(directory, tmp_path):
    with pytest.raises(CommandError, match="基础网址"):
        call_command("import_staff", str(_file(tmp_path, GOOD)), "--base-url", "minyi.gov.cn",
                     stdout=StringIO())
    assert get_user_model().objects.count() == 0


def test_the_command_says_when_the_file_is_missing(directory, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_staff", str(tmp_path / "nope.csv"), stdout=StringIO())


def test_moving_a_demo_like_person_between_units_keeps_their_shifts(directory, tmp_path):
    person = StaffFactory(unit=Unit.objects.get(code="water"), user=UserFactory(username="li.na"))
    person.weekly_shifts.create(weekday=0, starts="09:00", ends="18:00")
    staff_import(path=_file(tmp_path, GOOD))
    person.refresh_from_db()
    assert person.unit.code == "street-lianhua" and person.weekly_shifts.count() == 1
