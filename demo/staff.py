"""The demo's people: six or more accounts per unit from fixtures/demo_staff.json, their weekly
shifts and duty leads, and the demo superuser; idempotently.

Every demo account shares the password DISPATCH_DEMO_PASSWORD, which the README prints, and can
use the admin: never load them where real tickets live. `manage.py load_demo_staff` refuses with
DEBUG off unless told otherwise; the embedded demo (rundemo) calls demo_staff_load directly.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from org.directory import (
    DEFAULT_FIXTURES_DIR,
    OrgLoadReport,
    fixture_read,
    org_role_groups,
    org_units,
    role_needs_admin,
    row_upsert,
)
from org.models import Staff, StaffRole, Unit, WeeklyShift

# Demo usernames are <unit code>.<suffix>: lead, cw1..3, disp1, sup1.
ROLE_SUFFIX = {
    StaffRole.UNIT_LEAD: "lead", StaffRole.CASEWORKER: "cw",
    StaffRole.DISPATCHER: "disp", StaffRole.SUPERVISOR: "sup",
}


def demo_staff_load(*, fixtures_dir: Path = DEFAULT_FIXTURES_DIR) -> OrgLoadReport:
    """Accounts, Staff rows and group memberships for the demo people; then weekly shifts for
    those of them that have none (an edited roster is left alone) and a duty lead for units
    without one. Needs load_org first (OrgNotLoadedError otherwise)."""
    spec = fixture_read(fixtures_dir=fixtures_dir, name="demo_staff.json")
    report = OrgLoadReport()
    with transaction.atomic():
        units = org_units(fixtures_dir=fixtures_dir)
        groups = org_role_groups()
        people = _load_people(spec, units, groups, report)
        _load_roster(spec.get("roster") or {}, units, people, report)
    return report


def _load_people(spec: dict[str, Any], units: dict[str, Unit], groups: dict[str, Group],
                 report: OrgLoadReport) -> dict[str, Staff]:
    """The demo people by username, in the order they are generated."""
    surnames, given = spec["surnames"], spec["given_names"]
    user_model = get_user_model()
    users = {u.username: u for u in user_model.objects.filter(staff__isnull=False)}
    staff_rows = {s.user_id: s for s in Staff.objects.all()}
    memberships = set(user_model.groups.through.objects.values_list("user_id", "group_id"))
    password_hash: str | None = None  # hashing is slow: once per load, and only if needed
    people: dict[str, Staff] = {}
    index = 0  # names and phone numbers follow the generation order, so they never change
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
                user = row_upsert(
                    user_model, lookup={"username": username},
                    owned={"first_name": full_name, "last_name": "",
                           "is_staff": role_needs_admin(role=role)},
                    on_create={"password": password_hash, "email": f"{username}@demo.invalid"},
                    report=report, kind="users", existing=user,
                )
                people[username] = row_upsert(
                    Staff, lookup={"user": user}, owned={"unit_id": unit.pk, "role": role},
                    on_create={
                        "phone": f"0755-8{index:07d}"[:13],
                        # off_duty names username suffixes ("cw3")
                        "on_duty": suffix not in spec.get("off_duty", []),
                        "capacity": spec["capacity"].get(role, 0),
                    },
                    report=report, kind="staff", existing=staff_rows.get(user.pk),
                )
                group = groups[role]
                if (user.pk, group.pk) not in memberships:
                    user.groups.add(group)
    return people


def _load_roster(spec: dict[str, Any], units: dict[str, Unit], people: dict[str, Staff],
                 report: OrgLoadReport) -> None:
    """Weekly shifts by username suffix (cw1 days, cw2 nights, cw3 office hours) and each unit's
    lead as its duty lead. Only the demo people are touched: real staff keep their own roster."""
    with_shifts = set(WeeklyShift.objects.filter(staff__in=people.values())
                      .values_list("staff_id", flat=True))
    new = []
    for username, staff in people.items():
        if staff.pk in with_shifts:
            continue
        for rule in spec.get("shifts", {}).get(username.rsplit(".", 1)[-1], []):
            new += [WeeklyShift(staff=staff, weekday=day, starts=time.fromisoformat(rule["starts"]),
                                ends=time.fromisoformat(rule["ends"]),
                                on_holidays=rule["on_holidays"]) for day in rule["weekdays"]]
    WeeklyShift.objects.bulk_create(new)
    if new:
        report.created["shifts"] += len(new)
    for code, unit in units.items():
        lead = people.get(f"{code}.{ROLE_SUFFIX[StaffRole.UNIT_LEAD]}")
        if unit.duty_lead_id is None and lead is not None:
            unit.duty_lead = lead
            unit.save(update_fields=["duty_lead"])
            report.created["duty_leads"] += 1


def demo_admin_ensure(*, username: str = "admin") -> bool:
    """The embedded demo's superuser; returns True if it was created now."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        return False
    user_model.objects.create_superuser(
        username=username, email=f"{username}@demo.invalid",
        password=settings.DISPATCH_DEMO_PASSWORD, first_name="系统管理员",
    )
    return True
