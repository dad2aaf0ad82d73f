"""Every family parses its documented examples; every registered channel has examples."""

from __future__ import annotations

import pytest

from tickets.intake.adapters import adapter_for
from tickets.intake.adapters.base import ADAPTERS
from tickets.intake.channels import directory_load
from tickets.intake.payload import PayloadError
from tickets.models import Channel, ChannelFamily

ALL_EXAMPLES = [(family, name, payload) for family in ChannelFamily.values
                for name, payload in adapter_for(family).examples().items()]


def test_every_family_has_an_adapter():
    assert set(ADAPTERS) == set(ChannelFamily.values)


def test_every_registered_channel_has_payload_examples(db):
    directory_load()
    for channel in Channel.objects.all():
        examples = adapter_for(channel.family).examples()
        assert examples, f"{channel.code} ({channel.family}) has no examples"
        assert all("__" in name for name in examples)


@pytest.mark.parametrize(("family", "name", "payload"), ALL_EXAMPLES,
                         ids=[f"{f}/{n}" for f, n, _ in ALL_EXAMPLES])
def test_every_example_parses(family, name, payload):
    request = adapter_for(family).parse(payload)
    assert request.external_id and request.title and request.content


def test_a_hotline_call_keeps_its_time_number_and_urgency():
    payload = adapter_for("hotline").examples()["call__urgent"]
    request = adapter_for("hotline").parse(payload)
    assert request.citizen_phone == "13922334455"  # spaces removed
    assert request.urgency == "urgent"
    assert request.received_at.isoformat() == "2026-11-28T14:02:40+08:00"
    assert request.title.startswith("市民来电称华强北某大厦负一层")


def test_a_web_form_strips_html_and_keeps_photos_and_place():
    request = adapter_for("web_form").parse(
        adapter_for("web_form").examples()["submission__with_photos"])
    assert "<" not in request.content and "盲道和消防通道" in request.content
    assert "13688881234" in request.content  # full-width digits made half-width
    assert len(request.details["photos"]) == 2
    assert (float(request.latitude), float(request.longitude)) == (22.5235, 114.0371)


def test_a_petition_keeps_kind_and_co_petitioners():
    request = adapter_for("petition").parse(adapter_for("petition").examples()["visit__group"])
    assert request.details == {"petition_kind": "visit", "co_petitioners": 12}
    assert request.citizen_name == "孙某"


def test_a_public_opinion_item_keeps_source_and_heat_and_makes_a_title():
    request = adapter_for("public_opinion").parse(
        adapter_for("public_opinion").examples()["item__weibo"])
    assert request.details["source_url"].startswith("https://weibo.com/")
    assert request.details["heat"] == 8532 and request.received_at is None
    assert request.title == "福田街道某餐馆油烟直排，楼上住户根本不能开窗，投诉了好几次都没人管"


def test_a_machine_event_titles_itself_and_marks_waterlogging_urgent():
    request = adapter_for("machine_event").parse(
        adapter_for("machine_event").examples()["alert__iot_waterlogging"])
    assert request.title == "水浸告警：福田区福民路下穿通道"
    assert request.urgency == "urgent" and request.details["confidence"] == 0.99


def test_the_city_platform_keeps_upstream_number_and_deadlines():
    request = adapter_for("city_platform").parse(
        adapter_for("city_platform").examples()["dispatch__urgent"])
    assert request.upstream_number == request.external_id == "SZMY-20261128-0012345"
    assert request.upstream_resolve_due_at.isoformat() == "2026-11-29T15:10:00+08:00"
    assert request.upstream_contact_due_at.isoformat() == "2026-11-28T15:20:00+08:00"
    assert request.category == ["城乡建设", "安全生产", "安全隐患"] and request.urgency == "urgent"


@pytest.mark.parametrize(("family", "payload", "errors"), [
    ("hotline", {}, {"call_id": "required", "call_time": "required",
                     "agent_summary": "required"}),
    ("hotline", {"call_id": "1", "call_time": "yesterday", "agent_summary": "x",
                 "caller_number": "12345", "urgent": "yes"},
     {"call_time": "invalid_datetime", "caller_number": "invalid_phone", "urgent": "type_bool"}),
    ("hotline", {"call_id": "1", "call_time": "2099-01-01T00:00:00+08:00", "agent_summary": "x"},
     {"call_time": "in_future"}),
    ("web_form", {"submission_id": "1", "title": 5, "content": "c", "photos": ["ftp://x"],
                  "location": {"lat": 91}, "contact": {"id_number": "110105194912310021"}},
     {"title": "type_string", "photos[0].u": "invalid_url", "location.lat": "out_of_range",
      "contact.id_number": "invalid_id_number"}),
    ("petition", {"case_number": "1", "kind": "email", "subject": "s", "content": "c"},
     {"kind": "invalid_choice", "petitioner": "required", "petitioner.name": "required"}),
    ("public_opinion", {"item_id": "1", "excerpt": "e", "source_url": "javascript:alert(1)",
                        "heat": -1}, {"source_url": "invalid_url", "heat": "out_of_range"}),
    ("machine_event", {"event_id": "1", "event_type": "garbage", "occurred_at":
                       "2026-11-28T10:00:00+08:00", "confidence": 1.5},
     {"place": "required", "confidence": "out_of_range"}),
    ("city_platform", {"upstream_number": "1", "title": "t", "content": "c",
                       "urgency": "asap", "category": ["a", "b", "c", "d"]},
     {"deadlines": "required", "deadlines.resolve_by": "required", "urgency": "invalid_choice",
      "category": "type_list"}),
])
def test_every_problem_is_reported_with_its_field_and_code(family, payload, errors):
    with pytest.raises(PayloadError) as err:
        adapter_for(family).parse(payload)
    got = {field: items[0]["code"] for field, items in err.value.fields.items()}
    assert got == errors
    assert all(item["message"] for items in err.value.fields.values() for item in items)


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(PayloadError) as err:
        adapter_for("hotline").parse(["not", "an", "object"])
    assert err.value.fields == {"body": [{"code": "type_object", "message": "应为 JSON 对象"}]}


@pytest.mark.parametrize("value", ["0000-01-01T00:00:00", "1999-12-31T23:59:59+08:00",
                                   "2026-02-30T10:00:00", "0001-01-01T00:00:00-23:59"])
def test_impossible_or_absurd_times_are_field_errors(value):
    with pytest.raises(PayloadError) as err:
        adapter_for("hotline").parse({"call_id": "1", "call_time": value, "agent_summary": "x"})
    assert err.value.fields["call_time"][0]["code"] == "invalid_datetime"
