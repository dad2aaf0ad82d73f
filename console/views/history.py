"""History (a caseworker's or a unit's finished tickets) and the centre's search across every
ticket. The selectors are tickets.selectors.search; the forms here only read the input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.roles import CASEWORKER
from console.views.common import console_page, person_of, role_of
from org.roles import staff_of
from tickets.core.masking import mask_phone
from tickets.core.text import control_character_in
from tickets.models import Ticket, TicketState
from tickets.selectors.queues import channel_choice_list
from tickets.selectors.search import (
    SEARCH_MAX_PAGE,
    SHORT_TERM_DAYS,
    HistoryFilters,
    SearchFilters,
    SearchKind,
    SearchPage,
    SearchRefused,
    SearchTerm,
    search_term_parse,
    ticket_history,
    ticket_search,
)

PAGE_SIZE = 50


def _choose(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    cast(forms.ChoiceField, field).choices = choices


class _PeriodForm(forms.Form):
    """A period of the district's days (Asia/Shanghai), both ends included."""

    first = forms.DateField(label=gettext_lazy("从"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=gettext_lazy("到"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last and first > last:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"))
        return data


class HistoryFilterForm(_PeriodForm):
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("渠道"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        _choose(self.fields["state"], [("", _("全部")),
                                       (TicketState.RESOLVED.value, _("办结待回访")),
                                       (TicketState.CLOSED.value, _("已归档"))])
        _choose(self.fields["channel"], [("", _("全部")), *channel_choice_list()])


class SearchForm(_PeriodForm):
    q = forms.CharField(label=gettext_lazy("查找"), max_length=100,
                        widget=forms.TextInput(attrs={
                            "placeholder": gettext_lazy("工单号、完整电话号码、内容或地点"),
                            "autofocus": True}))
    kind = forms.ChoiceField(label=gettext_lazy("按"), required=False, choices=[
        (SearchKind.ANY.value, gettext_lazy("自动识别")),
        (SearchKind.NUMBER.value, gettext_lazy("工单号")),
        (SearchKind.PHONE.value, gettext_lazy("电话")),
        (SearchKind.TEXT.value, gettext_lazy("标题和内容")),
        (SearchKind.PLACE.value, gettext_lazy("地点（地址、社区、街道）"))])
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        _choose(self.fields["state"], [("", _("全部")), ("open", _("在办")),
                                       *TicketState.choices])

    def clean_q(self) -> SearchTerm:
        text = self.cleaned_data["q"]
        if control_character_in(text, strict=True) is not None:
            raise forms.ValidationError(_("查找内容含有无效字符"))
        try:
            return search_term_parse(text=text, kind=SearchKind(self.data.get("kind") or "any"))
        except ValueError as exc:  # SearchRefused, or a kind that is none of the choices
            raise forms.ValidationError(
                exc.message if isinstance(exc, SearchRefused) else _("请选择查找方式")) from exc


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 6 else 1


@console_page("console:history")
def history(request: HttpRequest) -> HttpResponse:
    filters = HistoryFilterForm(request.GET or None)
    person = person_of(request)
    if filters.is_bound and not filters.is_valid():
        tickets = Ticket.objects.none()  # the errors show on the form
    else:
        data = filters.cleaned_data if filters.is_bound else {}
        tickets = ticket_history(user=person, filters=HistoryFilters(
            finished_from=data.get("first"), finished_to=data.get("last"),
            state=data.get("state", ""), channel=data.get("channel", "")))
    staff = staff_of(person)
    whose = (staff.unit.name if staff is not None and role_of(request) != CASEWORKER
             else _("我经办的"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "console/history.html", {
        "title": _("历史工单"), "whose": whose,
        "filters": filters, "query": query.urlencode(),
        "page": Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))})


@dataclass(frozen=True)
class _Row:
    ticket: Ticket
    phone: str  # masked: the page never shows a full number the person did not type


@console_page("console:search")
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    found: SearchPage | None = None
    term: SearchTerm | None = None
    if form.is_valid():
        term = form.cleaned_data["q"]
        data = form.cleaned_data
        found = ticket_search(user=person_of(request), query=cast(SearchTerm, term),
                              filters=SearchFilters(received_from=data["first"],
                                                    received_to=data["last"],
                                                    state=data["state"]),
                              page=_page_number(request), page_size=PAGE_SIZE)
    rows = [_Row(t, mask_phone(t.citizen_phone)) for t in found.tickets] if found else []
    limited: tuple[date, date] | None = found.limited_to if found else None
    return render(request, "console/search.html", {
        "title": _("工单查询"), "form": form, "found": found, "rows": rows,
        "kind": term.kind.value if term else "", "limited": limited,
        "short_days": SHORT_TERM_DAYS, "max_results": SEARCH_MAX_PAGE * PAGE_SIZE})
