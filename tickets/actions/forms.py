"""The Django form of a catalogue action, built from the entry's fields: the console's ticket
page and the admin's action pages render the same form and hand its values to the entry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, assert_never

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from org.models import Staff, Unit, UnitKind
from org.selectors import staff_directory, staff_handlers_of_unit, unit_ticket_handlers
from tickets.actions.refusals import refusal_status
from tickets.actions.spec import Field, FieldKind, TicketAction
from tickets.core.errors import TicketError, TicketInputError
from tickets.core.moments import moment_problem
from tickets.core.text import control_character_in, control_character_message

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from tickets.models import Ticket

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT)


def no_control_characters(value: str) -> None:
    """What a person types: tab and line breaks are text, other control characters are not
    (a NUL PostgreSQL cannot even store)."""
    if (bad := control_character_in(value)) is not None:
        raise ValidationError(control_character_message(bad), code="control_character")


def moment_in_range(value: datetime) -> None:
    """A time the house can store and compute with (tickets.core.moments)."""
    if (problem := moment_problem(value)) is not None:
        raise ValidationError(problem, code="out_of_range")


# ModelChoiceField cannot be subscripted at run time (that would take django_stubs_ext's
# monkeypatch), so the subclass is bare and the helpers below say which model it holds.
class RowChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of a row by its code or id: a value with a control character is refused as
    the field's error before the lookup, where PostgreSQL would fail on a NUL."""

    def to_python(self, value: Any) -> Model | None:
        if isinstance(value, str) and (bad := control_character_in(value, strict=True)):
            raise ValidationError(control_character_message(bad), code="invalid_choice")
        return super().to_python(value)


class UnitChoices(ModelChoiceIterator):  # type: ignore[type-arg]  # bare at run time, as above
    """Units grouped by kind (区直部门, 街道办事处, …), by name within a group: 89 units in one
    flat list by code were hard to find."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list[Any]] = {str(kind): [] for kind in UnitKind.values}
        for unit in self.queryset:
            groups.setdefault(unit.kind, []).append(self.choice(unit))
        labels = dict(UnitKind.choices)
        for kind, choices in groups.items():
            if choices:
                yield (str(labels.get(kind, kind)), choices)


class UnitChoiceField(RowChoiceField):
    iterator = UnitChoices


class PersonSelect(forms.Select):
    """Each person's option carries their unit (data-unit), so that the console shows only the
    people of the unit chosen in the same form (console.js); the service checks it again."""

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None,
                      attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        person = getattr(value, "instance", None)
        if isinstance(person, Staff):
            option["attrs"]["data-unit"] = person.unit.code
        return option


def unit_field(*, label: StrOrPromise, required: bool = True) -> forms.ModelChoiceField[Unit]:
    return UnitChoiceField(unit_ticket_handlers(), label=label, required=required,
                           to_field_name="code", empty_label=_("请选择单位"))


def person_field(*, label: StrOrPromise, required: bool = False,
                 unit: Unit | None = None) -> forms.ModelChoiceField[Staff]:
    """A person of ``unit`` when the form names none (a change of person), else anyone, shown
    by the unit the form's unit field chose (PersonSelect)."""
    people = staff_handlers_of_unit(unit=unit) if unit is not None else staff_directory()
    return RowChoiceField(
        people, label=label, required=required,
        widget=PersonSelect(attrs={"data-follows": "unit"} if unit is None else {}),
        empty_label=_("请选择责任人") if required else _("按值班表自动选择"))


def form_field(spec: Field, *, unit: Unit | None = None) -> forms.Field | None:
    """The Django field for a catalogue field; none for the version, which only API callers
    send (a form acts on the ticket as the page has just read it)."""
    # A blank text passes the form: the service then explains what is missing.
    required = spec.required and not spec.blank
    match spec.kind:
        case FieldKind.VERSION:
            return None
        case FieldKind.TEXT | FieldKind.TICKET_NUMBER:
            return forms.CharField(label=spec.label, required=required, help_text=spec.help,
                                   validators=[no_control_characters])
        case FieldKind.LONG_TEXT:
            return forms.CharField(label=spec.label, required=required, help_text=spec.help,
                                   widget=forms.Textarea(attrs={"rows": spec.rows}),
                                   validators=[no_control_characters])
        case FieldKind.CHOICE:
            return forms.ChoiceField(choices=spec.choices, label=spec.label,
                                     required=spec.required, help_text=spec.help)
        case FieldKind.UNIT:
            return unit_field(label=spec.label, required=spec.required)
        case FieldKind.PERSON:
            return person_field(label=spec.label, required=spec.required, unit=unit)
        case FieldKind.DATETIME:
            return forms.DateTimeField(label=spec.label, required=spec.required,
                                       help_text=spec.help, widget=DateTimeInput(),
                                       input_formats=[DATETIME_FORMAT],
                                       validators=[moment_in_range])
        case _:
            assert_never(spec.kind)


class ActionForm(forms.Form):
    """The form of one catalogue action: the entry's fields, in its order."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, action: TicketAction,
                 prefix: str | None = None, ticket: Ticket | None = None) -> None:
        super().__init__(data, prefix=prefix)
        self.action = action
        # An action that names a person but no unit (a change of person) stays in the
        # ticket's unit: only its people are offered.
        names_unit = any(spec.kind == FieldKind.UNIT for spec in action.fields)
        unit = ticket.unit if ticket is not None and not names_unit else None
        for spec in action.fields:
            field = form_field(spec, unit=unit)
            if field is not None:
                self.fields[spec.name] = field


def refusal_onto_form(form: forms.Form, error: TicketError) -> int:
    """Put a service's refusal on the form (bad input field by field, anything else above the
    fields); returns the HTTP status to answer with."""
    if isinstance(error, TicketInputError):
        for field, messages in error.field_errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, str(error))
    return refusal_status(error)
