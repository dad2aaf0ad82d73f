"""Masking citizens' phone and ID numbers for people who may not see them in full."""

from typing import Any

from tickets.core.text import PERSONAL_NUMBER, to_half_width


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(id_number: str) -> str:
    value = id_number.strip()
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_personal_numbers(text: str) -> str:
    """Every phone and ID number in free text (a log line) masked by the rules above.

    Matching runs on the half-width copy, so full-width digits are caught too; the copy has the
    same length, so each match's span is also its place in the original."""
    half = to_half_width(text)
    pieces: list[str] = []
    end = 0
    for match in PERSONAL_NUMBER.finditer(half):
        digits = "".join(c for c in match.group() if c.isdigit() or c in "Xx")
        if match.group("mobile") is not None:
            masked = mask_phone(digits[-11:])  # without a +86 prefix
        elif match.group("landline") is not None:
            masked = mask_phone(digits)
        else:
            masked = mask_id_number(digits.upper())
        pieces += [text[end:match.start()], masked]
        end = match.end()
    if not pieces:
        return text
    pieces.append(text[end:])
    return "".join(pieces)


def mask_data(value: Any) -> Any:
    """A JSON value (a trail payload, a channel's details) with the numbers in every string
    masked; keys, numbers and the shape are kept."""
    if isinstance(value, str):
        return mask_personal_numbers(value)
    if isinstance(value, list):
        return [mask_data(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_data(v) for k, v in value.items()}
    return value


def mask_name(name: str) -> str:
    """The surname kept (张*, 欧**): what an anonymised ticket still says of who asked."""
    value = name.strip()
    return f"{value[0]}{'*' * (len(value) - 1)}" if len(value) > 1 else "*" * len(value)
