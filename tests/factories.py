"""factory-boy factories: small, explicit objects for unit tests (no big fixture files)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from org.models import Staff, StaffRole, Unit, UnitKind
from tickets.models import Channel, ChannelFamily, Ticket, TicketState


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"测试{n}")
    is_staff = True


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DISTRICT_DEPARTMENT


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = StaffRole.CASEWORKER
    on_duty = True
    capacity = 20


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"channel-{n}")
    name = factory.Sequence(lambda n: f"测试渠道{n}")
    family = ChannelFamily.HOTLINE


WITH_UNIT = {TicketState.ASSIGNED, TicketState.CONTACTED, TicketState.MET,
             TicketState.RESOLVED, TicketState.CLOSED}


class TicketFactory(factory.django.DjangoModelFactory):
    """Puts a ticket straight into any state, with the fields that state implies."""

    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"FT20261128-{n + 900000:06d}")
    channel = factory.SubFactory(ChannelFactory)
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    title = "小区门口路灯不亮"
    content = "莲花街道某小区门口路灯连续三晚不亮，夜间出行不安全，请尽快维修。"
    citizen_name = "张先生"
    citizen_phone = "13812345678"
    citizen_id_number = "440304199001011234"
    state = TicketState.RECEIVED
    unit = factory.Maybe(
        factory.LazyAttribute(lambda t: t.state in WITH_UNIT),
        yes_declaration=factory.SubFactory(UnitFactory), no_declaration=None,
    )
    assignee = factory.Maybe(
        factory.LazyAttribute(lambda t: t.state in WITH_UNIT),
        yes_declaration=factory.SubFactory(StaffFactory, unit=factory.SelfAttribute("..unit")),
        no_declaration=None,
    )
    assigned_at = factory.Maybe(
        factory.LazyAttribute(lambda t: t.state in WITH_UNIT),
        yes_declaration=factory.LazyFunction(timezone.now), no_declaration=None,
    )
    reply = factory.Maybe(
        factory.LazyAttribute(lambda t: t.state in {TicketState.RESOLVED, TicketState.CLOSED}),
        yes_declaration="已安排维修，路灯已恢复。", no_declaration="",
    )


class DuplicateCandidateFactory(factory.django.DjangoModelFactory):
    """A suspicion that ``ticket`` repeats ``original`` (both open), as intake's check records
    it."""

    class Meta:
        model = "tickets.DuplicateCandidate"

    ticket = factory.SubFactory(TicketFactory)
    original = factory.SubFactory(TicketFactory)
    score = 0.62
    reasons = factory.LazyFunction(lambda: ["same_address", "similar_text"])
