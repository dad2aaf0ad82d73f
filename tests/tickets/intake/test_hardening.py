"""Intake never answers a 5xx for what a channel sends, and never changes it without a word:
text is stored whole or refused (400, the field named, with the reason); the raw record
always keeps the bytes and never stays in ``received``."""

from __future__ import annotations

import copy
import json
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tickets.core.signing import signature_header
from tickets.intake import services as intake_services
from tickets.intake.adapters import adapter_for
from tickets.intake.payload import json_depth_exceeds
from tickets.models import ChannelFamily, IntakeRecord, Ticket
from tickets.models.intake import IntakeOutcome

HOTLINE = {"call_id": "C-1", "call_time": "2026-11-28T09:00:00+08:00",
           "agent_summary": "小区门口积水严重，请尽快处理。"}
WEB_FORM = {"submission_id": "W-1", "title": "路灯不亮", "content": "小区门口路灯连续三晚不亮。"}


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _string_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_paths(v, (*path, i))]
    return [path] if isinstance(value, str) else []


STRING_FIELDS = [(family, name, path)
                 for family in ChannelFamily.values
                 for name, payload in adapter_for(family).examples().items()
                 for path in _string_paths(payload)]


@pytest.mark.parametrize(("family", "name", "path"), STRING_FIELDS,
                         ids=[f"{f}/{n}/{'.'.join(map(str, p))}" for f, n, p in STRING_FIELDS])
def test_a_nul_byte_in_any_text_a_channel_sends_is_a_400_naming_the_field(
        post, channel_of, family, name, path):
    payload = copy.deepcopy(adapter_for(family).examples()[name])
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = target[path[-1]][:3] + "\x00" + target[path[-1]][3:]
    response = post(channel_of(family), payload)
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    named = ".".join(str(p) for p in path[:2] if not isinstance(p, int))  # "contact.name"
    assert any(field == named or field.startswith((f"{named}.", f"{named}["))
               for field in fields), fields
    assert not Ticket.objects.exists()
    assert IntakeRecord.objects.get().outcome == IntakeOutcome.INVALID


def test_a_nul_byte_in_an_id_is_refused_not_stripped(post, channel_of):
    response = post(channel_of("hotline"), {**HOTLINE, "call_id": "abc\x00x"})
    assert response.status_code == 400
    assert response.json()["fields"]["call_id"][0]["code"] == "control_character"
    assert "U+0000" in response.json()["fields"]["call_id"][0]["message"]
    assert not Ticket.objects.filter(external_id="abcx").exists()


def test_an_id_is_kept_exactly_as_sent(post, channel_of):
    response = post(channel_of("hotline"), {**HOTLINE, "call_id": "ＡＢ-１２ x"})
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get().external_id == "ＡＢ-１２ x"  # full width and the space kept


@pytest.mark.parametrize("call_id", [" C-1", "C-1 ", "C-1\t", "C\n1"])
def test_an_id_with_surrounding_or_control_whitespace_is_refused_not_trimmed(
        post, channel_of, call_id):
    response = post(channel_of("hotline"), {**HOTLINE, "call_id": call_id})
    assert response.status_code == 400
    assert response.json()["fields"]["call_id"][0]["code"] in ("untrimmed", "control_character")


def test_a_title_over_200_characters_is_refused_with_the_limit_and_the_length(post, channel_of):
    response = post(channel_of("web_form"), {**WEB_FORM, "title": "长" * 10_000})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_payload"
    assert response.json()["fields"] == {
        "title": [{"code": "too_long", "message": "标题最多 200 字，收到 10000 字"}]}
    record = IntakeRecord.objects.get()
    assert record.outcome == IntakeOutcome.INVALID and not Ticket.objects.exists()
    assert json.loads(bytes(record.body))["title"] == "长" * 10_000  # the bytes are kept


def test_text_at_its_limit_is_stored_whole(post, channel_of):
    response = post(channel_of("web_form"), {**WEB_FORM, "title": "长" * 200,
                                             "content": "文" * 10_000})
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.content) == ("长" * 200, "文" * 10_000)


def test_content_over_its_limit_and_a_long_name_are_refused(post, channel_of):
    response = post(channel_of("web_form"), {**WEB_FORM, "content": "文" * 10_001,
                                             "contact": {"name": "名" * 61}})
    fields = response.json()["fields"]
    assert response.status_code == 400
    assert fields["content"][0]["message"] == "内容最多 10000 字，收到 10001 字"
    assert fields["contact.name"][0]["message"] == "姓名最多 60 字，收到 61 字"


@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_in_text_are_refused(post, channel_of, character):
    # As JSON escapes, the way a lone surrogate arrives ("\ud800" is not valid UTF-8 as bytes).
    body = json.dumps({**WEB_FORM, "content": f"积水{character}严重"}).encode()
    response = post(channel_of("web_form"), body)
    assert response.status_code == 400
    assert response.json()["fields"]["content"][0]["code"] == "control_character"


def test_html_is_read_as_its_text_and_the_ticket_says_so(post, channel_of):
    response = post(channel_of("web_form"), {**WEB_FORM, "content": "<p>井盖<b>缺失</b></p>"})
    ticket = Ticket.objects.get(number=response.json()["ticket_number"])
    assert ticket.content == "井盖缺失"
    assert ticket.source_details["converted_from_html"] == ["content"]
    assert b"<b>" in bytes(ticket.intake_records.get().body)


def test_plain_text_carries_no_conversion_note(post, channel_of):
    post(channel_of("web_form"), WEB_FORM)
    assert "converted_from_html" not in Ticket.objects.get().source_details


def test_category_levels_and_photos_are_never_cut(post, channel_of):
    payload = adapter_for("city_platform").examples()["dispatch__urgent"]
    response = post(channel_of("city_platform"), {**payload, "category": ["城" * 41]})
    assert response.status_code == 400
    assert response.json()["fields"]["category[0]"][0]["code"] == "too_long"
    photos = [f"https://img.example.cn/{i}.jpg" for i in range(21)]
    response = post(channel_of("web_form"), {**WEB_FORM, "photos": photos})
    assert response.status_code == 400
    assert response.json()["fields"]["photos"][0]["code"] == "too_many"


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00+20:00", "2026-01-01T00:00:00-13:00",
                                   "2026-01-01T00:00:00+15:59"])
def test_a_time_zone_offset_out_of_range_is_a_field_error(post, channel_of, value):
    response = post(channel_of("hotline"), {**HOTLINE, "call_time": value})
    assert response.status_code == 400
    assert response.json()["fields"]["call_time"][0]["code"] == "invalid_datetime"
    assert "时区" in response.json()["fields"]["call_time"][0]["message"]


def test_a_far_future_deadline_is_a_field_error(post, channel_of):
    payload = adapter_for("city_platform").examples()["dispatch__urgent"]
    response = post(channel_of("city_platform"),
                    {**payload, "deadlines": {"resolve_by": "9999-12-31T23:59:59-10:00"}})
    assert response.status_code == 400
    assert response.json()["fields"]["deadlines.resolve_by"][0]["code"] == "invalid_datetime"


# --- nesting --------------------------------------------------------------------------------------

def _nested(depth: int) -> bytes:
    return b'{"call_id": ' + b"[" * depth + b"]" * depth + b"}"


def test_a_body_nested_a_thousand_levels_deep_is_a_400_and_the_record_is_invalid(
        post, channel_of):
    response = post(channel_of("hotline"), _nested(1000))
    assert response.status_code == 400
    assert response.json()["error"] == "json_too_deep"
    record = IntakeRecord.objects.get()
    assert record.outcome == IntakeOutcome.INVALID
    assert record.error_detail["error"] == "json_too_deep"
    assert bytes(record.body) == _nested(1000)


@override_settings(INTAKE_MAX_JSON_DEPTH=4)
def test_the_nesting_limit_comes_from_settings(post, channel_of):
    channel = channel_of("hotline")
    assert post(channel, _nested(3)).json()["error"] == "invalid_payload"  # 4 levels: read
    assert post(channel, _nested(4)).json()["error"] == "json_too_deep"  # 5 levels: refused


def test_brackets_inside_strings_do_not_count_as_nesting():
    body = json.dumps({"t": "[" * 500 + '\\"{' * 100, "x": [[1]]}).encode()
    assert not json_depth_exceeds(body, limit=3)
    assert json_depth_exceeds(json.dumps({"x": [[[[1]]]]}).encode(), limit=3)


def test_a_deep_rating_body_is_a_400(client, channel_of):
    channel = channel_of("hotline")
    body = b'{"external_id": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    header = signature_header(secret=channel.signing_secrets[0], timestamp=int(time.time()),
                              body=body)
    response = client.generic("POST", f"/api/intake/{channel.code}/rating/", body,
                              content_type="application/json", HTTP_X_SIGNATURE=header)
    assert response.status_code == 400 and response.json()["error"] == "json_too_deep"


# --- replay ---------------------------------------------------------------------------------------

def test_replay_marks_a_stored_deep_record_invalid_instead_of_crashing(channel_of):
    channel = channel_of("hotline")
    deep = IntakeRecord.objects.create(channel=channel, received_at="2026-11-28T09:00:00+08:00",
                                       body=_nested(5000))
    good = IntakeRecord.objects.create(channel=channel, received_at="2026-11-28T09:00:00+08:00",
                                       body=json.dumps(HOTLINE).encode())
    out = StringIO()
    call_command("replay_intake", stdout=out)
    deep.refresh_from_db()
    good.refresh_from_db()
    assert deep.outcome == IntakeOutcome.INVALID and good.outcome == IntakeOutcome.ACCEPTED
    assert "生成工单 1" in out.getvalue() and "仍无效 1" in out.getvalue()


def test_replay_reports_a_record_it_cannot_process_and_goes_on_to_the_next(
        channel_of, monkeypatch):
    channel = channel_of("hotline")
    records = [IntakeRecord.objects.create(
        channel=channel, received_at="2026-11-28T09:00:00+08:00",
        body=json.dumps({**HOTLINE, "call_id": f"C-{i}"}).encode()) for i in range(3)]
    process = intake_services.intake_process

    def broken_for_the_first(*, record, channel=None):
        if record.pk == records[0].pk:
            raise RuntimeError("adapter bug")
        return process(record=record, channel=channel)

    monkeypatch.setattr(intake_services, "intake_process", broken_for_the_first)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 条记录无法处理"):
        call_command("replay_intake", stdout=out, stderr=err)
    assert f"#{records[0].pk}" in err.getvalue() and "adapter bug" in err.getvalue()
    assert "生成工单 2" in out.getvalue() and "无法处理 1" in out.getvalue()
    assert Ticket.objects.count() == 2


# --- channel codes and ratings ------------------------------------------------------------------

@pytest.mark.parametrize("code", ["a%00b", "no%20such", "%E6%B8%A0%E9%81%93"])
def test_an_unknown_or_odd_channel_code_is_intakes_json_404(client, db, code):
    for path in (f"/api/intake/{code}/", f"/api/intake/{code}/rating/"):
        response = client.post(path, b"{}", content_type="application/json")
        assert response.status_code == 404
        assert response.json()["error"] == "unknown_channel"


def _rate(client, channel, payload: dict[str, Any]):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")
    header = signature_header(secret=channel.signing_secrets[0], timestamp=int(time.time()),
                              body=body)
    return client.generic("POST", f"/api/intake/{channel.code}/rating/", body,
                          content_type="application/json", HTTP_X_SIGNATURE=header)


def test_a_rating_with_a_nul_id_or_an_over_long_note_is_refused(org, client):
    ticket = org.ticket("resolved", external_id="R-1")
    r = _rate(client, ticket.channel, {"external_id": "R-1\x00", "satisfaction": "satisfied"})
    assert r.status_code == 400 and r.json()["fields"]["external_id"][0]["code"] == (
        "control_character")
    r = _rate(client, ticket.channel, {"external_id": "R-1", "satisfaction": "satisfied",
                                       "note": "好" * 501})
    assert r.status_code == 400
    assert r.json()["fields"]["note"][0]["message"] == "说明最多 500 字，收到 501 字"
    ticket.refresh_from_db()
    assert ticket.state == "resolved"
    r = _rate(client, ticket.channel, {"external_id": "R-1", "satisfaction": "satisfied",
                                       "note": "好" * 500})
    assert r.status_code == 200
