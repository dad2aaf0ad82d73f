"""Forms behind the admin's state-machine buttons (django-fsm, named in the model's transitions).
Their cleaned data are the values of the catalogue action that performs each transition
(tickets.actions), so the admin hands them over unchanged."""

from __future__ import annotations

from typing import Any

from django import forms

from org.models import Staff, StaffRole, Unit
from tickets.models import ReturnReason


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(ReasonForm):
    """The 退单 button: its reason is filed as a return request of kind 其他, which waits for
    another person's approval like any other."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {"reason_code": ReturnReason.OTHER, "text": data.get("reason", "")}


class ResolveForm(forms.Form):
    reply = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 6}))


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.filter(active=True))
    assignee = forms.ModelChoiceField(
        label="责任人",
        queryset=Staff.objects.filter(
            role__in=[StaffRole.CASEWORKER, StaffRole.UNIT_LEAD], user__is_active=True
        ).select_related("user", "unit"),
    )
    reason = forms.CharField(label="说明", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, assignee = data.get("unit"), data.get("assignee")
        if unit and assignee and assignee.unit_id != unit.pk:
            self.add_error("assignee", f"{assignee} 不属于「{unit}」")
        return data


class TransferForm(AssignForm):
    reason = forms.CharField(label="改派原因")


class MergeForm(forms.Form):
    # The number only: the catalogue's merge finds the parent among the tickets the person
    # may see, and the service checks it is open.
    parent = forms.CharField(label="主单编号",
                             help_text="要并入的在办工单编号，如 FT20261128-000123")
    reason = forms.CharField(label="说明", required=False)
