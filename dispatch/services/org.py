"""Load the org directory (channels, units, demo staff) from fixtures/, idempotently.

Fixture-owned fields are brought in line with the files; operational fields (active flags, signing
secrets, callback URLs, duty status, capacity, passwords) are only set when a row is first created.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from dispatch.models import Staff, StaffRole, Unit, WeeklyShift
from tickets.models import Channel

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
ROLE_SUFFIX = {
    StaffRole.UNIT_LEAD: "lead", StaffRole.CASEWORKER: "cw",
    StaffRole.DISPATCHER: "disp", StaffRole.SUPERVISOR: "sup",
}


@dataclass
class OrgLoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))


def _read(fixtures_dir: Path, name: str) -> Any:
    with (fixtures_dir / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def _upsert(
    model: type[models.Model], *, lookup: dict[str, Any], owned: dict[str, Any],
    on_create: dict[str, Any] | None, report: OrgLoadReport, kind: str,
    existing: models.Model | None = None,
) -> Any:
    obj = existing if existing is not None else model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **owned, **(on_create or {}))
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


def _load_channels(fixtures_dir: Path, report: OrgLoadReport) -> None:
    for item in _read(fixtures_dir, "channels.json"):
        _upsert(Channel, lookup={"code": item["code"]},
                owned={"name": item["name"], "family": item["family"],
                       "description": item.get("description", "")},
                on_create={"active": True}, report=report, kind="channels")


def _load_units(fixtures_dir: Path, report: OrgLoadReport) -> dict[str, Unit]:
    items = _read(fixtures_dir, "units.json")
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
            loaded[item["code"]] = _upsert(Unit, lookup={"code": item["code"]}, owned=owned,
                                           on_create={"active": True}, report=report,
                                           kind="units")
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


def _load_staff(fixtures_dir: Path, units: dict[str, Unit], groups: dict[str, Group],
                report: OrgLoadReport) -> None:
    spec = _read(fixtures_dir, "demo_staff.json")
    surnames, given = spec["surnames"], spec["given_names"]
    user_model = get_user_model()
    users = {u.username: u for u in user_model.objects.filter(staff__isnull=False)}
    staff_rows = {s.user_id: s for s in Staff.objects.all()}
    memberships = set(user_model.groups.through.objects.values_list("user_id", "group_id"))
    password_hash: str | None = None  # hashing is slow: once per load, and only if needed
    index = 0
    for unit_code, unit in units.items():
        counts = dict(spec["per_unit"])
        for role, extra in spec.get("extra", {}).get(unit_code, {}).items():
            counts[role] = counts.get(role, 0) + extra
        for role, count in counts.items():
            for n in range(1, count + 1):
                suffix = f"{ROLE_SUFFIX[role]}{n if role != StaffRole.UNIT_LEAD else ''}"
                username = f"{unit_code}.{suffix}"
                full_name = surnames[index % len(surnames)] + given[(index * 7) % len(given)]
                index += 1
                user = users.get(username)
                if user is None and password_hash is None:
                    password_hash = make_password(settings.DISPATCH_DEMO_PASSWORD)
                user = _upsert(
                    user_model, lookup={"username": username},
                    owned={"first_name": full_name, "last_name": "", "is_staff": True},
                    on_create={"password": password_hash, "email": f"{username}@demo.invalid"},
                    report=report, kind="users", existing=user,
                )
                _upsert(
                    Staff, lookup={"user": user}, owned={"unit_id": unit.pk, "role": role},
                    on_create={
                        "phone": f"0755-8{index:07d}"[:13],
                        "on_duty": f"{ROLE_SUFFIX[role]}{n}" not in spec.get("off_duty", []),
                        "capacity": spec["capacity"].get(role, 0),
                    },
                    report=report, kind="staff", existing=staff_rows.get(user.pk),
                )
                group = groups[role]
                if (user.pk, group.pk) not in memberships:
                    user.groups.add(group)


def org_load(*, fixtures_dir: Path = DEFAULT_FIXTURES_DIR) -> OrgLoadReport:
    report = OrgLoadReport()
    with transaction.atomic():
        _load_channels(fixtures_dir, report)
        units = _load_units(fixtures_dir, report)
        groups = _load_groups(report)
        _load_staff(fixtures_dir, units, groups, report)
        _load_roster(fixtures_dir, units)
    return report


def _load_roster(fixtures_dir: Path, units: dict[str, Unit]) -> None:
    """Demo shifts for staff that have none (an edited roster is left alone), duty leads,
    and the 7×24 promise of the kinds named in demo_staff.json."""
    spec = _read(fixtures_dir, "demo_staff.json").get("roster")
    if not spec:
        return
    with_shifts = set(WeeklyShift.objects.values_list("staff_id", flat=True))
    new = []
    for staff in Staff.objects.filter(unit__code__in=units).select_related("user"):
        suffix = staff.user.username.rsplit(".", 1)[-1]
        for rule in spec["shifts"].get(suffix, []) if staff.pk not in with_shifts else []:
            new += [WeeklyShift(staff=staff, weekday=day, starts=time.fromisoformat(rule["starts"]),
                                ends=time.fromisoformat(rule["ends"]),
                                on_holidays=rule["on_holidays"]) for day in rule["weekdays"]]
    WeeklyShift.objects.bulk_create(new)
    leads = {s.unit_id: s for s in Staff.objects.filter(role=StaffRole.UNIT_LEAD)}
    for unit in units.values():
        always_on = unit.kind in spec.get("always_on_kinds", [])
        lead = unit.duty_lead or leads.get(unit.pk)
        if (unit.always_on, unit.duty_lead_id) != (always_on, lead.pk if lead else None):
            unit.always_on, unit.duty_lead = always_on, lead
            unit.save(update_fields=["always_on", "duty_lead"])


def org_ensure_demo_admin(*, username: str = "admin") -> bool:
    """The embedded demo's superuser; returns True if it was created now."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        return False
    user_model.objects.create_superuser(
        username=username, email=f"{username}@demo.invalid",
        password=settings.DISPATCH_DEMO_PASSWORD, first_name="系统管理员",
    )
    return True
