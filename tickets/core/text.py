"""Cleaning citizens' text and finding phone and ID numbers in it."""

from __future__ import annotations

import html
import re

from django.utils.html import strip_tags

# Full-width ASCII letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) and the ideographic space become
# half-width; Chinese punctuation (，。：) is left as it is, since it belongs to the text.
_FULL_TO_HALF = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)},
    0xFF0B: ord("+"), 0xFF0D: ord("-"), 0xFF20: ord("@"), 0x3000: ord(" "),
}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# What no text of a citizen, a channel or a member of staff carries: C0 controls (NUL among them:
# PostgreSQL cannot store it) but tab, line feed and carriage return; DEL; C1 controls (a sign of
# text decoded twice); lone surrogates (a JSON "\ud800" escape; not encodable in UTF-8).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# In a code or a number even tab and line breaks are out of place.
_CONTROL_STRICT = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

_MOBILE = re.compile(
    r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9])"
)
_ID_NUMBER = re.compile(
    r"(?<![0-9])([1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
)
# Anything in free text (log lines) that may be a phone or ID number, matched on half-width text:
# a mobile as above, a landline with its area code (0755-83001234, (010)62345678), and any 17
# digits plus a check character with no date or checksum test, since a mistyped ID number is
# still somebody's. Masking more than needed is the safe side here.
PERSONAL_NUMBER = re.compile(
    rf"(?P<mobile>{_MOBILE.pattern})"
    r"|(?P<landline>(?<![0-9])\(?0[1-9][0-9]{1,2}\)?[- ]?[2-9][0-9]{6,7}(?![0-9]))"
    r"|(?P<id_number>(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9]))"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def to_half_width(text: str) -> str:
    return text.translate(_FULL_TO_HALF)


class TextRefused(ValueError):
    """Text that cannot be kept as it was sent: it holds a control character, or it is longer
    than its field. Nothing is ever dropped or cut to make it fit."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def control_character_in(text: str, *, strict: bool = False) -> str | None:
    """The first control character in the text (see _CONTROL), or None. ``strict`` also counts
    tab and line breaks, for codes and numbers."""
    found = (_CONTROL_STRICT if strict else _CONTROL).search(text)
    return found.group() if found else None


def control_character_message(character: str) -> str:
    return f"含有控制字符或无效字符（U+{ord(character):04X}），请去除后重发"


def too_long_message(*, limit: int, length: int, label: str = "") -> str:
    return f"{label}最多 {limit} 字，收到 {length} 字"


def html_to_text(text: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded. A change in what was sent;
    callers say so where they keep the result (intake notes it on the ticket)."""
    return html.unescape(strip_tags(text))


def clean_text(text: str, *, max_length: int, multiline: bool = True, html: bool = True,
               label: str = "") -> str:
    """Half-width alphanumerics, tidy spaces and, unless ``html`` is off, HTML read as its text.
    These keep what the text says. A control character, or more than ``max_length``
    characters once tidied, raises TextRefused: the text is never shortened or stripped."""
    if (bad := control_character_in(text)) is not None:
        raise TextRefused("control_character", control_character_message(bad))
    value = to_half_width(html_to_text(text) if html else text)
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in value.splitlines()]
        value = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    else:
        value = _SPACES.sub(" ", " ".join(value.splitlines())).strip()
    if (bad := control_character_in(value)) is not None:  # an entity, e.g. &#1;
        raise TextRefused("control_character", control_character_message(bad))
    if len(value) > max_length:
        raise TextRefused("too_long", too_long_message(limit=max_length, length=len(value),
                                                       label=label))
    return value


def id_number_is_valid(value: str) -> bool:
    """18-digit resident ID: the last character is the ISO 7064 MOD 11-2 check of the first 17."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def normalise_mobile(value: str) -> str | None:
    match = _MOBILE.fullmatch(to_half_width(value).strip())
    return "".join(match.groups()) if match else None


def find_mobiles(text: str) -> list[str]:
    return list(dict.fromkeys("".join(m.groups()) for m in _MOBILE.finditer(to_half_width(text))))


def find_id_numbers(text: str) -> list[str]:
    found = (m.group(1).upper() for m in _ID_NUMBER.finditer(to_half_width(text)))
    return list(dict.fromkeys(v for v in found if id_number_is_valid(v)))
