"""The unit lead's pages: approvals waiting, workload per person, and the duty roster."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from console.forms import DecideForm, ShiftForm
from console.views.common import console_view
from org.models import Staff, StaffRole, Unit, WeeklyShift
from org.roles import staff_of
from org.roster import staff_duty_set, weekly_shift_add, weekly_shift_remove
from sla.models import Extension, ExtensionState, Suspension, SuspensionState
from tickets.models import RequestState, ReturnRequest
from tickets.selectors.queues import unit_workload


def _lead_unit(request: HttpRequest) -> Unit:
    staff = staff_of(request.user)
    if staff is None or staff.role != StaffRole.UNIT_LEAD:
        raise PermissionDenied("只有单位负责人可以查看")
    return staff.unit


@console_view
def approvals(request: HttpRequest) -> HttpResponse:
    unit = _lead_unit(request)
    return render(request, "console/approvals.html", {
        "title": "待审批",
        "returns": ReturnRequest.objects.filter(unit=unit, state=RequestState.PENDING)
        .select_related("ticket"),
        "extensions": Extension.objects.filter(ticket__unit=unit, state=ExtensionState.PENDING)
        .select_related("ticket"),
        "suspensions": Suspension.objects.filter(ticket__unit=unit,
                                                 state=SuspensionState.PENDING)
        .select_related("ticket"),
        "form": DecideForm(),
    })


@console_view
def team(request: HttpRequest) -> HttpResponse:
    unit = _lead_unit(request)
    return _team_page(request, unit, ShiftForm(unit=unit))


def _team_page(request: HttpRequest, unit: Unit, form: ShiftForm,
               status: int = 200) -> HttpResponse:
    shifts = (WeeklyShift.objects.filter(staff__unit=unit)
              .select_related("staff__user").order_by("staff__user__username", "weekday",
                                                      "starts"))
    return render(request, "console/team.html", {
        "title": "人员负荷与值班", "unit": unit, "workload": unit_workload(unit=unit),
        "shifts": shifts, "form": form}, status=status)


@console_view
@require_POST
def shift_add(request: HttpRequest) -> HttpResponse:
    unit = _lead_unit(request)
    form = ShiftForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            weekly_shift_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("已添加班次"))
            return redirect("console:team")
    return _team_page(request, unit, form, status=400)


@console_view
@require_POST
def shift_remove(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _lead_unit(request)
    shift = WeeklyShift.objects.filter(pk=pk, staff__unit=unit).select_related("staff").first()
    if shift is None:
        raise Http404
    weekly_shift_remove(actor=request.user, shift=shift)
    messages.success(request, _("已删除班次"))
    return redirect("console:team")


@console_view
@require_POST
def duty_set(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _lead_unit(request)
    staff = Staff.objects.filter(pk=pk, unit=unit).first()
    if staff is None:
        raise Http404
    on = request.POST.get("on_duty") == "1"
    staff_duty_set(actor=request.user, staff=staff, on_duty=on)
    messages.success(request, (_("%(who)s 已在岗") if on else _("%(who)s 已离岗")) % {
        "who": staff})
    return redirect("console:team")
