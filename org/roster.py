"""Editing the weekly duty roster: a unit lead for their own unit's people (or a superuser)."""

from __future__ import annotations

from datetime import time

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from org.models import Staff, StaffRole, Weekday, WeeklyShift
from org.roles import is_superuser, staff_of

# request.user: a visitor who is not signed in is nobody's lead and may edit nothing.
Editor = AbstractBaseUser | AnonymousUser


def _may_edit(actor: Editor, staff: Staff) -> bool:
    me = staff_of(actor)
    return is_superuser(actor) or bool(
        me and me.role == StaffRole.UNIT_LEAD and me.unit_id == staff.unit_id)


def weekly_shift_add(*, actor: Editor, staff: Staff, weekday: int, starts: time,
                     ends: time, on_holidays: bool = False) -> WeeklyShift:
    if not _may_edit(actor, staff):
        raise PermissionDenied("只有本单位负责人可以编辑值班表")
    if weekday not in Weekday.values:
        raise ValidationError({"weekday": ["星期不正确"]})
    if starts == ends and starts != time(0):
        raise ValidationError({"ends": ["结束时间不能等于开始时间（全天请用 00:00–00:00）"]})
    if WeeklyShift.objects.filter(staff=staff, weekday=weekday, starts=starts).exists():
        raise ValidationError({"starts": ["该人员当天已有同一开始时间的班次"]})
    return WeeklyShift.objects.create(staff=staff, weekday=weekday, starts=starts, ends=ends,
                                      on_holidays=on_holidays)


def weekly_shift_remove(*, actor: Editor, shift: WeeklyShift) -> None:
    if not _may_edit(actor, shift.staff):
        raise PermissionDenied("只有本单位负责人可以编辑值班表")
    shift.delete()


def staff_duty_set(*, actor: Editor, staff: Staff, on_duty: bool) -> Staff:
    """The 在岗 switch: off, the person gets no new tickets whatever the roster says."""
    if not _may_edit(actor, staff):
        raise PermissionDenied("只有本单位负责人可以调整在岗状态")
    staff.on_duty = on_duty
    staff.save(update_fields=["on_duty", "updated_at"])
    return staff
