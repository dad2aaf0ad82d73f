"""Normalising a citizen's text before segmentation: what the model should not learn from.

Full-width letters and digits, runs of whitespace, the courtesies every letter carries
(尊敬的领导、您好、谢谢) and numbers (phones, anonymised or not) say nothing about which unit
is responsible; left in, they become features the model overfits to.
"""

from __future__ import annotations

import re
import unicodedata

# Courtesies at the start or end of a message, not inside it: "请尽快处理" at the end is
# boilerplate, "处理" inside a sentence is content. Anchored, so each is tried once per text.
_COURTESY = (r"尊敬的(?:各位)?(?:领导|相关部门|工作人员|市长|区长|书记)?[，,：:！!。\s]*"
             r"|(?:领导|各位)?(?:您好|你好)[，,：:！!。\s]*")
_THANKS = (r"(?:谢谢|感谢|多谢)(?:您|你们|领导|各位)?[！!。\s]*"
           r"|(?:望|希望|恳请|请)(?:有关|相关)?(?:部门|领导)?(?:尽快|早日|及时)?"
           r"(?:处理|解决|回复)[，,！!。\s]*")
_LEADING = re.compile(rf"^(?:\s*(?:{_COURTESY}))+")
_TRAILING = re.compile(rf"(?:(?:{_THANKS})\s*)+$")
# 138****1234, 138 1234 5678, 0755-8888xxxx, and the like: any digit run with masks.
_NUMBERISH = re.compile(r"[0-9][0-9*xX×\- ]{5,}[0-9*xX×]")
_SPACES = re.compile(r"\s+")


def text_normalise(text: str) -> str:
    """NFKC (full → half width), boilerplate and phone-like numbers removed, one space runs."""
    value = unicodedata.normalize("NFKC", text or "")
    value = _NUMBERISH.sub(" ", value)
    value = _TRAILING.sub("", _LEADING.sub("", value.strip()))
    return _SPACES.sub(" ", value).strip()
