"""Real staff from a CSV file with the columns username,name,unit,role,phone,capacity.

Every row is checked before anything is written and the import is one transaction: a file with a
bad row imports nothing, and every bad row is reported with its line number (the header is line
1), so the person fixing the spreadsheet sees all problems at once. Importing the same file twice
changes nothing the second time. New accounts get no usable password: each person sets their own
through a signed link (org.staff_password), so no shared password exists anywhere.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction

from org.directory import org_role_groups, role_needs_admin
from org.models import Staff, StaffRole, Unit

if TYPE_CHECKING:
    from django.db.models import CharField

COLUMNS = ("username", "name", "unit", "role", "phone", "capacity")
# An empty capacity cell: what a person in the role carries at once (dispatchers and supervisors
# are not assigned tickets). The same numbers as the demo staff.
ROLE_DEFAULT_CAPACITY: dict[str, int] = {
    StaffRole.CASEWORKER: 20, StaffRole.UNIT_LEAD: 10,
    StaffRole.DISPATCHER: 0, StaffRole.SUPERVISOR: 0,
}
CAPACITY_MAX = 32767  # Staff.capacity is a PositiveSmallIntegerField
NAME_MAX = 150  # User.first_name
# A mobile number, or a landline with area code (hyphen optional) and an optional extension.
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")
# The role column takes the stored value or the Chinese name people know.
ROLE_NAMES: dict[str, str] = {
    StaffRole.DISPATCHER: "分拨员", StaffRole.CASEWORKER: "经办人",
    StaffRole.UNIT_LEAD: "单位负责人", StaffRole.SUPERVISOR: "督办员",
}
ROLE_BY_WORD: dict[str, str] = {
    **{str(role): str(role) for role in ROLE_NAMES}, **{n: str(r) for r, n in ROLE_NAMES.items()},
}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}"


class StaffImportError(ValueError):
    """The file was refused; nothing was imported. `errors` holds every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class StaffRow:
    line: int
    username: str
    name: str
    unit_code: str
    role: str
    phone: str
    capacity: int


@dataclass
class StaffImportReport:
    created: list[str] = field(default_factory=list)  # usernames, in file order
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def staff_import(*, path: Path) -> StaffImportReport:
    """Create or update one account and Staff row per line of the file; all or nothing."""
    return staff_import_csv(data=path.read_bytes())


def staff_import_csv(*, data: bytes) -> StaffImportReport:
    """The same from the file's bytes (UTF-8, with or without a BOM)."""
    lines, errors = _read_lines(data)
    with transaction.atomic():
        groups = org_role_groups()
        rows, row_errors = _validate(lines)
        # one list in file order; a line's own problems keep their order (the sort is stable)
        errors = sorted(errors + row_errors, key=lambda e: e.line)
        if errors:
            raise StaffImportError(errors)
        return _write(rows, groups)


@dataclass(frozen=True)
class _Line:
    number: int  # where the row starts in the file; the header is line 1
    values: dict[str, str]


def _read_lines(data: bytes) -> tuple[list[_Line], list[RowError]]:
    """The non-blank rows as column → stripped value, and the rows that cannot be read (wrong
    number of cells); StaffImportError at once for a file that cannot be read at all."""
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise StaffImportError([RowError(line, "文件不是 UTF-8 编码：请在 Excel 中另存为"
                                               "“CSV UTF-8（逗号分隔）”后再导入")]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise StaffImportError([RowError(1, f"表头无法读取（{exc}）")]) from exc
    if header is None or not any(cell.strip() for cell in header):
        raise StaffImportError([RowError(1, "文件为空，第一行应为表头：" + ",".join(COLUMNS))])
    positions = _check_header(header)
    errors: list[RowError] = []
    lines: list[_Line] = []
    number = reader.line_num + 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            errors.append(RowError(number, f"CSV 格式错误（{exc}），此行之后不再读取"))
            break
        if cells is None:
            break
        start, number = number, reader.line_num + 1  # a quoted cell may span several lines
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(RowError(start, f"有 {len(cells)} 列，表头有 {len(header)} 列"))
            continue
        lines.append(_Line(start, {name: cells[i].strip() for name, i in positions.items()}))
    if not errors and not lines:
        raise StaffImportError([RowError(1, "文件只有表头，没有人员")])
    return lines, errors


def _check_header(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    problems = []
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n or "（空）" for n in names if n not in COLUMNS]
    repeated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if missing:
        problems.append("表头缺少列 " + "、".join(missing))
    if unknown:
        problems.append("表头有未知列 " + "、".join(unknown))
    if repeated:
        problems.append("表头列重复 " + "、".join(repeated))
    if problems:
        expected = ",".join(COLUMNS)
        raise StaffImportError([RowError(1, "；".join(problems) + f"（应为 {expected}）")])
    return {name: names.index(name) for name in COLUMNS}


def _validate(lines: list[_Line]) -> tuple[list[StaffRow], list[RowError]]:
    """The good rows, and every problem of the others."""
    units = Unit.objects.in_bulk({line.values["unit"] for line in lines}, field_name="code")
    # A superuser's account is managed by hand: an import must not change its groups.
    superusers = set(get_user_model().objects.filter(
        username__in=[line.values["username"] for line in lines], is_superuser=True,
    ).values_list("username", flat=True))
    first_seen: dict[str, int] = {}
    errors: list[RowError] = []
    rows: list[StaffRow] = []
    for line in lines:
        problems = _problems(line.values, units, superusers)
        username = line.values["username"]
        if username in first_seen:
            problems.append(f"账号 {username} 与第 {first_seen[username]} 行重复")
        elif username:
            first_seen[username] = line.number
        role = _role(line.values["role"])
        capacity = _capacity(line.values["capacity"], role)
        if problems or role is None or capacity is None:
            errors += [RowError(line.number, p) for p in problems]
            continue
        rows.append(StaffRow(line=line.number, username=username, name=line.values["name"],
                             unit_code=line.values["unit"], role=role,
                             phone=_phone(line.values["phone"]), capacity=capacity))
    return rows, errors


def _problems(values: dict[str, str], units: dict[str, Unit], superusers: set[str]) -> list[str]:
    problems: list[str] = []
    username, name, unit_code = values["username"], values["name"], values["unit"]
    if not username:
        problems.append("缺少账号（username）")
    else:
        problems += _username_problems(username)
    if username in superusers:
        problems.append(f"账号 {username} 是超级管理员，不能通过导入修改")
    if not name:
        problems.append("缺少姓名（name）")
    elif len(name) > NAME_MAX:
        problems.append(f"姓名超过 {NAME_MAX} 个字")
    unit = units.get(unit_code)
    if not unit_code:
        problems.append("缺少单位编码（unit）")
    elif unit is None:
        problems.append(f"未知单位编码 “{unit_code}”")
    elif not unit.active:
        problems.append(f"单位 {unit_code}（{unit.name}）已停用")
    role = _role(values["role"])
    if role is None:
        allowed = "、".join(f"{value}/{label}" for value, label in ROLE_NAMES.items())
        problems.append(f"未知角色 “{values['role']}”（可用：{allowed}）" if values["role"]
                        else f"缺少角色（role），可用：{allowed}")
    if values["phone"] and not PHONE_RE.fullmatch(_phone(values["phone"])):
        problems.append(f"电话 “{values['phone']}” 格式不对（手机号 11 位，座机如 0755-12345678）")
    if _capacity(values["capacity"], role) is None:
        problems.append(f"承办容量 “{values['capacity']}” 应为 0 到 {CAPACITY_MAX} 之间的整数")
    return problems


def _role(cell: str) -> str | None:
    return ROLE_BY_WORD.get(cell) or ROLE_BY_WORD.get(cell.lower())


def _phone(cell: str) -> str:
    return re.sub(r"\s+", "", cell)


def _username_problems(username: str) -> list[str]:
    user_model = get_user_model()
    # The username is a CharField with a max_length (Django's User: 150).
    username_field = cast("CharField[str, str]",
                          user_model._meta.get_field(user_model.USERNAME_FIELD))
    max_length = cast(int, username_field.max_length)
    if len(username) > max_length:
        return [f"账号超过 {max_length} 个字符"]
    try:
        user_model.username_validator(username)
    except ValidationError:
        return [f"账号 “{username}” 只能包含字母、数字和 @ . + - _"]
    return []


def _capacity(cell: str, role: str | None) -> int | None:
    """The cell as a capacity, the role's default when empty, None when it is not one."""
    if not cell:
        return ROLE_DEFAULT_CAPACITY.get(role or "", 0)
    if not cell.isascii() or not cell.isdigit():
        return None
    value = int(cell)
    return value if value <= CAPACITY_MAX else None


def _write(rows: list[StaffRow], groups: dict[str, Group]) -> StaffImportReport:
    user_model = get_user_model()
    units = {u.code: u for u in Unit.objects.filter(code__in={r.unit_code for r in rows})}
    users = {u.username: u for u in user_model.objects.select_for_update()
             .filter(username__in=[r.username for r in rows])}
    staff_rows = {s.user_id: s for s in Staff.objects.select_for_update()
                  .filter(user__in=users.values())}
    role_group_ids = {g.pk for g in groups.values()}
    report = StaffImportReport()
    for row in rows:
        user = users.get(row.username)
        if user is None:
            user = user_model(username=row.username, first_name=row.name, last_name="",
                              is_staff=role_needs_admin(role=row.role))
            user.set_unusable_password()  # the person sets it through a signed link
            user.save()
            changed = True
        else:
            changed = _update(user, {"first_name": row.name, "last_name": "",
                                     "is_staff": role_needs_admin(role=row.role)})
        staff = staff_rows.get(user.pk)
        wanted = {"unit_id": units[row.unit_code].pk, "role": row.role, "phone": row.phone,
                  "capacity": row.capacity}
        if staff is None:
            Staff.objects.create(user=user, **wanted)
            changed = True
        else:
            changed = _update(staff, wanted) or changed
        changed = _set_role_group(user, groups[row.role], role_group_ids) or changed
        if row.username not in users:
            report.created.append(row.username)
        elif changed:
            report.updated.append(row.username)
        else:
            report.unchanged.append(row.username)
    return report


def _update(obj: AbstractUser | Staff, wanted: dict[str, object]) -> bool:
    changed = [name for name, value in wanted.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, wanted[name])
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


def _set_role_group(user: AbstractUser, group: Group, role_group_ids: set[int]) -> bool:
    """In the role's group and no other role's; groups that are not role groups stay."""
    current = set(user.groups.filter(pk__in=role_group_ids).values_list("pk", flat=True))
    if current == {group.pk}:
        return False
    user.groups.remove(*(current - {group.pk}))
    user.groups.add(group)
    return True

