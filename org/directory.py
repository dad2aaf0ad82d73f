"""Load the org directory (channels, units, role groups) from fixtures/, idempotently.

Fixture-owned fields are brought in line with the files; operational fields (active flags, signing
secrets, callback URLs, the 7×24 promise) are only set when a row is first created. People are not
part of the directory: real staff come from `import_staff` (org.staff_import), the
demo's people from `load_demo_staff` (demo.staff).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from org.models import StaffRole, Unit, UnitKind

DEFAULT_FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

# Django admin permissions per role. Transition rights are checked by the ticket services.
ROLE_GROUPS: dict[str, tuple[str, list[str]]] = {
    StaffRole.DISPATCHER: ("分拨员", [
        "tickets.view_ticket", "tickets.change_ticket", "tickets.view_ticketevent",
        "tickets.view_channel", "dispatch.view_unit", "dispatch.view_staff",
        "tickets.view_citizen_pii",
    ]),
    StaffRole.CASEWORKER: ("经办人", [
        "tickets.view_ticket", "tickets.change_ticket", "tickets.view_ticketevent",
        "dispatch.view_unit", "tickets.view_citizen_pii",
    ]),
    StaffRole.UNIT_LEAD: ("单位负责人", [
        "tickets.view_ticket", "tickets.change_ticket", "tickets.view_ticketevent",
        "dispatch.view_unit", "dispatch.view_staff", "dispatch.change_staff",
        "tickets.view_citizen_pii",
    ]),
    StaffRole.SUPERVISOR: ("督办员", [
        "tickets.view_ticket", "tickets.change_ticket", "tickets.view_ticketevent",
        "tickets.view_channel", "dispatch.view_unit", "dispatch.view_staff",
    ]),
}
# Every role's group above grants admin views (tickets and their trail, units; leads may also
# change their people's Staff rows there), so every role gets is_staff. Drop a role from this
# set once its work is all in the console.
ROLES_USING_ADMIN = frozenset(StaffRole.values)
# Water, power, gas, metro and the other utilities answer round the clock (Unit.always_on, set
# when the unit is created: an admin's later change is theirs to keep).
ALWAYS_ON_KINDS = frozenset({UnitKind.PUBLIC_UTILITY})


class OrgNotLoadedError(RuntimeError):
    """People need the units and role groups first."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"组织目录尚未加载（{detail}）：请先运行 manage.py load_org")


@dataclass
class OrgLoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def lines(self) -> list[str]:
        """One line per kind of row: created, updated, unchanged (for the commands)."""
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [f"{kind}: 新建 {self.created[kind]}，更新 {self.updated[kind]}，"
                f"未变 {self.unchanged[kind]}" for kind in kinds]


def fixture_read(*, fixtures_dir: Path, name: str) -> Any:
    """One JSON file of the fixtures directory."""
    with (fixtures_dir / name).open(encoding="utf-8") as fh:
        return json.load(fh)


_M = TypeVar("_M", bound=models.Model)


def row_upsert(
    model: type[_M], *, lookup: dict[str, Any], owned: dict[str, Any],
    on_create: dict[str, Any] | None, report: OrgLoadReport, kind: str,
    existing: _M | None = None,
) -> _M:
    """Create the row, or bring its fixture-owned fields in line; counted in the report."""
    # django-stubs gives `objects` to each concrete model, not to a type[Model] variable.
    manager: models.Manager[_M] = model.objects  # type: ignore[attr-defined]
    obj = existing if existing is not None else manager.filter(**lookup).first()
    if obj is None:
        obj = manager.create(**lookup, **owned, **(on_create or {}))
        report.created[kind] += 1
        return obj
    changed = [name for name, value in owned.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, owned[name])
        obj.save(update_fields=changed)
        report.updated[kind] += 1
    else:
        report.unchanged[kind] += 1
    return obj


def _load_units(fixtures_dir: Path, report: OrgLoadReport) -> dict[str, Unit]:
    items = fixture_read(fixtures_dir=fixtures_dir, name="units.json")
    loaded: dict[str, Unit] = {}
    pending = list(items)
    while pending:  # parents first, whatever the file order
        ready = [i for i in pending if not i.get("parent") or i["parent"] in loaded]
        if not ready:
            codes = [i["code"] for i in pending]
            raise ValueError(f"units.json: unknown or circular parent among {codes}")
        for item in ready:
            parent = loaded[item["parent"]] if item.get("parent") else None
            owned = {"name": item["name"], "short_name": item.get("short_name", ""),
                     "kind": item["kind"], "is_district_wide": item.get("is_district_wide", False),
                     "parent_id": parent.pk if parent else None}
            on_create = {"active": True, "always_on": item["kind"] in ALWAYS_ON_KINDS}
            loaded[item["code"]] = row_upsert(Unit, lookup={"code": item["code"]}, owned=owned,
                                              on_create=on_create, report=report, kind="units")
        pending = [i for i in pending if i["code"] not in loaded]
    return {item["code"]: loaded[item["code"]] for item in items}


def _load_groups(report: OrgLoadReport) -> dict[str, Group]:
    groups = {}
    for role, (name, perm_names) in ROLE_GROUPS.items():
        group, created = Group.objects.get_or_create(name=name)
        wanted = set()
        for perm_name in perm_names:
            app_label, codename = perm_name.split(".")
            wanted.add(Permission.objects.get(content_type__app_label=app_label,
                                              codename=codename).pk)
        current = set(group.permissions.values_list("pk", flat=True))
        if created:
            report.created["groups"] += 1
        if wanted != current:
            group.permissions.set(wanted)
            if not created:
                report.updated["groups"] += 1
        elif not created:
            report.unchanged["groups"] += 1
        groups[role] = group
    return groups


def org_load(*, fixtures_dir: Path = DEFAULT_FIXTURES_DIR,
             report: OrgLoadReport | None = None) -> OrgLoadReport:
    """Units and role groups (the channels are the tickets side's: tickets.intake.channels)."""
    report = report or OrgLoadReport()
    with transaction.atomic():
        _load_units(fixtures_dir, report)
        _load_groups(report)
    return report


def org_units(*, fixtures_dir: Path = DEFAULT_FIXTURES_DIR) -> dict[str, Unit]:
    """The units of units.json, in the file's order; OrgNotLoadedError if load_org has not run."""
    items = fixture_read(fixtures_dir=fixtures_dir, name="units.json")
    codes = [item["code"] for item in items]
    units = Unit.objects.in_bulk(codes, field_name="code")
    if len(units) != len(codes):
        raise OrgNotLoadedError(f"缺少 {len(codes) - len(units)} 个承办单位")
    return {code: units[code] for code in codes}


def org_role_groups() -> dict[str, Group]:
    """The Django group of each staff role; OrgNotLoadedError if load_org has not run."""
    names = {name: role for role, (name, _) in ROLE_GROUPS.items()}
    groups = {names[g.name]: g for g in Group.objects.filter(name__in=names)}
    if len(groups) != len(names):
        raise OrgNotLoadedError("缺少角色权限组")
    return groups


def role_needs_admin(*, role: str) -> bool:
    """Whether people in this role get is_staff (the admin site's door)."""
    return role in ROLES_USING_ADMIN
