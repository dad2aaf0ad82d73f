"""Reading a channel's JSON payload field by field, collecting every error with a stable code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tickets.core.text import clean_text, id_number_is_valid, normalise_mobile, to_half_width

CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_YEAR = 2000
MESSAGES = {
    "required": "必填",
    "type_string": "应为字符串",
    "type_object": "应为 JSON 对象",
    "type_list": "应为数组",
    "type_bool": "应为 true 或 false",
    "too_long": "过长，最多 {limit} 个字符",
    "invalid_datetime": "不是有效的时间，应为 ISO 8601 格式，如 2026-11-28T09:30:00+08:00",
    "in_future": "晚于当前时间",
    "invalid_number": "不是有效的数字",
    "out_of_range": "超出范围 {low} 到 {high}",
    "invalid_url": "不是有效的 http(s) 地址",
    "invalid_phone": "不是有效的大陆手机号码",
    "invalid_id_number": "不是有效的 18 位身份证号（校验位不符）",
    "invalid_choice": "只能是 {choices}",
}


@dataclass
class PayloadError(Exception):
    """Field path -> [{"code": ..., "message": ...}], all problems of one payload at once."""

    fields: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v[0]['code']}" for k, v in self.fields.items())


class PayloadReader:
    def __init__(self, payload: Any, *, prefix: str = "", errors: PayloadError | None = None):
        self.errors = errors if errors is not None else PayloadError()
        self.prefix = prefix
        if isinstance(payload, dict):
            self.data = payload
        else:
            self.data = {}
            self.fail("", "type_object")

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}" if name else self.prefix.rstrip(".") or "body"

    def fail(self, name: str, code: str, **fmt: Any) -> None:
        self.errors.fields.setdefault(self.path(name), []).append(
            {"code": code, "message": MESSAGES[code].format(**fmt)}
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
             multiline: bool = False, reject_longer: bool = False) -> str:
        value = self._raw(name, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(name, "type_string")
            return ""
        if reject_longer and len(value) > max_length:
            self.fail(name, "too_long", limit=max_length)
            return ""
        return clean_text(value, max_length=max_length, multiline=multiline)

    def identifier(self, name: str, *, required: bool = True, max_length: int = 100) -> str:
        value = self._raw(name, required)
        if value is None:
            return ""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(name, "type_string")
            return ""
        value = clean_text(value, max_length=max_length + 1, multiline=False)
        if len(value) > max_length:
            self.fail(name, "too_long", limit=max_length)
            return ""
        return value

    def moment(self, name: str, *, required: bool = False,
               past_only: bool = False) -> datetime | None:
        value = self._raw(name, required)
        if value is None:
            return None
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is not None and timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)  # channels in the district send local time
        except (ValueError, OverflowError):  # well-formed but impossible, e.g. year 0
            parsed = None
        if parsed is None or parsed.year < EARLIEST_YEAR:
            self.fail(name, "invalid_datetime")
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
        if not isinstance(value, str) or len(value) > 2000:
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
        result = []
        for i, item in enumerate(value[:max_items]):
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
        if value is None:
            return PayloadReader({}, prefix=f"{self.prefix}{name}.", errors=self.errors)
        return PayloadReader(value, prefix=f"{self.prefix}{name}.", errors=self.errors)
