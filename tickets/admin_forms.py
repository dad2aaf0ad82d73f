"""Forms behind the admin's transition buttons; the admin hands their data to the services."""

from django import forms

from org.models import Staff, StaffRole, Unit
from tickets.models import OPEN_STATES, Ticket


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}))


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

    def clean(self) -> dict:
        data = super().clean()
        unit, assignee = data.get("unit"), data.get("assignee")
        if unit and assignee and assignee.unit_id != unit.pk:
            self.add_error("assignee", f"{assignee} 不属于「{unit}」")
        return data


class TransferForm(AssignForm):
    reason = forms.CharField(label="改派原因")


class MergeForm(forms.Form):
    parent = forms.CharField(label="主单编号",
                             help_text="要并入的在办工单编号，如 FT20261128-000123")
    reason = forms.CharField(label="说明", required=False)

    def clean_parent(self) -> Ticket:
        number = self.cleaned_data["parent"].strip()
        parent = Ticket.objects.filter(number=number).first()
        if parent is None:
            raise forms.ValidationError(f"找不到工单 {number}")
        if parent.state not in OPEN_STATES:
            raise forms.ValidationError(
                f"工单 {number} 已{parent.get_state_display()}，不能作为主单"
            )
        return parent
