"""Console forms that are not ticket actions (those are built from the catalogue, in
tickets.actions.forms): bulk dispatch, decisions and replies on rows, the roster, the queue
filters. Input shape and Chinese labels only; the services decide who may do what."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from org.models import Staff, Unit, Weekday
from org.selectors import staff_of_unit
from tickets.actions.forms import no_control_characters, person_field, unit_field
from tickets.models import TicketState, Urgency
from tickets.selectors.queues import channel_choice_list


class BulkDispatchForm(forms.Form):
    unit = unit_field(label=_("单位"))
    reason = forms.CharField(label=_("说明"), required=False, validators=[no_control_characters],
                             widget=forms.TextInput(attrs={"placeholder": _("派单说明（可选）")}))


class DuplicateDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("merge", _("合并为重复件")),
                                          ("dismiss", _("不是重复件"))], label=_("决定"))
    reason = forms.CharField(label=_("说明"), required=False, max_length=500,
                             validators=[no_control_characters])


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("回复"), widget=forms.Textarea(attrs={"rows": 2}),
                             validators=[no_control_characters],
                             required=False)


def _approved(value: str) -> bool:
    return value == "1"


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", _("批准")), ("0", _("驳回"))],
                                     coerce=_approved, label=_("审批"))
    note = forms.CharField(label=_("意见"), required=False, validators=[no_control_characters])


class RulingForm(forms.Form):
    unit = unit_field(label=_("单位"))
    assignee = person_field(label=_("责任人"))
    reason = forms.CharField(label=_("审定理由"), required=False,
                             validators=[no_control_characters])


class AssistReplyForm(forms.Form):
    reply = forms.CharField(label=_("协办回复"), required=False,
                            validators=[no_control_characters])


class ResumeForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, validators=[no_control_characters])


class ShiftForm(forms.Form):
    staff = forms.ModelChoiceField(Staff.objects.none(), label=_("人员"))
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label=_("星期"))
    starts = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}))
    on_holidays = forms.BooleanField(label=_("节假日照常"), required=False)

    def __init__(self, data: Any = None, *, unit: Unit) -> None:
        super().__init__(data)
        staff = cast("forms.ModelChoiceField[Staff]", self.fields["staff"])
        staff.queryset = staff_of_unit(unit=unit)  # a lead rosters only their own people


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("工单号、电话或内容")}))
    state = forms.ChoiceField(label=_("状态"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), required=False)
    overdue = forms.BooleanField(label=_("只看超时"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        everything = [("", _("全部"))]
        self._choose("state", everything + list(TicketState.choices))
        self._choose("urgency", everything + list(Urgency.choices))
        self._choose("channel", everything + channel_choice_list())

    def _choose(self, name: str, choices: list[tuple[str, Any]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices
