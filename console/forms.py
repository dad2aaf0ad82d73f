"""Console forms: input shape and Chinese labels only; the services decide who may do what."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from org.models import Staff, Unit, Weekday
from sla.models import SupervisionLevel
from tickets.models import Channel, ReturnReason, Satisfaction, TicketState, Urgency

CONTACT_METHODS = [("电话", _("电话")), ("短信", _("短信")), ("上门", _("上门")),
                   ("视频", _("视频"))]
MEETING_METHODS = [("上门", _("上门/到现场")), ("约谈", _("约谈")), ("视频", _("视频会面"))]


def _units() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Unit.objects.filter(is_district_wide=False).order_by("code"), label=_("单位"),
        to_field_name="code", empty_label=_("请选择单位"))


def _person(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Staff.objects.select_related("user", "unit").order_by("unit__code", "user__username"),
        label=_("责任人"), required=required, empty_label=_("按值班表自动选择"))


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class ContactForm(forms.Form):
    method = forms.ChoiceField(choices=CONTACT_METHODS, label=_("联系方式"))
    note = forms.CharField(label=_("联系情况"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)


class MeetingForm(forms.Form):
    method = forms.ChoiceField(choices=MEETING_METHODS, label=_("约见方式"))
    note = forms.CharField(label=_("约见情况"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)


class ResolveForm(forms.Form):
    reply = forms.CharField(label=_("答复诉求人"), widget=forms.Textarea(attrs={"rows": 4}),
                            required=False)


class ReturnRequestForm(forms.Form):
    reason_code = forms.ChoiceField(choices=ReturnReason.choices, label=_("退单理由"))
    text = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)


class TransferForm(forms.Form):
    unit = _units()
    assignee = _person()
    reason = forms.CharField(label=_("改派理由"), required=False)


class DispatchForm(forms.Form):
    unit = _units()
    assignee = _person()
    reason = forms.CharField(label=_("说明"), required=False)


class BulkDispatchForm(forms.Form):
    unit = _units()
    reason = forms.CharField(label=_("说明"), required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("派单说明（可选）")}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("作废理由"), required=False)


class MergeForm(forms.Form):
    parent = forms.CharField(label=_("主单编号"))
    reason = forms.CharField(label=_("说明"), required=False)


class ExtensionForm(forms.Form):
    new_due_at = forms.DateTimeField(label=_("申请的办结时限"), widget=DateTimeInput(),
                                     input_formats=["%Y-%m-%dT%H:%M"])
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)


class SuspensionForm(forms.Form):
    reason = forms.CharField(label=_("暂停计时理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)


class AssistForm(forms.Form):
    unit = _units()
    task = forms.CharField(label=_("协办事项"), required=False)


class FollowUpForm(forms.Form):
    satisfaction = forms.ChoiceField(choices=Satisfaction.choices, label=_("回访结果"))
    note = forms.CharField(label=_("回访记录"), required=False)


class SuperviseForm(forms.Form):
    level = forms.ChoiceField(choices=SupervisionLevel.choices, label=_("督办级别"))
    instructions = forms.CharField(label=_("督办意见"), widget=forms.Textarea(attrs={"rows": 2}),
                                   required=False)
    reply_due_at = forms.DateTimeField(label=_("回复时限"), widget=DateTimeInput(),
                                       input_formats=["%Y-%m-%dT%H:%M"])


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("回复"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", _("批准")), ("0", _("驳回"))],
                                     coerce=lambda v: v == "1", label=_("审批"))
    note = forms.CharField(label=_("意见"), required=False)


class RulingForm(forms.Form):
    unit = _units()
    assignee = _person()
    reason = forms.CharField(label=_("审定理由"), required=False)


class AssistReplyForm(forms.Form):
    reply = forms.CharField(label=_("协办回复"), required=False)


class ResumeForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False)


class ShiftForm(forms.Form):
    staff = forms.ModelChoiceField(Staff.objects.none(), label=_("人员"))
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label=_("星期"))
    starts = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}))
    on_holidays = forms.BooleanField(label=_("节假日照常"), required=False)

    def __init__(self, *args: object, unit: Unit | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["staff"].queryset = Staff.objects.filter(unit=unit).select_related(
                "user")


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("工单号、电话或内容")}))
    state = forms.ChoiceField(label=_("状态"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), required=False)
    overdue = forms.BooleanField(label=_("只看超时"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:

        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["state"].choices = everything + list(TicketState.choices)
        self.fields["urgency"].choices = everything + list(Urgency.choices)
        self.fields["channel"].choices = everything + list(
            Channel.objects.order_by("code").values_list("code", "name"))
