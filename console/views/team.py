"""The unit lead's pages: approvals waiting (the centre's too: returns a lead asked for
themself), workload per person, and the duty roster."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.forms import DecideForm, ShiftForm
from console.roles import ADMIN, DISPATCHER
from console.views.common import console_page, person_of, role_of
from org.models import StaffRole, Unit
from org.roles import staff_of
from org.roster import staff_duty_set, weekly_shift_add, weekly_shift_remove
from org.selectors import staff_in_unit, weekly_shift_in_unit, weekly_shift_list
from tickets.dispatching.collaboration import return_request_may_decide
from tickets.selectors import oversight
from tickets.selectors.queues import unit_workload


def _lead_unit(request: HttpRequest) -> Unit:
    staff = staff_of(person_of(request))
    if staff is None or staff.role != StaffRole.UNIT_LEAD:
        raise PermissionDenied("只有单位负责人可以查看")
    return staff.unit


@console_page("console:approvals")
def approvals(request: HttpRequest) -> HttpResponse:
    if role_of(request) in (DISPATCHER, ADMIN):
        # The centre sees the returns a unit cannot decide itself (a lead's own request).
        person = person_of(request)
        return render(request, "console/approvals.html", {
            "title": _("待审批"), "centre": True, "form": DecideForm(),
            "returns": [r for r in oversight.return_request_pending_everywhere()
                        if return_request_may_decide(request=r, actor=person)]})
    unit = _lead_unit(request)
    return render(request, "console/approvals.html", {
        "title": _("待审批"),
        "returns": oversight.return_request_pending_list(unit=unit),
        "extensions": oversight.extension_pending_list(unit=unit),
        "suspensions": oversight.suspension_pending_list(unit=unit),
        "form": DecideForm(),
    })


@console_page("console:team")
def team(request: HttpRequest) -> HttpResponse:
    unit = _lead_unit(request)
    return _team_page(request, unit, ShiftForm(unit=unit))


def _team_page(request: HttpRequest, unit: Unit, form: ShiftForm,
               status: int = 200) -> HttpResponse:
    return render(request, "console/team.html", {
        "title": _("人员负荷与值班"), "unit": unit, "workload": unit_workload(unit=unit),
        "shifts": weekly_shift_list(unit=unit), "form": form}, status=status)


@console_page("console:team")
@require_POST
def shift_add(request: HttpRequest) -> HttpResponse:
    unit = _lead_unit(request)
    form = ShiftForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            weekly_shift_add(actor=person_of(request), **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("已添加班次"))
            return redirect("console:team")
    return _team_page(request, unit, form, status=400)


@console_page("console:team")
@require_POST
def shift_remove(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _lead_unit(request)
    shift = weekly_shift_in_unit(unit=unit, pk=pk)
    if shift is None:
        raise Http404
    weekly_shift_remove(actor=person_of(request), shift=shift)
    messages.success(request, _("已删除班次"))
    return redirect("console:team")


@console_page("console:team")
@require_POST
def duty_set(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _lead_unit(request)
    staff = staff_in_unit(unit=unit, pk=pk)
    if staff is None:
        raise Http404
    on = request.POST.get("on_duty") == "1"
    staff_duty_set(actor=person_of(request), staff=staff, on_duty=on)
    messages.success(request, (_("%(who)s 已在岗") if on else _("%(who)s 已离岗")) % {
        "who": staff})
    return redirect("console:team")
