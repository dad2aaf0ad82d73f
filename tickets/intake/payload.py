"""Reading a channel's JSON payload field by field, collecting every error with a stable code;
the body's nesting is checked before it is parsed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from urllib.parse import urlsplit

from django.utils import timezone

from tickets.core.moments import MomentRefused, moment_parse
from tickets.core.text import (
    TextRefused,
    clean_text,
    control_character_in,
    control_character_message,
    html_to_text,
    id_number_is_valid,
    normalise_mobile,
    to_half_width,
    too_long_message,
)

CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_YEAR = 2000
MESSAGES = {
    "required": "必填",
    "type_string": "应为字符串",
    "type_object": "应为 JSON 对象",
    "type_list": "应为数组",
    "type_bool": "应为 true 或 false",
    "untrimmed": "首尾不能有空白（按收到的原样保存，不会替渠道去掉）",
    "invalid_datetime": "不是有效的时间，应为 ISO 8601 格式，如 2026-11-28T09:30:00+08:00",
    "in_future": "晚于当前时间",
    "invalid_number": "不是有效的数字",
    "out_of_range": "超出范围 {low} 到 {high}",
    "invalid_url": "不是有效的 http(s) 地址",
    "invalid_phone": "不是有效的大陆手机号码",
    "invalid_id_number": "不是有效的 18 位身份证号（校验位不符）",
    "invalid_choice": "只能是 {choices}",
    "too_many": "最多 {limit} 项",
}
# How the messages name a field ("标题最多 200 字，收到 10000 字"), by the channel's own key.
LABELS = {
    "title": "标题", "subject": "标题", "content": "内容", "agent_summary": "话务记录",
    "excerpt": "摘录", "description": "描述", "place": "地点", "address": "地址", "name": "姓名",
    "caller_name": "来电人姓名", "event_type_name": "事件类型名称", "reporter": "上报人",
    "platform": "平台", "author": "作者", "category": "分类", "call_id": "话务单号",
    "submission_id": "表单编号", "case_number": "信访件编号", "item_id": "线索编号",
    "event_id": "事件编号", "upstream_number": "上级单号", "event_type": "事件类型",
    "agent_id": "话务员工号", "external_id": "渠道单号", "note": "说明",
}
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class PayloadTooDeep(ValueError):
    """JSON nested deeper than the intake takes (INTAKE_MAX_JSON_DEPTH)."""


def json_depth_exceeds(body: bytes, *, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects more than ``limit`` deep, found without
    parsing it (parsing is what recursion-limits a deep body). Brackets inside strings don't
    count; a body with fewer brackets than the limit is not even scanned."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKEN.finditer(body):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in (b"]", b"}"):
            depth -= 1
    return False


def payload_load(body: bytes, *, max_depth: int) -> Any:
    """The JSON value of a UTF-8 body. Raises PayloadTooDeep past ``max_depth`` levels, and
    ValueError (UnicodeDecodeError, json.JSONDecodeError) when it is not UTF-8 JSON."""
    if json_depth_exceeds(body, limit=max_depth):
        raise PayloadTooDeep(f"JSON 嵌套超过 {max_depth} 层")
    try:
        return json.loads(body.decode("utf-8"))
    except RecursionError:  # not reached past the scan above; kept as the last guard
        raise PayloadTooDeep(f"JSON 嵌套超过 {max_depth} 层") from None


@dataclass
class PayloadError(Exception):
    """Field path -> [{"code": ..., "message": ...}], all problems of one payload at once."""

    fields: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v[0]['code']}" for k, v in self.fields.items())


class PayloadReader:
    """Reads fields, collecting every problem. Text is kept as sent or refused: control
    characters and over-long text are field errors, never dropped or cut; what it does change
    (HTML read as its text) is listed in ``html_converted`` for the ticket to say so."""

    def __init__(self, payload: Any, *, prefix: str = "", errors: PayloadError | None = None,
                 html_converted: list[str] | None = None):
        self.errors = errors if errors is not None else PayloadError()
        self.html_converted = html_converted if html_converted is not None else []
        self.prefix = prefix
        if isinstance(payload, dict):
            self.data = payload
        else:
            self.data = {}
            self.fail("", "type_object")

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}" if name else self.prefix.rstrip(".") or "body"

    def fail(self, name: str, code: str, message: str | None = None, **fmt: Any) -> None:
        self.errors.fields.setdefault(self.path(name), []).append(
            {"code": code, "message": message or MESSAGES[code].format(**fmt)}
        )

    def raise_if_invalid(self) -> None:
        if self.errors.fields:
            raise self.errors

    def _raw(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, "required")
            return None
        return value

    def text(self, name: str, *, required: bool = False, max_length: int = 200,
             multiline: bool = False, html: bool = True) -> str:
        """Free text, tidied; unless ``html`` is off, HTML is read as its text (and noted)."""
        value = self._raw(name, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(name, "type_string")
            return ""
        try:
            cleaned = clean_text(value, max_length=max_length, multiline=multiline, html=html,
                                 label=LABELS.get(name, ""))
        except TextRefused as refused:
            self.fail(name, refused.code, refused.message)
            return ""
        if html and html_to_text(value) != value:
            self.html_converted.append(self.path(name))
        return cleaned

    def identifier(self, name: str, *, required: bool = True, max_length: int = 100) -> str:
        """A channel's code or number, exactly as sent (it is how the channel finds its ticket
        again): no character is changed, dropped or added."""
        value = self._raw(name, required)
        if value is None:
            return ""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(name, "type_string")
            return ""
        if (bad := control_character_in(value, strict=True)) is not None:
            self.fail(name, "control_character", control_character_message(bad))
            return ""
        if value != value.strip():
            self.fail(name, "untrimmed")
            return ""
        if len(value) > max_length:
            self.fail(name, "too_long", too_long_message(
                limit=max_length, length=len(value), label=LABELS.get(name, "")))
            return ""
        return value

    def categories(self, name: str, *, levels: int = 3, max_length: int = 40) -> list[str]:
        """A category path (一级, 二级, 三级): labels, tidied like one-line text, never cut."""
        value = self.data.get(name)
        if not value:
            return []
        if not isinstance(value, list) or len(value) > levels or not all(
                isinstance(c, str) for c in value):
            self.fail(name, "type_list", f"应为最多 {levels} 级的字符串数组")
            return []
        result = []
        for i, level in enumerate(value):
            try:
                result.append(clean_text(level, max_length=max_length, multiline=False,
                                         html=False, label=f"第 {i + 1} 级分类"))
            except TextRefused as refused:
                self.fail(f"{name}[{i}]", refused.code, refused.message)
        return result

    def moment(self, name: str, *, required: bool = False,
               past_only: bool = False) -> datetime | None:
        value = self._raw(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, "invalid_datetime")
            return None
        try:
            parsed = moment_parse(value)  # a time without offset: the district's (channels send it)
        except MomentRefused as refused:
            self.fail(name, "invalid_datetime", refused.message)
            return None
        if parsed.year < EARLIEST_YEAR:
            self.fail(name, "invalid_datetime", f"早于 {EARLIEST_YEAR} 年，不是有效的时间")
            return None
        if past_only and parsed > timezone.now() + CLOCK_SKEW:
            self.fail(name, "in_future")
            return None
        return parsed

    def number(self, name: str, *, low: float, high: float, required: bool = False,
               integer: bool = False) -> Decimal | None:
        value = self._raw(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail(name, "invalid_number")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(name, "invalid_number")
            return None
        if not number.is_finite() or (integer and number != number.to_integral_value()):
            self.fail(name, "invalid_number")
            return None
        if not low <= number <= high:
            self.fail(name, "out_of_range", low=low, high=high)
            return None
        return number

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, "type_bool")
            return default
        return value

    def url(self, name: str, *, required: bool = False) -> str:
        value = self._raw(name, required)
        if value is None:
            return ""
        if (not isinstance(value, str) or len(value) > 2000
                or control_character_in(value, strict=True) is not None):
            self.fail(name, "invalid_url")
            return ""
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.fail(name, "invalid_url")
            return ""
        return value.strip()

    def urls(self, name: str, *, max_items: int = 20) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(name, "type_list")
            return []
        if len(value) > max_items:
            self.fail(name, "too_many", limit=max_items)
            return []
        result = []
        for i, item in enumerate(value):
            item_reader = PayloadReader({"u": item}, prefix=f"{self.prefix}{name}[{i}].",
                                        errors=self.errors)
            if url := item_reader.url("u"):
                result.append(url)
        return result

    def phone(self, name: str, *, required: bool = False) -> str:
        value = self._raw(name, required)
        if value is None:
            return ""
        mobile = normalise_mobile(str(value)) if isinstance(value, (str, int)) else None
        if mobile is None:
            self.fail(name, "invalid_phone")
            return ""
        return mobile

    def id_number(self, name: str) -> str:
        value = self._raw(name, False)
        if value is None:
            return ""
        candidate = to_half_width(str(value)).strip().upper()
        if not id_number_is_valid(candidate):
            self.fail(name, "invalid_id_number")
            return ""
        return candidate

    def choice(self, name: str, choices: list[str], *, required: bool = False,
               default: str = "") -> str:
        value = self._raw(name, required)
        if value is None:
            return default
        if value not in choices:
            self.fail(name, "invalid_choice", choices="、".join(choices))
            return default
        return cast(str, value)  # one of choices

    def nested(self, name: str, *, required: bool = False) -> PayloadReader:
        value = self._raw(name, required)
        return PayloadReader({} if value is None else value, prefix=f"{self.prefix}{name}.",
                             errors=self.errors, html_converted=self.html_converted)
